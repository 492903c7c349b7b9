using NasGen.Storage;

namespace NasGen.Experiments;

/// <summary>Whether an objective is to be made large or small.</summary>
public enum ObjectiveDirection
{
    /// <summary>Larger is better.</summary>
    Maximize,
    /// <summary>Smaller is better.</summary>
    Minimize,
}

/// <summary>
/// One objective of a multi-objective search: a metric of the trials' results (<c>fitness</c> names the fitness
/// itself) and its direction.
/// </summary>
/// <param name="Metric">The metric's key in <see cref="Evaluation.EvaluationResult.Metrics"/>, or <c>fitness</c>.</param>
/// <param name="Direction">Whether to maximise or minimise it.</param>
public sealed record Objective(string Metric, ObjectiveDirection Direction)
{
    /// <summary>The key that names the fitness rather than a metric.</summary>
    public const string Fitness = "fitness";

    /// <summary>The values of <paramref name="objectives"/> for a trial (NaN where a metric is missing or the trial failed).</summary>
    public static IReadOnlyList<double> ValuesOf(TrialRecord trial, IReadOnlyList<Objective> objectives)
    {
        ArgumentNullException.ThrowIfNull(trial);
        ArgumentNullException.ThrowIfNull(objectives);
        var values = new double[objectives.Count];
        for (int i = 0; i < values.Length; i++)
        {
            string metric = objectives[i].Metric;
            values[i] = metric == Fitness ? trial.Fitness ?? double.NaN
                : trial.Metrics.TryGetValue(metric, out double v) ? v : double.NaN;
        }
        return values;
    }
}

/// <summary>Costs of an architecture known before training: what cost limits are checked against.</summary>
/// <param name="Parameters">Trainable parameters.</param>
/// <param name="Flops">Floating-point operations (or multiply-adds) of one forward pass.</param>
/// <param name="LatencyMs">Inference latency in milliseconds.</param>
public sealed record CostMetrics(double? Parameters = null, double? Flops = null, double? LatencyMs = null);

/// <summary>Upper bounds on an architecture's costs; a null bound is not checked.</summary>
/// <param name="MaxParameters">Most parameters allowed.</param>
/// <param name="MaxFlops">Most FLOPs allowed.</param>
/// <param name="MaxLatencyMs">Highest latency allowed, in milliseconds.</param>
public sealed record CostLimits(double? MaxParameters = null, double? MaxFlops = null, double? MaxLatencyMs = null);

/// <summary>A named predicate an architecture must satisfy to be evaluated.</summary>
/// <param name="Name">Shown in the failure reason of a rejected trial.</param>
/// <param name="IsSatisfied">True when the architecture may be evaluated.</param>
public sealed record ArchitectureConstraint<TArchitecture>(string Name, Func<TArchitecture, bool> IsSatisfied);

/// <summary>
/// The median stopping rule: a trial whose intermediate result at step k is below the median of the finished
/// trials' results at step k is stopped (its evaluator is told so through <c>ReportIntermediate</c> returning false).
/// </summary>
/// <param name="GraceSteps">Steps before this one are never stopped.</param>
/// <param name="MinFinishedTrials">The rule acts only once this many finished trials reported the step.</param>
public sealed record MedianStoppingRule(int GraceSteps = 1, int MinFinishedTrials = 3);

/// <summary>How an experiment runs.</summary>
public sealed record ExperimentOptions<TArchitecture> where TArchitecture : struct, IEquatable<TArchitecture>
{
    /// <summary>Name of the experiment inside its store; resuming uses the same name.</summary>
    public required string Name { get; init; }

    /// <summary>The experiment seed: the strategy's seed and the root of every trial's seed.</summary>
    public int Seed { get; init; }

    /// <summary>Most trials in total (resumed runs count the stored ones); null for no limit.</summary>
    public int? MaxTrials { get; init; }

    /// <summary>Wall time of this run after which no new trial starts (running ones finish); null for no limit.</summary>
    public TimeSpan? MaxWallTime { get; init; }

    /// <summary>Trials evaluated at the same time.</summary>
    public int Concurrency { get; init; } = 1;

    /// <summary>Whether an architecture already evaluated at the same fidelity reuses its result instead of being evaluated again.</summary>
    public bool Deduplicate { get; init; } = true;

    /// <summary>A trial running longer is stopped and recorded as failed; null for no limit.</summary>
    public TimeSpan? TrialTimeout { get; init; }

    /// <summary>Predicates checked before evaluation; a rejected architecture becomes a failed trial.</summary>
    public IReadOnlyList<ArchitectureConstraint<TArchitecture>> Constraints { get; init; } = Array.Empty<ArchitectureConstraint<TArchitecture>>();

    /// <summary>Computes an architecture's costs before evaluation (a profiler or a closed form), checked against <see cref="CostLimits"/>.</summary>
    public Func<TArchitecture, CostMetrics>? CostModel { get; init; }

    /// <summary>Limits on the costs from <see cref="CostModel"/>.</summary>
    public CostLimits? CostLimits { get; init; }

    /// <summary>The median stopping rule, or null to let every trial run to its end.</summary>
    public MedianStoppingRule? MedianStopping { get; init; }

    /// <summary>
    /// Whether the fitness is maximised (an accuracy, the default) or minimised (a loss, an error). The store keeps the
    /// fitness as the evaluator returned it and records the direction with the experiment, so that reports, <c>nasgen</c>
    /// and the dashboard rank trials the same way; strategies, which maximise, are told the negated value. Resuming with
    /// another direction is refused.
    /// </summary>
    public ObjectiveDirection Direction { get; init; } = ObjectiveDirection.Maximize;

    /// <summary>Objectives for the Pareto front; empty for a single-objective search on the fitness.</summary>
    public IReadOnlyList<Objective> Objectives { get; init; } = Array.Empty<Objective>();

    /// <summary>
    /// Settings outside NasGen that change what a trial measures (epochs, training examples, learning rate ...), by
    /// name. They are stored with the experiment, and resuming it with other values is refused (a
    /// <see cref="Storage.StoreMismatchException"/> naming the setting), since trials evaluated differently would be
    /// ranked together.
    /// </summary>
    public IReadOnlyDictionary<string, string> EvaluationSettings { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// On a shared store (PostgreSQL): how long a worker keeps retrying while the store cannot be reached (a server
    /// restart, a network cut) before the run fails. Trials keep evaluating meanwhile.
    /// </summary>
    public TimeSpan StoreOutageTolerance { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>On a shared store: how often an idle worker looks for work while other workers' trials are still running.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Worker name recorded on claimed trials; unique per process, since a shared store tells workers apart by it.</summary>
    public string Worker { get; init; } = Environment.MachineName + ":" + Environment.ProcessId;

    /// <summary>Receives progress and messages (e.g. <see cref="Reporting.ConsoleProgress"/>); null for silence.</summary>
    public IExperimentObserver? Observer { get; init; }
}
