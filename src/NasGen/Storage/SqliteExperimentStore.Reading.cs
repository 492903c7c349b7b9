using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Data.Sqlite;
using NasGen.Experiments;

namespace NasGen.Storage;

// Read-only access for tools that inspect a store without the search space's code (the nasgen command).
public sealed partial class SqliteExperimentStore
{
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

    /// <summary>Every experiment in the store, in creation order.</summary>
    public async Task<IReadOnlyList<StoredExperiment>> ListExperimentsAsync(CancellationToken cancellationToken = default) =>
        await ReadAsync(tx => StoreReads.ExperimentsAsync(tx, _prefix, null, cancellationToken), cancellationToken).ConfigureAwait(false);

    /// <summary>The experiment named <paramref name="name"/>, or null when the store has none of that name.</summary>
    public async Task<StoredExperiment?> FindExperimentAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        var found = await ReadAsync(tx => StoreReads.ExperimentsAsync(tx, _prefix, name, cancellationToken), cancellationToken).ConfigureAwait(false);
        return found.Count == 0 ? null : found[0];
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<TrialRecord>> GetTrialsAsync(long experimentId, CancellationToken cancellationToken = default) =>
        GetTrialsChangedSinceAsync(experimentId, 0, cancellationToken);

    /// <inheritdoc />
    public async Task<IReadOnlyList<TrialRecord>> GetTrialsChangedSinceAsync(long experimentId, long sinceVersion, CancellationToken cancellationToken = default) =>
        await ReadAsync(tx => StoreReads.TrialsChangedSinceAsync(tx, _prefix, _hasChangeCounter, Location, experimentId, sinceVersion, cancellationToken), cancellationToken)
            .ConfigureAwait(false);

    /// <inheritdoc />
    public Task<TrialStatistics> GetTrialStatisticsAsync(long experimentId, ObjectiveDirection direction, CancellationToken cancellationToken = default) =>
        ReadAsync(tx => TrialQueries.StatisticsAsync(tx, _prefix, _hasChangeCounter, Location, experimentId, direction, cancellationToken), cancellationToken);

    /// <inheritdoc />
    public Task<TrialPage> GetTrialPageAsync(long experimentId, TrialPageQuery query, CancellationToken cancellationToken = default)
    {
        TrialQueries.Check(query);
        return ReadAsync(tx => TrialQueries.PageAsync(tx, _prefix, _hasChangeCounter, Location, experimentId, query, cancellationToken), cancellationToken);
    }

    /// <summary>Runs <paramref name="read"/> in one read transaction (one snapshot) on the store's connection.</summary>
    private async Task<T> ReadAsync<T>(Func<SqliteTransaction, Task<T>> read, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ReopenIfWritten();
            using var tx = _connection.BeginTransaction();
            var result = await read(tx).ConfigureAwait(false);
            tx.Commit();
            return result;
        }
        finally { _gate.Release(); }
    }

    /// <summary>
    /// A read-only connection that writes nothing beside the file: with no <c>-wal</c> file (no writer is active and the
    /// last one closed cleanly) the file is opened <c>immutable</c>, so SQLite creates no <c>-shm</c> and takes no lock, and
    /// stores on read-only media open; while a writer is active its <c>-wal</c> and <c>-shm</c> files are read as they are.
    /// </summary>
    private static SqliteConnection OpenReadOnlyConnection(string path)
    {
        bool walInUse = File.Exists(path + "-wal");
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = walInUse ? path : ImmutableUri(path),
            Mode = SqliteOpenMode.ReadOnly,
            Pooling = false,
        }.ToString());
        try
        {
            connection.Open();
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    // SQLite URI filename: '%', '?' and '#' would be read as escapes, the query and the fragment.
    private static string ImmutableUri(string path) =>
        "file:" + path.Replace("%", "%25", StringComparison.Ordinal).Replace("?", "%3f", StringComparison.Ordinal).Replace("#", "%23", StringComparison.Ordinal)
        + "?immutable=1";

    // Set while the read-only connection is immutable: the store file as it was when that connection was opened.
    private FileStamp? _immutableSince;

    /// <summary>
    /// An immutable connection (opened while no writer was active) neither sees nor survives later writes: a writer that
    /// starts afterwards changes the file under it, and SQLite then reports the file as malformed. A long-lived reader
    /// (the dashboard) therefore opens the connection again when the file or its <c>-wal</c> changed since; once a
    /// <c>-wal</c> exists the new connection follows the writer through it, as any reader does.
    /// </summary>
    private void ReopenIfWritten()
    {
        if (_immutableSince is not { } before || FileStamp.Of(Location) == before) return;
        var connection = OpenReadOnlyConnection(Location);
        _connection.Dispose();
        _connection = connection;
        _immutableSince = File.Exists(Location + "-wal") ? null : FileStamp.Of(Location);
    }

    private readonly record struct FileStamp(long Length, DateTime WrittenAt, bool HasWal)
    {
        public static FileStamp Of(string path) => new(new FileInfo(path).Length, File.GetLastWriteTimeUtc(path), File.Exists(path + "-wal"));
    }
}
