using NasGen.Experiments;

namespace NasGen.Storage;

/// <summary>Where a trial is in its life.</summary>
public enum TrialStatus
{
    /// <summary>Proposed and recorded, waiting for a worker to claim it.</summary>
    Pending = 0,
    /// <summary>Claimed by a worker and being evaluated.</summary>
    Running = 1,
    /// <summary>Evaluated; it has a fitness.</summary>
    Completed = 2,
    /// <summary>Finished without a usable fitness; <see cref="TrialRecord.Failure"/> says why.</summary>
    Failed = 3,
}

/// <summary>Why a trial failed.</summary>
public enum FailureReason
{
    /// <summary>The trial did not fail.</summary>
    None = 0,
    /// <summary>The evaluator threw.</summary>
    Exception,
    /// <summary>The fitness was NaN or infinite.</summary>
    NonFinite,
    /// <summary>The evaluation ran past the per-trial time limit.</summary>
    Timeout,
    /// <summary>A constraint or cost limit rejected the architecture before evaluation.</summary>
    Constraint,
}

/// <summary>The identity and settings of an experiment, fixed when it is created.</summary>
/// <param name="Name">Unique name of the experiment inside its store.</param>
/// <param name="SpaceName">The search space's name.</param>
/// <param name="SpaceFingerprint">The space's <see cref="ISearchSpace.Fingerprint"/>: a store refuses another space.</param>
/// <param name="StrategyName">The strategy's name, for reports.</param>
/// <param name="Seed">The experiment seed; trial seeds derive from it.</param>
/// <param name="OptionsJson">The run options as JSON, for reports and audits.</param>
public sealed record ExperimentConfig(string Name, string SpaceName, string SpaceFingerprint, string StrategyName, int Seed, string OptionsJson);

/// <summary>An experiment as held by a store.</summary>
/// <param name="Id">The store's key for the experiment.</param>
/// <param name="Config">The configuration it was created with.</param>
/// <param name="CreatedAt">When it was created.</param>
public sealed record StoredExperiment(long Id, ExperimentConfig Config, DateTimeOffset CreatedAt);

/// <summary>A trial to record, as proposed by the strategy.</summary>
/// <param name="ArchitectureJson">The architecture as the space's JSON.</param>
/// <param name="Canonical">The space's canonical string of the architecture.</param>
/// <param name="StableHash">The space's stable hash of the architecture.</param>
/// <param name="Fidelity">Share of the full budget the strategy asked for.</param>
/// <param name="Seed">The trial's seed.</param>
public sealed record NewTrial(string ArchitectureJson, string Canonical, ulong StableHash, double Fidelity, int Seed);

/// <summary>How a trial finished.</summary>
/// <param name="Status"><see cref="TrialStatus.Completed"/> or <see cref="TrialStatus.Failed"/>.</param>
/// <param name="Fitness">The fitness (null when failed).</param>
/// <param name="Metrics">Every metric the evaluator reported (and costs the runner measured).</param>
/// <param name="Failure">Why it failed.</param>
/// <param name="Error">The error text of a failure.</param>
/// <param name="ReusedFrom">The number of the trial whose result was reused (dedup), if any.</param>
/// <param name="StoppedEarly">Whether the median stopping rule stopped it.</param>
/// <param name="AsksAtTell">How many trials the strategy had been asked for when it was told this outcome (replay order).</param>
public sealed record TrialCompletion(
    TrialStatus Status,
    double? Fitness,
    IReadOnlyDictionary<string, double> Metrics,
    FailureReason Failure,
    string? Error,
    int? ReusedFrom,
    bool StoppedEarly,
    int AsksAtTell);

/// <summary>One trial as stored.</summary>
public sealed record TrialRecord
{
    /// <summary>Position in ask order, from 0.</summary>
    public required int Number { get; init; }
    /// <summary>Life-cycle state.</summary>
    public required TrialStatus Status { get; init; }
    /// <summary>The architecture as the space's JSON.</summary>
    public required string ArchitectureJson { get; init; }
    /// <summary>The canonical string.</summary>
    public required string Canonical { get; init; }
    /// <summary>The stable hash.</summary>
    public required ulong StableHash { get; init; }
    /// <summary>Share of the full budget.</summary>
    public required double Fidelity { get; init; }
    /// <summary>The trial's seed.</summary>
    public required int Seed { get; init; }
    /// <summary>The fitness when completed.</summary>
    public double? Fitness { get; init; }
    /// <summary>Reported metrics.</summary>
    public IReadOnlyDictionary<string, double> Metrics { get; init; } = new Dictionary<string, double>();
    /// <summary>Intermediate results by step, ascending.</summary>
    public IReadOnlyList<KeyValuePair<int, double>> Intermediate { get; init; } = Array.Empty<KeyValuePair<int, double>>();
    /// <summary>Why it failed.</summary>
    public FailureReason Failure { get; init; }
    /// <summary>Error text of a failure.</summary>
    public string? Error { get; init; }
    /// <summary>The trial whose result was reused.</summary>
    public int? ReusedFrom { get; init; }
    /// <summary>Whether the median stopping rule stopped it.</summary>
    public bool StoppedEarly { get; init; }
    /// <summary>Order in which finished trials were told to the strategy, from 0; null while unfinished.</summary>
    public int? TellSequence { get; init; }
    /// <summary>Trials asked when this one was told (see <see cref="TrialCompletion.AsksAtTell"/>).</summary>
    public int? AsksAtTell { get; init; }
    /// <summary>The worker that claimed it last.</summary>
    public string? Worker { get; init; }
    /// <summary>When it was claimed.</summary>
    public DateTimeOffset? StartedAt { get; init; }
    /// <summary>When it finished.</summary>
    public DateTimeOffset? EndedAt { get; init; }
    /// <summary>How long it ran.</summary>
    public TimeSpan? Duration => StartedAt is { } s && EndedAt is { } e ? e - s : null;
    /// <summary>
    /// The experiment's change number when this trial last changed (added, claimed, given an intermediate result,
    /// finished or released): numbers grow with every change, so <see cref="IReadOnlyExperimentStore.GetTrialsChangedSinceAsync"/>
    /// with the highest number a reader has seen returns exactly what changed after. 0 in a store from before change numbers.
    /// </summary>
    public long Version { get; init; }
    /// <summary>Whether it is completed or failed.</summary>
    public bool IsFinished => Status is TrialStatus.Completed or TrialStatus.Failed;
}

/// <summary>
/// Persistent home of experiments and their trials. Every mutation is one transaction, so that a process killed
/// at any point leaves the store consistent; a trial moves Pending → Running (<see cref="ClaimNextTrialAsync"/>)
/// → Completed/Failed (<see cref="CompleteTrialAsync"/>). Implementations for servers (PostgreSQL) keep the same
/// semantics, with the claim as a row-locking transaction so that many workers can share an experiment.
/// </summary>
public interface IExperimentStore : IAsyncDisposable
{
    /// <summary>Where the store lives (a file path or a connection description), for messages.</summary>
    string Location { get; }

    /// <summary>
    /// Creates the experiment or opens the existing one of that name. Throws <see cref="StoreMismatchException"/>
    /// when the existing one was made for another space.
    /// </summary>
    Task<StoredExperiment> OpenExperimentAsync(ExperimentConfig config, CancellationToken cancellationToken = default);

    /// <summary>Every trial of the experiment in number order, with its intermediate results.</summary>
    Task<IReadOnlyList<TrialRecord>> GetTrialsAsync(long experimentId, CancellationToken cancellationToken = default);

    /// <summary>Records a new pending trial under the next number and returns it.</summary>
    Task<TrialRecord> AddTrialAsync(long experimentId, NewTrial trial, CancellationToken cancellationToken = default);

    /// <summary>Atomically claims the lowest-numbered pending trial for <paramref name="worker"/>; null when none is pending.</summary>
    Task<TrialRecord?> ClaimNextTrialAsync(long experimentId, string worker, CancellationToken cancellationToken = default);

    /// <summary>Records an intermediate result of a running trial.</summary>
    Task AddIntermediateAsync(long experimentId, int number, int step, double value, CancellationToken cancellationToken = default);

    /// <summary>
    /// Finishes a running trial and gives it the next tell sequence number. Throws <see cref="InvalidOperationException"/>
    /// when the trial is not running (already finished, or never claimed), so that no result is recorded twice.
    /// </summary>
    Task<TrialRecord> CompleteTrialAsync(long experimentId, int number, TrialCompletion completion, CancellationToken cancellationToken = default);

    /// <summary>Returns running trials (of one worker, or all when null) to pending, dropping their intermediate results.</summary>
    Task<int> ReleaseRunningTrialsAsync(long experimentId, string? worker, CancellationToken cancellationToken = default);
}

/// <summary>A store that cannot be used: not a store, corrupt, from a newer version, or made for another space.</summary>
public class StoreException : Exception
{
    /// <summary>Creates the exception.</summary>
    public StoreException(string location, string message, Exception? inner = null) : base($"{location}: {message}", inner) => Location = location;

    /// <summary>The file or connection at fault.</summary>
    public string Location { get; }
}

/// <summary>The store holds an experiment of this name made for a different search space.</summary>
public sealed class StoreMismatchException : StoreException
{
    /// <summary>Creates the exception.</summary>
    public StoreMismatchException(string location, string message) : base(location, message) { }
}

/// <summary>
/// The SQLite store is open for writing in another process (or by another open in this one): a SQLite store has one
/// writer. Nothing was changed. Wait for the owner to finish or stop it; read-only tools may inspect the store
/// meanwhile, and several workers on one experiment need the PostgreSQL store.
/// </summary>
public sealed class StoreInUseException : StoreException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="location">The store file.</param>
    /// <param name="owner">The owner as it recorded itself (process, host, since when), or null when not recorded yet.</param>
    public StoreInUseException(string location, string? owner)
        : base(location, $"the store is in use by another NasGen process ({owner ?? "owner not recorded yet: it is being opened right now"}). " +
            "A SQLite store has one writer; nothing was changed. Wait for that process to finish or stop it (its finished trials are kept " +
            "and a later run resumes them); inspect it meanwhile with `nasgen status`. Several workers on one experiment need a PostgreSQL " +
            "store (docs/guides/distributed.md).") => Owner = owner;

    /// <summary>The owner as it recorded itself, e.g. <c>process 4242 on host gpu1 since 2026-12-03 17:02:11Z</c>; null when unknown.</summary>
    public string? Owner { get; }
}

/// <summary>
/// What tools need to inspect a store without the search space's code: the experiments and their trials. Opened with
/// <see cref="ExperimentStores.OpenReadOnlyAsync"/>, on either store, it never writes and never waits for a writer.
/// </summary>
public interface IReadOnlyExperimentStore : IAsyncDisposable
{
    /// <summary>Where the store lives (a file path, or <c>postgresql://user@host:port/database</c>: never a password).</summary>
    string Location { get; }

    /// <summary>Every experiment in the store, in creation order.</summary>
    Task<IReadOnlyList<StoredExperiment>> ListExperimentsAsync(CancellationToken cancellationToken = default);

    /// <summary>The experiment named <paramref name="name"/>, or null when the store has none of that name.</summary>
    Task<StoredExperiment?> FindExperimentAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Every trial of the experiment in number order, with its intermediate results.</summary>
    Task<IReadOnlyList<TrialRecord>> GetTrialsAsync(long experimentId, CancellationToken cancellationToken = default);

    /// <summary>
    /// The trials whose <see cref="TrialRecord.Version"/> is above <paramref name="sinceVersion"/>, in number order, with their
    /// intermediate results: a reader that keeps the highest version it has seen reads only what changed (indexed, so the
    /// cost follows the change, not the experiment). 0 returns every trial. A store from before change numbers, opened
    /// read-only (never migrated), returns every trial with version 0.
    /// </summary>
    Task<IReadOnlyList<TrialRecord>> GetTrialsChangedSinceAsync(long experimentId, long sinceVersion, CancellationToken cancellationToken = default);

    /// <summary>
    /// The experiment's trials in numbers (counts by state, failures by reason, the best trial under
    /// <paramref name="direction"/>, the first start and last end, the latest change number), computed by the store
    /// without reading every trial: an overview of a large experiment costs a few aggregate queries.
    /// </summary>
    Task<TrialStatistics> GetTrialStatisticsAsync(long experimentId, ObjectiveDirection direction, CancellationToken cancellationToken = default);

    /// <summary>
    /// One page of the experiment's trials, filtered, sorted and windowed by the store (<see cref="TrialPageQuery"/>), and
    /// how many trials match in all. The trials come without their intermediate results. A limit outside 1 to
    /// <see cref="TrialPageQuery.MaxLimit"/> or a negative offset raises <see cref="ArgumentOutOfRangeException"/>.
    /// </summary>
    Task<TrialPage> GetTrialPageAsync(long experimentId, TrialPageQuery query, CancellationToken cancellationToken = default);
}
