namespace NasGen.Evaluation;

/// <summary>What an evaluator is told about the trial it runs.</summary>
public sealed class EvaluationContext
{
    /// <summary>The trial's seed: evaluators seed every random source from it.</summary>
    public required int Seed { get; init; }

    /// <summary>The trial's number in its experiment (what the store and <c>nasgen</c> show); null outside an experiment.</summary>
    public int? TrialNumber { get; init; }

    /// <summary>Share of the full budget to spend (1 = full), from the strategy's suggestion.</summary>
    public double Fidelity { get; init; } = 1.0;

    /// <summary>
    /// Called with intermediate results (e.g. the validation accuracy after each epoch, keyed by step).
    /// Returns false when the experiment wants the trial stopped early (median stopping).
    /// </summary>
    public Func<int, double, bool> ReportIntermediate { get; init; } = (_, _) => true;
}

/// <summary>The result of one evaluation: the fitness a strategy maximises, plus any other metrics.</summary>
public sealed record EvaluationResult(double Fitness, IReadOnlyDictionary<string, double> Metrics);

/// <summary>Evaluates an architecture: trains it, looks it up in a table, or scores it with a proxy.</summary>
public interface IEvaluator<TArchitecture> where TArchitecture : struct, IEquatable<TArchitecture>
{
    /// <summary>Evaluates <paramref name="architecture"/>. Throws (or returns a NaN fitness) when the trial fails.</summary>
    Task<EvaluationResult> EvaluateAsync(TArchitecture architecture, EvaluationContext context, CancellationToken cancellationToken);
}
