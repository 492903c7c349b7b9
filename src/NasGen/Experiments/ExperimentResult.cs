using NasGen.Storage;

namespace NasGen.Experiments;

/// <summary>Why a run ended.</summary>
public enum StopReason
{
    /// <summary>The trial budget was used up.</summary>
    TrialBudget,
    /// <summary>The wall-time budget was used up.</summary>
    TimeBudget,
    /// <summary>The strategy had nothing more to propose.</summary>
    StrategyExhausted,
    /// <summary>The run was cancelled; unfinished trials were left pending for a resume.</summary>
    Cancelled,
}

/// <summary>What a run of an experiment produced.</summary>
public sealed class ExperimentResult<TArchitecture> where TArchitecture : struct, IEquatable<TArchitecture>
{
    internal ExperimentResult(StoredExperiment experiment, IReadOnlyList<TrialRecord> trials, TrialRecord? best, TArchitecture? bestArchitecture,
        IReadOnlyList<TrialRecord> paretoFront, StopReason stopReason, ResumeInfo resume, TimeSpan elapsed)
    {
        Experiment = experiment;
        Trials = trials;
        Best = best;
        BestArchitecture = bestArchitecture;
        ParetoFront = paretoFront;
        StopReason = stopReason;
        Resume = resume;
        Elapsed = elapsed;
    }

    /// <summary>The experiment as stored.</summary>
    public StoredExperiment Experiment { get; }

    /// <summary>Every trial in the store after the run, in number order.</summary>
    public IReadOnlyList<TrialRecord> Trials { get; }

    /// <summary>The completed trial with the highest fitness (the first of equals), or null.</summary>
    public TrialRecord? Best { get; }

    /// <summary>The architecture of <see cref="Best"/>.</summary>
    public TArchitecture? BestArchitecture { get; }

    /// <summary>Completed trials no other completed trial dominates on the options' objectives (empty without objectives).</summary>
    public IReadOnlyList<TrialRecord> ParetoFront { get; }

    /// <summary>Why the run ended.</summary>
    public StopReason StopReason { get; }

    /// <summary>What was found in the store when the run started.</summary>
    public ResumeInfo Resume { get; }

    /// <summary>Wall time of this run.</summary>
    public TimeSpan Elapsed { get; }
}

/// <summary>How a run picked up an experiment from its store.</summary>
/// <param name="ReplayedTrials">Stored trials replayed into the fresh strategy.</param>
/// <param name="RerunTrials">Trials that were unfinished (the previous process stopped or died) and are run again.</param>
/// <param name="DivergedAt">The first trial whose stored architecture the strategy did not propose again, or null when the replay matched.</param>
public sealed record ResumeInfo(int ReplayedTrials, int RerunTrials, int? DivergedAt);
