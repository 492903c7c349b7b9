namespace NasGen.Strategies;

/// <summary>
/// Options of the model-based multi-objective searches, <see cref="ExpectedHypervolumeImprovement{TArchitecture}"/>
/// and <see cref="EpsilonConstraintSearch{TArchitecture}"/>: one Gaussian process per objective, maximised by the
/// hill climbs of <see cref="BayesianOptimization{TArchitecture}"/>, and a reference point placed from the observations.
/// </summary>
public sealed record MultiObjectiveOptions
{
    /// <summary>
    /// The model and acquisition-search settings shared with <see cref="BayesianOptimization{TArchitecture}"/>:
    /// initial design, hill-climb starts and steps, evaluations per ask, hyperparameter refits; the ε-constraint search
    /// also uses the exploration margin and the copula transform on its first objective (the expected hypervolume
    /// improvement is measured in the objectives' own units and uses neither).
    /// </summary>
    public BayesianOptimizationOptions Optimization { get; init; } = new();

    /// <summary>
    /// The reference point: each objective's worst observed value moved out by this share of its observed range.
    /// EHVI measures the hypervolume from it (a margin beyond the nadir keeps the extremes of the front worth improving;
    /// Ishibuchi et al. 2018); the ε-constraint search draws its bounds between it and the best observed value, so that
    /// it can reach architectures costlier than any seen, which is how the fittest end of the front is found.
    /// </summary>
    public double ReferenceMargin { get; init; } = 0.1;
}
