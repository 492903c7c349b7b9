using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using NasGen.Experiments;
using Npgsql;

namespace NasGen.Storage;

/// <summary>
/// The server store: PostgreSQL through Npgsql, with the SQLite store's semantics plus what many workers on many
/// machines need (<see cref="IDistributedExperimentStore"/>). Every statement is parameterised and every mutation is
/// one transaction. Claims use <c>FOR UPDATE SKIP LOCKED</c> and a lease (<c>lease_expires_at</c>, server time);
/// proposals and completions lock the experiment's row, so tell order and ask order are one consistent history.
/// The password never comes from this class's callers: Npgsql reads <c>PGPASSWORD</c>, <c>PGPASSFILE</c> or
/// <c>~/.pgpass</c>; <see cref="Location"/> and every message name user, host, port and database only.
/// </summary>
public sealed class PostgresExperimentStore : IDistributedExperimentStore, IReadOnlyExperimentStore
{
    /// <summary>The schema version this code writes and reads.</summary>
    public const int SchemaVersion = StoreSchema.Version;

    // Arbitrary constant key of the advisory lock that serialises schema creation between workers starting together.
    private const long SchemaLockKey = 0x4E61_7347_656E_0001;

    private readonly NpgsqlDataSource _dataSource;
    private readonly PostgresTransactions _transactions;
    // Claims made through this instance: a completion matches the worker too, so a worker whose lease ran out and
    // whose trial was claimed again cannot overwrite the new claim, and an ambiguous commit can be recognised.
    private readonly ConcurrentDictionary<(long Experiment, int Number), string> _claims = new();
    // False only for a version 1 store opened read-only: it is read as it is, without change numbers.
    private bool _hasChangeCounter = true;

    private PostgresExperimentStore(NpgsqlDataSource dataSource, string location, TimeSpan lease)
    {
        _dataSource = dataSource;
        _transactions = new PostgresTransactions(dataSource, location);
        Location = location;
        LeaseDuration = lease;
    }

    /// <inheritdoc />
    public string Location { get; }

    /// <inheritdoc />
    public TimeSpan LeaseDuration { get; }

    /// <inheritdoc />
    public override string ToString() => Location;

    /// <summary>
    /// Connects to the server named by <paramref name="connectionString"/> (Npgsql keywords, e.g.
    /// <c>Host=db;Username=nasgen;Database=nasgen;SSL Mode=VerifyFull</c>), creating the schema when absent.
    /// A wrong password, an unreachable server, a database that is not a NasGen store or a newer schema raise
    /// <see cref="StoreException"/> with a message that names the server but not the password.
    /// </summary>
    /// <param name="connectionString">The connection string; leave the password out and use the environment or a pass file.</param>
    /// <param name="leaseDuration">How long a claim lives without renewal (default 30 s).</param>
    /// <param name="cancellationToken">Cancels the connection attempt.</param>
    public static Task<PostgresExperimentStore> OpenAsync(string connectionString, TimeSpan? leaseDuration = null, CancellationToken cancellationToken = default)
    {
        var lease = leaseDuration ?? TimeSpan.FromSeconds(30);
        if (lease <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(leaseDuration), "The lease is positive.");
        return OpenAsync(connectionString, lease, readOnly: false, cancellationToken);
    }

    /// <summary>
    /// Connects for reading only: every transaction is read-only on the server, nothing is created, and a database
    /// without a NasGen store raises <see cref="StoreException"/>. For tools that inspect a store (<c>nasgen</c>).
    /// </summary>
    /// <param name="connectionString">The connection string; leave the password out and use the environment or a pass file.</param>
    /// <param name="cancellationToken">Cancels the connection attempt.</param>
    public static Task<PostgresExperimentStore> OpenReadOnlyAsync(string connectionString, CancellationToken cancellationToken = default) =>
        OpenAsync(connectionString, TimeSpan.FromSeconds(30), readOnly: true, cancellationToken);

    private static async Task<PostgresExperimentStore> OpenAsync(string connectionString, TimeSpan lease, bool readOnly, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(connectionString);
        var builder = Parse(connectionString) ?? throw new StoreException("postgresql",
            "invalid PostgreSQL connection string (expected Npgsql keywords such as Host=db;Username=nasgen;Database=nasgen); see docs/guides/distributed.md.");
        builder.PersistSecurityInfo = false;
        if (builder.Timeout == 15) builder.Timeout = 10;
        builder.ApplicationName ??= "NasGen";
        // The server refuses every write in these sessions, whatever a bug here might try.
        if (readOnly) builder.Options = (builder.Options + " -c default_transaction_read_only=on").Trim();
        string location = Describe(builder);

        var dataSource = new NpgsqlDataSourceBuilder(builder.ConnectionString).Build();
        var store = new PostgresExperimentStore(dataSource, location, lease);
        try
        {
            await store.RunAsync(async (c, tx) =>
            {
                if (!readOnly) await Exec(c, tx, "SELECT pg_advisory_xact_lock(@k);", ("k", SchemaLockKey)).ConfigureAwait(false);
                bool exists = await Scalar(c, tx, "SELECT to_regclass('nasgen_metadata') IS NOT NULL;").ConfigureAwait(false) is true;
                if (!exists && readOnly)
                    throw new StoreException(location, "no NasGen experiment store in this database (no nasgen_metadata table on the search path).");
                if (!exists) { await CreateSchema(c, tx).ConfigureAwait(false); return 0; }
                object? version = await Scalar(c, tx, "SELECT value FROM nasgen_metadata WHERE key='schema_version';").ConfigureAwait(false);
                if (version is not string text || !int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v))
                    throw new StoreException(location, "the table nasgen_metadata has no schema_version: not a NasGen experiment store.");
                if (v > SchemaVersion)
                    throw new StoreException(location, $"schema version {v} is newer than this NasGen supports ({SchemaVersion}); upgrade NasGen.");
                // Migrated under the schema lock, in this transaction: workers of the old version see version 2 and stop.
                if (v < SchemaVersion && !readOnly) await Exec(c, tx, StoreSchema.MigrateFromVersion1(SqlDialect.Postgres, oldPrefix: StoreSchema.Prefix)).ConfigureAwait(false);
                store._hasChangeCounter = !readOnly || v >= 2;
                return 0;
            }, cancellationToken).ConfigureAwait(false);
            return store;
        }
        catch
        {
            await dataSource.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The connection string's keywords, or null when it is not one (its text may hold a password: never echoed).</summary>
    private static NpgsqlConnectionStringBuilder? Parse(string connectionString)
    {
        try
        {
            return new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidCastException or OverflowException)
        {
            return null;
        }
    }

    /// <summary>user@host:port/database for a connection string, or null when it is not one.</summary>
    internal static string? Describe(string connectionString) => Parse(connectionString) is { } builder ? Describe(builder) : null;

    /// <summary>user@host:port/database: what messages say about a connection (never the password).</summary>
    private static string Describe(NpgsqlConnectionStringBuilder b) =>
        string.Create(CultureInfo.InvariantCulture, $"postgresql://{b.Username ?? Environment.UserName}@{b.Host ?? "localhost"}:{b.Port}/{b.Database ?? b.Username ?? "postgres"}");

    private static async Task CreateSchema(NpgsqlConnection c, NpgsqlTransaction tx)
    {
        await Exec(c, tx, StoreSchema.Create(SqlDialect.Postgres)).ConfigureAwait(false);
        await Exec(c, tx, "INSERT INTO nasgen_metadata(key, value) VALUES ('schema_version', @v), ('created_by', @by);",
            ("v", SchemaVersion.ToString(CultureInfo.InvariantCulture)),
            ("by", StoreSchema.CreatedBy)).ConfigureAwait(false);
    }

    /// <summary>The schema version recorded in the database.</summary>
    public Task<int> GetSchemaVersionAsync(CancellationToken cancellationToken = default) =>
        RunAsync(async (c, tx) => int.Parse((string)(await Scalar(c, tx, "SELECT value FROM nasgen_metadata WHERE key='schema_version';").ConfigureAwait(false))!,
            CultureInfo.InvariantCulture), cancellationToken);

    /// <inheritdoc />
    public Task<StoredExperiment> OpenExperimentAsync(ExperimentConfig config, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(config);
        return RunAsync(async (c, tx) =>
        {
            // Workers starting together race to create it: the unique name lets exactly one insert win.
            await Exec(c, tx, """
                INSERT INTO nasgen_experiments(name, space_name, space_fingerprint, strategy_name, seed, options_json, created_at)
                VALUES (@name, @space, @fp, @strategy, @seed, @options, clock_timestamp()) ON CONFLICT (name) DO NOTHING;
                """,
                ("name", config.Name), ("space", config.SpaceName), ("fp", config.SpaceFingerprint),
                ("strategy", config.StrategyName), ("seed", config.Seed), ("options", config.OptionsJson)).ConfigureAwait(false);
            var stored = (await StoreReads.ExperimentsAsync(tx, StoreSchema.Prefix, config.Name, cancellationToken).ConfigureAwait(false))[0];
            if (stored.Config.SpaceFingerprint != config.SpaceFingerprint)
                throw new StoreMismatchException(Location,
                    $"experiment '{config.Name}' was made for space '{stored.Config.SpaceName}' (fingerprint {stored.Config.SpaceFingerprint}), " +
                    $"not for space '{config.SpaceName}' (fingerprint {config.SpaceFingerprint}). Use another experiment name or database.");
            return stored;
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<StoredExperiment>> ListExperimentsAsync(CancellationToken cancellationToken = default) =>
        RunAsync<IReadOnlyList<StoredExperiment>>(async (_, tx) => await StoreReads.ExperimentsAsync(tx, StoreSchema.Prefix, null, cancellationToken).ConfigureAwait(false), cancellationToken);

    /// <inheritdoc />
    public async Task<StoredExperiment?> FindExperimentAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        var found = await RunAsync((_, tx) => StoreReads.ExperimentsAsync(tx, StoreSchema.Prefix, name, cancellationToken), cancellationToken).ConfigureAwait(false);
        return found.Count == 0 ? null : found[0];
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<TrialRecord>> GetTrialsAsync(long experimentId, CancellationToken cancellationToken = default) =>
        GetTrialsChangedSinceAsync(experimentId, 0, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<TrialRecord>> GetTrialsChangedSinceAsync(long experimentId, long sinceVersion, CancellationToken cancellationToken = default) =>
        RunAsync<IReadOnlyList<TrialRecord>>(async (_, tx) => await StoreReads.TrialsChangedSinceAsync(tx, StoreSchema.Prefix, _hasChangeCounter, Location,
            experimentId, sinceVersion, cancellationToken).ConfigureAwait(false), cancellationToken);

    /// <inheritdoc />
    public Task<TrialStatistics> GetTrialStatisticsAsync(long experimentId, ObjectiveDirection direction, CancellationToken cancellationToken = default) =>
        RunAsync((_, tx) => TrialQueries.StatisticsAsync(tx, StoreSchema.Prefix, _hasChangeCounter, Location, experimentId, direction, cancellationToken), cancellationToken);

    /// <inheritdoc />
    public Task<TrialPage> GetTrialPageAsync(long experimentId, TrialPageQuery query, CancellationToken cancellationToken = default)
    {
        TrialQueries.Check(query);
        return RunAsync((_, tx) => TrialQueries.PageAsync(tx, StoreSchema.Prefix, _hasChangeCounter, Location, experimentId, query, cancellationToken), cancellationToken);
    }

    /// <inheritdoc />
    public Task<TrialRecord> AddTrialAsync(long experimentId, NewTrial trial, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(trial);
        return RunAsync(async (c, tx) =>
        {
            await LockExperiment(c, tx, experimentId).ConfigureAwait(false);
            int number = await NextNumber(c, tx, experimentId).ConfigureAwait(false);
            return await Insert(c, tx, experimentId, number, trial, await NextChange(c, tx, experimentId).ConfigureAwait(false)).ConfigureAwait(false);
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task<ProposalResult> ProposeTrialAsync(long experimentId, int? maxTrials, int knownTrials, int knownTells,
        Func<HistoryUpdate, NewTrial?> propose, string? claimFor = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(propose);
        return RunAsync(async (c, tx) =>
        {
            // Two statements, not one: a statement's snapshot predates the lock it waits for, so only a statement
            // after the lock sees the trials the previous holder added.
            await LockExperiment(c, tx, experimentId).ConfigureAwait(false);
            int number = await NextNumber(c, tx, experimentId).ConfigureAwait(false);
            // Counted under the lock: workers never overshoot the budget.
            if (maxTrials is { } max && number >= max) return new ProposalResult(ProposalStatus.BudgetReached, null);
            var trials = await ReadTrials(c, tx, "experiment_id=@e AND number>=@n ORDER BY number", false, cancellationToken, ("e", experimentId), ("n", knownTrials)).ConfigureAwait(false);
            var tells = await ReadTrials(c, tx, "experiment_id=@e AND tell_seq>=@t ORDER BY tell_seq", cancellationToken, ("e", experimentId), ("t", knownTells)).ConfigureAwait(false);
            var proposed = propose(new HistoryUpdate(trials, tells, number));
            if (proposed is null) return new ProposalResult(ProposalStatus.Exhausted, null);
            long version = await NextChange(c, tx, experimentId).ConfigureAwait(false);
            var added = await Insert(c, tx, experimentId, number, proposed, version).ConfigureAwait(false);
            if (claimFor is not null)
            {
                // Claimed in the same transaction (and change): saves the proposer a round of claiming what it just proposed.
                await Exec(c, tx, "UPDATE nasgen_trials SET status=@running, worker=@w, started_at=clock_timestamp(), lease_expires_at=clock_timestamp() + @lease WHERE experiment_id=@e AND number=@n;",
                    ("running", (short)TrialStatus.Running), ("w", claimFor), ("lease", LeaseDuration), ("e", experimentId), ("n", number)).ConfigureAwait(false);
                _claims[(experimentId, number)] = claimFor;
                added = added with { Status = TrialStatus.Running, Worker = claimFor };
            }
            return new ProposalResult(ProposalStatus.Added, added);
        }, cancellationToken);
    }

    private static async Task<TrialRecord> Insert(NpgsqlConnection c, NpgsqlTransaction tx, long experimentId, int number, NewTrial trial, long version)
    {
        await Exec(c, tx, """
            INSERT INTO nasgen_trials(experiment_id, number, status, architecture_json, canonical, stable_hash, fidelity, seed, version)
            VALUES (@e, @n, @status, @json, @canonical, @hash, @fidelity, @seed, @version);
            """,
            ("e", experimentId), ("n", number), ("status", (short)TrialStatus.Pending), ("json", trial.ArchitectureJson),
            ("canonical", trial.Canonical), ("hash", Hash(trial.StableHash)), ("fidelity", trial.Fidelity), ("seed", trial.Seed), ("version", version)).ConfigureAwait(false);
        return new TrialRecord
        {
            Number = number, Status = TrialStatus.Pending, ArchitectureJson = trial.ArchitectureJson, Canonical = trial.Canonical,
            StableHash = trial.StableHash, Fidelity = trial.Fidelity, Seed = trial.Seed, Version = version,
        };
    }

    /// <inheritdoc />
    public Task<TrialRecord?> ClaimNextTrialAsync(long experimentId, string worker, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(worker);
        return RunAsync(async (c, tx) =>
        {
            long version = await NextChange(c, tx, experimentId).ConfigureAwait(false);
            await Requeue(c, tx, experimentId, expiredOnly: true, worker: null, version).ConfigureAwait(false);
            // SKIP LOCKED: workers claiming at once take different rows instead of queueing on the same one.
            object? claimed = await Scalar(c, tx, """
                UPDATE nasgen_trials SET status=@running, worker=@w, started_at=clock_timestamp(), lease_expires_at=clock_timestamp() + @lease, version=@version
                WHERE experiment_id=@e AND number=(
                    SELECT number FROM nasgen_trials WHERE experiment_id=@e AND status=@pending ORDER BY number LIMIT 1 FOR UPDATE SKIP LOCKED)
                RETURNING number;
                """,
                ("running", (short)TrialStatus.Running), ("w", worker), ("lease", LeaseDuration), ("e", experimentId), ("pending", (short)TrialStatus.Pending),
                ("version", version)).ConfigureAwait(false);
            if (claimed is not int number) return null;
            var trial = (await ReadTrials(c, tx, "experiment_id=@e AND number=@n", false, cancellationToken, ("e", experimentId), ("n", number)).ConfigureAwait(false))[0];
            _claims[(experimentId, number)] = worker;
            return (TrialRecord?)trial;
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task AddIntermediateAsync(long experimentId, int number, int step, double value, CancellationToken cancellationToken = default) =>
        RunAsync(async (c, tx) =>
        {
            long version = await NextChange(c, tx, experimentId).ConfigureAwait(false);
            await Exec(c, tx, """
                INSERT INTO nasgen_intermediates(experiment_id, number, step, value) VALUES (@e, @n, @s, @v)
                ON CONFLICT (experiment_id, number, step) DO UPDATE SET value=EXCLUDED.value;
                """, ("e", experimentId), ("n", number), ("s", step), ("v", value)).ConfigureAwait(false);
            await Exec(c, tx, "UPDATE nasgen_trials SET version=@version WHERE experiment_id=@e AND number=@n;",
                ("version", version), ("e", experimentId), ("n", number)).ConfigureAwait(false);
        }, cancellationToken);

    /// <inheritdoc />
    /// <remarks>
    /// The stored <see cref="TrialCompletion.AsksAtTell"/> is never less than the trials recorded at the time: with many
    /// workers, a worker's own count lags behind, and replay needs the history's.
    /// </remarks>
    public Task<TrialRecord> CompleteTrialAsync(long experimentId, int number, TrialCompletion completion, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(completion);
        if (completion.Status is not (TrialStatus.Completed or TrialStatus.Failed))
            throw new ArgumentException("A completion is Completed or Failed.", nameof(completion));
        _claims.TryGetValue((experimentId, number), out string? worker);
        return RunAsync(async (c, tx) =>
        {
            long version = await NextChange(c, tx, experimentId).ConfigureAwait(false);
            int changed = await Exec(c, tx, """
                UPDATE nasgen_trials SET status=@status, fitness=@fitness, metrics_json=@metrics, failure=@failure, error=@error,
                    reused_from=@reused, stopped_early=@stopped, ended_at=clock_timestamp(), lease_expires_at=NULL, version=@version,
                    tell_seq=(SELECT COALESCE(MAX(tell_seq) + 1, 0) FROM nasgen_trials WHERE experiment_id=@e),
                    asks_at_tell=GREATEST(@asks, (SELECT COUNT(*) FROM nasgen_trials WHERE experiment_id=@e)),
                    duration_s=EXTRACT(EPOCH FROM clock_timestamp() - started_at)
                WHERE experiment_id=@e AND number=@n AND status=@running AND (@w::text IS NULL OR worker=@w);
                """,
                ("status", (short)completion.Status), ("fitness", completion.Fitness), ("metrics", JsonSerializer.Serialize(completion.Metrics)),
                ("failure", (short)completion.Failure), ("error", completion.Error), ("reused", completion.ReusedFrom),
                ("stopped", completion.StoppedEarly), ("asks", completion.AsksAtTell), ("e", experimentId), ("n", number),
                ("running", (short)TrialStatus.Running), ("w", worker), ("version", version)).ConfigureAwait(false);
            var trials = await ReadTrials(c, tx, "experiment_id=@e AND number=@n", false, cancellationToken, ("e", experimentId), ("n", number)).ConfigureAwait(false);
            if (changed != 1)
            {
                // A retry after a commit whose acknowledgement the connection lost: the first attempt did record it.
                if (worker is not null && trials.Count == 1 && trials[0].IsFinished && trials[0].Worker == worker)
                    return trials[0];
                throw new InvalidOperationException($"{Location}: trial {number} of experiment {experimentId} is not running" +
                    (worker is null ? "" : $" under worker '{worker}' (its lease may have run out)") + "; its result is not recorded twice.");
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
        RunAsync((c, tx) => Requeue(c, tx, experimentId, expiredOnly: false, worker, version: null), cancellationToken);

    /// <inheritdoc />
    public Task<int> RequeueExpiredAsync(long experimentId, CancellationToken cancellationToken = default) =>
        RunAsync((c, tx) => Requeue(c, tx, experimentId, expiredOnly: true, worker: null, version: null), cancellationToken);

    /// <inheritdoc />
    public Task<int> RenewLeasesAsync(long experimentId, string worker, CancellationToken cancellationToken = default) =>
        RunAsync((c, tx) => Exec(c, tx, "UPDATE nasgen_trials SET lease_expires_at=clock_timestamp() + @lease WHERE experiment_id=@e AND status=@running AND worker=@w;",
            ("lease", LeaseDuration), ("e", experimentId), ("running", (short)TrialStatus.Running), ("w", worker)), cancellationToken);

    /// <inheritdoc />
    public Task<ExperimentCounts> GetCountsAsync(long experimentId, CancellationToken cancellationToken = default) =>
        RunAsync(async (c, tx) =>
        {
            await using var command = Command(c, tx, "SELECT COUNT(*), COUNT(*) FILTER (WHERE status IN (@done, @failed)) FROM nasgen_trials WHERE experiment_id=@e;",
                ("done", (short)TrialStatus.Completed), ("failed", (short)TrialStatus.Failed), ("e", experimentId));
            await using var r = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await r.ReadAsync(cancellationToken).ConfigureAwait(false);
            return new ExperimentCounts((int)r.GetInt64(0), (int)r.GetInt64(1));
        }, cancellationToken);

    /// <summary>Returns running trials to pending under change number <paramref name="version"/>, or under the next one when null and any match.</summary>
    private static async Task<int> Requeue(NpgsqlConnection c, NpgsqlTransaction tx, long experimentId, bool expiredOnly, string? worker, long? version)
    {
        const string Match = "experiment_id=@e AND status=@running AND (@w::text IS NULL OR worker=@w) AND (NOT @expired OR lease_expires_at < clock_timestamp())";
        var parameters = new (string, object?)[] { ("e", experimentId), ("running", (short)TrialStatus.Running), ("w", worker), ("expired", expiredOnly), ("pending", (short)TrialStatus.Pending) };
        // Nothing to requeue changes nothing, not even the change counter (and takes no lock on the experiment).
        if (version is null && await Scalar(c, tx, $"SELECT EXISTS (SELECT 1 FROM nasgen_trials WHERE {Match});", parameters).ConfigureAwait(false) is not true) return 0;
        parameters = [.. parameters, ("version", version ?? await NextChange(c, tx, experimentId).ConfigureAwait(false))];
        await Exec(c, tx, $"DELETE FROM nasgen_intermediates WHERE (experiment_id, number) IN (SELECT experiment_id, number FROM nasgen_trials WHERE {Match});", parameters).ConfigureAwait(false);
        return await Exec(c, tx, $"UPDATE nasgen_trials SET status=@pending, worker=NULL, started_at=NULL, lease_expires_at=NULL, version=@version WHERE {Match};", parameters).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();

    // ---- helpers -------------------------------------------------------------------------------------------

    /// <summary>The experiment's next change number; locks the experiment's row to the commit (see <see cref="StoreSchema.NextChange"/>).</summary>
    private static async Task<long> NextChange(NpgsqlConnection c, NpgsqlTransaction tx, long experimentId) =>
        Convert.ToInt64(await Scalar(c, tx, StoreSchema.NextChange, ("e", experimentId)).ConfigureAwait(false), CultureInfo.InvariantCulture);

    private static Task LockExperiment(NpgsqlConnection c, NpgsqlTransaction tx, long experimentId) =>
        Exec(c, tx, "SELECT 1 FROM nasgen_experiments WHERE id=@e FOR UPDATE;", ("e", experimentId));

    private static async Task<int> NextNumber(NpgsqlConnection c, NpgsqlTransaction tx, long experimentId) =>
        Convert.ToInt32(await Scalar(c, tx, "SELECT COALESCE(MAX(number) + 1, 0) FROM nasgen_trials WHERE experiment_id=@e;", ("e", experimentId)).ConfigureAwait(false),
            CultureInfo.InvariantCulture);

    /// <summary>One transaction on a pooled connection, under the store's <see cref="PostgresTransactions"/> policy.</summary>
    private Task<T> RunAsync<T>(Func<NpgsqlConnection, NpgsqlTransaction, Task<T>> body, CancellationToken cancellationToken) =>
        _transactions.RunAsync(body, cancellationToken);

    private Task RunAsync(Func<NpgsqlConnection, NpgsqlTransaction, Task> body, CancellationToken cancellationToken) =>
        RunAsync(async (c, tx) => { await body(c, tx).ConfigureAwait(false); return 0; }, cancellationToken);

    private string SelectTrial => $"SELECT {TrialRows.Columns(_hasChangeCounter)} FROM nasgen_trials";

    private async Task<List<TrialRecord>> ReadTrials(NpgsqlConnection c, NpgsqlTransaction tx, string where, CancellationToken cancellationToken,
        params (string Name, object? Value)[] parameters) => await ReadTrials(c, tx, where, true, cancellationToken, parameters).ConfigureAwait(false);

    private async Task<List<TrialRecord>> ReadTrials(NpgsqlConnection c, NpgsqlTransaction tx, string where, bool withIntermediates,
        CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        var trials = new List<TrialRecord>();
        await using (var command = Command(c, tx, $"{SelectTrial} WHERE {where};", parameters))
        await using (var r = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
            while (await r.ReadAsync(cancellationToken).ConfigureAwait(false)) trials.Add(ReadTrial(r));
        if (trials.Count == 0 || !withIntermediates) return trials;

        long experimentId = (long)parameters.First(p => p.Name == "e").Value!;
        var intermediates = new Dictionary<int, List<KeyValuePair<int, double>>>();
        await using (var command = Command(c, tx, "SELECT number, step, value FROM nasgen_intermediates WHERE experiment_id=@e AND number = ANY(@numbers) ORDER BY number, step;",
            ("e", experimentId), ("numbers", trials.Select(t => t.Number).ToArray())))
        await using (var r = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
            while (await r.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                int number = r.GetInt32(0);
                if (!intermediates.TryGetValue(number, out var list)) intermediates[number] = list = new();
                list.Add(new(r.GetInt32(1), r.GetDouble(2)));
            }
        for (int i = 0; i < trials.Count; i++)
            if (intermediates.TryGetValue(trials[i].Number, out var list)) trials[i] = trials[i] with { Intermediate = list };
        return trials;
    }

    private TrialRecord ReadTrial(NpgsqlDataReader r) => TrialRows.Read(r, Location);

    private static string Hash(ulong hash) => hash.ToString("x16", CultureInfo.InvariantCulture);

    private static NpgsqlCommand Command(NpgsqlConnection c, NpgsqlTransaction tx, string sql, params (string Name, object? Value)[] parameters)
    {
        var command = new NpgsqlCommand(sql, c, tx);
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        return command;
    }

    private static async Task<int> Exec(NpgsqlConnection c, NpgsqlTransaction tx, string sql, params (string Name, object? Value)[] parameters)
    {
        await using var command = Command(c, tx, sql, parameters);
        return await command.ExecuteNonQueryAsync().ConfigureAwait(false);
    }

    private static async Task<object?> Scalar(NpgsqlConnection c, NpgsqlTransaction tx, string sql, params (string Name, object? Value)[] parameters)
    {
        await using var command = Command(c, tx, sql, parameters);
        object? value = await command.ExecuteScalarAsync().ConfigureAwait(false);
        return value is DBNull ? null : value;
    }
}
