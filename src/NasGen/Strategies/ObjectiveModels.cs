namespace NasGen.Strategies;

/// <summary>
/// What the multi-objective Gaussian-process strategies (<see cref="ExpectedHypervolumeImprovement{TArchitecture}"/>,
/// <see cref="EpsilonConstraintSearch{TArchitecture}"/>) share: the initial random design, the record of proposals,
/// every successful outcome with its objective vector, and one <see cref="CategoricalGaussianProcess"/> per objective
/// over the observed architectures. Hyperparameters are refitted as <see cref="BayesianOptimization{TArchitecture}"/>
/// refits them (every time below 64 observations, then after growth by
/// <see cref="BayesianOptimizationOptions.HyperparameterRefitGrowth"/>); in between the factorizations are extended.
/// </summary>
internal sealed class ObjectiveModels<TArchitecture> where TArchitecture : struct, IEquatable<TArchitecture>
{
    private readonly ISearchSpace<TArchitecture> _space;
    private readonly BayesianOptimizationOptions _options;
    private readonly double _referenceMargin;
    private readonly int _maxObjectives;
    private readonly bool _copulaFirst;
    private readonly string _strategy;
    private readonly ProposalTracker<TArchitecture> _tracker;
    private readonly ObjectiveArchive<TArchitecture> _archive = new();
    private readonly List<TArchitecture> _observed = new();
    private readonly List<int[]> _codes = new();
    private readonly List<double[]> _positions = new();
    private CategoricalGaussianProcess[] _models = [];
    private bool _stale;
    private int _lastHyperparameterFit;

    /// <summary>
    /// Validates <paramref name="options"/> (defaults when null); more than <paramref name="maxObjectives"/> objectives
    /// will be refused by <see cref="Tell"/>. With <paramref name="copulaFirst"/> (and
    /// <see cref="BayesianOptimizationOptions.CopulaTransform"/> on this space) the first objective is modelled by its
    /// Gaussian copula scores. <paramref name="seed"/> seeds <see cref="Random"/>, every random draw of the strategy.
    /// </summary>
    public ObjectiveModels(ISearchSpace<TArchitecture> space, MultiObjectiveOptions? options, int seed, string strategy,
        int maxObjectives = int.MaxValue, bool copulaFirst = false)
    {
        ArgumentNullException.ThrowIfNull(space);
        options ??= new MultiObjectiveOptions();
        _options = options.Optimization ?? throw new ArgumentOutOfRangeException(nameof(options), "Optimization must be set.");
        _options.Validate(nameof(options));
        if (!(options.ReferenceMargin >= 0)) throw new ArgumentOutOfRangeException(nameof(options), "ReferenceMargin must be at least 0.");
        CandidateLimits.Check(space, strategy);
        Ranges = RangePositions.Of(space);
        _space = space;
        _referenceMargin = options.ReferenceMargin;
        _strategy = strategy;
        _maxObjectives = maxObjectives;
        _copulaFirst = copulaFirst && _options.CopulaTransformOn(space);
        _tracker = new ProposalTracker<TArchitecture>(space);
        Random = new Random(seed);
    }

    /// <summary>The strategy's one source of randomness.</summary>
    public Random Random { get; }

    /// <summary>The space's continuous ranges, whose positions the models' predictions take.</summary>
    public RangePositions Ranges { get; }

    /// <summary>Predicts <paramref name="models"/> (as <see cref="Refresh"/> returned them) at one candidate after another.</summary>
    public ObjectivePredictor<TArchitecture> Predictor(IReadOnlyList<CategoricalGaussianProcess> models) =>
        new(_space, Ranges, models, _observed.Count);

    /// <summary>Every architecture proposed or told so far.</summary>
    public ProposalLog<TArchitecture> Proposals => _tracker.Proposals;

    /// <summary>The architectures of the successful outcomes, in tell order.</summary>
    public IReadOnlyList<TArchitecture> Observed => _observed;

    /// <summary>The non-dominated successes.</summary>
    public IReadOnlyList<(TArchitecture Architecture, IReadOnlyList<double> Objectives)> ParetoSet => _archive.ParetoSet;

    /// <summary>A random unproposed architecture while the initial design lasts, then what <paramref name="fromModels"/> proposes.</summary>
    public Suggestion<TArchitecture>? Ask(Func<TArchitecture?> fromModels) =>
        _tracker.IssueAfterInitialDesign(_observed.Count, _options.InitialDesign, Random, fromModels);

    /// <summary>
    /// The reference point of <paramref name="points"/>: each objective's worst value moved out by
    /// <see cref="MultiObjectiveOptions.ReferenceMargin"/> of its range.
    /// </summary>
    public double[] Reference(IReadOnlyList<IReadOnlyList<double>> points) => ParetoRanking.ObservedReference(points, _referenceMargin);

    /// <summary>The exploration margin of the first objective, in its standardised units, on this space.</summary>
    public double ExplorationMargin => _options.ExplorationMarginOn(_space);

    /// <summary>
    /// Maximises <paramref name="acquisition"/> by BO's hill climbs, from the observations ordered by
    /// <paramref name="observedScore"/> and from random architectures (<see cref="AcquisitionClimb"/>).
    /// </summary>
    public TArchitecture? Maximize(IReadOnlyList<double> observedScore, Func<TArchitecture, double, (double Value, bool Exact)> acquisition) =>
        AcquisitionClimb.Maximize(_space, Proposals, Random, _options, _observed, observedScore, acquisition);

    /// <summary>Records an outcome; a success joins the models' data at the next <see cref="Refresh"/>.</summary>
    public void Tell(Suggestion<TArchitecture> suggestion, TrialOutcome outcome)
    {
        _tracker.Settle(suggestion, outcome);
        if (outcome.ObjectiveValues() is { Count: var count } && count > _maxObjectives)
            throw new ArgumentException($"{_strategy} handles at most {_maxObjectives} objectives, not {count}.", nameof(outcome));
        if (_archive.Add(suggestion.Architecture, outcome) is null) return;
        _observed.Add(suggestion.Architecture);
        _codes.Add(_space.EncodeCategorical(suggestion.Architecture));
        _positions.Add(Ranges.Read(_space, suggestion.Architecture));
        _stale = true;
    }

    /// <summary>
    /// Fits or extends every model to the observations; returns the models and the objective vectors they were fitted
    /// to, in tell order (the first objective as copula scores when those are modelled: they keep its order).
    /// </summary>
    public (IReadOnlyList<IReadOnlyList<double>> Points, IReadOnlyList<CategoricalGaussianProcess> Models) Refresh()
    {
        var points = _archive.All.Select(p => p.Objectives).ToList();
        if (_copulaFirst)
        {
            var scores = GaussianCopula.Scores(points.Select(p => p[0]).ToList());
            points = points.Select((p, i) => (IReadOnlyList<double>)[scores[i], .. p.Skip(1)]).ToList();
        }
        if (!_stale) return (points, _models);
        int m = points[0].Count, n = points.Count;
        if (_models.Length != m) _models = Enumerable.Range(0, m).Select(j => CategoricalGaussianProcess.For(_space, candidateWeights: j == 0 && _copulaFirst)).ToArray();
        bool refit = _options.RefitDue(n, _lastHyperparameterFit);
        for (int j = 0; j < m; j++)
        {
            var targets = points.Select(p => p[j]).ToList();
            if (refit) _models[j].Fit(_codes, _positions, targets);
            else _models[j].Extend(_codes, _positions, targets);
        }
        if (refit) _lastHyperparameterFit = n;
        _stale = false;
        return (points, _models);
    }
}

/// <summary>
/// Every objective model's prediction at one candidate after another during an acquisition search, in buffers reused
/// across candidates: the posterior means and the O(n) variance bounds of
/// <see cref="CategoricalGaussianProcess.PredictMeanStandardized(ReadOnlySpan{int}, Span{double}, out double)"/> first,
/// each model's complete O(n²) variance only where it is asked for.
/// </summary>
internal sealed class ObjectivePredictor<TArchitecture> where TArchitecture : struct, IEquatable<TArchitecture>
{
    private readonly ISearchSpace<TArchitecture> _space;
    private readonly RangePositions _ranges;
    private readonly IReadOnlyList<CategoricalGaussianProcess> _models;
    private readonly int[] _codes;
    private readonly double[] _numbers;
    private readonly double[] _positions;
    private readonly double[][] _correlations; // per model: the last candidate's correlations with the observations

    public ObjectivePredictor(ISearchSpace<TArchitecture> space, RangePositions ranges, IReadOnlyList<CategoricalGaussianProcess> models, int observations)
    {
        _space = space;
        _ranges = ranges;
        _models = models;
        _codes = new int[space.Dimensions.Count];
        _numbers = new double[space.Dimensions.Count];
        _positions = new double[ranges.Count];
        _correlations = models.Select(_ => new double[observations]).ToArray();
        Means = new double[models.Count];
        VarianceBounds = new double[models.Count];
    }

    /// <summary>Each model's posterior mean (standardised) at the last candidate <see cref="Predict"/> was given.</summary>
    public double[] Means { get; }

    /// <summary>Each model's bound on its posterior variance (standardised) at that candidate: the variance given the nearest observation.</summary>
    public double[] VarianceBounds { get; }

    /// <summary>Fills <see cref="Means"/> and <see cref="VarianceBounds"/> for <paramref name="architecture"/>.</summary>
    public void Predict(TArchitecture architecture)
    {
        _space.Encode(architecture, _codes);
        _ranges.Write(_space, architecture, _numbers, _positions);
        for (int j = 0; j < _models.Count; j++)
            Means[j] = _models[j].PredictMeanStandardized(_codes, _positions, _correlations[j], out VarianceBounds[j]);
    }

    /// <summary>
    /// Model <paramref name="objective"/>'s complete posterior variance (standardised) at the last predicted candidate;
    /// once per candidate and model (it overwrites that model's correlations).
    /// </summary>
    public double CompleteVariance(int objective) => _models[objective].CompleteVarianceStandardized(_correlations[objective]);
}
