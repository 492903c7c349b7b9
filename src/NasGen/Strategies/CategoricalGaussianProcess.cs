using static NasGen.Strategies.DenseLinearAlgebra;

namespace NasGen.Strategies;

/// <summary>
/// A Gaussian process over architectures in their one-hot encoding, for Bayesian optimization. The kernel is the
/// squared exponential in the one-hot encoding with a length-scale per one-hot column (automatic relevance
/// determination): two architectures that differ in dimension d, one with candidate a and the other with b, are
/// correlated by exp(−(u_da + u_db) / 2) in that dimension, and the correlation is the product over the dimensions.
/// A column's relevance u_dc = w_d · v_c is a weight per dimension times, optionally, a weight per candidate, shared by
/// the dimensions with the same candidates (an operation that changes the network a lot on one edge of a cell is
/// likely to on another); without candidate weights every v_c is 1 and the kernel depends only on which dimensions
/// differ. Targets are standardised; the signal variance has its closed-form maximum-likelihood value; the weights and
/// the noise maximise the log marginal likelihood: a grid over one shared length-scale and the noise, then gradient
/// ascent (iRprop−) over every weight and the noise from the best grid point.
/// <para>
/// A continuous range is one more coordinate of the same squared exponential: its position in [0, 1] (log-transformed
/// where the range is <c>Log</c>) with its own relevance w_r, correlating two architectures by exp(−w_r (Δu)² / 2).
/// The kernel is thus the product of the categorical kernel and an ARD squared exponential over the positions — the
/// one-hot-plus-continuous encoding of Garrido-Merchán and Hernández-Lobato (2020), "Dealing with categorical and
/// integer-valued variables in Bayesian optimization with Gaussian processes" — and the same grid and gradient ascent
/// fit its relevances next to the categorical ones. A product, not a sum: a good learning rate with a bad operation is
/// not half good, and the product keeps one shared signal variance and a positive-definite kernel.
/// </para>
/// </summary>
public sealed partial class CategoricalGaussianProcess
{
    private readonly int _dimensions;
    private readonly int[] _numeric;    // the dimensions that are continuous ranges (one candidate each in the kernel)
    private double[] _positions = [];   // n × numeric dimensions: each training point's normalised positions
    private double[]? _squaredDistances; // Σ (Δu)² over the numeric dimensions for each pair (entry i·n + j, j < i); for the grid
    private readonly CategoricalKernel _kernel;
    private readonly bool _fitCandidateWeights;
    private int[] _codes = [];          // n × dimensions, row-major
    private int[] _tableRows = [];      // n × dimensions: where each training point's candidate row starts in the kernel's tables
    private byte[]? _differences;       // how many dimensions differ in each pair (j < i, entry i·n + j); null until a fit needs them
    private double[] _gram = [];        // lower triangle of R (without noise) of the last factorization, row-major n × n
    private double[] _spare = [];       // n × n buffer a fit reuses across its factorizations
    private double[] _cholesky = [];    // lower triangle of R + gI, row-major n × n
    private double[] _alpha = [];       // (R + gI)⁻¹ y, y standardised
    private double _targetMean;
    private double _targetScale = 1;

    /// <summary>
    /// Creates an unfitted process over architectures whose dimension d has <paramref name="candidates"/>[d] candidates.
    /// With <paramref name="candidateWeights"/>, a weight per candidate is fitted too, and dimensions with the same value
    /// in <paramref name="sharedCandidates"/> share them (they must have as many candidates); without it, every
    /// dimension has its own.
    /// </summary>
    public CategoricalGaussianProcess(IReadOnlyList<int> candidates, bool candidateWeights = false, IReadOnlyList<int>? sharedCandidates = null)
        : this(candidates, candidateWeights, sharedCandidates, numericDimensions: [])
    {
    }

    /// <summary>
    /// A process as the public constructor makes it, in which the dimensions <paramref name="numericDimensions"/> (one
    /// candidate each) are continuous ranges modelled by their normalised positions.
    /// </summary>
    internal CategoricalGaussianProcess(IReadOnlyList<int> candidates, bool candidateWeights, IReadOnlyList<int>? sharedCandidates, int[] numericDimensions)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        if (candidates.Count < 1) throw new ArgumentOutOfRangeException(nameof(candidates), "At least one dimension is required.");
        if (candidates.Any(c => c < 1)) throw new ArgumentOutOfRangeException(nameof(candidates), "Every dimension needs at least one candidate.");
        if (sharedCandidates is not null && sharedCandidates.Count != candidates.Count)
            throw new ArgumentException("One group per dimension is required.", nameof(sharedCandidates));
        _dimensions = candidates.Count;
        _fitCandidateWeights = candidateWeights;
        _kernel = new CategoricalKernel(candidates.ToArray(), sharedCandidates);
        if (numericDimensions.Any(d => (uint)d >= (uint)_dimensions || candidates[d] != 1))
            throw new ArgumentException("A numeric dimension must exist and have one candidate.", nameof(numericDimensions));
        _numeric = numericDimensions;
    }

    /// <summary>
    /// A process for the architectures of <paramref name="space"/>: one dimension per choice; with
    /// <paramref name="candidateWeights"/>, choices with the same candidates (the same tokens in the same order) share
    /// their candidate weights. A continuous range is modelled by its normalised position (see the class remarks):
    /// training and prediction then take the positions <see cref="RangePositions"/> writes.
    /// </summary>
    public static CategoricalGaussianProcess For(ISearchSpace space, bool candidateWeights)
    {
        ArgumentNullException.ThrowIfNull(space);
        CandidateLimits.Check(space, "The Gaussian-process model");
        var groups = new Dictionary<string, int>();
        var shared = space.Dimensions
            .Select(d => d.IsContinuous ? "\u001e" + d.Label : string.Join("\u001f", d.Candidates.Select(c => c.Token)))
            .Select(key => groups.TryGetValue(key, out int g) ? g : groups[key] = groups.Count)
            .ToArray();
        return new CategoricalGaussianProcess(space.Dimensions.Select(d => d.IsContinuous ? 1 : d.Count).ToArray(), candidateWeights, shared,
            RangePositions.Of(space).Dimensions);
    }

    /// <summary>The correlation of two points' positions: exp(−Σ w_r (Δu_r)² / 2); 1 without continuous ranges.</summary>
    private double NumericCorrelation(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        if (_numeric.Length == 0) return 1;
        double exponent = 0;
        for (int r = 0; r < _numeric.Length; r++)
        {
            double delta = a[r] - b[r];
            exponent += _kernel.Relevance[_numeric[r]] * delta * delta;
        }
        return Math.Exp(-0.5 * exponent);
    }

    private ReadOnlySpan<double> TrainingPositions(int i) => _positions.AsSpan(i * _numeric.Length, _numeric.Length);

    /// <summary>The kernel between training points <paramref name="i"/> and <paramref name="j"/> at the current weights.</summary>
    private double TrainingCorrelation(int i, int j)
    {
        double correlation = _kernel.Correlation(_tableRows.AsSpan(i * _dimensions, _dimensions), _codes.AsSpan(j * _dimensions, _dimensions));
        return _numeric.Length == 0 ? correlation : correlation * NumericCorrelation(TrainingPositions(i), TrainingPositions(j));
    }

    /// <summary>Number of training points.</summary>
    public int Count { get; private set; }

    /// <summary>
    /// The length-scale of each dimension, in units of one-hot Euclidean distance, for a candidate of average weight: a
    /// long one means the dimension hardly matters.
    /// </summary>
    public IReadOnlyList<double> LengthScales => _kernel.Relevance.Select(w => 1 / Math.Sqrt(w)).ToArray();

    /// <summary>The length-scale of the one-hot column of <paramref name="candidate"/> in <paramref name="dimension"/>: a short one means choosing or leaving that candidate changes the target a lot.</summary>
    public double CandidateLengthScale(int dimension, int candidate) => 1 / Math.Sqrt(_kernel.ColumnRelevance(dimension, candidate));

    /// <summary>The noise variance relative to the signal variance.</summary>
    public double NoiseRatio { get; private set; } = 1e-6;

    /// <summary>The signal variance, in standardised target units.</summary>
    public double SignalVariance { get; private set; } = 1;

    /// <summary>The log marginal likelihood of the standardised targets under the fitted hyperparameters.</summary>
    public double LogMarginalLikelihood { get; private set; } = double.NaN;

    /// <summary>The affine map of targets to standardised units: standardised = (target − Mean) / Scale.</summary>
    internal (double Mean, double Scale) Standardization => (_targetMean, _targetScale);

    /// <summary>The largest standardised target: the incumbent for expected improvement.</summary>
    public double BestStandardizedTarget { get; private set; }

    /// <summary>
    /// How many dimensions differ between each pair of training points (entry i·n + j for j &lt; i). With equal
    /// relevances the kernel depends on that count alone; it does not depend on the weights, so a fit computes it once
    /// for the grid's factorizations.
    /// </summary>
    private byte[] Differences()
    {
        if (_differences is not null) return _differences; // reset by Load when the training points change
        int n = Count;
        var differences = new byte[n * n];
        for (int i = 0; i < n; i++)
        {
            var rowI = _codes.AsSpan(i * _dimensions, _dimensions);
            for (int j = 0; j < i; j++)
            {
                var rowJ = _codes.AsSpan(j * _dimensions, _dimensions);
                int count = 0;
                for (int d = 0; d < _dimensions; d++)
                    if (rowI[d] != rowJ[d]) count++;
                differences[i * n + j] = (byte)count; // at most byte.MaxValue dimensions take this path
            }
        }
        return _differences = differences;
    }

    /// <summary>Σ (Δu)² over the continuous ranges for each pair of training points (entry i·n + j for j &lt; i); for the grid, as <see cref="Differences"/>.</summary>
    private double[] SquaredDistances()
    {
        if (_squaredDistances is not null) return _squaredDistances;
        int n = Count;
        var distances = new double[n * n];
        for (int i = 0; i < n; i++)
        {
            var a = TrainingPositions(i);
            for (int j = 0; j < i; j++)
            {
                var b = TrainingPositions(j);
                double sum = 0;
                for (int r = 0; r < a.Length; r++) sum += (a[r] - b[r]) * (a[r] - b[r]);
                distances[i * n + j] = sum;
            }
        }
        return _squaredDistances = distances;
    }

    /// <summary>The posterior mean and variance (in target units) at an architecture given by its categorical codes.</summary>
    public (double Mean, double Variance) Predict(ReadOnlySpan<int> codes)
    {
        Span<double> scratch = Count <= 2048 ? stackalloc double[Count] : new double[Count];
        var (mean, variance) = PredictStandardized(codes, scratch);
        return (_targetMean + _targetScale * mean, variance * _targetScale * _targetScale);
    }

    /// <summary>
    /// The posterior mean and variance in standardised units. <paramref name="scratch"/> holds <see cref="Count"/>
    /// values and is overwritten.
    /// </summary>
    public (double Mean, double Variance) PredictStandardized(ReadOnlySpan<int> codes, Span<double> scratch)
    {
        double mean = PredictMeanStandardized(codes, scratch);
        return (mean, CompleteVarianceStandardized(scratch));
    }

    /// <summary>
    /// The posterior mean in standardised units, in O(n·d) for d dimensions (table reads): the first half of <see cref="PredictStandardized"/>. It
    /// leaves the correlations with the training points in <paramref name="scratch"/> for
    /// <see cref="CompleteVarianceStandardized"/>, which costs O(n²) and can be skipped when the mean alone decides.
    /// </summary>
    public double PredictMeanStandardized(ReadOnlySpan<int> codes, Span<double> scratch) => PredictMeanStandardized(codes, scratch, out _);

    /// <summary>
    /// The posterior mean in standardised units, as the two-argument overload computes it, with an O(1) upper bound on the
    /// posterior variance: the variance given the nearest training point alone (conditioning on more points only
    /// lowers it).
    /// </summary>
    public double PredictMeanStandardized(ReadOnlySpan<int> codes, Span<double> scratch, out double varianceBound) =>
        PredictMeanStandardized(codes, ReadOnlySpan<double>.Empty, scratch, out varianceBound);

    /// <summary>
    /// The posterior mean in standardised units at an architecture given by its categorical codes and the normalised
    /// positions of its continuous ranges (<see cref="RangePositions"/>), with the variance bound of the
    /// three-argument overload.
    /// </summary>
    internal double PredictMeanStandardized(ReadOnlySpan<int> codes, ReadOnlySpan<double> positions, Span<double> scratch, out double varianceBound)
    {
        if (codes.Length != _dimensions) throw new ArgumentException($"Expected {_dimensions} codes.", nameof(codes));
        if (positions.Length != _numeric.Length) throw new ArgumentException($"Expected {_numeric.Length} positions of continuous ranges.", nameof(positions));
        _kernel.CheckCodes(codes, nameof(codes));
        // The table row of this architecture's candidate in each dimension: a training point's correlation is then the
        // product of one entry per dimension.
        Span<int> rows = _dimensions <= 256 ? stackalloc int[_dimensions] : new int[_dimensions];
        _kernel.TableRows(codes, rows);
        double mean = 0;
        double nearest = 0;
        for (int i = 0; i < Count; i++)
        {
            double correlation = _kernel.Correlation(rows, _codes.AsSpan(i * _dimensions, _dimensions));
            if (_numeric.Length > 0) correlation *= NumericCorrelation(positions, TrainingPositions(i));
            scratch[i] = correlation;
            mean += correlation * _alpha[i];
            nearest = Math.Max(nearest, correlation);
        }
        varianceBound = SignalVariance * (1 - nearest * nearest / (1 + NoiseRatio));
        return mean;
    }

    /// <summary>The posterior variance in standardised units from the correlations <c>PredictMeanStandardized</c> left in <paramref name="scratch"/> (overwritten).</summary>
    public double CompleteVarianceStandardized(Span<double> scratch)
    {
        if (Count == 0) return SignalVariance;
        var k = scratch[..Count];
        ForwardSubstitute(_cholesky, Count, k);
        return Math.Max(SignalVariance * (1 - Dot(k, k)), 1e-12);
    }

    private double[] Load(IReadOnlyList<int[]> codes, IReadOnlyList<double[]>? positions, IReadOnlyList<double> targets)
    {
        ArgumentNullException.ThrowIfNull(codes);
        ArgumentNullException.ThrowIfNull(targets);
        if (codes.Count != targets.Count) throw new ArgumentException("One target per architecture is required.", nameof(targets));
        int n = codes.Count;
        int c = _numeric.Length;
        if (c > 0 && (positions is null || positions.Count != n || positions.Any(p => p.Length != c)))
            throw new ArgumentException($"The model has {c} continuous ranges: one array of {c} positions per architecture is required.", nameof(positions));
        _codes = new int[n * _dimensions];
        _tableRows = new int[n * _dimensions];
        _differences = null;
        _squaredDistances = null;
        _positions = new double[n * c];
        for (int i = 0; i < n && c > 0; i++) positions![i].CopyTo(_positions, i * c);
        for (int i = 0; i < n; i++)
        {
            if (codes[i].Length != _dimensions) throw new ArgumentException($"Architecture {i} has {codes[i].Length} codes, expected {_dimensions}.", nameof(codes));
            _kernel.CheckCodes(codes[i], nameof(codes));
            codes[i].CopyTo(_codes, i * _dimensions);
            _kernel.TableRows(codes[i], _tableRows.AsSpan(i * _dimensions, _dimensions));
        }

        double mean = 0;
        for (int i = 0; i < n; i++) mean += targets[i];
        mean = n > 0 ? mean / n : 0;
        double variance = 0;
        for (int i = 0; i < n; i++) variance += (targets[i] - mean) * (targets[i] - mean);
        double scale = n > 0 ? Math.Sqrt(variance / n) : 0;
        _targetMean = mean;
        _targetScale = scale > 1e-12 ? scale : 1;

        var standardized = new double[n];
        double best = double.NegativeInfinity;
        for (int i = 0; i < n; i++)
        {
            standardized[i] = (targets[i] - _targetMean) / _targetScale;
            best = Math.Max(best, standardized[i]);
        }
        BestStandardizedTarget = n > 0 ? best : 0;
        Count = n;
        return standardized;
    }

    /// <summary>Factorizes R + gI for these hyperparameters and returns the profile log marginal likelihood.</summary>
    private double Factorize(double[] y, double noise)
    {
        int n = y.Length;
        _kernel.UpdateCorrelations(); // the weights may have changed
        if (_gram.Length != n * n) _gram = new double[n * n];
        if (!double.IsNaN(_kernel.UniformCorrelation) && _dimensions <= byte.MaxValue)
        {
            // Equal relevances (the grid): the correlation is a power of one value by the number of differing dimensions.
            var differences = Differences();
            Span<double> powers = stackalloc double[byte.MaxValue + 1];
            powers[0] = 1;
            for (int k = 1; k < powers.Length; k++) powers[k] = powers[k - 1] * _kernel.UniformCorrelation;
            for (int i = 0; i < n; i++)
                for (int j = 0; j < i; j++) _gram[i * n + j] = powers[differences[i * n + j]];
            if (_numeric.Length > 0)
            {
                // And each range contributes exp(−w (Δu)² / 2) with the same relevance w.
                var distances = SquaredDistances();
                double relevance = _kernel.ColumnRelevance(0, 0);
                for (int i = 0; i < n; i++)
                    for (int j = 0; j < i; j++) _gram[i * n + j] *= Math.Exp(-0.5 * relevance * distances[i * n + j]);
            }
        }
        else
        {
            for (int i = 0; i < n; i++)
                for (int j = 0; j < i; j++) _gram[i * n + j] = TrainingCorrelation(i, j);
        }
        // The previous factor's buffer is reused when its size fits (a fit factorizes the same points many times).
        var matrix = _spare.Length == n * n ? _spare : new double[n * n];
        // Repeated architectures make R singular at tiny noise: add jitter until the factorization succeeds (a failed
        // attempt has overwritten part of the matrix, so each attempt copies the kernel again).
        double jitter = 0;
        while (true)
        {
            for (int i = 0; i < n; i++)
            {
                Array.Copy(_gram, i * n, matrix, i * n, i);
                matrix[i * n + i] = 1 + noise + jitter;
            }
            if (Cholesky(matrix, n)) break;
            jitter = jitter == 0 ? 1e-8 : jitter * 10;
        }
        (_cholesky, _spare) = (matrix, _cholesky);
        NoiseRatio = noise + jitter;
        return Solve(y);
    }

    /// <summary>
    /// Adds observations keeping the hyperparameters: the Cholesky factor grows by one row per new point, O(n²)
    /// each, instead of a new O(n³) factorization. <paramref name="codes"/> and <paramref name="targets"/> hold all
    /// observations; the first <see cref="Count"/> must be those of the last fit. Falls back to a full
    /// factorization when a new point makes the matrix numerically singular.
    /// </summary>
    public void Extend(IReadOnlyList<int[]> codes, IReadOnlyList<double> targets) => Extend(codes, null, targets);

    /// <summary>As <see cref="Extend(IReadOnlyList{int[]}, IReadOnlyList{double})"/>, with each architecture's normalised positions of its continuous ranges.</summary>
    internal void Extend(IReadOnlyList<int[]> codes, IReadOnlyList<double[]>? positions, IReadOnlyList<double> targets)
    {
        int previous = Count;
        var previousFactor = _cholesky;
        var y = Load(codes, positions, targets);
        int n = Count;
        if (previous == 0 || n < previous)
        {
            Factorize(y, NoiseRatio);
            return;
        }
        var factor = new double[n * n];
        for (int i = 0; i < previous; i++) Array.Copy(previousFactor, i * previous, factor, i * n, i + 1);
        for (int i = previous; i < n; i++)
        {
            var row = factor.AsSpan(i * n, i);
            for (int j = 0; j < i; j++) row[j] = TrainingCorrelation(i, j);
            ForwardSubstitute(factor, n, row);
            double diagonal = 1 + NoiseRatio - Dot(row, row);
            if (!(diagonal > 1e-10))
            {
                Factorize(y, NoiseRatio);
                return;
            }
            factor[i * n + i] = Math.Sqrt(diagonal);
        }
        _cholesky = factor;
        Solve(y);
    }

    /// <summary>α, the profile signal variance and the log marginal likelihood from the current factor.</summary>
    private double Solve(double[] y)
    {
        int n = y.Length;
        _alpha = (double[])y.Clone();
        ForwardSubstitute(_cholesky, n, _alpha);
        double quadratic = Dot(_alpha, _alpha);
        BackSubstitute(_cholesky, n, _alpha);

        double logDeterminant = 0;
        for (int i = 0; i < n; i++) logDeterminant += 2 * Math.Log(_cholesky[i * n + i]);
        SignalVariance = n > 0 ? Math.Max(quadratic / n, 1e-12) : 1;
        LogMarginalLikelihood = -0.5 * n * Math.Log(SignalVariance) - 0.5 * logDeterminant - 0.5 * n * (1 + Math.Log(2 * Math.PI));
        return LogMarginalLikelihood;
    }

}
