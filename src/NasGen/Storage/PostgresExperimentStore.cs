using Npgsql;

namespace NasGen.Storage;

/// <summary>
/// The server store: PostgreSQL through Npgsql, with the SQLite store's semantics (the same statements, in
/// <see cref="SqlExperimentStore"/>) plus what many workers on many machines need (<see cref="IDistributedExperimentStore"/>).
/// Claims use <c>FOR UPDATE SKIP LOCKED</c> and a lease (<c>lease_expires_at</c>, server time); proposals and completions
/// lock the experiment's row, so tell order and ask order are one consistent history. The password never comes from this
/// class's callers: Npgsql reads <c>PGPASSWORD</c>, <c>PGPASSFILE</c> or <c>~/.pgpass</c>;
/// <see cref="SqlExperimentStore.Location"/> and every message name user, host, port and database only.
/// </summary>
public sealed class PostgresExperimentStore : SqlExperimentStore, IDistributedExperimentStore
{
    // Arbitrary constant key of the advisory lock that serialises schema creation between workers starting together.
    private const long SchemaLockKey = 0x4E61_7347_656E_0001;

    private PostgresExperimentStore(NpgsqlDataSource dataSource, string location, TimeSpan lease)
        : base(location, SqlDialect.Postgres, new PostgresTransactions(dataSource, location))
    {
        Lease = lease;
    }

    /// <inheritdoc />
    public TimeSpan LeaseDuration => Lease;

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
            await store.RunAsync(async tx =>
            {
                if (!readOnly) await Exec(tx, "SELECT pg_advisory_xact_lock(@k);", ("@k", SchemaLockKey)).ConfigureAwait(false);
                bool exists = await Scalar(tx, "SELECT to_regclass('nasgen_metadata') IS NOT NULL;").ConfigureAwait(false) is true;
                if (!exists && readOnly)
                    throw new StoreException(location, "no NasGen experiment store in this database (no nasgen_metadata table on the search path).");
                if (!exists) { await CreateSchema(tx).ConfigureAwait(false); return 0; }
                object? version = await Scalar(tx, "SELECT value FROM nasgen_metadata WHERE key='schema_version';").ConfigureAwait(false);
                if (version is not string text || !int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v))
                    throw new StoreException(location, "the table nasgen_metadata has no schema_version: not a NasGen experiment store.");
                if (v > SchemaVersion)
                    throw new StoreException(location, $"schema version {v} is newer than this NasGen supports ({SchemaVersion}); upgrade NasGen.");
                // Migrated under the schema lock, in this transaction: workers of the old version see version 2 and stop.
                if (v < SchemaVersion && !readOnly) await Exec(tx, StoreSchema.MigrateFromVersion1(SqlDialect.Postgres, oldPrefix: StoreSchema.Prefix)).ConfigureAwait(false);
                store.HasChangeCounter = !readOnly || v >= 2;
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

    private static async Task CreateSchema(System.Data.Common.DbTransaction tx)
    {
        await Exec(tx, StoreSchema.Create(SqlDialect.Postgres)).ConfigureAwait(false);
        await Exec(tx, "INSERT INTO nasgen_metadata(key, value) VALUES ('schema_version', @v), ('created_by', @by);",
            ("@v", SchemaVersion.ToString(CultureInfo.InvariantCulture)),
            ("@by", StoreSchema.CreatedBy)).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public Task<ProposalResult> ProposeTrialAsync(long experimentId, int? maxTrials, int knownTrials, int knownTells,
        Func<HistoryUpdate, NewTrial?> propose, string? claimFor = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(propose);
        return RunAsync(async tx =>
        {
            await LockExperiment(tx, experimentId).ConfigureAwait(false);
            int number = await NextNumber(tx, experimentId).ConfigureAwait(false);
            // Counted under the lock: workers never overshoot the budget.
            if (maxTrials is { } max && number >= max) return new ProposalResult(ProposalStatus.BudgetReached, null);
            var trials = await ReadTrials(tx, "experiment_id=@e AND number>=@n", "number", withIntermediates: false, cancellationToken,
                ("@e", experimentId), ("@n", knownTrials)).ConfigureAwait(false);
            var tells = await ReadTrials(tx, "experiment_id=@e AND tell_seq>=@t", "tell_seq", withIntermediates: true, cancellationToken,
                ("@e", experimentId), ("@t", knownTells)).ConfigureAwait(false);
            var proposed = propose(new HistoryUpdate(trials, tells, number));
            if (proposed is null) return new ProposalResult(ProposalStatus.Exhausted, null);
            var added = await Insert(tx, experimentId, number, proposed, await NextChange(tx, experimentId).ConfigureAwait(false)).ConfigureAwait(false);
            // Claimed in the same transaction (and change): saves the proposer a round of claiming what it just proposed.
            if (claimFor is not null) added = await ClaimAddedAsync(tx, experimentId, added, claimFor).ConfigureAwait(false);
            return new ProposalResult(ProposalStatus.Added, added);
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task<int> RequeueExpiredAsync(long experimentId, CancellationToken cancellationToken = default) =>
        RunAsync(tx => Requeue(tx, experimentId, expiredOnly: true, worker: null, version: null), cancellationToken);

    /// <inheritdoc />
    public Task<int> RenewLeasesAsync(long experimentId, string worker, CancellationToken cancellationToken = default) =>
        RunAsync(tx => Exec(tx, $"UPDATE {StoreSchema.Prefix}trials SET lease_expires_at={LeaseEnd} WHERE experiment_id=@e AND status=@running AND worker=@w;",
            [.. LeaseParameters, ("@e", experimentId), ("@running", (short)TrialStatus.Running), ("@w", worker)]), cancellationToken);

    /// <inheritdoc />
    public Task<ExperimentCounts> GetCountsAsync(long experimentId, CancellationToken cancellationToken = default) =>
        RunAsync(async tx =>
        {
            await using var command = StoreReads.Command(tx, $"SELECT COUNT(*), COUNT(*) FILTER (WHERE status IN (@done, @failed)) FROM {StoreSchema.Prefix}trials WHERE experiment_id=@e;",
                ("@done", (short)TrialStatus.Completed), ("@failed", (short)TrialStatus.Failed), ("@e", experimentId));
            await using var r = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await r.ReadAsync(cancellationToken).ConfigureAwait(false);
            return new ExperimentCounts((int)r.GetInt64(0), (int)r.GetInt64(1));
        }, cancellationToken);
}
