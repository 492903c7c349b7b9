using System.Diagnostics;
using NasGen.Storage;
using NasGen.Strategies;

namespace NasGen.Experiments;

/// <summary>
/// How the run loop talks to its store: the one place where a store with one writer (SQLite) and a store shared by
/// many workers (<see cref="IDistributedExperimentStore"/>, PostgreSQL) differ. The loop itself is the same for both.
/// </summary>
internal abstract class ExperimentConnection<TArchitecture> : IAsyncDisposable where TArchitecture : struct, IEquatable<TArchitecture>
{
    protected ExperimentConnection(IExperimentStore store, ExperimentOptions<TArchitecture> options)
    {
        Store = store;
        Options = options;
    }

    protected IExperimentStore Store { get; }
    protected ExperimentOptions<TArchitecture> Options { get; }
    protected long ExperimentId { get; private set; }

    public static ExperimentConnection<TArchitecture> For(IExperimentStore store, ExperimentOptions<TArchitecture> options) =>
        store is IDistributedExperimentStore shared
            ? new WorkerConnection<TArchitecture>(shared, options)
            : new SingleWriterConnection<TArchitecture>(store, options);

    /// <summary>Creates or opens the experiment.</summary>
    public async Task<StoredExperiment> OpenAsync(ExperimentConfig config, CancellationToken cancellationToken)
    {
        var experiment = await Retry(() => Store.OpenExperimentAsync(config, cancellationToken)).ConfigureAwait(false);
        ExperimentId = experiment.Id;
        return experiment;
    }

    /// <summary>Picks up what the store holds; returns the finished trials found and the unfinished ones to run again.</summary>
    public abstract Task<(int Finished, int Unfinished)> StartAsync(StrategyReplay<TArchitecture> replay, CancellationToken cancellationToken);

    /// <summary>Claims the lowest-numbered pending trial for this worker; null when none is pending.</summary>
    public Task<TrialRecord?> ClaimAsync() => Retry(() => Store.ClaimNextTrialAsync(ExperimentId, Options.Worker, CancellationToken.None));

    /// <summary>
    /// Asks the strategy for a trial within the trial budget and records it; an added trial comes back claimed by this
    /// worker, or null when someone else claimed it first.
    /// </summary>
    public abstract Task<ProposalResult> ProposeAsync(StrategyReplay<TArchitecture> replay);

    /// <summary>Records a finished trial; null when its result was dropped (the trial is no longer this worker's).</summary>
    public virtual Task<TrialRecord?> CompleteAsync(int number, TrialCompletion completion) =>
        Retry<TrialRecord?>(async () => await Store.CompleteTrialAsync(ExperimentId, number, completion, CancellationToken.None).ConfigureAwait(false));

    /// <summary>Lets the strategy learn a trial this worker finished, at once or at the next catch-up.</summary>
    public abstract void Learn(StrategyReplay<TArchitecture> replay, TrialRecord finished);

    /// <summary>With nothing running here: waits for other workers' trials; false when nothing can come any more.</summary>
    public abstract Task<bool> WaitForOthersAsync(CancellationToken cancellationToken);

    /// <summary>Returns this worker's unfinished trials to pending after a stop; the message says so.</summary>
    public abstract Task<string> ReleaseAsync();

    /// <summary>Every trial of the experiment.</summary>
    public Task<IReadOnlyList<TrialRecord>> GetTrialsAsync() => Retry(() => Store.GetTrialsAsync(ExperimentId, CancellationToken.None));

    public virtual ValueTask DisposeAsync() => ValueTask.CompletedTask;

    /// <summary>Runs a store operation; a shared store retries it while the server is unreachable.</summary>
    protected virtual Task<T> Retry<T>(Func<Task<T>> operation) => operation();

    protected void Message(string message) => Options.Observer?.OnMessage(message);
}

/// <summary>A store with one writer per experiment: whatever is unfinished at the start was left by a dead or stopped process.</summary>
internal sealed class SingleWriterConnection<TArchitecture>(IExperimentStore store, ExperimentOptions<TArchitecture> options)
    : ExperimentConnection<TArchitecture>(store, options) where TArchitecture : struct, IEquatable<TArchitecture>
{
    public override async Task<(int Finished, int Unfinished)> StartAsync(StrategyReplay<TArchitecture> replay, CancellationToken cancellationToken)
    {
        await Store.ReleaseRunningTrialsAsync(ExperimentId, null, cancellationToken).ConfigureAwait(false);
        var stored = await Store.GetTrialsAsync(ExperimentId, cancellationToken).ConfigureAwait(false);
        replay.CatchUp(stored, stored.Where(t => t.IsFinished).OrderBy(t => t.TellSequence).ToList());
        int rerun = stored.Count(t => !t.IsFinished);
        if (stored.Count > 0)
            Message($"Resuming '{Options.Name}': {stored.Count - rerun} finished trials replayed, {rerun} to run again" +
                (replay.DivergedAt is { } d ? $"; the strategy diverged from the stored trials at trial {d}, continuing from the stored results." : "."));
        return (stored.Count - rerun, rerun);
    }

    public override async Task<ProposalResult> ProposeAsync(StrategyReplay<TArchitecture> replay)
    {
        if (Options.MaxTrials is { } max && replay.KnownTrials >= max) return new ProposalResult(ProposalStatus.BudgetReached, null);
        // Null means "nothing to propose now" (e.g. a rung waiting for its results): the loop asks again after the next outcome.
        if (replay.Ask(replay.KnownTrials) is not { } trial) return new ProposalResult(ProposalStatus.Exhausted, null);
        await Store.AddTrialAsync(ExperimentId, trial, CancellationToken.None).ConfigureAwait(false);
        // Start what was just added at once: going back to the budget checks first could stop the run with it still pending.
        return new ProposalResult(ProposalStatus.Added, await ClaimAsync().ConfigureAwait(false));
    }

    public override void Learn(StrategyReplay<TArchitecture> replay, TrialRecord finished) => replay.Tell(finished, live: true);

    public override Task<bool> WaitForOthersAsync(CancellationToken cancellationToken) => Task.FromResult(false);

    public override async Task<string> ReleaseAsync()
    {
        int released = await Store.ReleaseRunningTrialsAsync(ExperimentId, Options.Worker, CancellationToken.None).ConfigureAwait(false);
        return $"Stopped: {released} unfinished trials left pending; run again to resume.";
    }
}

/// <summary>
/// One worker among many on a shared store. The strategy's state is the store's history: before each ask, under the
/// experiment's lock, the worker's strategy catches up on the asks and tells it has not seen, then asks; so every
/// worker's strategy is the strategy one process would have had. Outcomes reach the strategy through that catch-up,
/// never directly, so that the tell order is the store's. Claims are leases renewed by a heartbeat; store operations
/// are retried through an outage of up to <see cref="ExperimentOptions{T}.StoreOutageTolerance"/>.
/// </summary>
internal sealed class WorkerConnection<TArchitecture>(IDistributedExperimentStore store, ExperimentOptions<TArchitecture> options)
    : ExperimentConnection<TArchitecture>(store, options) where TArchitecture : struct, IEquatable<TArchitecture>
{
    private readonly CancellationTokenSource _heartbeatStop = new();
    private Task _heartbeat = Task.CompletedTask;

    public override async Task<(int Finished, int Unfinished)> StartAsync(StrategyReplay<TArchitecture> replay, CancellationToken cancellationToken)
    {
        var atStart = await Retry(() => store.GetCountsAsync(ExperimentId, CancellationToken.None)).ConfigureAwait(false);
        if (atStart.Trials > 0)
            Message($"Joining '{Options.Name}' on {store.Location} as worker '{Options.Worker}': {atStart.Finished} of {atStart.Trials} trials finished.");
        _heartbeat = Task.Run(() => HeartbeatAsync(_heartbeatStop.Token), CancellationToken.None);
        return (atStart.Finished, atStart.Trials - atStart.Finished);
    }

    public override async Task<ProposalResult> ProposeAsync(StrategyReplay<TArchitecture> replay)
    {
        bool diverged = replay.DivergedAt is not null;
        var proposal = await Retry(async () =>
        {
            try
            {
                return await store.ProposeTrialAsync(ExperimentId, Options.MaxTrials, replay.KnownTrials, replay.KnownTells, replay.Propose,
                    Options.Worker, CancellationToken.None).ConfigureAwait(false);
            }
            catch
            {
                // The strategy may have asked for a trial that was never recorded: rebuild it from the history.
                replay.Reset();
                throw;
            }
        }).ConfigureAwait(false);
        if (!diverged && replay.DivergedAt is { } at)
            Message($"The strategy diverged from the stored trials at trial {at}; continuing from the stored results.");
        return proposal;
    }

    public override async Task<TrialRecord?> CompleteAsync(int number, TrialCompletion completion)
    {
        try
        {
            return await base.CompleteAsync(number, completion).ConfigureAwait(false);
        }
        catch (InvalidOperationException e)
        {
            // The lease ran out (a long outage) and the trial went back to the queue: whoever claimed it records it.
            Message($"Trial {number}: result dropped, {e.Message}");
            return null;
        }
    }

    public override void Learn(StrategyReplay<TArchitecture> replay, TrialRecord finished) => replay.RecordLive(finished);

    public override async Task<bool> WaitForOthersAsync(CancellationToken cancellationToken)
    {
        // Other workers' trials are still running. Wait for them, since a dead worker's trial returns to the queue
        // when its lease runs out and must be run here.
        var counts = await Retry(() => store.GetCountsAsync(ExperimentId, CancellationToken.None)).ConfigureAwait(false);
        if (counts.Finished >= counts.Trials) return false;
        await Task.Delay(Options.PollInterval, cancellationToken).ConfigureAwait(false);
        return true;
    }

    public override async Task<string> ReleaseAsync()
    {
        int released = await Retry(() => store.ReleaseRunningTrialsAsync(ExperimentId, Options.Worker, CancellationToken.None)).ConfigureAwait(false);
        return $"Stopped: {released} unfinished trials of this worker returned to the queue.";
    }

    public override async ValueTask DisposeAsync()
    {
        _heartbeatStop.Cancel();
        await _heartbeat.ConfigureAwait(false);
        _heartbeatStop.Dispose();
    }

    /// <summary>Renews this worker's leases at a third of their length; a missed beat (store unreachable) is retried at the next.</summary>
    private async Task HeartbeatAsync(CancellationToken stop)
    {
        var period = store.LeaseDuration / 3;
        while (true)
        {
            try
            {
                await Task.Delay(period, stop).ConfigureAwait(false);
                await store.RenewLeasesAsync(ExperimentId, Options.Worker, CancellationToken.None).ConfigureAwait(false);
            }
            catch (OperationCanceledException) { return; }
            catch (StoreUnavailableException) { }
        }
    }

    /// <summary>Retries while the store is unreachable for up to <see cref="ExperimentOptions{T}.StoreOutageTolerance"/>.</summary>
    protected override async Task<T> Retry<T>(Func<Task<T>> operation)
    {
        Stopwatch? outage = null;
        while (true)
        {
            try
            {
                var result = await operation().ConfigureAwait(false);
                if (outage is not null) Message($"The store is back after {outage.Elapsed.TotalSeconds:0.#} s.");
                return result;
            }
            catch (StoreUnavailableException e)
            {
                if (outage is null)
                {
                    outage = Stopwatch.StartNew();
                    Message($"{e.Message}; retrying for up to {Options.StoreOutageTolerance.TotalSeconds:0} s.");
                }
                if (outage.Elapsed >= Options.StoreOutageTolerance) throw;
                await Task.Delay(TimeSpan.FromMilliseconds(250)).ConfigureAwait(false);
            }
        }
    }
}
