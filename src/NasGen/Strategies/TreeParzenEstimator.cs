namespace NasGen.Strategies;

/// <summary>Options of <see cref="TreeParzenEstimator{TArchitecture}"/>. The defaults are Optuna's (<c>TPESampler</c>).</summary>
public sealed record TreeParzenEstimatorOptions
{
    /// <summary>Random architectures evaluated before the estimators are used (Optuna's <c>n_startup_trials</c>).</summary>
    public int StartupTrials { get; init; } = 10;

    /// <summary>The share γ of the successful observations that forms the good group l(x) (at least one, see <see cref="MaxGood"/>).</summary>
    public double Gamma { get; init; } = 0.1;

    /// <summary>The most observations in the good group: γ(n) = min(⌈γ·n⌉, MaxGood), Optuna's default.</summary>
    public int MaxGood { get; init; } = 25;

    /// <summary>Weight of the uniform prior, both as a mixture component and as the smoothing of each observation's kernel.</summary>
    public double PriorWeight { get; init; } = 1.0;

    /// <summary>Candidates drawn from l(x) per ask; the one with the largest l(x)/g(x) is proposed (Optuna's <c>n_ei_candidates</c>).</summary>
    public int Candidates { get; init; } = 24;

    /// <summary>
    /// Model the dimensions jointly: each kernel is a product over the dimensions around one observation, so a candidate
    /// is drawn around a good architecture and scored by how close it lies to good ones rather than by its choices one
    /// at a time (Falkner, Klein and Hutter 2018; Optuna's <c>multivariate=True</c>). Off, each dimension has its own
    /// estimator and picks its own best candidate (Bergstra et al. 2011; Optuna's default).
    /// </summary>
    public bool Multivariate { get; init; }

    /// <summary>
    /// Give older observations less weight within each group: the newest 25 weigh 1, older ones rise linearly from 1/n
    /// (Optuna's <c>default_weights</c>); off, every observation weighs 1.
    /// </summary>
    public bool DecayOldObservations { get; init; } = true;

    /// <summary>
    /// Score candidates with each continuous range's kernels weighted in proportion to their bandwidth (the prior's,
    /// the whole range, most), as Optuna 3.1–3.4's estimator does: its truncated-normal density lacks the 1/σ of the
    /// change of variable (optuna/optuna#5109, fixed in Optuna 3.5), so l(x) and g(x) lean towards their wide kernels
    /// and the prior. Draws from l(x) are unchanged. Off, every kernel is a normalised density (Bergstra et al. 2011).
    /// On by default because it searched better on the continuous benchmark (median regret on Hartmann-6 0.199 against
    /// 0.416 with normalised kernels, see <c>docs/benchmarks/continuous.md</c>). Categorical dimensions have no width and
    /// are not affected.
    /// </summary>
    public bool WeighKernelsByWidth { get; init; } = true;

    /// <summary>How many of <paramref name="observations"/> successful observations form the good group.</summary>
    internal int GoodCount(int observations) => Math.Min((int)Math.Ceiling(Gamma * observations), MaxGood);

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> (for <paramref name="parameterName"/>) on an unusable setting.</summary>
    internal void Validate(string parameterName)
    {
        if (StartupTrials < 1) throw new ArgumentOutOfRangeException(parameterName, "StartupTrials must be at least 1.");
        if (!(Gamma > 0 && Gamma <= 1)) throw new ArgumentOutOfRangeException(parameterName, "Gamma must be in (0, 1].");
        if (MaxGood < 1) throw new ArgumentOutOfRangeException(parameterName, "MaxGood must be at least 1.");
        if (!(PriorWeight > 0) || double.IsInfinity(PriorWeight)) throw new ArgumentOutOfRangeException(parameterName, "PriorWeight must be positive and finite.");
        if (Candidates < 1) throw new ArgumentOutOfRangeException(parameterName, "Candidates must be at least 1.");
    }
}

/// <summary>
/// The tree-structured Parzen estimator (Bergstra, Bardenet, Bengio and Kégl, NeurIPS 2011; the components as
/// Watanabe 2023 lays them out): after the startup trials, the successful observations are split into the best γ(n)
/// and the rest; a categorical Parzen estimator of each group, l(x) and g(x), is a weighted mixture of one kernel per
/// observation and a uniform prior; candidates are drawn from l(x) and the one with the largest l(x)/g(x) is proposed.
/// Never proposes an architecture twice: a candidate already proposed, or one a constraint forbids, gives way to the
/// next best.
/// </summary>
/// <remarks>
/// Every dimension of a NasGen space is categorical (values, layers, inputs, repeats, cells and sub-spaces all flatten
/// to candidate indices), so every kernel is Optuna's categorical one: an observation with candidate o in a dimension
/// of K candidates gives o the probability (1 + a)/(1 + K·a) and every other candidate a/(1 + K·a), with a = prior
/// weight / (group size + 1). Failed trials are not modelled, nor are suggestions in flight.
/// </remarks>
public sealed class TreeParzenEstimator<TArchitecture> : ISearchStrategy<TArchitecture>
    where TArchitecture : struct, IEquatable<TArchitecture>
{
    /// <summary>Batches of candidates drawn before the strategy gives up on the model and samples an unproposed architecture.</summary>
    private const int CandidateBatches = 8;

    /// <summary>Optuna's <c>default_weights</c>: this many newest observations of a group weigh 1.</summary>
    private const int FlatWeights = 25;

    private readonly ISearchSpace<TArchitecture> _space;
    private readonly TreeParzenEstimatorOptions _options;
    private readonly Random _random;
    private readonly ProposalTracker<TArchitecture> _tracker;
    private readonly int[] _choices; // candidates per dimension (1 for a continuous range: its code is always 0)
    private readonly int[] _continuous; // the continuous ranges' dimensions
    private readonly List<int[]> _codes = new();
    private readonly List<double[]> _positions = new(); // per observation and dimension: a continuous range's normalised position
    private readonly List<double> _fitness = new();

    /// <summary>Creates a TPE search over <paramref name="space"/>.</summary>
    public TreeParzenEstimator(ISearchSpace<TArchitecture> space, TreeParzenEstimatorOptions? options, int seed)
    {
        ArgumentNullException.ThrowIfNull(space);
        _options = options ?? new TreeParzenEstimatorOptions();
        _options.Validate(nameof(options));
        CandidateLimits.Check(space, "TPE");
        _space = space;
        _random = new Random(seed);
        _tracker = new ProposalTracker<TArchitecture>(space);
        _choices = space.Dimensions.Select(d => d.IsContinuous ? 1 : d.Count).ToArray();
        _continuous = Enumerable.Range(0, _choices.Length).Where(d => space.Dimensions[d].IsContinuous).ToArray();
    }

    /// <inheritdoc />
    public string Name => _options.Multivariate ? "tpe-multivariate" : "tpe";

    /// <inheritdoc />
    public Suggestion<TArchitecture>? Ask()
    {
        return _tracker.IssueAfterInitialDesign(_codes.Count, _options.StartupTrials, _random, Propose);
    }

    /// <inheritdoc />
    public void Tell(Suggestion<TArchitecture> suggestion, TrialOutcome outcome)
    {
        if (!_tracker.Settle(suggestion, outcome)) return;
        _codes.Add(_space.EncodeCategorical(suggestion.Architecture));
        var positions = new double[_choices.Length];
        if (_continuous.Length > 0)
        {
            _space.EncodeNumbers(suggestion.Architecture, positions);
            foreach (int d in _continuous) positions[d] = _space.Dimensions[d].Range!.Normalise(positions[d]);
        }
        _positions.Add(positions);
        _fitness.Add(outcome.Fitness!.Value);
    }

    private TArchitecture? Propose()
    {
        // The best γ(n) by fitness (ties: the earlier told) are good; each group keeps tell order for its weights.
        var byFitness = Enumerable.Range(0, _codes.Count).OrderByDescending(i => _fitness[i]).ToArray();
        int goodCount = _options.GoodCount(_codes.Count);
        var good = new ParzenEstimator(this, byFitness.Take(goodCount).Order().ToArray());
        var bad = new ParzenEstimator(this, byFitness.Skip(goodCount).Order().ToArray());

        int count = _options.Candidates, dimensions = _choices.Length;
        var candidates = new int[count + 1][];
        var positions = new double[count + 1][];
        var scores = new double[count + 1];
        var order = new int[count + 1];
        for (int batch = 0; batch < CandidateBatches; batch++)
        {
            for (int c = 0; c < count; c++)
            {
                (candidates[c], positions[c]) = good.Sample(_random);
                scores[c] = good.LogDensity(candidates[c], positions[c]) - bad.LogDensity(candidates[c], positions[c]);
            }
            int total = count;
            if (!_options.Multivariate)
            {
                // Optuna's univariate sampler picks each dimension's best drawn candidate on its own; the ratio is a
                // product over the dimensions, so that combination scores highest of all.
                var best = new int[dimensions];
                var bestPositions = new double[dimensions];
                for (int d = 0; d < dimensions; d++)
                {
                    int winner = 0;
                    for (int c = 1; c < count; c++)
                        if (good.LogRatio(d, candidates[c][d], positions[c][d], bad) > good.LogRatio(d, candidates[winner][d], positions[winner][d], bad)) winner = c;
                    best[d] = candidates[winner][d];
                    bestPositions[d] = positions[winner][d];
                }
                candidates[count] = best;
                positions[count] = bestPositions;
                scores[count] = good.LogDensity(best, bestPositions) - bad.LogDensity(best, bestPositions);
                total++;
            }
            for (int c = 0; c < total; c++) order[c] = c;
            Array.Sort(scores, order, 0, total);
            for (int k = total - 1; k >= 0; k--)
            {
                var architecture = Decode(candidates[order[k]], positions[order[k]]);
                if (!_tracker.Proposals.Contains(architecture) && _space.IsAllowed(architecture)) return architecture;
            }
        }
        // l(x) has concentrated on architectures already proposed (or forbidden): keep the search going at random.
        return _tracker.Proposals.SampleUnproposed(_random);
    }

    /// <summary>
    /// A categorical Parzen estimator over a group of observations: a mixture of one kernel per observation (weights as
    /// <see cref="TreeParzenEstimatorOptions.DecayOldObservations"/> says) and the uniform prior.
    /// </summary>
    private TArchitecture Decode(int[] codes, double[] positions)
    {
        if (_continuous.Length == 0) return _space.Decode(codes);
        var numbers = new double[codes.Length];
        foreach (int d in _continuous) numbers[d] = _space.Dimensions[d].Range!.Denormalise(positions[d]);
        return _space.Decode(codes, numbers);
    }

    private sealed class ParzenEstimator
    {
        private readonly TreeParzenEstimator<TArchitecture> _owner;
        private readonly int[] _members;      // observation indices, in tell order
        private readonly double[] _weights;   // mixture weight per member, then the prior's; sum 1
        private readonly double[] _logHit;    // per dimension: log kernel probability of the observed candidate
        private readonly double[] _logMiss;   // per dimension: log kernel probability of any other candidate
        private readonly double[][] _marginal; // per dimension and candidate: the mixture's marginal probability
        private readonly double _logPrior;    // log of the prior's density over the categorical dimensions, the same everywhere
        private readonly double[][] _sigma;   // per dimension and member: a continuous range's kernel width (normalised units)
        private readonly double[][] _logNormaliser; // per dimension and component (the prior last): NumericParzen.LogNormaliser
        private readonly double[] _logWeights;      // log of each component's weight
        private readonly double[] _terms;           // scratch of LogMarginal
        // An ask scores each drawn position several times (its density, then its ratio per dimension): each range's
        // log marginal is computed once per position.
        private readonly Dictionary<(int Dimension, double Position), double> _logMarginals = new();

        public ParzenEstimator(TreeParzenEstimator<TArchitecture> owner, int[] members)
        {
            _owner = owner;
            _members = members;
            var options = owner._options;
            int m = members.Length;
            _weights = new double[m + 1];
            for (int i = 0; i < m; i++)
                _weights[i] = !options.DecayOldObservations || m <= FlatWeights || i >= m - FlatWeights ? 1.0
                    : 1.0 / m + (1 - 1.0 / m) * (m - FlatWeights == 1 ? 0 : (double)i / (m - FlatWeights - 1));
            _weights[m] = options.PriorWeight;
            double sum = _weights.Sum();
            for (int i = 0; i <= m; i++) _weights[i] /= sum;
            _sigma = new double[owner._choices.Length][];
            foreach (int d in owner._continuous)
                _sigma[d] = options.Multivariate
                    ? Enumerable.Repeat(NumericParzen.Bandwidth(m, owner._choices.Length), m).ToArray()
                    : NumericParzen.NeighbourBandwidths(members.Select(i => owner._positions[i][d]).ToArray());
            _logWeights = _weights.Select(w => Math.Log(w)).ToArray();
            _terms = new double[m + 1];
            _logNormaliser = new double[owner._choices.Length][];
            foreach (int d in owner._continuous)
            {
                var normaliser = _logNormaliser[d] = new double[m + 1];
                for (int i = 0; i < m; i++) normaliser[i] = NumericParzen.LogNormaliser(owner._positions[members[i]][d], _sigma[d][i]);
                normaliser[m] = NumericParzen.LogNormaliser(NumericParzen.PriorCenter, NumericParzen.PriorSigma);
                // A kernel weighed by its width (the prior's is 1): its normaliser without log σ.
                if (options.WeighKernelsByWidth)
                    for (int i = 0; i < m; i++) normaliser[i] -= Math.Log(_sigma[d][i]);
            }

            int dimensions = owner._choices.Length;
            double a = options.PriorWeight / (m + 1);
            _logHit = new double[dimensions];
            _logMiss = new double[dimensions];
            _marginal = new double[dimensions][];
            _logPrior = 0;
            for (int d = 0; d < dimensions; d++)
            {
                int k = owner._choices[d];
                double hit = (1 + a) / (1 + k * a), miss = a / (1 + k * a);
                _logHit[d] = Math.Log(hit);
                _logMiss[d] = Math.Log(miss);
                _logPrior -= Math.Log(k);
                var marginal = _marginal[d] = new double[k];
                for (int c = 0; c < k; c++) marginal[c] = _weights[m] / k;
                for (int i = 0; i < m; i++)
                {
                    for (int c = 0; c < k; c++) marginal[c] += _weights[i] * miss;
                    marginal[owner._codes[members[i]][d]] += _weights[i] * (hit - miss);
                }
            }
        }

        /// <summary>Draws an architecture's codes: per dimension from the marginal, or, multivariate, around one member (or the prior) drawn by weight.</summary>
        public (int[] Codes, double[] Positions) Sample(Random random)
        {
            var choices = _owner._choices;
            var codes = new int[choices.Length];
            var positions = new double[choices.Length];
            if (!_owner._options.Multivariate)
            {
                for (int d = 0; d < codes.Length; d++) codes[d] = Draw(_marginal[d], random);
                // Each range draws its own mixture component: the univariate estimator is a product of marginals.
                foreach (int d in _owner._continuous) positions[d] = SamplePosition(d, Draw(_weights, random), random);
                return (codes, positions);
            }
            int component = Draw(_weights, random);
            foreach (int d in _owner._continuous) positions[d] = SamplePosition(d, component, random);
            for (int d = 0; d < codes.Length; d++)
            {
                int k = choices[d];
                if (component == _members.Length) { codes[d] = random.Next(k); continue; }
                int center = _owner._codes[_members[component]][d];
                // The kernel keeps the center with probability e^logHit, else picks one of the other k − 1 uniformly.
                if (k == 1 || random.NextDouble() < Math.Exp(_logHit[d])) { codes[d] = center; continue; }
                int other = random.Next(k - 1);
                codes[d] = other >= center ? other + 1 : other;
            }
            return (codes, positions);
        }

        private double SamplePosition(int d, int component, Random random) => component == _members.Length
            ? NumericParzen.Sample(random, NumericParzen.PriorCenter, NumericParzen.PriorSigma)
            : NumericParzen.Sample(random, _owner._positions[_members[component]][d], _sigma[d][component]);

        // NumericParzen.LogDensity with the kernel's normaliser computed once.
        private double LogKernel(int component, int d, double position)
        {
            double z = component == _members.Length
                ? (position - NumericParzen.PriorCenter) / NumericParzen.PriorSigma
                : (position - _owner._positions[_members[component]][d]) / _sigma[d][component];
            return -0.5 * z * z - _logNormaliser[d][component];
        }

        // log Σ_i w_i K_i(x) over the components, for one continuous range.
        private double LogMarginal(int d, double position)
        {
            if (_logMarginals.TryGetValue((d, position), out double known)) return known;
            for (int i = 0; i <= _members.Length; i++) _terms[i] = _logWeights[i] + LogKernel(i, d, position);
            return _logMarginals[(d, position)] = LogSumExp(_terms);
        }

        /// <summary>log of the estimator's density at <paramref name="codes"/>: the product of the marginals, or, multivariate, the joint mixture.</summary>
        public double LogDensity(int[] codes, double[] positions)
        {
            if (!_owner._options.Multivariate)
            {
                double sum = 0;
                for (int d = 0; d < codes.Length; d++) sum += Math.Log(_marginal[d][codes[d]]);
                foreach (int d in _owner._continuous) sum += LogMarginal(d, positions[d]);
                return sum;
            }
            // log Σ_i w_i Π_d K_id(x_d), summed relative to the largest term so nothing underflows.
            var terms = new double[_members.Length + 1];
            terms[^1] = _logWeights[^1] + _logPrior;
            foreach (int d in _owner._continuous) terms[^1] += LogKernel(_members.Length, d, positions[d]);
            for (int i = 0; i < _members.Length; i++)
            {
                var center = _owner._codes[_members[i]];
                double log = _logWeights[i];
                for (int d = 0; d < codes.Length; d++) log += center[d] == codes[d] ? _logHit[d] : _logMiss[d];
                foreach (int d in _owner._continuous) log += LogKernel(i, d, positions[d]);
                terms[i] = log;
            }
            return LogSumExp(terms);
        }

        private static double LogSumExp(double[] terms)
        {
            double max = terms.Max();
            double total = 0;
            foreach (double t in terms) total += Math.Exp(t - max);
            return max + Math.Log(total);
        }

        /// <summary>log l_d(c) − log g_d(c) for one dimension's marginals, this estimator being l.</summary>
        public double LogRatio(int dimension, int candidate, double position, ParzenEstimator other) =>
            _owner._space.Dimensions[dimension].IsContinuous
                ? LogMarginal(dimension, position) - other.LogMarginal(dimension, position)
                : Math.Log(_marginal[dimension][candidate]) - Math.Log(other._marginal[dimension][candidate]);

        private static int Draw(double[] probabilities, Random random)
        {
            double u = random.NextDouble() * probabilities.Sum();
            for (int i = 0; i < probabilities.Length - 1; i++)
            {
                u -= probabilities[i];
                if (u < 0) return i;
            }
            return probabilities.Length - 1;
        }
    }
}
