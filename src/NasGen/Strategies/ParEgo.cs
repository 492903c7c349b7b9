namespace NasGen.Strategies;

/// <summary>Options of <see cref="ParEgo{TArchitecture}"/>.</summary>
public sealed record ParEgoOptions
{
    /// <summary>The Bayesian optimization run on each scalarisation (initial design, acquisition search, refits).</summary>
    public BayesianOptimizationOptions Optimization { get; init; } = new();

    /// <summary>ρ of the augmented Tchebycheff scalarisation (Knowles uses 0.05): the weight of the weighted sum beside the weighted maximum.</summary>
    public double Augmentation { get; init; } = 0.05;
}

/// <summary>
/// ParEGO (Knowles, "ParEGO: A hybrid algorithm with on-line landscape approximation for expensive multiobjective
/// optimization problems", IEEE TEVC 2006): before each ask, the objective vectors seen so far are normalised to
/// [0, 1] by their observed ranges and scalarised with the augmented Tchebycheff function
/// max_j λ_j ℓ_j + ρ Σ_j λ_j ℓ_j (ℓ_j the normalised shortfall from the best value of objective j) under a weight
/// vector λ drawn uniformly from the simplex; a <see cref="BayesianOptimization{TArchitecture}"/> (Gaussian process,
/// expected improvement) proposes the next architecture for that scalarisation. Different weights pull towards
/// different parts of the front. Never proposes an architecture twice.
/// </summary>
/// <remarks>
/// Knowles draws λ from a fixed lattice of the simplex; a uniform draw from the continuous simplex is used here, so
/// that any number of objectives works. Objectives come from <see cref="TrialOutcome.Objectives"/> (all maximised);
/// told the fitness alone, ParEGO is Bayesian optimization on the fitness.
/// </remarks>
public sealed class ParEgo<TArchitecture> : IMultiObjectiveStrategy<TArchitecture>
    where TArchitecture : struct, IEquatable<TArchitecture>
{
    private readonly ParEgoOptions _options;
    private readonly BayesianOptimization<TArchitecture> _optimization;
    private readonly Random _weights;
    private readonly ObjectiveArchive<TArchitecture> _archive = new();

    /// <summary>Creates ParEGO over <paramref name="space"/>.</summary>
    public ParEgo(ISearchSpace<TArchitecture> space, ParEgoOptions? options, int seed)
    {
        ArgumentNullException.ThrowIfNull(space);
        _options = options ?? new ParEgoOptions();
        if (!(_options.Augmentation >= 0)) throw new ArgumentOutOfRangeException(nameof(options), "Augmentation must be at least 0.");
        _optimization = new BayesianOptimization<TArchitecture>(space, _options.Optimization, seed);
        _weights = new Random(unchecked(seed * 7919 + 17)); // its own stream, so the weights do not shift the optimizer's draws
    }

    /// <inheritdoc />
    public string Name => "parego";

    /// <summary>The weight vector of the last scalarisation (empty before the first).</summary>
    public IReadOnlyList<double> LastWeights { get; private set; } = [];

    /// <inheritdoc />
    public IReadOnlyList<(TArchitecture Architecture, IReadOnlyList<double> Objectives)> ParetoSet => _archive.ParetoSet;

    /// <inheritdoc />
    public Suggestion<TArchitecture>? Ask()
    {
        if (_archive.All.Count > 0) _optimization.SetTargets(Scalarise());
        return _optimization.Ask();
    }

    /// <inheritdoc />
    public void Tell(Suggestion<TArchitecture> suggestion, TrialOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(suggestion);
        ArgumentNullException.ThrowIfNull(outcome);
        // The optimizer keeps its successes in tell order, as the archive does; the placeholder target is replaced before the next ask.
        var values = _archive.Add(suggestion.Architecture, outcome);
        _optimization.Tell(suggestion, values is null ? TrialOutcome.Failure : new TrialOutcome(0.0));
    }

    /// <summary>The augmented Tchebycheff value, negated (the optimizer maximises), of every success under fresh weights.</summary>
    private double[] Scalarise()
    {
        var all = _archive.All;
        int m = _archive.ObjectiveCount;
        var weights = new double[m];
        double sum = 0;
        for (int j = 0; j < m; j++) sum += weights[j] = -Math.Log(1 - _weights.NextDouble()); // normalised exponentials: uniform on the simplex
        for (int j = 0; j < m; j++) weights[j] /= sum;
        LastWeights = weights;

        var low = new double[m];
        var high = new double[m];
        Array.Fill(low, double.PositiveInfinity);
        Array.Fill(high, double.NegativeInfinity);
        foreach (var (_, objectives) in all)
        {
            for (int j = 0; j < m; j++)
            {
                low[j] = Math.Min(low[j], objectives[j]);
                high[j] = Math.Max(high[j], objectives[j]);
            }
        }
        var targets = new double[all.Count];
        for (int i = 0; i < all.Count; i++)
        {
            double max = 0, weighted = 0;
            for (int j = 0; j < m; j++)
            {
                double shortfall = high[j] > low[j] ? (high[j] - all[i].Objectives[j]) / (high[j] - low[j]) : 0;
                max = Math.Max(max, weights[j] * shortfall);
                weighted += weights[j] * shortfall;
            }
            targets[i] = -(max + _options.Augmentation * weighted);
        }
        return targets;
    }
}
