using NasGen.Storage;
using NasGen.Strategies;

namespace NasGen.Experiments;

/// <summary>What the loop knows about finished trials; read by evaluating trials for dedup and median stopping.</summary>
internal sealed class RunState<TArchitecture>(MedianStoppingRule? median, ObjectiveDirection direction) where TArchitecture : struct, IEquatable<TArchitecture>
{
    private readonly Dictionary<int, List<double>> _valuesAtStep = new();

    public Dictionary<int, Suggestion<TArchitecture>> Suggestions { get; } = new();
    public Dictionary<string, TrialRecord> FinishedByKey { get; } = new();
    public int Finished { get; private set; }
    public int FinishedThisRun { get; private set; }
    public int Failed { get; private set; }
    public TrialRecord? Best { get; private set; }

    /// <summary>What dedup compares: the architecture and the fidelity it was evaluated at.</summary>
    public static string Key(TrialRecord trial) => trial.Canonical + "@" + trial.Fidelity.ToString("R", CultureInfo.InvariantCulture);

    public void Record(TrialRecord trial, bool live)
    {
        Finished++;
        if (live) FinishedThisRun++;
        if (trial.Status == TrialStatus.Failed) Failed++;
        if (trial.Status == TrialStatus.Completed) Best = direction.Better(Best, trial);
        // Reused results and timeouts are not sources for dedup: the original is, and a timeout may pass next time.
        if (trial.ReusedFrom is null && trial.Failure != FailureReason.Timeout)
            FinishedByKey.TryAdd(Key(trial), trial);
        if (trial.Status == TrialStatus.Completed && median is not null)
            lock (_valuesAtStep)
                foreach (var (step, value) in trial.Intermediate)
                {
                    if (!_valuesAtStep.TryGetValue(step, out var list)) _valuesAtStep[step] = list = new();
                    list.Add(value);
                }
    }

    public bool ShouldStop(int step, double value)
    {
        if (median is null || step < median.GraceSteps) return false;
        lock (_valuesAtStep)
        {
            if (!_valuesAtStep.TryGetValue(step, out var list) || list.Count < median.MinFinishedTrials) return false;
            var sorted = list.OrderBy(v => v).ToArray();
            int mid = sorted.Length / 2;
            double m = sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
            return direction.IsBetter(m, value); // worse than the median: a loss above it, an accuracy below it
        }
    }
}
