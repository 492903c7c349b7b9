using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using NasGen.CrashHarness;
using NasGen.Experiments;
using NasGen.Storage;
using NasGen.Strategies;

namespace NasGen.Tests.Experiments;

public sealed class ExperimentTests
{
    private static readonly TestSpace Space = TestSpace.Default;

    internal static List<TestArch> All()
    {
        var all = new List<TestArch>();
        foreach (var a in Space.Enumerate()) all.Add(a);
        return all;
    }

    private static TestArch A(int width, TestOp op = TestOp.Conv3x3, int depth = 1, bool residual = false) => new(width, op, depth, residual);

    private static async Task<ExperimentResult<TestArch>> RunList(string db, IEnumerable<TestArch> list, SyntheticEvaluator evaluator,
        Func<ExperimentOptions<TestArch>, ExperimentOptions<TestArch>>? configure = null, List<ListStrategy>? strategies = null,
        CancellationToken cancellationToken = default)
    {
        var items = list.ToArray();
        var options = new ExperimentOptions<TestArch> { Name = "test", Seed = 11 };
        if (configure is not null) options = configure(options);
        await using var store = SqliteExperimentStore.Open(db);
        return await new Experiment<TestArch>(Space, _ =>
        {
            var s = new ListStrategy(items);
            strategies?.Add(s);
            return s;
        }, evaluator, store, options).RunAsync(cancellationToken);
    }

    [Fact]
    public async Task Exceptions_and_NaN_fitness_become_failed_trials_and_the_search_goes_on()
    {
        using var dir = new TempDirectory();
        var evaluator = new SyntheticEvaluator { Throws = a => a.Width == 16, ReturnsNaN = a => a.Width == 32 };
        var strategies = new List<ListStrategy>();
        var result = await RunList(dir.File("s.db"), new[] { A(8), A(16), A(32), A(64) }, evaluator, strategies: strategies);

        Assert.Equal(new[] { TrialStatus.Completed, TrialStatus.Failed, TrialStatus.Failed, TrialStatus.Completed }, result.Trials.Select(t => t.Status));
        Assert.Equal(FailureReason.Exception, result.Trials[1].Failure);
        Assert.Contains("synthetic failure", result.Trials[1].Error);
        Assert.Equal(FailureReason.NonFinite, result.Trials[2].Failure);
        Assert.Null(result.Trials[2].Fitness);
        Assert.Equal(A(64), result.BestArchitecture);
        Assert.Equal(new[] { false, true, true, false }, strategies.Single().Told.Select(t => t.Outcome.Failed));
        Assert.Equal(StopReason.StrategyExhausted, result.StopReason);
    }

    [Fact]
    public async Task A_trial_past_its_timeout_fails_and_the_next_one_runs()
    {
        using var dir = new TempDirectory();
        var evaluator = new SyntheticEvaluator { Hangs = a => a.Width == 16 };
        var result = await RunList(dir.File("s.db"), new[] { A(16), A(8) }, evaluator,
            o => o with { TrialTimeout = TimeSpan.FromMilliseconds(200) });
        Assert.Equal(FailureReason.Timeout, result.Trials[0].Failure);
        Assert.StartsWith("timeout", result.Trials[0].Error);
        Assert.Equal(TrialStatus.Completed, result.Trials[1].Status);
    }

    [Fact]
    public async Task A_trial_that_ignores_cancellation_is_abandoned_at_its_timeout()
    {
        using var dir = new TempDirectory();
        // Blocks synchronously inside EvaluateAsync: the runner must not wait for it.
        var evaluator = new SyntheticEvaluator { BlocksIgnoringCancellation = a => a.Width == 16 };
        var result = await RunList(dir.File("s.db"), new[] { A(16), A(8) }, evaluator,
            o => o with { TrialTimeout = TimeSpan.FromMilliseconds(150) });
        // Recorded from claim to completion: far below the 5 s block even on a loaded machine.
        Assert.True(result.Trials[0].Duration < TimeSpan.FromSeconds(3), $"the timed-out trial took {result.Trials[0].Duration}");
        Assert.Equal(FailureReason.Timeout, result.Trials[0].Failure);
        Assert.Equal(TrialStatus.Completed, result.Trials[1].Status);
    }

    [Fact]
    public async Task Constraints_and_cost_limits_reject_before_evaluation()
    {
        using var dir = new TempDirectory();
        var evaluator = new SyntheticEvaluator();
        var list = new[] { A(8), A(64, TestOp.Skip), A(32, TestOp.Conv3x3, 3), A(16, TestOp.MaxPool) };
        var result = await RunList(dir.File("s.db"), list, evaluator, o => o with
        {
            Constraints = new[] { new ArchitectureConstraint<TestArch>("no skip", a => a.Op != TestOp.Skip) },
            CostModel = a => new CostMetrics(Parameters: TestSpace.Parameters(a)),
            CostLimits = new CostLimits(MaxParameters: 10_000),
        });
        Assert.Equal(2, evaluator.Calls);
        Assert.Equal(new[] { A(8), A(16, TestOp.MaxPool) }, evaluator.Evaluated);
        Assert.Equal(FailureReason.Constraint, result.Trials[1].Failure);
        Assert.Equal("constraint: no skip", result.Trials[1].Error);
        Assert.Equal(FailureReason.Constraint, result.Trials[2].Failure);
        Assert.StartsWith("constraint: params 27648 > max 10000", result.Trials[2].Error);
        Assert.Equal(576, result.Trials[0].Metrics["params"]);
    }

    [Fact]
    public async Task A_finished_architecture_is_not_evaluated_again()
    {
        using var dir = new TempDirectory();
        var evaluator = new SyntheticEvaluator();
        var strategies = new List<ListStrategy>();
        var result = await RunList(dir.File("s.db"), new[] { A(8), A(16), A(8), A(8) }, evaluator, strategies: strategies);
        Assert.Equal(2, evaluator.Calls);
        Assert.Equal(4, result.Trials.Count);
        Assert.Equal(0, result.Trials[2].ReusedFrom);
        Assert.Equal(0, result.Trials[3].ReusedFrom);
        Assert.Equal(result.Trials[0].Fitness, result.Trials[2].Fitness);
        Assert.Equal(4, strategies.Single().Told.Count);
    }

    [Fact]
    public async Task Concurrent_duplicates_wait_for_the_running_evaluation()
    {
        using var dir = new TempDirectory();
        var evaluator = new SyntheticEvaluator { StepDelay = TimeSpan.FromMilliseconds(20) };
        var result = await RunList(dir.File("s.db"), new[] { A(8), A(8), A(16), A(32) }, evaluator, o => o with { Concurrency = 3 });
        Assert.Equal(3, evaluator.Calls);
        Assert.Equal(0, result.Trials[1].ReusedFrom);
        Assert.All(result.Trials, t => Assert.Equal(TrialStatus.Completed, t.Status));
    }

    [Fact]
    public async Task Trial_budget_stops_the_search_and_counts_resumed_trials()
    {
        using var dir = new TempDirectory();
        var evaluator = new SyntheticEvaluator();
        var list = All();
        var result = await RunList(dir.File("s.db"), list, evaluator, o => o with { MaxTrials = 5 });
        Assert.Equal(5, result.Trials.Count);
        Assert.Equal(StopReason.TrialBudget, result.StopReason);
        var more = await RunList(dir.File("s.db"), list, evaluator, o => o with { MaxTrials = 7 });
        Assert.Equal(7, more.Trials.Count);
        Assert.Equal(7, evaluator.Calls);
        Assert.Equal(5, more.Resume.ReplayedTrials);
    }

    [Fact]
    public async Task Time_budget_stops_starting_trials()
    {
        using var dir = new TempDirectory();
        var evaluator = new SyntheticEvaluator { StepDelay = TimeSpan.FromMilliseconds(25) }; // 100 ms a trial
        var list = All();
        var result = await RunList(dir.File("s.db"), list, evaluator, o => o with { MaxWallTime = TimeSpan.FromMilliseconds(450) });
        Assert.Equal(StopReason.TimeBudget, result.StopReason);
        Assert.InRange(result.Trials.Count, 1, 6); // 1 when a loaded machine makes the first trial slow
        Assert.All(result.Trials, t => Assert.True(t.IsFinished));
    }

    [Fact]
    public async Task Median_stopping_stops_trials_below_the_median()
    {
        using var dir = new TempDirectory();
        var evaluator = new SyntheticEvaluator { Steps = 5 };
        // Three good trials, then a weak one (stopped at step 2, the first after the grace period), then a strong one.
        var list = new[] { A(64), A(32, residual: true), A(64, TestOp.Conv5x5), A(8, TestOp.MaxPool), A(64, depth: 3) };
        var result = await RunList(dir.File("s.db"), list, evaluator, o => o with { MedianStopping = new MedianStoppingRule(GraceSteps: 2, MinFinishedTrials: 3) });
        Assert.Equal(new[] { (A(8, TestOp.MaxPool), 2) }, evaluator.StoppedAt);
        Assert.True(result.Trials[3].StoppedEarly);
        Assert.Equal(2, result.Trials[3].Intermediate.Count);
        Assert.False(result.Trials[4].StoppedEarly);
        Assert.Equal(5, result.Trials[4].Intermediate.Count);
    }

    [Fact]
    public async Task Pareto_front_of_the_run_uses_the_objectives()
    {
        using var dir = new TempDirectory();
        var evaluator = new SyntheticEvaluator();
        var list = new[] { A(8), A(16), A(16, TestOp.Skip), A(64, TestOp.Conv5x5, 3), A(64, TestOp.Conv3x3, 3, true) };
        var result = await RunList(dir.File("s.db"), list, evaluator, o => o with
        {
            Objectives = new[] { new Objective(Objective.Fitness, ObjectiveDirection.Maximize), new Objective("params", ObjectiveDirection.Minimize) },
        });
        // A(16, Skip) (score 43, 256 params) dominates A(8) (35, 576); A(64,3x3,3,res) dominates A(64,5x5,3).
        var front = result.ParetoFront.Select(t => t.Number).OrderBy(n => n).ToArray();
        Assert.Equal(new[] { 1, 2, 4 }, front);
    }

    [Fact]
    public async Task Trial_seeds_derive_from_the_experiment_seed_and_number()
    {
        Assert.Equal(Experiment<TestArch>.TrialSeed(11, 3), Experiment<TestArch>.TrialSeed(11, 3));
        Assert.NotEqual(Experiment<TestArch>.TrialSeed(11, 3), Experiment<TestArch>.TrialSeed(11, 4));
        Assert.NotEqual(Experiment<TestArch>.TrialSeed(11, 3), Experiment<TestArch>.TrialSeed(12, 3));
        using var dir = new TempDirectory();
        var result = await RunList(dir.File("s.db"), new[] { A(8), A(16) }, new SyntheticEvaluator());
        Assert.Equal(Experiment<TestArch>.TrialSeed(11, 1), result.Trials[1].Seed);
    }

    private static Experiment<TestArch> HillClimb(IExperimentStore store, SyntheticEvaluator evaluator, int trials, int concurrency = 1,
        IExperimentObserver? observer = null, string strategy = "hill-climb") =>
        new(Space, s => strategy == "hill-climb" ? new HillClimbStrategy(Space, s) : SearchStrategies.Create(strategy, Space, s), evaluator, store, new ExperimentOptions<TestArch>
        {
            Name = "hc", Seed = 5, MaxTrials = trials, Concurrency = concurrency, Observer = observer,
        });

    [Theory]
    [InlineData("hill-climb")]
    [InlineData("tpe")]
    [InlineData("tpe-multivariate")]
    public async Task Cancellation_leaves_running_trials_pending_and_resume_matches_an_uninterrupted_run(string strategy)
    {
        using var dir = new TempDirectory();
        ExperimentResult<TestArch> reference;
        await using (var store = SqliteExperimentStore.Open(dir.File("ref.db")))
            reference = await HillClimb(store, new SyntheticEvaluator(), 30, strategy: strategy).RunAsync();

        using var cts = new CancellationTokenSource();
        // Ctrl-C in the middle of the 8th evaluation.
        var evaluator = new SyntheticEvaluator { StepDelay = TimeSpan.FromMilliseconds(5), OnStart = n => { if (n == 8) cts.Cancel(); } };
        ExperimentResult<TestArch> stopped;
        await using (var store = SqliteExperimentStore.Open(dir.File("s.db")))
            stopped = await HillClimb(store, evaluator, 30, strategy: strategy).RunAsync(cts.Token);
        Assert.Equal(StopReason.Cancelled, stopped.StopReason);
        Assert.Contains(stopped.Trials, t => t.Status == TrialStatus.Pending);
        Assert.DoesNotContain(stopped.Trials, t => t.Status == TrialStatus.Running);

        ExperimentResult<TestArch> resumed;
        await using (var store = SqliteExperimentStore.Open(dir.File("s.db")))
            resumed = await HillClimb(store, new SyntheticEvaluator(), 30, strategy: strategy).RunAsync();
        Assert.Null(resumed.Resume.DivergedAt);
        Assert.True(resumed.Resume.RerunTrials >= 1);
        Assert.Equal(reference.Trials.Select(t => (t.Canonical, t.Fitness, t.Seed)), resumed.Trials.Select(t => (t.Canonical, t.Fitness, t.Seed)));
    }

    [Fact]
    public async Task A_resume_with_another_seed_or_evaluation_setting_is_refused_naming_it()
    {
        using var dir = new TempDirectory();
        var options = new ExperimentOptions<TestArch> { Name = "hc", Seed = 5, MaxTrials = 4, EvaluationSettings = new Dictionary<string, string> { ["epochs"] = "4" } };
        Experiment<TestArch> Run(IExperimentStore store, ExperimentOptions<TestArch> o) =>
            new(Space, s => new HillClimbStrategy(Space, s), new SyntheticEvaluator(), store, o);
        await using var store = SqliteExperimentStore.Open(dir.File("s.db"));
        await Run(store, options).RunAsync();

        var seed = await Assert.ThrowsAsync<StoreMismatchException>(() => Run(store, options with { Seed = 6 }).RunAsync());
        var epochs = await Assert.ThrowsAsync<StoreMismatchException>(() =>
            Run(store, options with { EvaluationSettings = new Dictionary<string, string> { ["epochs"] = "1" } }).RunAsync());
        var objectives = await Assert.ThrowsAsync<StoreMismatchException>(() =>
            Run(store, options with { Objectives = [new Objective("params", ObjectiveDirection.Minimize)] }).RunAsync());

        Assert.Contains("seed 5 (this run: 6)", seed.Message);
        Assert.Contains("epochs 4 (this run: 1)", epochs.Message);
        Assert.Contains("objectives", objectives.Message);
        Assert.Contains(dir.File("s.db"), seed.Message);
        // A bigger budget is not another setting: the run resumes and adds trials.
        var resumed = await Run(store, options with { MaxTrials = 6 }).RunAsync();
        Assert.Equal(6, resumed.Trials.Count);
    }

    [Fact]
    public async Task A_strategy_that_no_longer_replays_is_reported_and_the_run_continues()
    {
        using var dir = new TempDirectory();
        await using var store = SqliteExperimentStore.Open(dir.File("s.db"));
        await HillClimb(store, new SyntheticEvaluator(), 6).RunAsync();
        var messages = new Recorder();
        // Another seed in the factory: the fresh strategy proposes other architectures than the stored ones.
        var resumed = await new Experiment<TestArch>(Space, _ => new HillClimbStrategy(Space, 999), new SyntheticEvaluator(), store,
            new ExperimentOptions<TestArch> { Name = "hc", Seed = 5, MaxTrials = 10, Observer = messages }).RunAsync();
        Assert.NotNull(resumed.Resume.DivergedAt);
        Assert.Contains(messages.Messages, m => m.Contains("diverged", StringComparison.Ordinal));
        Assert.Equal(10, resumed.Trials.Count);
        Assert.All(resumed.Trials, t => Assert.True(t.IsFinished));
    }

    [Fact]
    public async Task Parallel_trials_all_finish_and_are_each_recorded_once()
    {
        using var dir = new TempDirectory();
        var evaluator = new SyntheticEvaluator { StepDelay = TimeSpan.FromMilliseconds(5) };
        await using var store = SqliteExperimentStore.Open(dir.File("s.db"));
        var result = await HillClimb(store, evaluator, 24, concurrency: 4).RunAsync();
        Assert.Equal(24, result.Trials.Count);
        Assert.All(result.Trials, t => Assert.True(t.IsFinished));
        Assert.Equal(Enumerable.Range(0, 24), result.Trials.Select(t => t.TellSequence!.Value).OrderBy(x => x));
        Assert.Equal(result.Trials.Count(t => t.ReusedFrom is null), evaluator.Calls);
    }

    internal sealed class Recorder : IExperimentObserver
    {
        public List<string> Messages { get; } = new();
        public List<ExperimentProgress> Progress { get; } = new();
        public void OnProgress(ExperimentProgress progress) => Progress.Add(progress);
        public void OnMessage(string message) => Messages.Add(message);
    }
}
