using System.Data.Common;

namespace NasGen.Storage;

/// <summary>
/// How a store runs one transaction on its engine: which connection, what is serialised, what is retried and how the
/// driver's errors reach the caller. One object per store, so that <see cref="SqlExperimentStore"/> writes each operation
/// once and never loops or locks around it itself.
/// </summary>
internal abstract class StoreTransactions : IAsyncDisposable
{
    /// <summary>Runs <paramref name="body"/> in one transaction and commits it; the body's exceptions roll it back.</summary>
    public abstract Task<T> RunAsync<T>(Func<DbTransaction, Task<T>> body, CancellationToken cancellationToken);

    /// <summary>Closes the connections.</summary>
    public abstract ValueTask DisposeAsync();
}
