using System.Collections.Concurrent;
using System.Data.Common;
using System.Text.Json;
using NasGen.Experiments;

namespace NasGen.Storage;

/// <summary>
/// The experiment store on a SQL engine: every write, claim and read is one statement text for SQLite and PostgreSQL
/// (the same table names, named <c>@</c> parameters), and what differs between the engines is data (an internal dialect:
/// column types, where the time comes from, row locks, leases) and how a transaction runs (its connection, serialisation
/// and retries). The engines' classes, <see cref="SqliteExperimentStore"/> and <see cref="PostgresExperimentStore"/>, add
/// only how a store is opened and, on PostgreSQL, what workers on many machines need. Every mutation is one transaction.
/// </summary>
public abstract partial class SqlExperimentStore : IExperimentStore, IReadOnlyExperimentStore
{
    /// <summary>The schema version this code writes and reads.</summary>
    public const int SchemaVersion = StoreSchema.Version;

    // Writes go to the current tables only: a writer migrated the store when it opened it.
    private const string Prefix = StoreSchema.Prefix;

    private readonly SqlDialect _dialect;
    private readonly StoreTransactions _transactions;
    // The tables reads use: this version's, except for a version 1 SQLite store opened read-only, which is read as it is.
    private readonly string _readPrefix;
    // Claims made through this instance: a completion matches the worker too, so a worker whose lease ran out and
    // whose trial was claimed again cannot overwrite the new claim, and an ambiguous commit can be recognised.
    private readonly ConcurrentDictionary<(long Experiment, int Number), string> _claims = new();

    private protected SqlExperimentStore(string location, SqlDialect dialect, StoreTransactions transactions, string readPrefix = StoreSchema.Prefix)
    {
        Location = location;
        _dialect = dialect;
        _transactions = transactions;
        _readPrefix = readPrefix;
    }

    /// <inheritdoc />
    public string Location { get; }

    /// <summary>False only for a version 1 store opened read-only: it is read as it is, without change numbers.</summary>
    private protected bool HasChangeCounter { get; set; } = true;

    /// <summary>How long a claim lives without renewal, on engines with leases.</summary>
    private protected TimeSpan Lease { get; init; }

    /// <summary>The schema version recorded in the store.</summary>
    public Task<int> GetSchemaVersionAsync(CancellationToken cancellationToken = default) =>
        RunAsync(async tx => int.Parse(Convert.ToString(await Scalar(tx, $"SELECT value FROM {_readPrefix}metadata WHERE key='schema_version';").ConfigureAwait(false),
            CultureInfo.InvariantCulture)!, CultureInfo.InvariantCulture), cancellationToken);

    /// <inheritdoc />
    public Task<StoredExperiment> OpenExperimentAsync(ExperimentConfig config, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(config);
        return RunAsync(async tx =>
        {
            // Workers starting together race to create it: the unique name lets exactly one insert win. Only a missing
            // experiment is inserted, so reopening one leaves every table as it was (even SQLite's AUTOINCREMENT counter).
            await Exec(tx, $"""
                INSERT INTO {Prefix}experiments(name, space_name, space_fingerprint, strategy_name, seed, options_json, created_at)
                SELECT @name, @space, @fp, @strategy, @seed, @options, {_dialect.Now}
                WHERE NOT EXISTS (SELECT 1 FROM {Prefix}experiments WHERE name=@name) ON CONFLICT (name) DO NOTHING;
                """,
                [("@name", config.Name), ("@space", config.SpaceName), ("@fp", config.SpaceFingerprint),
                ("@strategy", config.StrategyName), ("@seed", config.Seed), ("@options", config.OptionsJson), .. _dialect.Clock()]).ConfigureAwait(false);
            var stored = (await StoreReads.ExperimentsAsync(tx, Prefix, config.Name, cancellationToken).ConfigureAwait(false))[0];
            if (stored.Config.SpaceFingerprint != config.SpaceFingerprint)
                throw new StoreMismatchException(Location,
                    $"experiment '{config.Name}' was made for space '{stored.Config.SpaceName}' (fingerprint {stored.Config.SpaceFingerprint}), " +
                    $"not for space '{config.SpaceName}' (fingerprint {config.SpaceFingerprint}). Use another experiment name or store.");
            return stored;
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task<TrialRecord> AddTrialAsync(long experimentId, NewTrial trial, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(trial);
        return RunAsync(async tx =>
        {
            await LockExperiment(tx, experimentId).ConfigureAwait(false);
            int number = await NextNumber(tx, experimentId).ConfigureAwait(false);
            return await Insert(tx, experimentId, number, trial, await NextChange(tx, experimentId).ConfigureAwait(false)).ConfigureAwait(false);
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task<TrialRecord?> ClaimNextTrialAsync(long experimentId, string worker, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(worker);
        return RunAsync(async tx =>
        {
            long version;
            if (_dialect.HasLeases)
            {
                // The change number first (its row lock orders the commits), then expired claims go back to the queue.
                version = await NextChange(tx, experimentId).ConfigureAwait(false);
                await Requeue(tx, experimentId, expiredOnly: true, worker: null, version).ConfigureAwait(false);
            }
            else
            {
                // Nothing to claim changes nothing, not even the change counter.
                if (Convert.ToInt64(await Scalar(tx, $"SELECT COUNT(*) FROM {Prefix}trials WHERE experiment_id=@e AND status=@pending;",
                    ("@e", experimentId), ("@pending", (short)TrialStatus.Pending)).ConfigureAwait(false), CultureInfo.InvariantCulture) == 0)
                    return null;
                version = await NextChange(tx, experimentId).ConfigureAwait(false);
            }
            // SKIP LOCKED on a server: workers claiming at once take different rows instead of queueing on the same one.
            object? claimed = await Scalar(tx, $"""
                UPDATE {Prefix}trials SET {Claimed}, version=@version
                WHERE experiment_id=@e AND number=(
                    SELECT number FROM {Prefix}trials WHERE experiment_id=@e AND status=@pending ORDER BY number LIMIT 1{SkipLocked})
                RETURNING number;
                """,
                [("@running", (short)TrialStatus.Running), ("@w", worker), ("@e", experimentId), ("@pending", (short)TrialStatus.Pending),
                ("@version", version), .. LeaseParameters, .. _dialect.Clock()]).ConfigureAwait(false);
            if (claimed is null) return null;
            int number = Convert.ToInt32(claimed, CultureInfo.InvariantCulture);
            var trial = (await ReadTrials(tx, "experiment_id=@e AND number=@n", "number", withIntermediates: false, cancellationToken,
                ("@e", experimentId), ("@n", number)).ConfigureAwait(false))[0];
            _claims[(experimentId, number)] = worker;
            return (TrialRecord?)trial;
        }, cancellationToken);
    }

    /// <summary>Claims for <paramref name="worker"/> the trial this transaction just added.</summary>
    private protected async Task<TrialRecord> ClaimAddedAsync(DbTransaction tx, long experimentId, TrialRecord added, string worker)
    {
        await Exec(tx, $"UPDATE {Prefix}trials SET {Claimed} WHERE experiment_id=@e AND number=@n;",
            [("@running", (short)TrialStatus.Running), ("@w", worker), ("@e", experimentId), ("@n", added.Number), .. LeaseParameters, .. _dialect.Clock()]).ConfigureAwait(false);
        _claims[(experimentId, added.Number)] = worker;
        return added with { Status = TrialStatus.Running, Worker = worker };
    }

    /// <inheritdoc />
    public Task AddIntermediateAsync(long experimentId, int number, int step, double value, CancellationToken cancellationToken = default) =>
        RunAsync(async tx =>
        {
            long version = await NextChange(tx, experimentId).ConfigureAwait(false);
            await Exec(tx, $"""
                INSERT INTO {Prefix}intermediates(experiment_id, number, step, value) VALUES (@e, @n, @s, @v)
                ON CONFLICT (experiment_id, number, step) DO UPDATE SET value=excluded.value;
                """, ("@e", experimentId), ("@n", number), ("@s", step), ("@v", value)).ConfigureAwait(false);
            return await Exec(tx, $"UPDATE {Prefix}trials SET version=@version WHERE experiment_id=@e AND number=@n;",
                ("@version", version), ("@e", experimentId), ("@n", number)).ConfigureAwait(false);
        }, cancellationToken);

    /// <inheritdoc />
    /// <remarks>
    /// With leases (many workers), the stored <see cref="TrialCompletion.AsksAtTell"/> is never less than the trials recorded
    /// at the time: a worker's own count lags behind, and replay needs the history's.
    /// </remarks>
    public Task<TrialRecord> CompleteTrialAsync(long experimentId, int number, TrialCompletion completion, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(completion);
        if (completion.Status is not (TrialStatus.Completed or TrialStatus.Failed))
            throw new ArgumentException("A completion is Completed or Failed.", nameof(completion));
        _claims.TryGetValue((experimentId, number), out string? worker);
        string asksAtTell = _dialect.HasLeases ? $"GREATEST(@asks, (SELECT COUNT(*) FROM {Prefix}trials WHERE experiment_id=@e))" : "@asks";
        return RunAsync(async tx =>
        {
            long version = await NextChange(tx, experimentId).ConfigureAwait(false);
            int changed = await Exec(tx, $"""
                UPDATE {Prefix}trials SET status=@status, fitness=@fitness, metrics_json=@metrics, failure=@failure, error=@error,
                    reused_from=@reused, stopped_early=@stopped, ended_at={_dialect.Now}{ClearLease}, version=@version,
                    tell_seq=(SELECT COALESCE(MAX(tell_seq) + 1, 0) FROM {Prefix}trials WHERE experiment_id=@e),
                    asks_at_tell={asksAtTell},
                    duration_s={_dialect.SecondsSinceStart}
                WHERE experiment_id=@e AND number=@n AND status=@running AND (CAST(@w AS TEXT) IS NULL OR worker=@w);
                """,
                [("@status", (short)completion.Status), ("@fitness", completion.Fitness), ("@metrics", JsonSerializer.Serialize(completion.Metrics)),
                ("@failure", (short)completion.Failure), ("@error", completion.Error), ("@reused", completion.ReusedFrom),
                ("@stopped", completion.StoppedEarly), ("@asks", completion.AsksAtTell), ("@e", experimentId), ("@n", number),
                ("@running", (short)TrialStatus.Running), ("@w", worker), ("@version", version), .. _dialect.Clock()]).ConfigureAwait(false);
            var trials = await ReadTrials(tx, "experiment_id=@e AND number=@n", "number", withIntermediates: false, cancellationToken,
                ("@e", experimentId), ("@n", number)).ConfigureAwait(false);
            if (changed != 1)
            {
                // A retry after a commit whose acknowledgement the connection lost: the first attempt did record it.
                if (worker is not null && trials.Count == 1 && trials[0].IsFinished && trials[0].Worker == worker)
                    return trials[0];
                throw new InvalidOperationException($"{Location}: trial {number} of experiment {experimentId} is not running" +
                    (worker is null || !_dialect.HasLeases ? "" : $" under worker '{worker}' (its lease may have run out)") + "; its result is not recorded twice.");
            }
            return trials[0];
        }, cancellationToken).ContinueWith(t =>
        {
            if (t.IsCompletedSuccessfully) _claims.TryRemove((experimentId, number), out _);
            return t;
        }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default).Unwrap();
    }

    /// <inheritdoc />
    public Task<int> ReleaseRunningTrialsAsync(long experimentId, string? worker, CancellationToken cancellationToken = default) =>
        RunAsync(tx => Requeue(tx, experimentId, expiredOnly: false, worker, version: null), cancellationToken);

    /// <inheritdoc />
    public virtual ValueTask DisposeAsync() => _transactions.DisposeAsync();
}
