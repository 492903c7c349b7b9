namespace NasGen.Experiments;

/// <summary>A snapshot of an experiment's progress.</summary>
/// <param name="Finished">Trials finished (completed or failed), resumed ones included.</param>
/// <param name="Total">The trial budget, when there is one.</param>
/// <param name="Running">Trials being evaluated now.</param>
/// <param name="Failed">Failed trials.</param>
/// <param name="BestFitness">The best fitness so far.</param>
/// <param name="BestCanonical">The best architecture so far, as canonical text.</param>
/// <param name="Elapsed">Wall time of this run.</param>
/// <param name="Remaining">Estimated time left, when a budget allows an estimate.</param>
public sealed record ExperimentProgress(int Finished, int? Total, int Running, int Failed, double? BestFitness, string? BestCanonical,
    TimeSpan Elapsed, TimeSpan? Remaining);

/// <summary>Receives what an experiment does, as it happens. Called from the experiment's loop, one call at a time.</summary>
public interface IExperimentObserver
{
    /// <summary>Progress changed (a trial started or finished).</summary>
    void OnProgress(ExperimentProgress progress);

    /// <summary>Something worth a line in a log (resume, divergence, failures, stop).</summary>
    void OnMessage(string message);
}
