using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using NasGen.Storage;

namespace NasGen.Dashboard;

/// <summary>
/// The only store access the dashboard needs: list experiments and read one experiment's trials with their
/// intermediate results. Everything is read-only. Keeping the dashboard on this narrow interface lets it follow the
/// store API without changes elsewhere (see <see cref="DashboardStores"/>).
/// </summary>
public interface IDashboardStore : IAsyncDisposable
{
    /// <summary>Where the store lives, safe to show: a file path, or a server description without credentials.</summary>
    string Location { get; }

    /// <summary>Every experiment of the store, in creation order.</summary>
    Task<IReadOnlyList<StoredExperiment>> ListExperimentsAsync(CancellationToken cancellationToken = default);

    /// <summary>Every trial of the experiment in number order, with its intermediate results.</summary>
    Task<IReadOnlyList<TrialRecord>> GetTrialsAsync(long experimentId, CancellationToken cancellationToken = default);
}

/// <summary>Opens the store a location names for the dashboard, read-only.</summary>
public static class DashboardStores
{
    /// <summary>
    /// Opens <paramref name="location"/> read-only. A SQLite file is opened with
    /// <see cref="SqliteExperimentStore.OpenReadOnly"/> and may be written by a running search meanwhile.
    /// Throws <see cref="StoreException"/> when the location cannot be read as a store.
    /// </summary>
    public static Task<IDashboardStore> OpenAsync(string location, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(location);
        cancellationToken.ThrowIfCancellationRequested();
        if (ExperimentStores.TryGetPostgres(location, out _))
            // PostgreSQL has no read-only open or experiment listing in the store API yet; opening it the normal way
            // would create or migrate tables, which a viewer must never do.
            throw new StoreException("PostgreSQL", "the dashboard reads PostgreSQL stores once the store API can open them read-only; use a SQLite store for now.");
        string path = location.StartsWith("sqlite:", StringComparison.OrdinalIgnoreCase) ? location["sqlite:".Length..] : location;
        return Task.FromResult<IDashboardStore>(new SqliteDashboardStore(SqliteExperimentStore.OpenReadOnly(path)));
    }

    private sealed class SqliteDashboardStore(SqliteExperimentStore store) : IDashboardStore
    {
        public string Location => store.Location;

        public Task<IReadOnlyList<StoredExperiment>> ListExperimentsAsync(CancellationToken cancellationToken = default) =>
            store.ListExperimentsAsync(cancellationToken);

        public Task<IReadOnlyList<TrialRecord>> GetTrialsAsync(long experimentId, CancellationToken cancellationToken = default) =>
            store.GetTrialsAsync(experimentId, cancellationToken);

        public ValueTask DisposeAsync() => store.DisposeAsync();
    }
}
