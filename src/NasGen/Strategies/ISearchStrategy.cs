namespace NasGen.Strategies;

/// <summary>
/// An architecture to evaluate, proposed by a strategy. <see cref="Fidelity"/> is the share of the full
/// training budget to spend (1 = full; multi-fidelity strategies such as Hyperband propose less).
/// </summary>
public sealed record Suggestion<TArchitecture>(TArchitecture Architecture, double Fidelity = 1.0)
    where TArchitecture : struct, IEquatable<TArchitecture>;

/// <summary>
/// What became of a suggestion. <see cref="Fitness"/> is maximised; it is null when the trial failed
/// (an exception, a NaN loss, a timeout, a broken constraint). A multi-objective search also sets
/// <see cref="Objectives"/>; single-objective strategies ignore it.
/// </summary>
public sealed record TrialOutcome(double? Fitness)
{
    /// <summary>Whether the trial failed.</summary>
    public bool Failed => Fitness is null || double.IsNaN(Fitness.Value) || double.IsInfinity(Fitness.Value);

    /// <summary>
    /// The objective values of a multi-objective search, every one to be <b>maximised</b> (a minimised metric is
    /// told negated), in the same order for every trial; null in a single-objective search. Read by
    /// <see cref="IMultiObjectiveStrategy{TArchitecture}"/>, which treats a non-finite value as a failed trial.
    /// </summary>
    public IReadOnlyList<double>? Objectives { get; init; }

    /// <summary>
    /// The values a multi-objective strategy optimises: <see cref="Objectives"/>, or the fitness alone when none are
    /// given; null when the trial failed or a value is not finite.
    /// </summary>
    public IReadOnlyList<double>? ObjectiveValues()
    {
        if (Objectives is null) return Failed ? null : [Fitness!.Value];
        if (Fitness is null || Objectives.Count == 0) return null;
        foreach (double v in Objectives)
            if (!double.IsFinite(v)) return null;
        return Objectives;
    }

    /// <summary>A failed trial.</summary>
    public static TrialOutcome Failure { get; } = new((double?)null);
}

/// <summary>
/// A search strategy behind the ask/tell interface. Contract every implementation keeps:
/// <list type="bullet">
/// <item>Seeded: the same seed and the same sequence of asks and tells give the same suggestions, so an
/// experiment resumes by replaying its stored trials into a fresh strategy.</item>
/// <item><see cref="Ask"/> may be called several times before the matching tells (parallel trials).</item>
/// <item>A failed outcome never stops the strategy.</item>
/// </list>
/// </summary>
public interface ISearchStrategy<TArchitecture> where TArchitecture : struct, IEquatable<TArchitecture>
{
    /// <summary>A short name for logs and reports (<c>regularized-evolution</c>).</summary>
    string Name { get; }

    /// <summary>The next architecture to evaluate, or null when the strategy has nothing more to propose.</summary>
    Suggestion<TArchitecture>? Ask();

    /// <summary>Reports the outcome of a suggestion returned by <see cref="Ask"/>.</summary>
    void Tell(Suggestion<TArchitecture> suggestion, TrialOutcome outcome);
}

/// <summary>
/// A strategy that optimises several objectives at once: it reads <see cref="TrialOutcome.Objectives"/> (all
/// maximised) and looks for the Pareto front rather than one best architecture. Told an outcome without objectives,
/// it optimises the fitness alone. Every told vector must have the same length.
/// </summary>
public interface IMultiObjectiveStrategy<TArchitecture> : ISearchStrategy<TArchitecture>
    where TArchitecture : struct, IEquatable<TArchitecture>
{
    /// <summary>The architectures of the current non-dominated set among the successful outcomes told so far, with their objective values.</summary>
    IReadOnlyList<(TArchitecture Architecture, IReadOnlyList<double> Objectives)> ParetoSet { get; }
}
