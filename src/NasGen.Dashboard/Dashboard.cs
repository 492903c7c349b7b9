using System;
using NasGen.Storage;
using System.Threading;
using System.Threading.Tasks;

namespace NasGen.Dashboard;

/// <summary>How the dashboard serves.</summary>
public sealed record DashboardOptions
{
    /// <summary>The address to bind: loopback by default. Any other address requires an access token.</summary>
    public string Host { get; init; } = "127.0.0.1";

    /// <summary>The port; 0 picks a free one (see <see cref="DashboardServer.Url"/>).</summary>
    public int Port { get; init; } = 8080;

    /// <summary>
    /// The access token. Null on loopback serves without one; null on any other address generates one, which
    /// <see cref="DashboardServer.Token"/> holds so that it can be printed once.
    /// </summary>
    public string? Token { get; init; }

    /// <summary>The experiment the page opens first (by name); null opens the experiments list, or the only experiment.</summary>
    public string? Experiment { get; init; }

    /// <summary>The shortest time between two reads of an experiment from the store, however many pages poll.</summary>
    public TimeSpan RefreshInterval { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>How often the page asks for changes.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);
}

/// <summary>
/// The entry point for programs: show the live dashboard of a store, e.g. of the search the program runs.
/// <code>
/// await using var dashboard = await Dashboard.StartAsync("runs/digits/experiment.db", new DashboardOptions { Port = 0 });
/// Console.WriteLine($"Dashboard: {dashboard.Url}");
/// </code>
/// </summary>
public static class Dashboard
{
    /// <summary>
    /// Opens the store at <paramref name="storeLocation"/> read-only (<see cref="ExperimentStores.OpenReadOnlyAsync"/>: a
    /// SQLite file or a PostgreSQL database) and starts serving its dashboard.
    /// </summary>
    public static async Task<DashboardServer> StartAsync(string storeLocation, DashboardOptions? options = null, CancellationToken cancellationToken = default)
    {
        var store = await ExperimentStores.OpenReadOnlyAsync(storeLocation, cancellationToken).ConfigureAwait(false);
        try
        {
            return await StartAsync(store, options, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await store.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Starts serving the dashboard of <paramref name="store"/>; the server disposes the store when it stops.</summary>
    public static Task<DashboardServer> StartAsync(IReadOnlyExperimentStore store, DashboardOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        return DashboardServer.StartAsync(store, options ?? new DashboardOptions(), TimeProvider.System, cancellationToken);
    }
}
