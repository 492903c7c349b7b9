using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using NasGen.Storage;

namespace NasGen.Dashboard;

/// <summary>
/// The server's view of one store: experiments and their last snapshots, read again at most once per refresh
/// interval however many pages poll, so that watching a search costs the store little.
/// </summary>
internal sealed class DashboardData(IReadOnlyExperimentStore store, TimeSpan refreshInterval, TimeProvider clock) : IAsyncDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<long, ExperimentState> _states = new();
    private IReadOnlyList<StoredExperiment> _experiments = Array.Empty<StoredExperiment>();
    private DateTimeOffset? _listedAt;

    public string Location => store.Location;

    /// <summary>Every experiment, with fresh snapshots.</summary>
    public async Task<IReadOnlyList<ExperimentState>> ListAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await ListLockedAsync(cancellationToken).ConfigureAwait(false);
            var states = new List<ExperimentState>();
            foreach (var experiment in _experiments)
                states.Add(await RefreshLockedAsync(experiment.Id, cancellationToken).ConfigureAwait(false));
            return states;
        }
        finally { _gate.Release(); }
    }

    /// <summary>The experiment's fresh snapshot, or null when the store has no experiment with that id.</summary>
    public async Task<ExperimentState?> GetAsync(long id, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!_states.ContainsKey(id) && _experiments.All(e => e.Id != id))
            {
                _listedAt = null;
                await ListLockedAsync(cancellationToken).ConfigureAwait(false);
                if (_experiments.All(e => e.Id != id)) return null;
            }
            return await RefreshLockedAsync(id, cancellationToken).ConfigureAwait(false);
        }
        finally { _gate.Release(); }
    }

    /// <summary>The id of the experiment named <paramref name="name"/>, or null.</summary>
    public async Task<long?> FindAsync(string name, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            _listedAt = null;
            await ListLockedAsync(cancellationToken).ConfigureAwait(false);
            return _experiments.FirstOrDefault(e => e.Config.Name == name)?.Id;
        }
        finally { _gate.Release(); }
    }

    private async Task ListLockedAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        if (_listedAt is { } at && now - at < refreshInterval) return;
        _experiments = await store.ListExperimentsAsync(cancellationToken).ConfigureAwait(false);
        _listedAt = now;
    }

    private async Task<ExperimentState> RefreshLockedAsync(long id, CancellationToken cancellationToken)
    {
        if (!_states.TryGetValue(id, out var state))
            _states[id] = state = new ExperimentState(_experiments.First(e => e.Id == id));
        var now = clock.GetUtcNow();
        if (state.RefreshedAt is { } at && now - at < refreshInterval) return state;
        // Only what changed since the last read (an index range): the cost follows the change, not the experiment.
        var trials = await store.GetTrialsChangedSinceAsync(id, state.StoreVersion, cancellationToken).ConfigureAwait(false);
        state.Apply(trials, now);
        state.RefreshedAt = now;
        return state;
    }

    public async ValueTask DisposeAsync()
    {
        await store.DisposeAsync().ConfigureAwait(false);
        _gate.Dispose();
    }
}
