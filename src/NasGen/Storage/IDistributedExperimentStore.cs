namespace NasGen.Storage;

/// <summary>What a worker learns when it takes the experiment's proposal lock: the history it has not seen yet.</summary>
/// <param name="NewTrials">Trials numbered from the worker's known count on, in number order (ask order).</param>
/// <param name="NewTells">Finished trials from the worker's known tell count on, in tell order, with their intermediate results.</param>
/// <param name="NextNumber">The number the proposed trial will get.</param>
public sealed record HistoryUpdate(IReadOnlyList<TrialRecord> NewTrials, IReadOnlyList<TrialRecord> NewTells, int NextNumber);

/// <summary>How a proposal ended.</summary>
public enum ProposalStatus
{
    /// <summary>The trial was recorded as pending.</summary>
    Added,
    /// <summary>The experiment already holds its trial budget; nothing was asked.</summary>
    BudgetReached,
    /// <summary>The strategy had nothing more to propose.</summary>
    Exhausted,
}

/// <summary>The result of <see cref="IDistributedExperimentStore.ProposeTrialAsync"/>.</summary>
/// <param name="Status">What happened.</param>
/// <param name="Trial">The recorded trial when <see cref="ProposalStatus.Added"/>.</param>
public sealed record ProposalResult(ProposalStatus Status, TrialRecord? Trial);

/// <summary>How many trials an experiment holds and how many of them are finished.</summary>
/// <param name="Trials">Trials recorded.</param>
/// <param name="Finished">Trials completed or failed.</param>
public sealed record ExperimentCounts(int Trials, int Finished);

/// <summary>
/// A store that many worker processes share (PostgreSQL). Claims carry a lease that the claiming worker renews;
/// a trial whose lease ran out (its worker died) returns to pending at the next claim. Proposals are serialised
/// per experiment: the worker holding the lock catches its local strategy up on the history, asks, and records
/// the trial, with the trial budget checked in the same transaction.
/// </summary>
public interface IDistributedExperimentStore : IExperimentStore
{
    /// <summary>How long a claim lives without renewal.</summary>
    TimeSpan LeaseDuration { get; }

    /// <summary>
    /// Under the experiment's lock: returns <see cref="ProposalStatus.BudgetReached"/> when <paramref name="maxTrials"/>
    /// trials exist; otherwise calls <paramref name="propose"/> with the history past <paramref name="knownTrials"/>
    /// and <paramref name="knownTells"/> and records the trial it returns (null: <see cref="ProposalStatus.Exhausted"/>),
    /// already claimed by <paramref name="claimFor"/> when that is set.
    /// </summary>
    Task<ProposalResult> ProposeTrialAsync(long experimentId, int? maxTrials, int knownTrials, int knownTells,
        Func<HistoryUpdate, NewTrial?> propose, string? claimFor = null, CancellationToken cancellationToken = default);

    /// <summary>Extends the leases of every trial <paramref name="worker"/> is running; returns how many.</summary>
    Task<int> RenewLeasesAsync(long experimentId, string worker, CancellationToken cancellationToken = default);

    /// <summary>Returns running trials whose lease ran out to pending; returns how many.</summary>
    Task<int> RequeueExpiredAsync(long experimentId, CancellationToken cancellationToken = default);

    /// <summary>Trials recorded and finished.</summary>
    Task<ExperimentCounts> GetCountsAsync(long experimentId, CancellationToken cancellationToken = default);
}

/// <summary>
/// The store cannot be reached right now (server down or restarting, network cut); the operation may succeed
/// when retried. Workers retry for <c>ExperimentOptions.StoreOutageTolerance</c> before giving up.
/// </summary>
public sealed class StoreUnavailableException : StoreException
{
    /// <summary>Creates the exception.</summary>
    public StoreUnavailableException(string location, string message, Exception? inner = null) : base(location, message, inner) { }
}
