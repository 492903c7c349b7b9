using System;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using NasGen.Evaluation;
using NasGen.Experiments;
using NasGen.Storage;
using NasGen.Strategies;

namespace NasGen.Bench201.Tests;

public sealed class BenchmarkCommandTests
{
    [Nb201Fact]
    public void Tiny_benchmark_runs_every_strategy_and_writes_the_tables_and_plot()
    {
        string dir = Path.Combine(Path.GetTempPath(), $"nb201-bench-{Guid.NewGuid():N}");
        try
        {
            var options = BenchmarkOptions.Parse(["--seeds", "2", "--queries", "12", "--mo-queries", "15", "--objectives", "flops_m", "--out", dir]);
            string md = Benchmark.Run(options, TextWriter.Null);
            foreach (string s in BenchmarkRunner.DefaultStrategies)
                Assert.Contains($"| {s} |", md);
            Assert.Contains("## Multi-objective: `cifar10_valid_acc_12ep` ↑ against `flops_m` ↓", md);
            Assert.True(File.Exists(Path.Combine(dir, "results.md")));
            Assert.True(new FileInfo(Path.Combine(dir, "regret.png")).Length > 1000);
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }

    [Nb201Fact]
    public void A_simulated_time_budget_stops_before_the_query_that_would_pass_it()
    {
        var table = new BenchmarkTable(Nb201Data.Path, "arch", "cifar10_valid_acc_12ep", "cifar10_test_acc", "cifar10valid_train_time_s", []);
        var run = BenchmarkRunner.RunSingle(table, "random", 3, new Budget(1000, Seconds: 12000, CostScale: 0.06));
        Assert.InRange(run.SimulatedSeconds, 1, 12000);
        Assert.InRange(run.Queries, 50, 200); // about 110 s per 12-epoch query
    }

    [Nb201Fact]
    public void Same_seed_gives_the_same_run()
    {
        var table = new BenchmarkTable(Nb201Data.Path, "arch", "cifar10_valid_acc_12ep", "cifar10_test_acc", null, []);
        var a = BenchmarkRunner.RunSingle(table, "rea", 5, new Budget(40));
        var b = BenchmarkRunner.RunSingle(table, "rea", 5, new Budget(40));
        Assert.Equal(a.ChosenGridIndex, b.ChosenGridIndex);
        Assert.Equal(a.ReportCurve, b.ReportCurve);
    }

    [Fact]
    public void Bad_options_get_clear_errors()
    {
        Assert.Contains("Unknown option '--budget'", Assert.Throws<ArgumentException>(() => BenchmarkOptions.Parse(["--budget", "3"])).Message);
        Assert.Contains("--seconds needs --cost", Assert.Throws<ArgumentException>(() => BenchmarkOptions.Parse(["--seconds", "100"])).Message);
        Assert.Contains("Unknown strategy 'anneal'", Assert.Throws<ArgumentException>(() => BenchmarkOptions.Parse(["--strategies", "random,anneal"])).Message);
        Assert.Contains("positive integer", Assert.Throws<ArgumentException>(() => BenchmarkOptions.Parse(["--seeds", "x"])).Message);
    }

    /// <summary>
    /// A multi-objective search through the whole stack: Experiment with two objectives tells epsilon-constraint the
    /// table's fitness and FLOPs, the result's front is the table's, and a second run resumes from the store.
    /// </summary>
    [Nb201Fact]
    public async Task Epsilon_constraint_searches_fitness_against_flops_through_the_experiment_and_resumes()
    {
        string db = Path.Combine(Path.GetTempPath(), $"nb201-mo-{Guid.NewGuid():N}.db");
        try
        {
            var columns = new TabularColumns { Key = "arch", Fitness = "cifar10_valid_acc_12ep", Report = "cifar10_test_acc", Objectives = ["flops_m"] };
            var evaluator = new TabularEvaluator<Nb201Cell.Architecture>(Nb201Data.Path, columns, Nb201Arch.ToArchString);
            ExperimentOptions<Nb201Cell.Architecture> Options(int trials) => new()
            {
                Name = "nb201-mo",
                Seed = 2,
                MaxTrials = trials,
                Objectives = [new Objective(Objective.Fitness, ObjectiveDirection.Maximize), new Objective("flops_m", ObjectiveDirection.Minimize)],
            };
            ExperimentResult<Nb201Cell.Architecture> result;
            await using (var store = SqliteExperimentStore.Open(db))
                result = await new Experiment<Nb201Cell.Architecture>(Nb201Cell.Space, seed => SearchStrategies.Create("epsilon-constraint", Nb201Cell.Space, seed),
                    evaluator, store, Options(30)).RunAsync();
            Assert.Equal(30, result.Trials.Count);
            AssertFrontIsTheTables(result);

            EpsilonConstraintSearch<Nb201Cell.Architecture>? resumed = null;
            await using (var store = SqliteExperimentStore.Open(db))
                result = await new Experiment<Nb201Cell.Architecture>(Nb201Cell.Space, seed => resumed = new(Nb201Cell.Space, null, seed),
                    evaluator, store, Options(45)).RunAsync();
            Assert.Equal(45, result.Trials.Count);
            // The strategy was told both objectives of all 45 (the first 30 replayed from the store): it drew a FLOPs
            // bound, and its own front is the experiment's, as (fitness, −FLOPs).
            Assert.Single(resumed!.LastBounds);
            Assert.Equal(
                result.ParetoFront.Select(t => (t.Fitness!.Value, -t.Metrics["flops_m"])).OrderBy(p => p),
                resumed.ParetoSet.Select(p => (p.Objectives[0], p.Objectives[1])).OrderBy(p => p));
            Assert.Equal(45, result.Trials.Select(t => t.Canonical).Distinct().Count()); // the resumed strategy knew the first 30
            AssertFrontIsTheTables(result);

            void AssertFrontIsTheTables(ExperimentResult<Nb201Cell.Architecture> r)
            {
                var points = r.Trials.Select(t => (Fitness: t.Fitness!.Value, Flops: t.Metrics["flops_m"])).ToList();
                var front = r.ParetoFront.Select(t => (Fitness: t.Fitness!.Value, Flops: t.Metrics["flops_m"])).ToList();
                Assert.True(front.Count >= 2, "a trade-off between fitness and FLOPs");
                foreach (var p in points)
                {
                    bool dominated = points.Any(q => q.Fitness >= p.Fitness && q.Flops <= p.Flops && (q.Fitness > p.Fitness || q.Flops < p.Flops));
                    Assert.Equal(!dominated, front.Contains(p));
                }
                foreach (var t in r.ParetoFront)
                {
                    var row = evaluator.Lookup(Nb201Cell.Space.FromJson(t.ArchitectureJson));
                    Assert.Equal(row.Fitness, t.Fitness);
                    Assert.Equal(row.Metrics["flops_m"], t.Metrics["flops_m"]);
                }
            }
        }
        finally
        {
            foreach (string f in Directory.GetFiles(Path.GetTempPath(), Path.GetFileName(db) + "*")) File.Delete(f);
        }
    }

    /// <summary>The smoke check of the full stack: Experiment + SQLite store + TabularEvaluator on the real table.</summary>
    [Nb201Fact]
    public async Task Experiment_with_the_tabular_evaluator_finds_what_the_table_says()
    {
        string db = Path.Combine(Path.GetTempPath(), $"nb201-{Guid.NewGuid():N}.db");
        try
        {
            var columns = new TabularColumns { Key = "arch", Fitness = "cifar10_valid_acc_12ep", Report = "cifar10_test_acc", Cost = "cifar10valid_train_time_s", Objectives = ["flops_m"] };
            var evaluator = new TabularEvaluator<Nb201Cell.Architecture>(Nb201Data.Path, columns, Nb201Arch.ToArchString);
            await using var store = SqliteExperimentStore.Open(db);
            var result = await new Experiment<Nb201Cell.Architecture>(Nb201Cell.Space, seed => SearchStrategies.Create("evolution", Nb201Cell.Space, seed),
                evaluator, store, new ExperimentOptions<Nb201Cell.Architecture> { Name = "nb201-smoke", Seed = 1, MaxTrials = 20 }).RunAsync();
            Assert.Equal(20, result.Trials.Count);
            var best = result.BestArchitecture!.Value;
            var row = evaluator.Lookup(best);
            Assert.Equal(row.Fitness, result.Best!.Fitness);
            Assert.Equal(row.Metrics["cifar10_test_acc"], result.Best.Metrics["cifar10_test_acc"]);
            Assert.Equal(result.Trials.Max(t => t.Fitness), result.Best.Fitness);
            Assert.True(evaluator.SimulatedCost > TimeSpan.Zero);
        }
        finally
        {
            foreach (string f in Directory.GetFiles(Path.GetTempPath(), Path.GetFileName(db) + "*")) File.Delete(f);
        }
    }
}
