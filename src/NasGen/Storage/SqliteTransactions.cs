using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace NasGen.Storage;

/// <summary>
/// How the SQLite store runs a transaction: on its one connection, one transaction at a time (a semaphore, since the
/// operations are asynchronous). A writer holds the file's writer lock, so nothing else writes and SQLite's own
/// <c>busy_timeout</c> covers readers' checkpoints; nothing is retried. A read-only store opened while no writer was
/// active reopens its connection when the file changed since (<see cref="ReopenIfWritten"/>).
/// </summary>
internal sealed class SqliteTransactions : StoreTransactions
{
    private readonly string _path;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private SqliteConnection _connection; // replaced only by a read-only store's ReopenIfWritten
    // Set while the read-only connection is immutable: the store file as it was when that connection was opened.
    private FileStamp? _immutableSince;

    public SqliteTransactions(string path, SqliteConnection connection, bool immutable)
    {
        _path = path;
        _connection = connection;
        _immutableSince = immutable ? FileStamp.Of(path) : null;
    }

    /// <inheritdoc />
    public override async Task<T> RunAsync<T>(Func<DbTransaction, Task<T>> body, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ReopenIfWritten();
            using var tx = _connection.BeginTransaction();
            var result = await body(tx).ConfigureAwait(false);
            tx.Commit();
            return result;
        }
        finally { _gate.Release(); }
    }

    /// <inheritdoc />
    public override ValueTask DisposeAsync()
    {
        _connection.Dispose();
        _gate.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// A read-only connection that writes nothing beside the file: with no <c>-wal</c> file (no writer is active and the
    /// last one closed cleanly) the file is opened <c>immutable</c>, so SQLite creates no <c>-shm</c> and takes no lock, and
    /// stores on read-only media open; while a writer is active its <c>-wal</c> and <c>-shm</c> files are read as they are.
    /// </summary>
    public static SqliteConnection OpenReadOnlyConnection(string path)
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

    /// <summary>
    /// An immutable connection (opened while no writer was active) neither sees nor survives later writes: a writer that
    /// starts afterwards changes the file under it, and SQLite then reports the file as malformed. A long-lived reader
    /// (the dashboard) therefore opens the connection again when the file or its <c>-wal</c> changed since; once a
    /// <c>-wal</c> exists the new connection follows the writer through it, as any reader does.
    /// </summary>
    private void ReopenIfWritten()
    {
        if (_immutableSince is not { } before || FileStamp.Of(_path) == before) return;
        var connection = OpenReadOnlyConnection(_path);
        _connection.Dispose();
        _connection = connection;
        _immutableSince = File.Exists(_path + "-wal") ? null : FileStamp.Of(_path);
    }

    private readonly record struct FileStamp(long Length, DateTime WrittenAt, bool HasWal)
    {
        public static FileStamp Of(string path) => new(new FileInfo(path).Length, File.GetLastWriteTimeUtc(path), File.Exists(path + "-wal"));
    }
}
