using NasGen.Evaluation;
using NasGen.Storage;
using NasGen.Strategies;

namespace NasGen.Experiments;

/// <summary>How a trial's evaluation ended: its completion, or null when it was abandoned on a stop (it stays unfinished).</summary>
internal readonly record struct EvaluatedTrial(TrialCompletion? Completion, IReadOnlyList<KeyValuePair<int, double>> Intermediate);

/// <summary>
/// Runs one trial: the constraint and cost gate and dedup on the loop's thread, then the evaluation on its own, under
/// the timeout watchdog, with intermediate reports (median stopping) written to the store in order and off the
/// evaluator's thread. Failures, timeouts and non-finite fitness become failed trials; nothing here throws.
/// </summary>
internal sealed class TrialRunner<TArchitecture> where TArchitecture : struct, IEquatable<TArchitecture>
{
    // How long a stopped run waits for a running evaluation to notice its cancelled token before abandoning it.
    private static readonly TimeSpan StopGracePeriod = TimeSpan.FromSeconds(10);

    private readonly IEvaluator<TArchitecture> _evaluator;
    private readonly ExperimentOptions<TArchitecture> _options;
    private readonly IExperimentStore _store;
    private readonly long _experimentId;
    private readonly Dictionary<string, (int Number, Task<EvaluatedTrial> Task)> _inFlight = new();

    public TrialRunner(IEvaluator<TArchitecture> evaluator, ExperimentOptions<TArchitecture> options, IExperimentStore store, long experimentId)
    {
        _evaluator = evaluator;
        _options = options;
        _store = store;
        _experimentId = experimentId;
    }

    /// <summary>Starts a claimed trial; call <see cref="Forget"/> once its task is done.</summary>
    public Task<EvaluatedTrial> Start(TrialRecord trial, Suggestion<TArchitecture> suggestion, RunState<TArchitecture> state, CancellationToken cancellationToken)
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

        string key = RunState<TArchitecture>.Key(trial);
        if (_options.Deduplicate)
        {
            if (state.FinishedByKey.TryGetValue(key, out var previous))
                return Task.FromResult(Reuse(previous.Number, previous.Status, previous.Fitness, previous.Metrics, previous.Failure, previous.Error));
            if (_inFlight.TryGetValue(key, out var flight))
                return ReuseWhenDone(flight.Number, flight.Task);
        }
        var task = Task.Run(() => EvaluateAsync(trial, architecture, metrics, state, cancellationToken));
        _inFlight[key] = (trial.Number, task);
        return task;
    }

    /// <summary>The trial is done: later trials of the same architecture no longer wait for it (they reuse its record).</summary>
    public void Forget(TrialRecord trial)
    {
        string key = RunState<TArchitecture>.Key(trial);
        if (_inFlight.TryGetValue(key, out var flight) && flight.Number == trial.Number) _inFlight.Remove(key);
    }

    private static EvaluatedTrial Finish(TrialStatus status, double? fitness, IReadOnlyDictionary<string, double> metrics, FailureReason failure,
        string? error, int? reusedFrom = null, bool stoppedEarly = false, IReadOnlyList<KeyValuePair<int, double>>? intermediate = null) =>
        new(new TrialCompletion(status, fitness, metrics, failure, error, reusedFrom, stoppedEarly, 0),
            intermediate ?? Array.Empty<KeyValuePair<int, double>>());

    private static EvaluatedTrial Fail(FailureReason failure, string error, IReadOnlyDictionary<string, double>? metrics = null) =>
        Finish(TrialStatus.Failed, null, metrics ?? new Dictionary<string, double>(), failure, error);

    private static async Task<EvaluatedTrial> ReuseWhenDone(int number, Task<EvaluatedTrial> original)
    {
        var outcome = await original.ConfigureAwait(false);
        if (outcome.Completion is not { } c) return outcome; // the original was abandoned: so is this one
        return Reuse(number, c.Status, c.Fitness, c.Metrics, c.Failure, c.Error);
    }

    private static EvaluatedTrial Reuse(int number, TrialStatus status, double? fitness, IReadOnlyDictionary<string, double> metrics, FailureReason failure, string? error) =>
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

    private async Task<EvaluatedTrial> EvaluateAsync(TrialRecord trial, TArchitecture architecture, Dictionary<string, double> costMetrics,
        RunState<TArchitecture> state, CancellationToken cancellationToken)
    {
        var reports = new IntermediateReports(_store, _experimentId, trial.Number, state);
        var outcome = await WatchAsync(trial, architecture, costMetrics, reports, cancellationToken).ConfigureAwait(false);
        // Every report reaches the store before the trial is completed or released: a completed trial's curve is whole.
        if (await reports.CloseAsync().ConfigureAwait(false) is { } writeError && outcome.Completion is { Status: TrialStatus.Completed })
            return Fail(FailureReason.Exception, $"recording an intermediate result failed: {writeError.GetType().Name}: {writeError.Message}", outcome.Completion.Metrics);
        return outcome;
    }

    private async Task<EvaluatedTrial> WatchAsync(TrialRecord trial, TArchitecture architecture, Dictionary<string, double> costMetrics,
        IntermediateReports reports, CancellationToken cancellationToken)
    {
        using var trialCts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var watchdogCts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var context = new EvaluationContext
        {
            Seed = trial.Seed,
            Fidelity = trial.Fidelity,
            TrialNumber = trial.Number,
            ReportIntermediate = reports.Report,
        };

        // On its own thread: an evaluator that blocks or throws before returning its task cannot hold up the watchdog.
        var evaluation = Task.Run(() => _evaluator.EvaluateAsync(architecture, context, trialCts.Token), CancellationToken.None);
        var watchdog = Task.Delay(_options.TrialTimeout ?? Timeout.InfiniteTimeSpan, watchdogCts.Token);
        var first = await Task.WhenAny(evaluation, watchdog).ConfigureAwait(false);
        watchdogCts.Cancel();
        if (first != evaluation)
        {
            reports.Close();
            trialCts.Cancel();
            // On a stop (not a timeout) give the evaluation a moment to see its token: a caller that exits the process
            // right after the run must not pull libtorch from under a trial still training (a crash at exit).
            if (cancellationToken.IsCancellationRequested) await Task.WhenAny(evaluation, Task.Delay(StopGracePeriod)).ConfigureAwait(false);
            _ = evaluation.ContinueWith(t => t.Exception, TaskScheduler.Default); // an evaluator that ignores its token may still fail later
            if (cancellationToken.IsCancellationRequested) return new EvaluatedTrial(null, reports.Values());
            return Fail(FailureReason.Timeout, $"timeout: still running after {_options.TrialTimeout!.Value.TotalSeconds:0.###} s", costMetrics);
        }

        EvaluationResult result;
        try
        {
            result = await evaluation.ConfigureAwait(false);
        }
        catch (Exception) when (cancellationToken.IsCancellationRequested)
        {
            return new EvaluatedTrial(null, reports.Values());
        }
        catch (Exception e)
        {
            return Fail(FailureReason.Exception, $"{e.GetType().Name}: {e.Message}", costMetrics);
        }
        // A result that arrives after the stop was asked for may be partial: the trial is run again on resume.
        if (cancellationToken.IsCancellationRequested) return new EvaluatedTrial(null, reports.Values());

        var metrics = new Dictionary<string, double>(costMetrics);
        foreach (var (name, value) in result.Metrics) metrics[name] = value;
        if (double.IsNaN(result.Fitness) || double.IsInfinity(result.Fitness))
            return Finish(TrialStatus.Failed, null, metrics, FailureReason.NonFinite, $"non-finite fitness: {result.Fitness.ToString(CultureInfo.InvariantCulture)}",
                intermediate: reports.Values());
        return Finish(TrialStatus.Completed, result.Fitness, metrics, FailureReason.None, null, stoppedEarly: reports.Stopped, intermediate: reports.Values());
    }

    /// <summary>
    /// A trial's intermediate results. Evaluators report synchronously from their own thread and get the median
    /// stopping verdict at once; the store writes queue behind each other (in report order) instead of blocking the
    /// evaluator on a round trip, and <see cref="CloseAsync"/> waits for them.
    /// </summary>
    private sealed class IntermediateReports(IExperimentStore store, long experimentId, int number, RunState<TArchitecture> state)
    {
        private readonly object _gate = new();
        private readonly List<KeyValuePair<int, double>> _values = new();
        private Task _writes = Task.CompletedTask;
        private Exception? _writeError;
        private bool _closed;

        public bool Stopped { get; private set; }

        public bool Report(int step, double value)
        {
            lock (_gate)
            {
                if (_closed) return false; // timed out or abandoned: the trial's record is final
                _values.Add(new(step, value));
                _writes = WriteAfter(_writes, step, value);
                Stopped |= state.ShouldStop(step, value);
                return !Stopped;
            }
        }

        public IReadOnlyList<KeyValuePair<int, double>> Values()
        {
            lock (_gate) return _values.ToArray();
        }

        public void Close()
        {
            lock (_gate) _closed = true;
        }

        /// <summary>Refuses further reports and waits for the queued writes; returns the first write error other than an outage.</summary>
        public async Task<Exception?> CloseAsync()
        {
            Task writes;
            lock (_gate)
            {
                _closed = true;
                writes = _writes;
            }
            await writes.ConfigureAwait(false);
            return _writeError;
        }

        private async Task WriteAfter(Task previous, int step, double value)
        {
            await previous.ConfigureAwait(false);
            try
            {
                await store.AddIntermediateAsync(experimentId, number, step, value).ConfigureAwait(false);
            }
            catch (StoreUnavailableException)
            {
                // A server store that is briefly unreachable loses this point, not the trial.
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                _writeError ??= e;
            }
        }
    }
}
