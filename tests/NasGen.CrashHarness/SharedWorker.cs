using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using NasGen.Evaluation;
using NasGen.Experiments;
using NasGen.Storage;

namespace NasGen.CrashHarness;

/// <summary>A worker of the distributed tests and benchmark: a hill climb over <see cref="TestSpace"/> scored by a tabular benchmark.</summary>
public static class SharedWorker
{
    /// <summary>The experiment's name in the store.</summary>
    public const string ExperimentName = "shared";

    /// <summary>Writes a benchmark table for every architecture of <see cref="TestSpace.Default"/>: key = canonical string, <c>acc</c> = score.</summary>
    public static void WriteTable(string path)
    {
        var space = TestSpace.Default;
        var lines = new List<string> { "arch,acc,train_s" };
        foreach (var a in space.Enumerate())
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"\"{space.ToCanonicalString(a)}\",{TestSpace.Score(a):R},{a.Width * 0.1:R}"));
        // Workers starting together may all write it: each writes its own file and moves it into place.
        string temporary = path + "." + Environment.ProcessId + ".tmp";
        File.WriteAllLines(temporary, lines);
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>The evaluator every worker uses: the table, plus a fixed delay per trial that stands in for training.</summary>
    public static IEvaluator<TestArch> Evaluator(string table, TimeSpan delay) =>
        new Delayed(new TabularEvaluator<TestArch>(table, new TabularColumns { Key = "arch", Fitness = "acc", Cost = "train_s" },
            a => TestSpace.Default.ToCanonicalString(a)), delay);

    /// <summary>The options shared by every worker (only the worker name differs).</summary>
    public static ExperimentOptions<TestArch> Options(string worker, int seed, int trials, IExperimentObserver? observer) => new()
    {
        Name = ExperimentName,
        Seed = seed,
        MaxTrials = trials,
        Deduplicate = false, // every trial is evaluated, so that lost or repeated evaluations show in the counts
        Worker = worker,
        Observer = observer,
        StoreOutageTolerance = TimeSpan.FromSeconds(60),
        PollInterval = TimeSpan.FromMilliseconds(100),
    };

    /// <summary>Runs one worker until the experiment is done; prints <c>finished N</c> lines and a final <c>evaluated N</c>.</summary>
    public static async Task<int> RunAsync(string worker, string table, int seed, int trials, TimeSpan delay, TimeSpan lease)
    {
        string location = Environment.GetEnvironmentVariable(ExperimentStores.EnvironmentVariable)
            ?? throw new InvalidOperationException($"{ExperimentStores.EnvironmentVariable} is not set.");
        if (!ExperimentStores.TryGetPostgres(location, out string? connectionString))
            throw new InvalidOperationException($"{ExperimentStores.EnvironmentVariable} does not name a PostgreSQL server.");
        if (!File.Exists(table)) WriteTable(table);
        await using var store = await PostgresExperimentStore.OpenAsync(connectionString, lease);
        var evaluator = (Delayed)Evaluator(table, delay);
        var clock = Stopwatch.StartNew();
        var experiment = new Experiment<TestArch>(TestSpace.Default, s => new HillClimbStrategy(TestSpace.Default, s), evaluator, store,
            Options(worker, seed, trials, new ProgressLines()));
        var result = await experiment.RunAsync();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"evaluated {evaluator.Calls} in {clock.Elapsed.TotalSeconds:0.000} s; stop: {result.StopReason}; trials {result.Trials.Count}"));
        return 0;
    }

    private sealed class Delayed(IEvaluator<TestArch> inner, TimeSpan delay) : IEvaluator<TestArch>
    {
        private int _calls;

        public int Calls => Volatile.Read(ref _calls);

        public async Task<EvaluationResult> EvaluateAsync(TestArch architecture, EvaluationContext context, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _calls);
            if (delay > TimeSpan.Zero) await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            return await inner.EvaluateAsync(architecture, context, cancellationToken).ConfigureAwait(false);
        }
    }
}
