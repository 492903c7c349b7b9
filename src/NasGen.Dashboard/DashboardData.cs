using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using NasGen.Experiments;
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
    private readonly Dictionary<long, (DateTimeOffset At, TrialStatistics Statistics)> _statistics = new();
    private IReadOnlyList<StoredExperiment> _experiments = Array.Empty<StoredExperiment>();
    private DateTimeOffset? _listedAt;

    public string Location => store.Location;

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

    /// <summary>
    /// Every experiment's summary from the store's aggregate queries: the experiments list and a page's first screen
    /// read no trial (a 10,000-trial experiment costs a few indexed aggregates, not a read of every trial).
    /// </summary>
    public async Task<IReadOnlyList<ExperimentSummary>> SummariesAsync(CancellationToken cancellationToken)
    {
        var summaries = new List<ExperimentSummary>();
        foreach (var experiment in await ExperimentsAsync(cancellationToken).ConfigureAwait(false))
            summaries.Add(await SummarizeAsync(experiment, cancellationToken).ConfigureAwait(false));
        return summaries;
    }

    /// <summary>The experiment's summary from the store's aggregate queries, or null when the store has no such experiment.</summary>
    public async Task<ExperimentSummary?> SummaryAsync(long id, CancellationToken cancellationToken) =>
        await FindAsync(id, cancellationToken).ConfigureAwait(false) is { } experiment ? await SummarizeAsync(experiment, cancellationToken).ConfigureAwait(false) : null;

    /// <summary>One page of the experiment's trial table, filtered and sorted by the store, or null when there is no such experiment.</summary>
    public async Task<TrialPage?> PageAsync(long id, TrialPageQuery query, CancellationToken cancellationToken) =>
        await FindAsync(id, cancellationToken).ConfigureAwait(false) is null ? null : await store.GetTrialPageAsync(id, query, cancellationToken).ConfigureAwait(false);

    private async Task<ExperimentSummary> SummarizeAsync(StoredExperiment experiment, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        (DateTimeOffset At, TrialStatistics Statistics) cached;
        lock (_statistics) _statistics.TryGetValue(experiment.Id, out cached);
        var statistics = cached.Statistics;
        // Read at most once per refresh interval, like the trials: the list and the experiment's first screen ask one after the other.
        if (statistics is null || now - cached.At >= refreshInterval)
        {
            statistics = await store.GetTrialStatisticsAsync(experiment.Id, FitnessDirection.Of(experiment.Config), cancellationToken).ConfigureAwait(false);
            lock (_statistics) _statistics[experiment.Id] = (now, statistics);
        }
        long version;
        lock (_states) version = _states.TryGetValue(experiment.Id, out var state) ? state.Version : 0;
        return ExperimentState.Summarize(experiment, statistics, now, version);
    }

    private async Task<IReadOnlyList<StoredExperiment>> ExperimentsAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await ListLockedAsync(cancellationToken).ConfigureAwait(false);
            return _experiments;
        }
        finally { _gate.Release(); }
    }

    private async Task<StoredExperiment?> FindAsync(long id, CancellationToken cancellationToken)
    {
        var experiments = await ExperimentsAsync(cancellationToken).ConfigureAwait(false);
        if (experiments.FirstOrDefault(e => e.Id == id) is { } found) return found;
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            _listedAt = null; // an experiment created since the last listing
            await ListLockedAsync(cancellationToken).ConfigureAwait(false);
            return _experiments.FirstOrDefault(e => e.Id == id);
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
        ExperimentState? state;
        lock (_states) // read without the gate by SummarizeAsync
        {
            if (!_states.TryGetValue(id, out state))
                _states[id] = state = new ExperimentState(_experiments.First(e => e.Id == id));
        }
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
