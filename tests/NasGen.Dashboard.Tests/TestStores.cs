using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading.Tasks;
using NasGen.CrashHarness;
using NasGen.Evaluation;
using NasGen.Experiments;
using NasGen.Storage;
using NasGen.Tests.Experiments;

namespace NasGen.Dashboard.Tests;

/// <summary>Real experiments over the test space, written into real SQLite stores.</summary>
internal static class TestStores
{
    public static readonly Objective[] Objectives = { new(Objective.Fitness, ObjectiveDirection.Maximize), new("params", ObjectiveDirection.Minimize) };

    private static string Key(TestArch a) => string.Create(CultureInfo.InvariantCulture, $"{a.Width}-{a.Op}-{a.Depth}-{a.Residual}");

    /// <summary>
    /// A benchmark table of every architecture of <see cref="TestSpace.Default"/>: fitness is the space's known score,
    /// plus its parameter count (a second objective).
    /// </summary>
    public static TabularEvaluator<TestArch> Table(TempDirectory dir)
    {
        string path = dir.File("table.csv");
        var csv = new StringBuilder("arch,acc,params\n");
        foreach (var a in TestSpace.Default.Enumerate())
            csv.Append(CultureInfo.InvariantCulture, $"{Key(a)},{TestSpace.Score(a)},{TestSpace.Parameters(a)}\n");
        File.WriteAllText(path, csv.ToString());
        return new TabularEvaluator<TestArch>(path, new TabularColumns { Key = "arch", Fitness = "acc", Objectives = new[] { "params" } }, Key);
    }

    /// <summary>Runs (or resumes) experiment <paramref name="name"/> through the architectures of <paramref name="list"/>.</summary>
    public static Task<ExperimentResult<TestArch>> RunList(IExperimentStore store, IEvaluator<TestArch> evaluator, string name, IEnumerable<TestArch> list) =>
        new Experiment<TestArch>(TestSpace.Default, _ => new ListStrategy(list), evaluator, store,
            new ExperimentOptions<TestArch> { Name = name, Seed = 1, Objectives = Objectives }).RunAsync();

    /// <summary>A new store file <paramref name="file"/> holding experiment <paramref name="name"/> over the table's architectures <paramref name="list"/>.</summary>
    public static async Task<string> ListStore(TempDirectory dir, string file, string name, IEnumerable<TestArch> list)
    {
        string path = dir.File(file);
        await using var store = SqliteExperimentStore.Open(path);
        await RunList(store, Table(dir), name, list);
        return path;
    }

    /// <summary>Runs a hill climb of <paramref name="trials"/> asks (repeats are deduplicated, so some trials are reused).</summary>
    public static Task<ExperimentResult<TestArch>> RunHillClimb(IExperimentStore store, IEvaluator<TestArch> evaluator, string name, int trials, int seed = 3) =>
        new Experiment<TestArch>(TestSpace.Default, s => new HillClimbStrategy(TestSpace.Default, s), evaluator, store,
            new ExperimentOptions<TestArch> { Name = name, Seed = seed, MaxTrials = trials, Objectives = Objectives }).RunAsync();

    /// <summary>Every trial of experiment <paramref name="name"/>, read back through a read-only open of the file.</summary>
    public static async Task<(StoredExperiment Experiment, IReadOnlyList<TrialRecord> Trials)> Read(string path, string name)
    {
        await using var store = SqliteExperimentStore.OpenReadOnly(path);
        var experiment = (await store.ListExperimentsAsync()).Single(e => e.Config.Name == name);
        return (experiment, await store.GetTrialsAsync(experiment.Id));
    }
}
