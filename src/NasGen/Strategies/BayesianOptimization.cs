namespace NasGen.Strategies;

/// <summary>Options of <see cref="BayesianOptimization{TArchitecture}"/>.</summary>
public sealed record BayesianOptimizationOptions
{
    /// <summary>Random architectures evaluated before the model is used (the initial design).</summary>
    public int InitialDesign { get; init; } = 10;

    /// <summary>
    /// Fit the model to the Gaussian copula scores of the fitness (the normal quantile of each value's rank) instead of
    /// the values themselves, so that a long tail of failed networks does not set the model's scale (see
    /// <c>docs/strategies/bo.md</c>), and fit a weight per candidate in the model's kernel (see
    /// <see cref="CategoricalGaussianProcess"/>): on the scores these weights sharpen the model, on raw values, whose
    /// outliers they overfit, they cost more than they gain. Used by <see cref="BayesianOptimization{TArchitecture}"/>,
    /// ParEGO and the ε-constraint search for the objective they maximise. Unset (the default), it is on for spaces
    /// without continuous ranges and off for spaces with them: ranks cannot tell apart the nearly equal values close to
    /// a continuous optimum, which the values themselves can (on Hartmann-6, median regret 0.80 with scores, 0.001
    /// with values).
    /// </summary>
    public bool? CopulaTransform { get; init; }

    /// <summary>
    /// Expected improvement's exploration margin ξ, in standardised target units (of the copula scores when the copula
    /// transform is on). Unset (the default), 0.01 on spaces without continuous ranges and 0 on spaces with them: a
    /// fixed margin in units of the targets' spread asks for improvements larger than the last ones a continuous
    /// optimum needs (on Branin, median regret 0.0049 with 0.01, 0.0001 with 0).
    /// </summary>
    public double? ExplorationMargin { get; init; }

    /// <summary>Whether the copula transform is used on <paramref name="space"/> (see <see cref="CopulaTransform"/>).</summary>
    internal bool CopulaTransformOn(ISearchSpace space) => CopulaTransform ?? !HasContinuousRanges(space);

    /// <summary>The exploration margin used on <paramref name="space"/> (see <see cref="ExplorationMargin"/>).</summary>
    internal double ExplorationMarginOn(ISearchSpace space) => ExplorationMargin ?? (HasContinuousRanges(space) ? 0 : 0.01);

    private static bool HasContinuousRanges(ISearchSpace space) => space.Dimensions.Any(d => d.IsContinuous);

    /// <summary>How many of the best observed architectures start a hill climb on expected improvement.</summary>
    public int BestStarts { get; init; } = 5;

    /// <summary>How many random architectures start a hill climb on expected improvement.</summary>
    public int RandomStarts { get; init; } = 5;

    /// <summary>Most moves of each hill climb.</summary>
    public int ClimbSteps { get; init; } = 4;

    /// <summary>Most expected-improvement evaluations per suggestion (each costs O(n²) with n observations).</summary>
    public int MaxAcquisitionEvaluations { get; init; } = 1_000;

    /// <summary>
    /// Refit the kernel's hyperparameters when the number of observations has grown by this factor since the last
    /// fit (always below 64 observations); in between, the factorization is extended row by row in O(n²).
    /// </summary>
    public double HyperparameterRefitGrowth { get; init; } = 1.25;

    /// <summary>Whether a model of <paramref name="observations"/> points, last fitted at <paramref name="lastFit"/>, refits its hyperparameters.</summary>
    internal bool RefitDue(int observations, int lastFit) => observations < 64 || observations >= lastFit * HyperparameterRefitGrowth;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> (for <paramref name="parameterName"/>) on an unusable setting.</summary>
    internal void Validate(string parameterName)
    {
        if (InitialDesign < 1) throw new ArgumentOutOfRangeException(parameterName, "InitialDesign must be at least 1.");
        if (!(HyperparameterRefitGrowth >= 1)) throw new ArgumentOutOfRangeException(parameterName, "HyperparameterRefitGrowth must be at least 1.");
        if (MaxAcquisitionEvaluations < 1) throw new ArgumentOutOfRangeException(parameterName, "MaxAcquisitionEvaluations must be at least 1.");
    }
}

/// <summary>
/// Bayesian optimization with a Gaussian process on one-hot encoded architectures (a Matérn-5/2 kernel, see
/// <see cref="CategoricalGaussianProcess"/>) and expected improvement (Jones, Schonlau and Welch 1998), maximised by
/// hill climbing over neighbours from the best observed and from random architectures. Never proposes an
/// architecture twice. Continuous ranges are modelled by their normalised positions with their own length-scales, and
/// the acquisition is refined over them by a compass search (see <see cref="AcquisitionClimb"/>).
/// </summary>
/// <remarks>
/// Suggestions in flight are excluded from the candidates, so parallel asks propose different architectures
/// (without fantasising their outcomes). Failed trials are not modelled; they are never proposed again either.
/// The factorization is reused between asks while no new outcome arrives.
/// </remarks>
public sealed class BayesianOptimization<TArchitecture> : ISearchStrategy<TArchitecture>
    where TArchitecture : struct, IEquatable<TArchitecture>
{
    private readonly ISearchSpace<TArchitecture> _space;
    private readonly BayesianOptimizationOptions _options;
    private readonly Random _random;
    private readonly ProposalTracker<TArchitecture> _tracker;
    private readonly CategoricalGaussianProcess _model;
    private readonly RangePositions _ranges;
    private readonly bool _copulaTransform;
    private readonly double _explorationMargin;
    private readonly List<TArchitecture> _observed = new();
    private readonly List<int[]> _observedCodes = new();
    private readonly List<double[]> _observedPositions = new(); // normalised positions of the continuous ranges (empty arrays without)
    private readonly List<double> _observedFitness = new();
    private bool _modelStale;
    private int _lastHyperparameterFit;

    /// <summary>Creates a Bayesian optimization over <paramref name="space"/>.</summary>
    public BayesianOptimization(ISearchSpace<TArchitecture> space, BayesianOptimizationOptions? options, int seed)
    {
        ArgumentNullException.ThrowIfNull(space);
        _options = options ?? new BayesianOptimizationOptions();
        _options.Validate(nameof(options));
        _space = space;
        _random = new Random(seed);
        _tracker = new ProposalTracker<TArchitecture>(space);
        _copulaTransform = _options.CopulaTransformOn(space);
        _explorationMargin = _options.ExplorationMarginOn(space);
        _model = CategoricalGaussianProcess.For(space, candidateWeights: _copulaTransform);
        _ranges = RangePositions.Of(space);
    }

    /// <inheritdoc />
    public string Name => "bayesian-optimization";

    /// <summary>The surrogate model as last fitted.</summary>
    public CategoricalGaussianProcess Model => _model;

    /// <inheritdoc />
    public Suggestion<TArchitecture>? Ask()
    {
        return _tracker.IssueAfterInitialDesign(_observed.Count, _options.InitialDesign, _random, MaximizeExpectedImprovement);
    }

    /// <inheritdoc />
    public void Tell(Suggestion<TArchitecture> suggestion, TrialOutcome outcome)
    {
        if (!_tracker.Settle(suggestion, outcome)) return;

        _observed.Add(suggestion.Architecture);
        _observedCodes.Add(_space.EncodeCategorical(suggestion.Architecture));
        _observedPositions.Add(_ranges.Read(_space, suggestion.Architecture));
        _observedFitness.Add(outcome.Fitness!.Value);
        _modelStale = true;
    }

    /// <summary>
    /// Replaces the targets of the successful observations, in the order they were told (ParEGO re-scalarises its
    /// objective vectors before every ask). The model is refreshed at the next ask: with unchanged hyperparameters
    /// that costs O(n²).
    /// </summary>
    internal void SetTargets(IReadOnlyList<double> targets)
    {
        if (targets.Count != _observedFitness.Count)
            throw new ArgumentException($"Expected {_observedFitness.Count} targets, one per successful observation.", nameof(targets));
        for (int i = 0; i < targets.Count; i++)
        {
            if (_observedFitness[i].Equals(targets[i])) continue;
            _observedFitness[i] = targets[i];
            _modelStale = true;
        }
    }

    private void RefreshModel()
    {
        if (!_modelStale) return;
        int n = _observed.Count;
        IReadOnlyList<double> targets = _copulaTransform ? GaussianCopula.Scores(_observedFitness) : _observedFitness;
        if (_options.RefitDue(n, _lastHyperparameterFit))
        {
            _model.Fit(_observedCodes, _observedPositions, targets);
            _lastHyperparameterFit = n;
        }
        else
        {
            _model.Extend(_observedCodes, _observedPositions, targets);
        }
        _modelStale = false;
    }

    private TArchitecture? MaximizeExpectedImprovement()
    {
        RefreshModel();
        var model = _model;
        double incumbent = model.BestStandardizedTarget + _explorationMargin;
        var codes = new int[_space.Dimensions.Count];
        var numbers = new double[_space.Dimensions.Count];
        var positions = new double[_ranges.Count];
        var scratch = new double[model.Count];
        return AcquisitionClimb.Maximize(_space, _tracker.Proposals, _random, _options, _observed, _observedFitness, (architecture, threshold) =>
        {
            _space.Encode(architecture, codes);
            _ranges.Write(_space, architecture, numbers, positions);
            double mean = model.PredictMeanStandardized(codes, positions, scratch, out double varianceBound);
            // EI grows with the deviation, and the variance given the nearest observation bounds the posterior
            // variance: this O(n) bound spares the O(n²) variance for most candidates once a good one is known.
            double bound = ExpectedImprovement(mean, Math.Sqrt(varianceBound), incumbent);
            if (bound <= threshold) return (bound, false);
            return (ExpectedImprovement(mean, Math.Sqrt(model.CompleteVarianceStandardized(scratch)), incumbent), true);
        });
    }

    /// <summary>E[max(f − threshold, 0)] for f ~ N(mean, deviation²).</summary>
    internal static double ExpectedImprovement(double mean, double deviation, double threshold)
    {
        if (deviation < 1e-12) return Math.Max(mean - threshold, 0);
        double z = (mean - threshold) / deviation;
        return (mean - threshold) * NormalCdf(z) + deviation * Math.Exp(-0.5 * z * z) / Math.Sqrt(2 * Math.PI);
    }

    /// <summary>Φ(z) through erfc (Numerical Recipes' Chebyshev fit, relative error below 1.2e-7).</summary>
    internal static double NormalCdf(double z)
    {
        double x = -z / Math.Sqrt(2);
        double t = 1 / (1 + 0.5 * Math.Abs(x));
        double erfc = t * Math.Exp(-x * x - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806
            + t * (0.27886807 + t * (-1.13520398 + t * (1.48851896 + t * (-0.82215223 + t * 0.17087277)))))))));
        if (x < 0) erfc = 2 - erfc;
        return 0.5 * erfc;
    }
}
