using System.Diagnostics;
using NasGen.Evaluation;
using NasGen.Storage;
using NasGen.Strategies;

namespace NasGen.Experiments;

/// <summary>
/// Runs a search: asks the strategy for architectures, checks constraints and costs, evaluates (several at once),
/// records every trial in the store and tells the strategy each outcome. A run on a store that already holds the
/// experiment resumes it: stored trials are replayed, in order, into a fresh strategy, and trials left unfinished
/// by a stopped or killed process are run again, so that no finished trial is lost or repeated. On a store shared by
/// many workers (<see cref="IDistributedExperimentStore"/>) every worker runs this same loop on the shared history.
/// </summary>
public sealed class Experiment<TArchitecture> where TArchitecture : struct, IEquatable<TArchitecture>
{
    private readonly ISearchSpace<TArchitecture> _space;
    private readonly Func<int, ISearchStrategy<TArchitecture>> _strategyFactory;
    private readonly IEvaluator<TArchitecture> _evaluator;
    private readonly IExperimentStore _store;
    private readonly ExperimentOptions<TArchitecture> _options;

    /// <summary>Creates an experiment; nothing runs until <see cref="RunAsync"/>.</summary>
    /// <param name="space">The search space.</param>
    /// <param name="strategyFactory">Makes a fresh strategy from the experiment seed (called once per run).</param>
    /// <param name="evaluator">Evaluates architectures.</param>
    /// <param name="store">Where trials are recorded and resumed from.</param>
    /// <param name="options">Name, seed, budgets and the rest.</param>
    public Experiment(ISearchSpace<TArchitecture> space, Func<int, ISearchStrategy<TArchitecture>> strategyFactory,
        IEvaluator<TArchitecture> evaluator, IExperimentStore store, ExperimentOptions<TArchitecture> options)
    {
        _space = space ?? throw new ArgumentNullException(nameof(space));
        _strategyFactory = strategyFactory ?? throw new ArgumentNullException(nameof(strategyFactory));
        _evaluator = evaluator ?? throw new ArgumentNullException(nameof(evaluator));
        _store = store ?? throw new ArgumentNullException(nameof(store));
        _options = options ?? throw new ArgumentNullException(nameof(options));
        if (options.Concurrency < 1) throw new ArgumentOutOfRangeException(nameof(options), "Concurrency is at least 1.");
        ArgumentException.ThrowIfNullOrWhiteSpace(options.Name);
    }

    /// <summary>
    /// The seed of trial <paramref name="trialNumber"/>: a SplitMix64 mix of the experiment seed and the number, so
    /// a resumed or repeated run gives every trial the same seed.
    /// </summary>
    internal static int TrialSeed(int experimentSeed, int trialNumber)
    {
        ulong z = ((ulong)(uint)experimentSeed << 32 | (uint)trialNumber) + 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        z ^= z >> 31;
        return (int)(z & 0x7FFF_FFFF);
    }

    /// <summary>
    /// Runs (or resumes) the experiment until a budget is used up, the strategy is exhausted or
    /// <paramref name="cancellationToken"/> fires. Cancellation is a clean stop, not an error: running trials are
    /// abandoned and left pending, and the result says <see cref="StopReason.Cancelled"/>.
    /// </summary>
    public async Task<ExperimentResult<TArchitecture>> RunAsync(CancellationToken cancellationToken = default)
    {
        var clock = Stopwatch.StartNew();
        var replay = new StrategyReplay<TArchitecture>(_space, _strategyFactory, _options);
        await using var connection = ExperimentConnection<TArchitecture>.For(_store, _options);
        var config = new ExperimentConfig(_options.Name, _space.Name, _space.Fingerprint, replay.Strategy.Name, _options.Seed, ExperimentSettings.ToJson(_options));
        var experiment = await connection.OpenAsync(config, cancellationToken).ConfigureAwait(false);
        ExperimentSettings.CheckSame(experiment.Config, config, _store.Location);
        var (finishedAtStart, unfinishedAtStart) = await connection.StartAsync(replay, cancellationToken).ConfigureAwait(false);
        var runner = new TrialRunner<TArchitecture>(_evaluator, _options, _store, experiment.Id);

        var stopReason = StopReason.StrategyExhausted;
        bool stopping = false, budgetReached = false;
        var running = new Dictionary<Task<EvaluatedTrial>, TrialRecord>();
        while (true)
        {
            while (!stopping && running.Count < _options.Concurrency)
            {
                if (cancellationToken.IsCancellationRequested) { stopping = true; stopReason = StopReason.Cancelled; break; }
                if (_options.MaxWallTime is { } wall && clock.Elapsed >= wall) { stopping = true; stopReason = StopReason.TimeBudget; break; }

                var claimed = await connection.ClaimAsync().ConfigureAwait(false);
                if (claimed is null)
                {
                    if (budgetReached) break;
                    var proposal = await connection.ProposeAsync(replay).ConfigureAwait(false);
                    if (proposal.Status == ProposalStatus.BudgetReached) { budgetReached = true; stopReason = StopReason.TrialBudget; break; }
                    // Nothing to propose now (e.g. a rung waiting for its results): ask again after the next outcome;
                    // with nothing running anywhere, the strategy is done.
                    if (proposal.Status == ProposalStatus.Exhausted) { stopReason = StopReason.StrategyExhausted; break; }
                    if (proposal.Trial is not { } added) continue;
                    claimed = added;
                }
                running.Add(runner.Start(claimed, replay.SuggestionFor(claimed), replay.State, cancellationToken), claimed);
                Progress(replay.State, running.Count, clock.Elapsed);
            }

            if (running.Count == 0)
            {
                if (stopping) break;
                try
                {
                    if (!await connection.WaitForOthersAsync(cancellationToken).ConfigureAwait(false)) break;
                }
                catch (OperationCanceledException)
                {
                    stopping = true;
                    stopReason = StopReason.Cancelled;
                }
                continue;
            }

            var done = await Task.WhenAny(running.Keys).ConfigureAwait(false);
            var trial = running[done];
            running.Remove(done);
            var evaluated = await done.ConfigureAwait(false);
            runner.Forget(trial);
            if (evaluated.Completion is not { } completion) continue; // abandoned on cancellation: stays unfinished

            var record = await connection.CompleteAsync(trial.Number, completion with { AsksAtTell = replay.KnownTrials }).ConfigureAwait(false);
            if (record is null) continue;
            connection.Learn(replay, record with { Intermediate = evaluated.Intermediate });
            if (record.Status == TrialStatus.Failed)
                Message($"Trial {record.Number} failed ({record.Failure}): {record.Error}");
            Progress(replay.State, running.Count, clock.Elapsed);
        }

        if (stopReason == StopReason.Cancelled) Message(await connection.ReleaseAsync().ConfigureAwait(false));
        var trials = await connection.GetTrialsAsync().ConfigureAwait(false);
        return Result(experiment, trials, stopReason, new ResumeInfo(finishedAtStart, unfinishedAtStart, replay.DivergedAt), clock.Elapsed);
    }

    private ExperimentResult<TArchitecture> Result(StoredExperiment experiment, IReadOnlyList<TrialRecord> trials, StopReason stopReason, ResumeInfo resume, TimeSpan elapsed)
    {
        var best = trials.Where(t => t.Status == TrialStatus.Completed).Aggregate((TrialRecord?)null, (b, t) => _options.Direction.Better(b, t));
        TArchitecture? bestArchitecture = best is null ? null : _space.FromJson(best.ArchitectureJson);
        var front = _options.Objectives.Count == 0
            ? Array.Empty<TrialRecord>()
            : ParetoFront.Compute(trials.Where(t => t.Status == TrialStatus.Completed), t => Objective.ValuesOf(t, _options.Objectives),
                _options.Objectives.Select(o => o.Direction).ToArray());
        return new ExperimentResult<TArchitecture>(experiment, trials, best, bestArchitecture, front, stopReason, resume, elapsed);
    }

    // ---- progress -------------------------------------------------------------------------------------------------

    private void Progress(RunState<TArchitecture> state, int running, TimeSpan elapsed)
    {
        if (_options.Observer is not { } observer) return;
        TimeSpan? remaining = null;
        if (_options.MaxTrials is { } max && state.FinishedThisRun > 0)
            remaining = TimeSpan.FromTicks(elapsed.Ticks / state.FinishedThisRun * Math.Max(0, max - state.Finished));
        if (_options.MaxWallTime is { } wall)
        {
            var left = wall - elapsed;
            if (left < TimeSpan.Zero) left = TimeSpan.Zero;
            if (remaining is null || left < remaining) remaining = left;
        }
        observer.OnProgress(new ExperimentProgress(state.Finished, _options.MaxTrials, running, state.Failed, state.Best?.Fitness,
            state.Best?.Canonical, elapsed, remaining));
    }

    private void Message(string message) => _options.Observer?.OnMessage(message);
}
