namespace NasGen.Storage;

/// <summary>
/// What differs between the SQL engines the stores run on: column types, the columns only a shared server needs, where
/// the time comes from, and row locks. Everything else, the schema's table names and every statement included, is one
/// text (<see cref="StoreSchema"/>, <see cref="SqlExperimentStore"/>).
/// </summary>
/// <param name="Id">The experiment key with its generator.</param>
/// <param name="Key">Foreign keys to experiments.</param>
/// <param name="Small">Enumerations (status, failure).</param>
/// <param name="Real">Floating-point values.</param>
/// <param name="Bool">Flags.</param>
/// <param name="False">The false literal of <paramref name="Bool"/>.</param>
/// <param name="Time">Points in time.</param>
/// <param name="TrialExtras">Columns and constraints only this engine's trials table has (leases), each with a trailing comma.</param>
internal sealed record SqlDialect(string Id, string Key, string Small, string Real, string Bool, string False, string Time, string TrialExtras)
{
    /// <summary>SQLite: dynamic types; times as ISO 8601 text from this process's clock (sortable, understood by <c>julianday</c>).</summary>
    public static SqlDialect Sqlite { get; } = new("INTEGER PRIMARY KEY AUTOINCREMENT", "INTEGER", "INTEGER", "REAL", "INTEGER", "0", "TEXT", "")
    {
        Now = "@now",
        SecondsSinceStart = "(julianday(@now) - julianday(started_at)) * 86400.0",
        ForUpdate = "",
    };

    /// <summary>PostgreSQL: native types, the server's clock (workers' clocks differ), row locks and the lease of a claimed trial.</summary>
    public static SqlDialect Postgres { get; } = new("BIGSERIAL PRIMARY KEY", "BIGINT", "SMALLINT", "DOUBLE PRECISION", "BOOLEAN", "FALSE", "TIMESTAMPTZ",
        "lease_expires_at TIMESTAMPTZ,\n    UNIQUE (experiment_id, tell_seq),")
    {
        Now = "clock_timestamp()",
        SecondsSinceStart = "EXTRACT(EPOCH FROM clock_timestamp() - started_at)",
        ForUpdate = " FOR UPDATE",
        HasLeases = true,
    };

    /// <summary>The current time in a statement; <c>@now</c> when it comes from this process (<see cref="Clock"/>).</summary>
    public required string Now { get; init; }

    /// <summary>The seconds from a trial's <c>started_at</c> to <see cref="Now"/>.</summary>
    public required string SecondsSinceStart { get; init; }

    /// <summary>What locks the rows a <c>SELECT</c> reads until the commit (nothing where one writer holds the whole store).</summary>
    public required string ForUpdate { get; init; }

    /// <summary>
    /// Whether claims carry a lease (<c>lease_expires_at</c>): on a server shared by workers on many machines, a claim whose
    /// worker stopped renewing it returns to the queue. A store with one writer has no leases.
    /// </summary>
    public bool HasLeases { get; init; }

    /// <summary>The parameter <see cref="Now"/> reads, when the time comes from this process.</summary>
    public (string Name, object? Value)[] Clock() =>
        Now == "@now" ? [("@now", DateTimeOffset.UtcNow.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture))] : [];
}

/// <summary>The store schema, one text for both engines; see docs/experiments.md ("Schema").</summary>
internal static class StoreSchema
{
    /// <summary>
    /// The schema version both stores write. Version 2 added the change counter (<c>trial_version</c> of an experiment,
    /// <c>version</c> of a trial); a writer migrates a version 1 store when it opens it, and read-only opens read both.
    /// </summary>
    public const int Version = 2;

    /// <summary>
    /// The prefix of every table, on both engines: a PostgreSQL database is shared with other applications, and one name
    /// for each table on both keeps every query one text. SQLite stores of schema version 1 had no prefix.
    /// </summary>
    public const string Prefix = "nasgen_";

    /// <summary>The statements that create every table and index, in the types of <paramref name="d"/>.</summary>
    public static string Create(SqlDialect d) => string.Create(CultureInfo.InvariantCulture, $"""
        CREATE TABLE {Prefix}metadata (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE {Prefix}experiments (
            id {d.Id},
            name TEXT NOT NULL UNIQUE,
            space_name TEXT NOT NULL,
            space_fingerprint TEXT NOT NULL,
            strategy_name TEXT NOT NULL,
            seed INTEGER NOT NULL,
            options_json TEXT NOT NULL,
            created_at {d.Time} NOT NULL,
            trial_version {d.Key} NOT NULL DEFAULT 0);
        CREATE TABLE {Prefix}trials (
            experiment_id {d.Key} NOT NULL REFERENCES {Prefix}experiments(id),
            number INTEGER NOT NULL,
            status {d.Small} NOT NULL,
            architecture_json TEXT NOT NULL,
            canonical TEXT NOT NULL,
            stable_hash TEXT NOT NULL,
            fidelity {d.Real} NOT NULL,
            seed INTEGER NOT NULL,
            fitness {d.Real},
            metrics_json TEXT NOT NULL DEFAULT '{"{}"}',
            failure {d.Small} NOT NULL DEFAULT 0,
            error TEXT,
            reused_from INTEGER,
            stopped_early {d.Bool} NOT NULL DEFAULT {d.False},
            tell_seq INTEGER,
            asks_at_tell INTEGER,
            worker TEXT,
            started_at {d.Time},
            ended_at {d.Time},
            duration_s {d.Real},
            version {d.Key} NOT NULL DEFAULT 0,
            {d.TrialExtras}
            PRIMARY KEY (experiment_id, number));
        {Version1Indexes}
        {VersionIndex}
        CREATE TABLE {Prefix}intermediates (
            experiment_id {d.Key} NOT NULL,
            number INTEGER NOT NULL,
            step INTEGER NOT NULL,
            value {d.Real} NOT NULL,
            PRIMARY KEY (experiment_id, number, step),
            FOREIGN KEY (experiment_id, number) REFERENCES {Prefix}trials(experiment_id, number));
        """);

    private const string Version1Indexes = $"""
        CREATE INDEX {Prefix}trials_status ON {Prefix}trials(experiment_id, status, number);
        CREATE INDEX {Prefix}trials_hash ON {Prefix}trials(experiment_id, stable_hash);
        """;

    private const string VersionIndex = $"CREATE INDEX {Prefix}trials_version ON {Prefix}trials(experiment_id, version);";

    /// <summary>The tables of a store, without their prefix.</summary>
    public static IReadOnlyList<string> Tables { get; } = new[] { "metadata", "experiments", "trials", "intermediates" };

    /// <summary>
    /// Migrates a version 1 store to version 2 in the writer's transaction: tables named as <paramref name="oldPrefix"/>
    /// says are given this version's names (their indexes made again under the new names), and the change counter's
    /// columns and index are added. Every existing trial gets version 1, so that a reader asking for the changes since 0
    /// gets all of them.
    /// </summary>
    public static string MigrateFromVersion1(SqlDialect d, string oldPrefix) => string.Create(CultureInfo.InvariantCulture, $"""
        {(oldPrefix == Prefix ? "" : Rename(oldPrefix))}
        ALTER TABLE {Prefix}experiments ADD COLUMN trial_version {d.Key} NOT NULL DEFAULT 0;
        ALTER TABLE {Prefix}trials ADD COLUMN version {d.Key} NOT NULL DEFAULT 0;
        UPDATE {Prefix}experiments SET trial_version = 1;
        UPDATE {Prefix}trials SET version = 1;
        {VersionIndex}
        UPDATE {Prefix}metadata SET value = '{Version}' WHERE key = 'schema_version';
        """);

    private static string Rename(string oldPrefix) =>
        string.Concat(Tables.Select(t => $"ALTER TABLE {oldPrefix}{t} RENAME TO {Prefix}{t};\n"))
        + $"DROP INDEX {oldPrefix}trials_status;\nDROP INDEX {oldPrefix}trials_hash;\n{Version1Indexes}";

    /// <summary>
    /// Takes the experiment's next change number (<c>@e</c>: the experiment). Run first in every transaction that changes
    /// a trial: on PostgreSQL the row lock it takes is held to the commit, so change numbers follow commit order and a reader
    /// that has seen number V never misses a change numbered V or less.
    /// </summary>
    public const string NextChange =
        $"UPDATE {Prefix}experiments SET trial_version = trial_version + 1 WHERE id = @e RETURNING trial_version;";

    /// <summary>The columns of an experiment, in the order the stores read them.</summary>
    public const string ExperimentColumns = "id, name, space_name, space_fingerprint, strategy_name, seed, options_json, created_at";

    /// <summary>Who wrote the schema, for the <c>created_by</c> metadata row.</summary>
    public static string CreatedBy => "NasGen " + typeof(StoreSchema).Assembly.GetName().Version;
}
