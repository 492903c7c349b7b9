namespace NasGen.Strategies;

/// <summary>Creates strategies by name, so that experiments and command lines can pick one with a string.</summary>
public static class SearchStrategies
{
    /// <summary>The short names <see cref="Create{TArchitecture}"/> accepts (each strategy's <c>Name</c> works too).</summary>
    public static IReadOnlyList<string> Names { get; } = ["random", "grid", "evolution", "local", "reinforce", "bo", "tpe", "tpe-multivariate", "hyperband", "sh", "pareto-evolution", "parego", "ehvi", "epsilon-constraint"];

    /// <summary>
    /// A strategy with default options: <c>random</c>, <c>grid</c>, <c>evolution</c>, <c>local</c>,
    /// <c>reinforce</c>, <c>bo</c>, <c>tpe</c>, <c>tpe-multivariate</c>, <c>hyperband</c>, <c>sh</c>, or the multi-objective <c>pareto-evolution</c>,
    /// <c>parego</c>, <c>ehvi</c> and <c>epsilon-constraint</c> (<see cref="IMultiObjectiveStrategy{TArchitecture}"/>: they read <see cref="TrialOutcome.Objectives"/>) (case-insensitive; the long names such as
    /// <c>regularized-evolution</c> are accepted too). Dispose the result when it is <see cref="IDisposable"/>.
    /// </summary>
    public static ISearchStrategy<TArchitecture> Create<TArchitecture>(string name, ISearchSpace<TArchitecture> space, int seed)
        where TArchitecture : struct, IEquatable<TArchitecture>
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(space);
        return name.Trim().ToLowerInvariant() switch
        {
            "random" => new RandomSearch<TArchitecture>(space, seed),
            "grid" => new GridSearch<TArchitecture>(space, seed),
            "grid-shuffled" => new GridSearch<TArchitecture>(space, new GridSearchOptions { Shuffle = true }, seed),
            "evolution" or "regularized-evolution" => new RegularizedEvolution<TArchitecture>(space, null, seed),
            "local" or "local-search" => new LocalSearch<TArchitecture>(space, null, seed),
            "reinforce" => new Reinforce<TArchitecture>(space, null, seed),
            "bo" or "bayesian-optimization" => new BayesianOptimization<TArchitecture>(space, null, seed),
            "tpe" or "tree-parzen-estimator" => new TreeParzenEstimator<TArchitecture>(space, null, seed),
            "tpe-multivariate" => new TreeParzenEstimator<TArchitecture>(space, new TreeParzenEstimatorOptions { Multivariate = true }, seed),
            "hyperband" => new Hyperband<TArchitecture>(space, null, seed),
            "sh" or "successive-halving" => new SuccessiveHalving<TArchitecture>(space, null, seed),
            "pareto-evolution" => new ParetoEvolution<TArchitecture>(space, null, seed),
            "parego" => new ParEgo<TArchitecture>(space, null, seed),
            "ehvi" or "expected-hypervolume-improvement" => new ExpectedHypervolumeImprovement<TArchitecture>(space, null, seed),
            "epsilon-constraint" => new EpsilonConstraintSearch<TArchitecture>(space, null, seed),
            _ => throw new ArgumentException($"Unknown strategy '{name}'. Known strategies: {string.Join(", ", Names)}.", nameof(name)),
        };
    }
}
