using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
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
public sealed partial class Experiment<TArchitecture> where TArchitecture : struct, IEquatable<TArchitecture>
{
    // How long a stopped run waits for a running evaluation to notice its cancelled token before abandoning it.
    private static readonly TimeSpan StopGracePeriod = TimeSpan.FromSeconds(10);

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
        if (_store is IDistributedExperimentStore shared) return await RunSharedAsync(shared, cancellationToken).ConfigureAwait(false);
        var clock = Stopwatch.StartNew();
        var strategy = _strategyFactory(_options.Seed);
        var config = new ExperimentConfig(_options.Name, _space.Name, _space.Fingerprint, strategy.Name, _options.Seed, OptionsJson());
        var experiment = await _store.OpenExperimentAsync(config, cancellationToken).ConfigureAwait(false);
        CheckSameSettings(experiment.Config, config, _store.Location);
        long id = experiment.Id;

        // A single-process store has one owner per experiment: whatever is still running was left by a dead process.
        int rerun = await _store.ReleaseRunningTrialsAsync(id, null, cancellationToken).ConfigureAwait(false);
        var state = new RunState(_options.MedianStopping);
        var stored = await _store.GetTrialsAsync(id, cancellationToken).ConfigureAwait(false);
        int? divergedAt = Replay(strategy, stored, state);
        rerun = stored.Count(t => !t.IsFinished);
        if (stored.Count > 0)
            Message($"Resuming '{_options.Name}': {stored.Count - rerun} finished trials replayed, {rerun} to run again" +
                (divergedAt is { } d ? $"; the strategy diverged from the stored trials at trial {d}, continuing from the stored results." : "."));

        var stopReason = StopReason.StrategyExhausted;
        bool stopping = false, exhausted = false;
        var running = new Dictionary<Task<Outcome>, TrialRecord>();
        var inFlight = new Dictionary<string, (int Number, Task<Outcome> Task)>();
        int asked = stored.Count;

        while (true)
        {
            while (!stopping && running.Count < _options.Concurrency)
            {
                if (cancellationToken.IsCancellationRequested) { stopping = true; stopReason = StopReason.Cancelled; break; }
                if (_options.MaxWallTime is { } wall && clock.Elapsed >= wall) { stopping = true; stopReason = StopReason.TimeBudget; break; }

                var claimed = await _store.ClaimNextTrialAsync(id, _options.Worker, CancellationToken.None).ConfigureAwait(false);
                if (claimed is null)
                {
                    if (_options.MaxTrials is { } max && asked >= max) { stopping = true; stopReason = StopReason.TrialBudget; break; }
                    if (exhausted) break;
                    var suggestion = strategy.Ask();
                    if (suggestion is null)
                    {
                        // Null means "nothing to propose now" (e.g. a rung waiting for its results): wait for a
                        // running trial's outcome and ask again; with nothing running, the strategy is done.
                        if (running.Count == 0) { exhausted = true; stopReason = StopReason.StrategyExhausted; }
                        break;
                    }
                    var architecture = suggestion.Architecture;
                    _space.Validate(architecture); // a strategy proposing outside its space is a bug, not a failed trial
                    var added = await _store.AddTrialAsync(id, new NewTrial(_space.ToJson(architecture), _space.ToCanonicalString(architecture),
                        _space.StableHash(architecture), suggestion.Fidelity, TrialSeed(_options.Seed, asked)), CancellationToken.None).ConfigureAwait(false);
                    state.Suggestions[added.Number] = suggestion;
                    asked++;
                    // Start what was just added at once: going back to the budget checks first could stop the run
                    // with the new trial still pending.
                    claimed = await _store.ClaimNextTrialAsync(id, _options.Worker, CancellationToken.None).ConfigureAwait(false);
                    if (claimed is null) continue;
                }
                // A trial added by another worker sharing the store has no suggestion of ours: rebuild it from the record.
                if (!state.Suggestions.TryGetValue(claimed.Number, out var claimedSuggestion))
                    state.Suggestions[claimed.Number] = claimedSuggestion = new(_space.FromJson(claimed.ArchitectureJson), claimed.Fidelity);
                running.Add(Start(claimed, claimedSuggestion, state, inFlight, id, cancellationToken), claimed);
                Progress(state, running.Count, clock.Elapsed);
            }

            if (running.Count == 0) break;
            var done = await Task.WhenAny(running.Keys).ConfigureAwait(false);
            var trial = running[done];
            running.Remove(done);
            var outcome = await done.ConfigureAwait(false);
            if (inFlight.TryGetValue(Key(trial), out var flight) && flight.Number == trial.Number) inFlight.Remove(Key(trial));
            if (outcome.Completion is not { } completion) continue; // abandoned on cancellation: stays unfinished

            var record = await _store.CompleteTrialAsync(id, trial.Number, completion with { AsksAtTell = asked }, CancellationToken.None).ConfigureAwait(false);
            record = record with { Intermediate = outcome.Intermediate };
            strategy.Tell(state.Suggestions[trial.Number], ToOutcome(record));
            state.Record(record, live: true);
            if (record.Status == TrialStatus.Failed)
                Message($"Trial {record.Number} failed ({record.Failure}): {record.Error}");
            Progress(state, running.Count, clock.Elapsed);
        }

        if (stopReason == StopReason.Cancelled)
        {
            int released = await _store.ReleaseRunningTrialsAsync(id, _options.Worker, CancellationToken.None).ConfigureAwait(false);
            Message($"Stopped: {released} unfinished trials left pending; run again to resume.");
        }

        var trials = await _store.GetTrialsAsync(id, CancellationToken.None).ConfigureAwait(false);
        return Result(experiment, trials, stopReason, new ResumeInfo(stored.Count - rerun, rerun, divergedAt), clock.Elapsed);
    }

    private ExperimentResult<TArchitecture> Result(StoredExperiment experiment, IReadOnlyList<TrialRecord> trials, StopReason stopReason, ResumeInfo resume, TimeSpan elapsed)
    {
        var best = trials.Where(t => t.Status == TrialStatus.Completed && t.Fitness is not null)
            .Aggregate((TrialRecord?)null, (b, t) => b is null || t.Fitness > b.Fitness ? t : b);
        TArchitecture? bestArchitecture = best is null ? null : _space.FromJson(best.ArchitectureJson);
        var front = _options.Objectives.Count == 0
            ? Array.Empty<TrialRecord>()
            : ParetoFront.Compute(trials.Where(t => t.Status == TrialStatus.Completed), t => Objective.ValuesOf(t, _options.Objectives),
                _options.Objectives.Select(o => o.Direction).ToArray());
        return new ExperimentResult<TArchitecture>(experiment, trials, best, bestArchitecture, front, stopReason, resume, elapsed);
    }

    // ---- resume -------------------------------------------------------------------------------------------------

    /// <summary>
    /// Feeds the stored trials into the fresh strategy in the order the first run saw them: asks in trial-number
    /// order, each tell after as many asks as had happened when it was first told. Returns the first trial the
    /// strategy no longer proposes; from there the stored suggestions are told as they are.
    /// </summary>
    private int? Replay(ISearchStrategy<TArchitecture> strategy, IReadOnlyList<TrialRecord> stored, RunState state)
    {
        var finished = stored.Where(t => t.IsFinished).OrderBy(t => t.TellSequence).ToList();
        int told = 0;
        int? divergedAt = null;
        for (int n = 0; n < stored.Count; n++)
        {
            while (told < finished.Count && finished[told].AsksAtTell <= n) Tell(finished[told++]);
            var trial = stored[n];
            var suggestion = new Suggestion<TArchitecture>(_space.FromJson(trial.ArchitectureJson), trial.Fidelity);
            if (divergedAt is null)
            {
                var asked = strategy.Ask();
                if (asked is not null && asked.Architecture.Equals(suggestion.Architecture) && asked.Fidelity.Equals(suggestion.Fidelity))
                    suggestion = asked;
                else
                    divergedAt = n;
            }
            state.Suggestions[n] = suggestion;
        }
        while (told < finished.Count) Tell(finished[told++]);
        return divergedAt;

        void Tell(TrialRecord trial)
        {
            strategy.Tell(state.Suggestions[trial.Number], ToOutcome(trial));
            state.Record(trial, live: false);
        }
    }

    /// <summary>
    /// What the strategy is told of a trial. With <see cref="ExperimentOptions{TArchitecture}.Objectives"/>, the outcome carries their
    /// values, minimised ones negated, for an <see cref="IMultiObjectiveStrategy{TArchitecture}"/>; other strategies
    /// read the fitness alone.
    /// </summary>
    private TrialOutcome ToOutcome(TrialRecord trial)
    {
        if (trial.Status != TrialStatus.Completed) return TrialOutcome.Failure;
        if (_options.Objectives.Count == 0) return new TrialOutcome(trial.Fitness);
        var values = Objective.ValuesOf(trial, _options.Objectives);
        var maximised = new double[values.Count];
        for (int i = 0; i < maximised.Length; i++)
            maximised[i] = _options.Objectives[i].Direction == ObjectiveDirection.Minimize ? -values[i] : values[i];
        return new TrialOutcome(trial.Fitness) { Objectives = maximised };
    }

    private static string Key(TrialRecord trial) => trial.Canonical + "@" + trial.Fidelity.ToString("R", CultureInfo.InvariantCulture);

    // ---- one trial ----------------------------------------------------------------------------------------------

    private readonly record struct Outcome(TrialCompletion? Completion, IReadOnlyList<KeyValuePair<int, double>> Intermediate);

    private static Outcome Finish(TrialStatus status, double? fitness, IReadOnlyDictionary<string, double> metrics, FailureReason failure,
        string? error, int? reusedFrom = null, bool stoppedEarly = false, IReadOnlyList<KeyValuePair<int, double>>? intermediate = null) =>
        new(new TrialCompletion(status, fitness, metrics, failure, error, reusedFrom, stoppedEarly, 0),
            intermediate ?? Array.Empty<KeyValuePair<int, double>>());

    private static Outcome Fail(FailureReason failure, string error, IReadOnlyDictionary<string, double>? metrics = null) =>
        Finish(TrialStatus.Failed, null, metrics ?? new Dictionary<string, double>(), failure, error);

    /// <summary>Constraint checks and dedup happen here, on the loop, before any evaluation starts.</summary>
    private Task<Outcome> Start(TrialRecord trial, Suggestion<TArchitecture> suggestion, RunState state,
        Dictionary<string, (int Number, Task<Outcome> Task)> inFlight, long experimentId, CancellationToken cancellationToken)
    {
        var architecture = suggestion.Architecture;
        var metrics = new Dictionary<string, double>();
        try
        {
            foreach (var constraint in _options.Constraints)
                if (!constraint.IsSatisfied(architecture))
                    return Task.FromResult(Fail(FailureReason.Constraint, $"constraint: {constraint.Name}"));
            if (_options.CostModel is { } costModel)
            {
                var cost = costModel(architecture);
                if (cost.Parameters is { } p) metrics["params"] = p;
                if (cost.Flops is { } f) metrics["flops"] = f;
                if (cost.LatencyMs is { } l) metrics["latency_ms"] = l;
                if (_options.CostLimits is { } limits && CheckLimits(cost, limits) is { } broken)
                    return Task.FromResult(Fail(FailureReason.Constraint, $"constraint: {broken}", metrics));
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return Task.FromResult(Fail(FailureReason.Exception, $"constraint check threw {e.GetType().Name}: {e.Message}", metrics));
        }

        string key = Key(trial);
        if (_options.Deduplicate)
        {
            if (state.FinishedByKey.TryGetValue(key, out var previous))
                return Task.FromResult(Reuse(previous.Number, previous.Status, previous.Fitness, previous.Metrics, previous.Failure, previous.Error));
            if (inFlight.TryGetValue(key, out var flight))
                return ReuseWhenDone(flight.Number, flight.Task);
        }
        var task = Task.Run(() => EvaluateAsync(trial, architecture, metrics, state, experimentId, cancellationToken));
        inFlight[key] = (trial.Number, task);
        return task;
    }

    private static async Task<Outcome> ReuseWhenDone(int number, Task<Outcome> original)
    {
        var outcome = await original.ConfigureAwait(false);
        if (outcome.Completion is not { } c) return outcome; // the original was abandoned: so is this one
        return Reuse(number, c.Status, c.Fitness, c.Metrics, c.Failure, c.Error);
    }

    private static Outcome Reuse(int number, TrialStatus status, double? fitness, IReadOnlyDictionary<string, double> metrics, FailureReason failure, string? error) =>
        Finish(status, fitness, metrics, failure, error, reusedFrom: number);

    private static string? CheckLimits(CostMetrics cost, CostLimits limits)
    {
        static string Describe(string what, double value, double max) =>
            string.Create(CultureInfo.InvariantCulture, $"{what} {value:G6} > max {max:G6}");
        if (limits.MaxParameters is { } mp && cost.Parameters is { } p && p > mp) return Describe("params", p, mp);
        if (limits.MaxFlops is { } mf && cost.Flops is { } f && f > mf) return Describe("flops", f, mf);
        if (limits.MaxLatencyMs is { } ml && cost.LatencyMs is { } l && l > ml) return Describe("latency_ms", l, ml);
        return null;
    }

    private async Task<Outcome> EvaluateAsync(TrialRecord trial, TArchitecture architecture, Dictionary<string, double> costMetrics,
        RunState state, long experimentId, CancellationToken cancellationToken)
    {
        using var trialCts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var watchdogCts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var intermediate = new List<KeyValuePair<int, double>>();
        bool stopped = false, closed = false;
        var context = new EvaluationContext
        {
            Seed = trial.Seed,
            Fidelity = trial.Fidelity,
            TrialNumber = trial.Number,
            ReportIntermediate = (step, value) =>
            {
                lock (intermediate)
                {
                    if (closed) return false; // timed out or abandoned: the trial's record is final
                    intermediate.Add(new(step, value));
                    // Evaluators call this synchronously from their own thread; the store serialises writers itself.
                    // A server store that is briefly unreachable loses this point, not the trial.
                    try { _store.AddIntermediateAsync(experimentId, trial.Number, step, value).GetAwaiter().GetResult(); }
                    catch (StoreUnavailableException) { }
                    stopped |= state.ShouldStop(step, value);
                    return !stopped;
                }
            },
        };

        // On its own thread: an evaluator that blocks or throws before returning its task cannot hold up the watchdog.
        var evaluation = Task.Run(() => _evaluator.EvaluateAsync(architecture, context, trialCts.Token), CancellationToken.None);
        var watchdog = Task.Delay(_options.TrialTimeout ?? Timeout.InfiniteTimeSpan, watchdogCts.Token);
        var first = await Task.WhenAny(evaluation, watchdog).ConfigureAwait(false);
        watchdogCts.Cancel();
        if (first != evaluation)
        {
            lock (intermediate) closed = true;
            trialCts.Cancel();
            // On a stop (not a timeout) give the evaluation a moment to see its token: a caller that exits the process
            // right after the run must not pull libtorch from under a trial still training (a crash at exit).
            if (cancellationToken.IsCancellationRequested) await Task.WhenAny(evaluation, Task.Delay(StopGracePeriod)).ConfigureAwait(false);
            _ = evaluation.ContinueWith(t => t.Exception, TaskScheduler.Default); // an evaluator that ignores its token may still fail later
            if (cancellationToken.IsCancellationRequested) return new Outcome(null, intermediate);
            return Fail(FailureReason.Timeout, $"timeout: still running after {_options.TrialTimeout!.Value.TotalSeconds:0.###} s", costMetrics);
        }

        EvaluationResult result;
        try
        {
            result = await evaluation.ConfigureAwait(false);
        }
        catch (Exception) when (cancellationToken.IsCancellationRequested)
        {
            return new Outcome(null, intermediate);
        }
        catch (Exception e)
        {
            return Fail(FailureReason.Exception, $"{e.GetType().Name}: {e.Message}", costMetrics);
        }
        // A result that arrives after the stop was asked for may be partial: the trial is run again on resume.
        if (cancellationToken.IsCancellationRequested) return new Outcome(null, intermediate);

        var metrics = new Dictionary<string, double>(costMetrics);
        foreach (var (name, value) in result.Metrics) metrics[name] = value;
        if (double.IsNaN(result.Fitness) || double.IsInfinity(result.Fitness))
            return Finish(TrialStatus.Failed, null, metrics, FailureReason.NonFinite, $"non-finite fitness: {result.Fitness.ToString(CultureInfo.InvariantCulture)}",
                intermediate: intermediate);
        lock (intermediate)
            return Finish(TrialStatus.Completed, result.Fitness, metrics, FailureReason.None, null, stoppedEarly: stopped, intermediate: intermediate.ToArray());
    }

    // ---- progress -------------------------------------------------------------------------------------------------

    private void Progress(RunState state, int running, TimeSpan elapsed)
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

    private string OptionsJson() => JsonSerializer.Serialize(new Dictionary<string, object?>
    {
        ["maxTrials"] = _options.MaxTrials,
        ["maxWallTimeSeconds"] = _options.MaxWallTime?.TotalSeconds,
        ["concurrency"] = _options.Concurrency,
        ["deduplicate"] = _options.Deduplicate,
        ["trialTimeoutSeconds"] = _options.TrialTimeout?.TotalSeconds,
        ["constraints"] = _options.Constraints.Select(c => c.Name).ToArray(),
        ["costLimits"] = _options.CostLimits,
        ["medianStopping"] = _options.MedianStopping,
        ["objectives"] = _options.Objectives.Select(o => $"{o.Direction} {o.Metric}").ToArray(),
        ["evaluationSettings"] = new SortedDictionary<string, string>(_options.EvaluationSettings.ToDictionary(), StringComparer.Ordinal),
    });

    // Options that change what a trial measures or which trials count; budgets, concurrency and timeouts may change.
    private static readonly string[] ResultOptions = { "deduplicate", "constraints", "costLimits", "medianStopping", "objectives" };

    /// <summary>Refuses to resume an experiment whose stored seed, strategy or result-changing options differ from this run's.</summary>
    private static void CheckSameSettings(ExperimentConfig stored, ExperimentConfig current, string location)
    {
        var differences = new List<string>();
        if (stored.Seed != current.Seed) differences.Add($"seed {stored.Seed} (this run: {current.Seed})");
        if (stored.StrategyName != current.StrategyName) differences.Add($"strategy '{stored.StrategyName}' (this run: '{current.StrategyName}')");
        var storedOptions = ResultSettings(stored.OptionsJson);
        var currentOptions = ResultSettings(current.OptionsJson);
        // Compared only where both runs recorded the setting: stores from older versions lack some.
        foreach (var (name, value) in storedOptions)
            if (currentOptions.TryGetValue(name, out string? now) && now != value)
                differences.Add($"{name} {value} (this run: {now})");
        if (differences.Count > 0)
            throw new StoreMismatchException(location,
                $"experiment '{current.Name}' was run with {string.Join(", ", differences)}. Resuming it with other settings would rank " +
                "trials evaluated differently together: resume with the stored settings, or use another experiment name or store.");
    }

    private static Dictionary<string, string> ResultSettings(string optionsJson)
    {
        var settings = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            using var document = JsonDocument.Parse(optionsJson);
            if (document.RootElement.ValueKind != JsonValueKind.Object) return settings;
            foreach (var option in document.RootElement.EnumerateObject())
            {
                if (ResultOptions.Contains(option.Name)) settings[option.Name] = option.Value.GetRawText();
                else if (option.Name == "evaluationSettings" && option.Value.ValueKind == JsonValueKind.Object)
                    foreach (var setting in option.Value.EnumerateObject())
                        settings[setting.Name] = setting.Value.ValueKind == JsonValueKind.String ? setting.Value.GetString()! : setting.Value.GetRawText();
            }
        }
        catch (JsonException)
        {
            // Options that are not JSON (written by hand or damaged) cannot be compared; the fingerprint check still holds.
        }
        return settings;
    }

    /// <summary>What the loop knows about finished trials; read by evaluating trials for median stopping.</summary>
    private sealed class RunState(MedianStoppingRule? median)
    {
        private readonly Dictionary<int, List<double>> _valuesAtStep = new();

        public Dictionary<int, Suggestion<TArchitecture>> Suggestions { get; } = new();
        public Dictionary<string, TrialRecord> FinishedByKey { get; } = new();
        public int Finished { get; private set; }
        public int FinishedThisRun { get; private set; }
        public int Failed { get; private set; }
        public TrialRecord? Best { get; private set; }

        public void Record(TrialRecord trial, bool live)
        {
            Finished++;
            if (live) FinishedThisRun++;
            if (trial.Status == TrialStatus.Failed) Failed++;
            if (trial.Status == TrialStatus.Completed && (Best is null || trial.Fitness > Best.Fitness)) Best = trial;
            // Reused results and timeouts are not sources for dedup: the original is, and a timeout may pass next time.
            if (trial.ReusedFrom is null && trial.Failure != FailureReason.Timeout)
                FinishedByKey.TryAdd(Key(trial), trial);
            if (trial.Status == TrialStatus.Completed && median is not null)
                lock (_valuesAtStep)
                    foreach (var (step, value) in trial.Intermediate)
                    {
                        if (!_valuesAtStep.TryGetValue(step, out var list)) _valuesAtStep[step] = list = new();
                        list.Add(value);
                    }
        }

        public bool ShouldStop(int step, double value)
        {
            if (median is null || step < median.GraceSteps) return false;
            lock (_valuesAtStep)
            {
                if (!_valuesAtStep.TryGetValue(step, out var list) || list.Count < median.MinFinishedTrials) return false;
                var sorted = list.OrderBy(v => v).ToArray();
                int mid = sorted.Length / 2;
                double m = sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
                return value < m;
            }
        }
    }
}
