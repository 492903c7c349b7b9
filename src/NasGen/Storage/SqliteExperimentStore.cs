using Microsoft.Data.Sqlite;

namespace NasGen.Storage;

/// <summary>
/// The embedded store: one SQLite file in WAL mode, every statement parameterised, the schema version kept in
/// the <c>metadata</c> table. A SQLite store has one writer: <see cref="Open"/> takes an exclusive lock on the file
/// <c>&lt;store&gt;.lock</c> beside it for as long as the store is open, and a second writer (another process, or
/// another open in this one) is refused with <see cref="StoreInUseException"/> naming the owner. The operating
/// system drops the lock when its process dies, so a killed owner is taken over at the next open. Read-only opens
/// (<see cref="OpenReadOnly"/>) take no lock and write nothing. The operations are serialised on one connection,
/// each mutation in its own transaction.
/// </summary>
public sealed class SqliteExperimentStore : SqlExperimentStore
{
    private const string WriterKey = "writer";
    private static readonly byte[] SqliteHeader = "SQLite format 3\0"u8.ToArray();
    // The table names as StoreSchema gives them; a version 1 store opened read-only keeps its own (no prefix).
    private const string Metadata = StoreSchema.Prefix + "metadata";
    private readonly FileStream? _writerLock;

    private SqliteExperimentStore(string path, SqliteConnection connection, FileStream? writerLock, StoreLayout layout, string? previousWriter = null)
        : base(path, SqlDialect.Sqlite, new SqliteTransactions(path, connection, immutable: writerLock is null && !File.Exists(path + "-wal")), layout.Prefix)
    {
        _writerLock = writerLock;
        HasChangeCounter = layout.Version >= 2;
        PreviousWriter = previousWriter;
    }

    /// <summary>
    /// The writer this open took over from (e.g. <c>process 4242 on host gpu1 since 2026-12-03 17:02:11Z</c>): a process
    /// that ended without closing the store (killed, crashed). Null when the store was closed cleanly or is new.
    /// </summary>
    public string? PreviousWriter { get; }

    /// <summary>
    /// Opens the store at <paramref name="path"/> for writing, creating it when absent. An existing file is checked
    /// read-only first (SQLite header, integrity, NasGen schema and version), so a file that is not a usable store raises
    /// <see cref="StoreException"/> naming the file and the problem and is left byte for byte as it was, with nothing
    /// created beside it. A store another writer holds raises <see cref="StoreInUseException"/>.
    /// </summary>
    public static SqliteExperimentStore Open(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string full = Path.GetFullPath(path);
        // Checked before the lock so that a file that is not a store gets no lock file beside it; checked again under
        // the lock, which is the check that counts (another writer may have created the schema in between).
        if (HasContent(full)) Inspect(full);
        else Directory.CreateDirectory(Path.GetDirectoryName(full)!);

        var writerLock = AcquireWriterLock(full);
        SqliteConnection? connection = null;
        try
        {
            // A process killed while creating the store leaves a SQLite file with no tables: it is created again.
            var layout = HasContent(full) ? Inspect(full) : StoreLayout.Empty;
            connection = new SqliteConnection(new SqliteConnectionStringBuilder
            {
                DataSource = full,
                Mode = SqliteOpenMode.ReadWriteCreate,
                Pooling = false, // a disposed store must release the file at once (tests, crash harness)
            }.ToString());
            connection.Open();
            Execute(connection, "PRAGMA journal_mode=WAL;");
            Execute(connection, "PRAGMA synchronous=NORMAL;"); // WAL + NORMAL is durable across process crashes
            Execute(connection, "PRAGMA foreign_keys=ON;");
            Execute(connection, "PRAGMA busy_timeout=5000;");
            if (layout.Version == 0) CreateSchema(connection);
            else if (layout.Version < SchemaVersion) Migrate(connection, layout);
            string? previous = RecordWriter(connection);
            return new SqliteExperimentStore(full, connection, writerLock, StoreLayout.Current, previous);
        }
        catch (Exception e)
        {
            connection?.Dispose();
            writerLock.Dispose();
            if (e is SqliteException sqlite) throw new StoreException(full, $"cannot open the experiment store: {sqlite.Message}", sqlite);
            throw;
        }
    }

    /// <summary>
    /// Deletes the store at <paramref name="path"/> (the file and its <c>-wal</c> and <c>-shm</c> files) so that
    /// a run starts over; refused with <see cref="StoreInUseException"/> while another process writes to it.
    /// </summary>
    public static void Delete(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string full = Path.GetFullPath(path);
        if (!File.Exists(full)) return;
        using (AcquireWriterLock(full))
        {
            foreach (string suffix in new[] { "-wal", "-shm", "-journal", "" })
                File.Delete(full + suffix);
        }
    }

    private const string LockSuffix = ".lock";

    private static bool HasContent(string path) => File.Exists(path) && new FileInfo(path).Length > 0;

    /// <summary>
    /// Takes the exclusive lock that makes this process the store's one writer. .NET locks a file opened with
    /// <see cref="FileShare.None"/> for the life of the handle (flock on Unix, a share mode on Windows), and the
    /// system releases it when the process dies, however it dies. The lock file is never deleted while in use:
    /// deleting it would let a late opener lock the old file while a newer one locks a new file.
    /// </summary>
    private static FileStream AcquireWriterLock(string path)
    {
        try
        {
            return new FileStream(path + LockSuffix, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new StoreException(path, $"cannot write beside the store ({e.Message}): the folder is read-only. " +
                "Read it with `nasgen` (which opens stores read-only) or copy it to a writable folder.", e);
        }
        catch (IOException e) when (e is not FileNotFoundException and not DirectoryNotFoundException and not PathTooLongException)
        {
            throw new StoreInUseException(path, DescribeWriter(path));
        }
    }

    /// <summary>Who holds the store, from the row the writer recorded; read without locks so that it never waits.</summary>
    private static string? DescribeWriter(string path)
    {
        try
        {
            if (!HasContent(path)) return null;
            using var connection = OpenReadOnlyConnection(path);
            // The owner may be an older NasGen, whose store still has the version 1 names.
            string? metadata = FindMetadataTable(connection);
            return metadata is null ? null : Scalar(connection, $"SELECT value FROM {metadata} WHERE key=$k;", null, ("$k", WriterKey)) as string;
        }
        catch (SqliteException)
        {
            return null; // the owner is writing its first transaction: the message says the owner is unknown
        }
    }

    /// <summary>Records this process as the writer; returns the writer recorded before, which ended without closing the store.</summary>
    private static string? RecordWriter(SqliteConnection connection)
    {
        using var tx = connection.BeginTransaction();
        string? previous = Scalar(connection, $"SELECT value FROM {Metadata} WHERE key=$k;", tx, ("$k", WriterKey)) as string;
        string me = string.Create(CultureInfo.InvariantCulture,
            $"process {Environment.ProcessId} on host {Environment.MachineName} since {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm:ss}Z");
        Execute(connection, $"INSERT OR REPLACE INTO {Metadata}(key, value) VALUES ($k, $v);", tx, ("$k", WriterKey), ("$v", me));
        tx.Commit();
        return previous;
    }

    /// <summary>A store's schema version and table prefix (version 0: an empty SQLite database, no tables yet).</summary>
    private sealed record StoreLayout(int Version, string Prefix)
    {
        public static StoreLayout Empty { get; } = new(0, StoreSchema.Prefix);
        public static StoreLayout Current { get; } = new(SchemaVersion, StoreSchema.Prefix);
    }

    /// <summary>The metadata table: this version's name, or the unprefixed one of a version 1 store; null when neither exists.</summary>
    private static string? FindMetadataTable(SqliteConnection connection) =>
        new[] { Metadata, "metadata" }.FirstOrDefault(t => Scalar(connection, "SELECT name FROM sqlite_master WHERE type='table' AND name=$t;", null, ("$t", t)) is not null);

    /// <summary>Checks an existing file read-only; returns its layout.</summary>
    private static StoreLayout Inspect(string path)
    {
        var header = new byte[SqliteHeader.Length];
        using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite))
        {
            int read = stream.ReadAtLeast(header, header.Length, throwOnEndOfStream: false);
            if (read < header.Length || !header.AsSpan().SequenceEqual(SqliteHeader))
                throw new StoreException(path, "not a SQLite database (bad file header); refusing to use it as an experiment store. Move it away or choose another path.");
        }

        try
        {
            using var connection = OpenReadOnlyConnection(path);
            string check = Convert.ToString(Scalar(connection, "PRAGMA quick_check;"), CultureInfo.InvariantCulture) ?? "";
            if (check != "ok")
                throw new StoreException(path, $"the SQLite file is corrupt (quick_check: {check}). Restore it from a copy; nothing was changed.");
            if (Convert.ToInt64(Scalar(connection, "SELECT COUNT(*) FROM sqlite_master;"), CultureInfo.InvariantCulture) == 0)
                return StoreLayout.Empty;
            string metadata = FindMetadataTable(connection)
                ?? throw new StoreException(path, "a SQLite database without NasGen's metadata table: not an experiment store.");
            object? version = Scalar(connection, $"SELECT value FROM {metadata} WHERE key='schema_version';");
            if (version is null || !int.TryParse(Convert.ToString(version, CultureInfo.InvariantCulture), out int v))
                throw new StoreException(path, "the metadata table has no schema_version: not an experiment store.");
            if (v > SchemaVersion)
                throw new StoreException(path, $"schema version {v} is newer than this NasGen supports ({SchemaVersion}); upgrade NasGen.");
            string prefix = metadata[..^"metadata".Length];
            if (prefix != StoreSchema.Prefix && v != 1)
                throw new StoreException(path, $"a schema version {v} store with version 1's table names: the file is damaged or was edited. Restore it from a copy; nothing was changed.");
            foreach (string table in StoreSchema.Tables.Select(t => prefix + t))
                if (Scalar(connection, "SELECT name FROM sqlite_master WHERE type='table' AND name=$t;", null, ("$t", table)) is null)
                    throw new StoreException(path, $"the NasGen store has no '{table}' table: the file is damaged or was edited. Restore it from a copy; nothing was changed.");
            return new StoreLayout(v, prefix);
        }
        catch (SqliteException e)
        {
            throw new StoreException(path, $"the file is not a readable SQLite database: {e.Message}", e);
        }
    }

    private static void CreateSchema(SqliteConnection connection)
    {
        using var tx = connection.BeginTransaction();
        Execute(connection, StoreSchema.Create(SqlDialect.Sqlite), tx);
        Execute(connection, $"INSERT INTO {Metadata}(key, value) VALUES ('schema_version', $v), ('created_by', $by);", tx,
            ("$v", SchemaVersion.ToString(CultureInfo.InvariantCulture)),
            ("$by", StoreSchema.CreatedBy));
        tx.Commit();
    }

    /// <summary>Brings an older store to this version in one transaction: a crash leaves it as it was.</summary>
    private static void Migrate(SqliteConnection connection, StoreLayout layout)
    {
        using var tx = connection.BeginTransaction();
        Execute(connection, StoreSchema.MigrateFromVersion1(SqlDialect.Sqlite, layout.Prefix), tx);
        tx.Commit();
    }

    /// <summary>
    /// Opens an existing store read-only: nothing is created, migrated or released, no lock is taken (a writer may be
    /// running), and no file is written beside the store, so stores on read-only media open too. A missing file, a file that is
    /// not a NasGen store (not SQLite, corrupt, another application's database, a newer schema) or an empty one
    /// raises <see cref="StoreException"/> naming the file and the problem.
    /// </summary>
    public static SqliteExperimentStore OpenReadOnly(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string full = Path.GetFullPath(path);
        if (!File.Exists(full))
            throw new StoreException(full, "no such file: there is no experiment store here.");
        var layout = HasContent(full) ? Inspect(full) : StoreLayout.Empty;
        if (layout.Version == 0)
            throw new StoreException(full, "an empty SQLite file: the experiment store holds no schema yet.");
        try
        {
            return new SqliteExperimentStore(full, OpenReadOnlyConnection(full), writerLock: null, layout);
        }
        catch (SqliteException e)
        {
            throw new StoreException(full, $"cannot open the experiment store read-only: {e.Message}", e);
        }
    }

    /// <inheritdoc />
    public override async ValueTask DisposeAsync()
    {
        if (_writerLock is not null)
        {
            try
            {
                // A clean close: the next writer takes over from nobody.
                await RunAsync(tx => Exec(tx, $"DELETE FROM {Metadata} WHERE key=@k;", ("@k", WriterKey)), CancellationToken.None).ConfigureAwait(false);
            }
            catch (SqliteException)
            {
                // Left in place, the row names a writer that is gone, which the next open reports as taken over.
            }
        }
        await base.DisposeAsync().ConfigureAwait(false);
        _writerLock?.Dispose(); // after the connection: the lock outlives every write
    }

    private static SqliteConnection OpenReadOnlyConnection(string path) => SqliteTransactions.OpenReadOnlyConnection(path);

    // ---- the statements of opening, before the store exists -------------------------------------------------

    private static SqliteCommand Command(SqliteConnection connection, string sql, SqliteTransaction? tx, params (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = tx;
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        return command;
    }

    private static int Execute(SqliteConnection connection, string sql, SqliteTransaction? tx = null, params (string Name, object? Value)[] parameters)
    {
        using var command = Command(connection, sql, tx, parameters);
        return command.ExecuteNonQuery();
    }

    private static object? Scalar(SqliteConnection connection, string sql, SqliteTransaction? tx = null, params (string Name, object? Value)[] parameters)
    {
        using var command = Command(connection, sql, tx, parameters);
        object? value = command.ExecuteScalar();
        return value is DBNull ? null : value;
    }
}
