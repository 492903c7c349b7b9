using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;
using NasGen.Storage;
using NasGen.Strategies;

namespace NasGen.Experiments;

public sealed partial class Experiment<TArchitecture>
{
    /// <summary>
    /// The loop of one worker among many on a shared store. The strategy's state is the store's history: before each
    /// ask, under the experiment's lock, the worker's local strategy catches up on the asks and tells it has not seen
    /// (in the history's order), then asks; so every worker's strategy is the strategy one process would have had.
    /// Outcomes reach the strategy through that catch-up, never directly, so that tell order is the store's.
    /// </summary>
    private async Task<ExperimentResult<TArchitecture>> RunSharedAsync(IDistributedExperimentStore store, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var history = new SharedHistory(this);
        var config = new ExperimentConfig(_options.Name, _space.Name, _space.Fingerprint, history.Strategy.Name, _options.Seed, OptionsJson());
        var experiment = await Retry(() => store.OpenExperimentAsync(config, cancellationToken)).ConfigureAwait(false);
        CheckSameSettings(experiment.Config, config, store.Location);
        long id = experiment.Id;
        string worker = _options.Worker;
        var atStart = await Retry(() => store.GetCountsAsync(id, CancellationToken.None)).ConfigureAwait(false);
        if (atStart.Trials > 0)
            Message($"Joining '{_options.Name}' on {store.Location} as worker '{worker}': {atStart.Finished} of {atStart.Trials} trials finished.");

        using var heartbeatStop = new CancellationTokenSource();
        var heartbeat = Task.Run(() => HeartbeatAsync(store, id, worker, heartbeatStop.Token), CancellationToken.None);
        var stopReason = StopReason.StrategyExhausted;
        bool stopping = false, noMoreProposals = false;
        var running = new Dictionary<Task<Outcome>, TrialRecord>();
        var inFlight = new Dictionary<string, (int Number, Task<Outcome> Task)>();
        try
        {
            while (true)
            {
                while (!stopping && running.Count < _options.Concurrency)
                {
                    if (cancellationToken.IsCancellationRequested) { stopping = true; stopReason = StopReason.Cancelled; break; }
                    if (_options.MaxWallTime is { } wall && clock.Elapsed >= wall) { stopping = true; stopReason = StopReason.TimeBudget; break; }

                    var claimed = await Retry(() => store.ClaimNextTrialAsync(id, worker, CancellationToken.None)).ConfigureAwait(false);
                    if (claimed is null)
                    {
                        if (noMoreProposals) break;
                        var proposal = await Retry(async () =>
                        {
                            try
                            {
                                return await store.ProposeTrialAsync(id, _options.MaxTrials, history.KnownTrials, history.KnownTells, history.Propose,
                                    worker, CancellationToken.None).ConfigureAwait(false);
                            }
                            catch
                            {
                                // The strategy may have asked for a trial that was never recorded: rebuild it from the history.
                                history.Reset();
                                throw;
                            }
                        }).ConfigureAwait(false);
                        if (proposal.Status == ProposalStatus.BudgetReached) { noMoreProposals = true; stopReason = StopReason.TrialBudget; break; }
                        if (proposal.Status == ProposalStatus.Exhausted) { noMoreProposals = true; stopReason = StopReason.StrategyExhausted; break; }
                        claimed = proposal.Trial!; // recorded already claimed by this worker
                    }
                    if (!history.State.Suggestions.TryGetValue(claimed.Number, out var suggestion))
                        history.State.Suggestions[claimed.Number] = suggestion = new(_space.FromJson(claimed.ArchitectureJson), claimed.Fidelity);
                    running.Add(Start(claimed, suggestion, history.State, inFlight, id, cancellationToken), claimed);
                    Progress(history.State, running.Count, clock.Elapsed);
                }

                if (running.Count == 0)
                {
                    if (stopping) break;
                    // Nothing to claim and nothing to propose: other workers' trials are still running. Wait for them,
                    // since a dead worker's trial returns to the queue when its lease runs out and must be run here.
                    var counts = await Retry(() => store.GetCountsAsync(id, CancellationToken.None)).ConfigureAwait(false);
                    if (counts.Finished >= counts.Trials) break;
                    try { await Task.Delay(_options.PollInterval, cancellationToken).ConfigureAwait(false); }
                    catch (OperationCanceledException) { stopping = true; stopReason = StopReason.Cancelled; }
                    continue;
                }

                var done = await Task.WhenAny(running.Keys).ConfigureAwait(false);
                var trial = running[done];
                running.Remove(done);
                var outcome = await done.ConfigureAwait(false);
                if (inFlight.TryGetValue(Key(trial), out var flight) && flight.Number == trial.Number) inFlight.Remove(Key(trial));
                if (outcome.Completion is not { } completion) continue;

                TrialRecord record;
                try
                {
                    record = await Retry(() => store.CompleteTrialAsync(id, trial.Number, completion with { AsksAtTell = history.KnownTrials },
                        CancellationToken.None)).ConfigureAwait(false);
                }
                catch (InvalidOperationException e)
                {
                    // The lease ran out (a long outage) and the trial went back to the queue: whoever claimed it records it.
                    Message($"Trial {trial.Number}: result dropped, {e.Message}");
                    continue;
                }
                history.RecordLive(record with { Intermediate = outcome.Intermediate });
                if (record.Status == TrialStatus.Failed)
                    Message($"Trial {record.Number} failed ({record.Failure}): {record.Error}");
                Progress(history.State, running.Count, clock.Elapsed);
            }

            if (stopReason == StopReason.Cancelled)
            {
                int released = await Retry(() => store.ReleaseRunningTrialsAsync(id, worker, CancellationToken.None)).ConfigureAwait(false);
                Message($"Stopped: {released} unfinished trials of this worker returned to the queue.");
            }
        }
        finally
        {
            heartbeatStop.Cancel();
            await heartbeat.ConfigureAwait(false);
        }

        var trials = await Retry(() => store.GetTrialsAsync(id, CancellationToken.None)).ConfigureAwait(false);
        return Result(experiment, trials, stopReason, new ResumeInfo(atStart.Finished, atStart.Trials - atStart.Finished, history.DivergedAt), clock.Elapsed);
    }

    /// <summary>Renews this worker's leases at a third of their length; a missed beat (store unreachable) is retried at the next.</summary>
    private static async Task HeartbeatAsync(IDistributedExperimentStore store, long id, string worker, CancellationToken stop)
    {
        var period = store.LeaseDuration / 3;
        while (true)
        {
            try
            {
                await Task.Delay(period, stop).ConfigureAwait(false);
                await store.RenewLeasesAsync(id, worker, CancellationToken.None).ConfigureAwait(false);
            }
            catch (OperationCanceledException) { return; }
            catch (StoreUnavailableException) { }
        }
    }

    /// <summary>Runs a store operation, retrying while the store is unreachable for up to <see cref="ExperimentOptions{T}.StoreOutageTolerance"/>.</summary>
    private async Task<T> Retry<T>(Func<Task<T>> operation)
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
                    Message($"{e.Message}; retrying for up to {_options.StoreOutageTolerance.TotalSeconds:0} s.");
                }
                if (outage.Elapsed >= _options.StoreOutageTolerance) throw;
                await Task.Delay(TimeSpan.FromMilliseconds(250)).ConfigureAwait(false);
            }
        }
    }

    /// <summary>A worker's local copy of the shared strategy, kept in step with the store's history.</summary>
    private sealed class SharedHistory(Experiment<TArchitecture> owner)
    {
        private HashSet<int> _recorded = new();

        public ISearchStrategy<TArchitecture> Strategy { get; private set; } = owner._strategyFactory(owner._options.Seed);
        public RunState State { get; private set; } = new(owner._options.MedianStopping);
        public int KnownTrials { get; private set; }
        public int KnownTells { get; private set; }
        public int? DivergedAt { get; private set; }

        /// <summary>Forgets everything: the next proposal replays the whole history into a fresh strategy.</summary>
        public void Reset()
        {
            Strategy = owner._strategyFactory(owner._options.Seed);
            State = new RunState(owner._options.MedianStopping);
            _recorded = new();
            KnownTrials = KnownTells = 0;
        }

        /// <summary>Called under the experiment's lock: catch up (as <c>Replay</c> does, incrementally), then ask.</summary>
        public NewTrial? Propose(HistoryUpdate update)
        {
            var tells = new Queue<TrialRecord>(update.NewTells);
            foreach (var trial in update.NewTrials)
            {
                while (tells.Count > 0 && tells.Peek().AsksAtTell <= trial.Number) Tell(tells.Dequeue());
                var stored = new Suggestion<TArchitecture>(owner._space.FromJson(trial.ArchitectureJson), trial.Fidelity);
                var asked = Strategy.Ask();
                if (asked is not null && asked.Architecture.Equals(stored.Architecture) && asked.Fidelity.Equals(stored.Fidelity))
                    stored = asked;
                else if (DivergedAt is null)
                {
                    DivergedAt = trial.Number;
                    owner.Message($"The strategy diverged from the stored trials at trial {trial.Number}; continuing from the stored results.");
                }
                State.Suggestions[trial.Number] = stored;
                KnownTrials = trial.Number + 1;
            }
            while (tells.Count > 0) Tell(tells.Dequeue());

            var suggestion = Strategy.Ask();
            if (suggestion is null) return null;
            var architecture = suggestion.Architecture;
            owner._space.Validate(architecture); // a strategy proposing outside its space is a bug, not a failed trial
            State.Suggestions[update.NextNumber] = suggestion;
            KnownTrials = update.NextNumber + 1;
            return new NewTrial(owner._space.ToJson(architecture), owner._space.ToCanonicalString(architecture), owner._space.StableHash(architecture),
                suggestion.Fidelity, TrialSeed(owner._options.Seed, update.NextNumber));
        }

        /// <summary>A trial this worker finished: counted for progress, dedup and median stopping now, told to the strategy at the next catch-up.</summary>
        public void RecordLive(TrialRecord trial)
        {
            if (_recorded.Add(trial.Number)) State.Record(trial, live: true);
        }

        private void Tell(TrialRecord trial)
        {
            Strategy.Tell(State.Suggestions[trial.Number], owner.ToOutcome(trial));
            KnownTells = trial.TellSequence!.Value + 1;
            if (_recorded.Add(trial.Number)) State.Record(trial, live: false);
        }
    }
}
