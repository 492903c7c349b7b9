using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using NasGen.CrashHarness;
using NasGen.Experiments;
using NasGen.Storage;
using NasGen.Strategies;
using Xunit.Abstractions;

namespace NasGen.Tests.Experiments;

/// <summary>The one-call entry point (<see cref="Search.SearchAsync{TArchitecture}(ISearchSpace{TArchitecture}, IEvaluator{TArchitecture}, string, int, string?, int, ObjectiveDirection, string?, IExperimentObserver?, System.Threading.CancellationToken)"/>) and minimisation.</summary>
public sealed class SearchTests(ITestOutputHelper output)
{
    private static readonly TestSpace Space = TestSpace.Default;

    // A known function with one minimum, at width 16, MaxPool, depth 1, no residual (value 1).
    private static double Loss(TestArch a) =>
        Math.Pow(Math.Log2(a.Width) - 4, 2) + a.Depth + (a.Op == TestOp.MaxPool ? 0 : 1.5) + (a.Residual ? 0.5 : 0);

    private static readonly TestArch Minimum = new(16, TestOp.MaxPool, 1, false);

    [Fact]
    public async Task One_call_searches_into_a_sqlite_file_and_returns_the_best_trial()
    {
        using var dir = new TempDirectory();
        string db = dir.File("runs.db");
        var result = await Space.SearchAsync(new SyntheticEvaluator(), strategy: "tpe", trials: 30, store: db, seed: 1);

        Assert.Equal(30, result.Trials.Count);
        Assert.All(result.Trials, t => Assert.True(t.IsFinished));
        Assert.Equal(StopReason.TrialBudget, result.StopReason);
        Assert.Equal(result.Trials.Where(t => t.Status == TrialStatus.Completed).Max(t => t.Fitness), result.Best!.Fitness);
        Assert.Equal(Space.FromJson(result.Best.ArchitectureJson), result.BestArchitecture);
        Assert.Equal("TestSpace-tpe", result.Experiment.Config.Name);
        Assert.Equal("tpe", result.Experiment.Config.StrategyName);

        // What was recorded is in the file, for nasgen and the dashboard.
        await using var reader = await ExperimentStores.OpenReadOnlyAsync(db);
        var stored = await reader.FindExperimentAsync("TestSpace-tpe");
        Assert.NotNull(stored);
        Assert.Equal(result.Trials.Select(t => t.Canonical), (await reader.GetTrialsAsync(stored.Id)).Select(t => t.Canonical));
    }

    [Fact]
    public async Task Running_the_same_call_again_with_a_bigger_budget_continues_the_search()
    {
        using var dir = new TempDirectory();
        var first = await Space.SearchAsync(TestSpace.Score, strategy: "evolution", trials: 12, store: dir.File("a.db"), seed: 3);
        var resumed = await Space.SearchAsync(TestSpace.Score, strategy: "evolution", trials: 30, store: dir.File("a.db"), seed: 3);
        var straight = await Space.SearchAsync(TestSpace.Score, strategy: "evolution", trials: 30, store: dir.File("b.db"), seed: 3);

        Assert.Equal(12, first.Trials.Count);
        Assert.Equal(12, resumed.Resume.ReplayedTrials);
        Assert.Null(resumed.Resume.DivergedAt);
        Assert.Equal(first.Trials.Select(t => (t.Canonical, t.Fitness)), resumed.Trials.Take(12).Select(t => (t.Canonical, t.Fitness)));
        // Stopped and resumed is the same search as one uninterrupted run.
        Assert.Equal(straight.Trials.Select(t => (t.Canonical, t.Fitness, t.Seed)), resumed.Trials.Select(t => (t.Canonical, t.Fitness, t.Seed)));
    }

    [Theory]
    [InlineData("sh")]
    [InlineData("tpe")]
    public async Task The_same_call_on_a_postgresql_store_records_the_same_trials_as_on_sqlite(string strategy)
    {
        if (PostgresServer.ConnectionString(output) is not { } server) return;
        string cs = await PostgresServer.FreshSchemaAsync(server);
        using var dir = new TempDirectory();
        var onSqlite = await Space.SearchAsync(new SyntheticEvaluator(), strategy: strategy, trials: 30, store: dir.File("s.db"), seed: 6);
        // The worker loop (claims with leases, proposals under the experiment's lock, catch-up before each ask) with one worker.
        var onPostgres = await Space.SearchAsync(new SyntheticEvaluator(), strategy: strategy, trials: 30, store: "postgresql:" + cs, seed: 6);

        Assert.NotEmpty(onSqlite.Trials);
        Assert.Equal(onSqlite.Trials.Select(t => (t.Canonical, t.Fidelity, t.Fitness, t.Seed, t.Status)),
            onPostgres.Trials.Select(t => (t.Canonical, t.Fidelity, t.Fitness, t.Seed, t.Status)));
        Assert.Equal(onSqlite.StopReason, onPostgres.StopReason);
    }

    [Fact]
    public async Task An_unknown_strategy_is_refused_before_any_store_is_created()
    {
        using var dir = new TempDirectory();
        var error = await Assert.ThrowsAsync<ArgumentException>(() => Space.SearchAsync(TestSpace.Score, strategy: "nosuch", trials: 5, store: dir.File("x.db")));
        Assert.Contains("Unknown strategy 'nosuch'", error.Message);
        Assert.False(File.Exists(dir.File("x.db")));
    }

    [Fact]
    public async Task Without_a_store_the_search_runs_and_returns_its_trials()
    {
        var result = await Space.SearchAsync(TestSpace.Score, strategy: "random", trials: 8, seed: 2);
        Assert.Equal(8, result.Trials.Count);
        Assert.NotNull(result.BestArchitecture);
    }

    [Fact]
    public async Task A_minimised_search_finds_the_minimum_of_a_known_function_and_stores_the_loss_as_returned()
    {
        using var dir = new TempDirectory();
        string db = dir.File("min.db");
        var result = await Space.SearchAsync(Loss, strategy: "tpe", trials: 60, store: db, seed: 4, direction: ObjectiveDirection.Minimize);

        Assert.Equal(Minimum, result.BestArchitecture);
        Assert.Equal(1.0, result.Best!.Fitness);
        // Stored as returned, not negated.
        Assert.All(result.Trials.Where(t => t.Status == TrialStatus.Completed), t => Assert.Equal(Loss(Space.FromJson(t.ArchitectureJson)), t.Fitness));
        // The strategy was told to go down: after its random start-up trials, TPE proposes lower losses.
        double Median(IEnumerable<double> values) { var v = values.OrderBy(x => x).ToArray(); return v[v.Length / 2]; }
        Assert.True(Median(result.Trials.Skip(40).Select(t => t.Fitness!.Value)) < Median(result.Trials.Take(10).Select(t => t.Fitness!.Value)));
        Assert.Equal(ObjectiveDirection.Minimize, FitnessDirection.Of(result.Experiment.Config));
        // Readers rank by the recorded direction.
        await using var reader = await ExperimentStores.OpenReadOnlyAsync(db);
        var stored = (await reader.FindExperimentAsync("TestSpace-tpe"))!;
        Assert.Equal(ObjectiveDirection.Minimize, FitnessDirection.Of(stored.Config));
        Assert.Equal(result.Best.Number, (await reader.GetTrialsAsync(stored.Id)).Ranked(ObjectiveDirection.Minimize).First().Number);
    }

    [Fact]
    public async Task The_full_form_minimises_too_and_median_stopping_stops_trials_above_the_median()
    {
        using var dir = new TempDirectory();
        await using var store = SqliteExperimentStore.Open(dir.File("s.db"));
        var evaluator = new SyntheticEvaluator();
        var options = new ExperimentOptions<TestArch>
        {
            Name = "loss", Seed = 2, MaxTrials = 24, Direction = ObjectiveDirection.Minimize,
            MedianStopping = new MedianStoppingRule(GraceSteps: 2, MinFinishedTrials: 3),
        };
        var result = await new Experiment<TestArch>(Space, s => new RandomSearch<TestArch>(Space, s), evaluator, store, options).RunAsync();

        var completed = result.Trials.Where(t => t.Status == TrialStatus.Completed).ToArray();
        Assert.Equal(completed.Min(t => t.Fitness), result.Best!.Fitness);
        // The synthetic curves rise, so a minimised search stops the trials whose curve is high: large scores.
        Assert.NotEmpty(evaluator.StoppedAt);
        var stopped = completed.Where(t => t.StoppedEarly).ToArray();
        var ran = completed.Where(t => !t.StoppedEarly && t.Number >= 4).ToArray();
        Assert.True(stopped.Average(t => TestSpace.Score(Space.FromJson(t.ArchitectureJson))) > ran.Average(t => TestSpace.Score(Space.FromJson(t.ArchitectureJson))));
    }

    [Fact]
    public async Task A_resume_with_the_other_direction_is_refused_naming_it()
    {
        using var dir = new TempDirectory();
        await using var store = SqliteExperimentStore.Open(dir.File("s.db"));
        Experiment<TestArch> Run(ObjectiveDirection direction) => new(Space, s => new RandomSearch<TestArch>(Space, s), new SyntheticEvaluator(), store,
            new ExperimentOptions<TestArch> { Name = "d", Seed = 1, MaxTrials = 4, Direction = direction });
        var first = await Run(ObjectiveDirection.Maximize).RunAsync();

        var refused = await Assert.ThrowsAsync<StoreMismatchException>(() => Run(ObjectiveDirection.Minimize).RunAsync());
        Assert.Contains("direction Maximize (this run: Minimize)", refused.Message);
        Assert.Equal(4, (await store.GetTrialsAsync(first.Experiment.Id)).Count); // nothing was added or changed
    }
}
