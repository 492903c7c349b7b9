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
    /// Opens <paramref name="location"/> read-only through <see cref="ExperimentStores.OpenReadOnlyAsync"/>: a SQLite
    /// file (which a running search may write meanwhile) or a PostgreSQL database (a read-only session; the password
    /// is never shown). Throws <see cref="StoreException"/> when the location cannot be read as a store.
    /// </summary>
    public static async Task<IDashboardStore> OpenAsync(string location, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(location);
        var store = await ExperimentStores.OpenReadOnlyAsync(location, cancellationToken).ConfigureAwait(false);
        return new ReadOnlyDashboardStore(store, ExperimentStores.Describe(location));
    }

    private sealed class ReadOnlyDashboardStore(IReadOnlyExperimentStore store, string location) : IDashboardStore
    {
        public string Location => location;

        public Task<IReadOnlyList<StoredExperiment>> ListExperimentsAsync(CancellationToken cancellationToken = default) =>
            store.ListExperimentsAsync(cancellationToken);

        public Task<IReadOnlyList<TrialRecord>> GetTrialsAsync(long experimentId, CancellationToken cancellationToken = default) =>
            store.GetTrialsAsync(experimentId, cancellationToken);

        public ValueTask DisposeAsync() => store.DisposeAsync();
    }
}
