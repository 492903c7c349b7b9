using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Threading.Tasks;
using NasGen.Cli;
using NasGen.CrashHarness;
using NasGen.Experiments;
using NasGen.Storage;
using NasGen.Tests.Experiments;
using Xunit.Abstractions;

namespace NasGen.Tests.Cli;

/// <summary>
/// The nasgen command run in-process against stores written by real (synthetic-evaluator) experiments: what the
/// tables and the JSON say, the files written, and the errors for missing, corrupt or wrong inputs.
/// </summary>
public sealed class NasGenCommandTests(ITestOutputHelper testOutput) : IDisposable
{
    private static readonly Objective[] Objectives =
        { new(Objective.Fitness, ObjectiveDirection.Maximize), new("params", ObjectiveDirection.Minimize) };

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>Runs a hill climb of <paramref name="trials"/> trials (Skip architectures fail) into a store; returns its path and result.</summary>
    private async Task<(string Path, ExperimentResult<TestArch> Result)> StoreWith(string file, string name, int seed, int trials, params string[] moreExperiments)
    {
        string path = _dir.File(file);
        var space = TestSpace.Default;
        ExperimentResult<TestArch>? result = null;
        await using var store = SqliteExperimentStore.Open(path);
        foreach (string experiment in moreExperiments.Prepend(name))
        {
            var run = await new Experiment<TestArch>(space, s => new HillClimbStrategy(space, s),
                new SyntheticEvaluator { Throws = a => a.Op == TestOp.Skip && a.Depth == 2 }, store,
                new ExperimentOptions<TestArch> { Name = experiment, Seed = seed, MaxTrials = trials, Objectives = Objectives }).RunAsync();
            result ??= run;
        }
        return (path, result!);
    }

    private static async Task<(int Exit, string Output, string Error)> Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int exit = await NasGenCommand.RunAsync(args, output, error);
        return (exit, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task List_shows_every_experiment_with_counts_and_best_fitness()
    {
        var (path, result) = await StoreWith("s.db", "first", seed: 1, trials: 12, "second");

        var (exit, output, error) = await Run("list", path);

        Assert.Equal(0, exit);
        Assert.Equal("", error);
        Assert.Contains(path, output);
        Assert.Contains("first", output);
        Assert.Contains("second", output);
        Assert.Contains("hill-climb", output);
        Assert.Contains(NasGenCommand.Number(result.Best!.Fitness), output);
    }

    [Fact]
    public async Task List_json_has_one_entry_per_experiment_with_its_counts()
    {
        var (path, result) = await StoreWith("s.db", "first", seed: 1, trials: 12, "second");

        var (exit, output, _) = await Run("list", path, "--json");

        Assert.Equal(0, exit);
        using var json = JsonDocument.Parse(output);
        var experiments = json.RootElement.GetProperty("experiments").EnumerateArray().ToArray();
        Assert.Equal(new[] { "first", "second" }, experiments.Select(e => e.GetProperty("name").GetString()));
        var first = experiments[0];
        Assert.Equal(12, first.GetProperty("trials").GetInt32());
        Assert.Equal(result.Trials.Count(t => t.Status == TrialStatus.Completed), first.GetProperty("completed").GetInt32());
        Assert.Equal(result.Trials.Count(t => t.Status == TrialStatus.Failed), first.GetProperty("failed").GetInt32());
        Assert.Equal(result.Best!.Number, first.GetProperty("bestTrial").GetInt32());
        Assert.Equal(result.Best.Fitness!.Value, first.GetProperty("bestFitness").GetDouble());
        Assert.Equal(TestSpace.Default.Fingerprint, first.GetProperty("fingerprint").GetString());
    }

    [Fact]
    public async Task Status_shows_configuration_progress_best_trial_and_failures()
    {
        var (path, result) = await StoreWith("s.db", "search", seed: 4, trials: 30);
        Assert.Contains(result.Trials, t => t.Status == TrialStatus.Failed); // the fixture makes some fail

        var (exit, output, _) = await Run("status", path);

        Assert.Equal(0, exit);
        Assert.Contains("Experiment 'search'", output);
        Assert.Contains($"fingerprint {TestSpace.Default.Fingerprint}", output);
        Assert.Contains($"30 ({result.Trials.Count(t => t.Status == TrialStatus.Completed)} completed, {result.Trials.Count(t => t.Status == TrialStatus.Failed)} failed, 0 unfinished)", output);
        Assert.Contains($"{result.Best!.Number}: fitness {NasGenCommand.Number(result.Best.Fitness)}", output);
        Assert.Contains(result.Best.Canonical, output);
        Assert.Contains("Failures", output);
        Assert.Contains("synthetic failure of", output);
    }

    [Fact]
    public async Task A_minimised_experiment_is_ranked_lowest_first_by_top_status_and_export()
    {
        string path = _dir.File("loss.db");
        var result = await TestSpace.Default.SearchAsync(a => 100 - TestSpace.Score(a), strategy: "random", trials: 20, store: path, seed: 5,
            direction: ObjectiveDirection.Minimize, name: "loss");
        var expected = result.Trials.Ranked(ObjectiveDirection.Minimize).Take(3).ToArray();
        Assert.Equal(result.Trials.Where(t => t.Status == TrialStatus.Completed).Min(t => t.Fitness), expected[0].Fitness);

        var (exit, output, _) = await Run("top", path, "-k", "3", "--json");
        var (statusExit, status, _) = await Run("status", path);
        var (exportExit, exported, _) = await Run("export", path);

        Assert.Equal((0, 0, 0), (exit, statusExit, exportExit));
        using var json = JsonDocument.Parse(output);
        Assert.Equal(expected.Select(t => t.Number), json.RootElement.GetProperty("trials").EnumerateArray().Select(t => t.GetProperty("number").GetInt32()));
        Assert.Contains($"{expected[0].Number}: fitness {NasGenCommand.Number(expected[0].Fitness)} (minimised)", status);
        Assert.Equal(result.BestArchitecture, TestSpace.Default.FromJson(exported));
    }

    [Fact]
    public async Task Top_and_export_read_a_real_PostgreSQL_store_as_they_read_a_SQLite_file()
    {
        if (PostgresServer.ConnectionString(testOutput) is not { } server) return;
        string cs = await PostgresServer.FreshSchemaAsync(server);
        var space = TestSpace.Default;
        ExperimentResult<TestArch> result;
        await using (var store = await PostgresExperimentStore.OpenAsync(cs))
            result = await new Experiment<TestArch>(space, s => new HillClimbStrategy(space, s), new SyntheticEvaluator(), store,
                new ExperimentOptions<TestArch> { Name = "search", Seed = 2, MaxTrials = 12, Objectives = Objectives }).RunAsync();
        var expected = result.Trials.Where(t => t.Status == TrialStatus.Completed && t.ReusedFrom is null)
            .OrderByDescending(t => t.Fitness).ThenBy(t => t.Number).Take(3).ToArray();

        // The connection string without its password (the pass file has it), through the path SQLite files take.
        var (exit, output, error) = await Run("top", "postgresql:" + cs, "-k", "3", "--json");
        var (exportExit, exported, _) = await Run("export", "postgresql:" + cs);

        Assert.Equal((0, ""), (exit, error));
        using var json = JsonDocument.Parse(output);
        Assert.Equal(expected.Select(t => t.Number), json.RootElement.GetProperty("trials").EnumerateArray().Select(t => t.GetProperty("number").GetInt32()));
        Assert.Equal(0, exportExit);
        Assert.Equal(result.BestArchitecture, space.FromJson(exported));
    }

    [Fact]
    public async Task Top_lists_the_k_best_completed_trials_in_order()
    {
        var (path, result) = await StoreWith("s.db", "search", seed: 2, trials: 20);
        var expected = result.Trials.Where(t => t.Status == TrialStatus.Completed && t.ReusedFrom is null)
            .OrderByDescending(t => t.Fitness).ThenBy(t => t.Number).Take(3).ToArray();

        var (exit, output, _) = await Run("top", path, "-k", "3", "--json");
        var (tableExit, table, _) = await Run("top", path, "-k", "3");

        Assert.Equal(0, exit);
        using var json = JsonDocument.Parse(output);
        var trials = json.RootElement.GetProperty("trials").EnumerateArray().ToArray();
        Assert.Equal(expected.Select(t => t.Number), trials.Select(t => t.GetProperty("number").GetInt32()));
        Assert.Equal(expected[0].Canonical, trials[0].GetProperty("canonical").GetString());
        Assert.Equal(TestSpace.Default.Name, trials[0].GetProperty("architecture").GetProperty("$space").GetString());
        Assert.True(trials[0].GetProperty("metrics").TryGetProperty("params", out _));

        Assert.Equal(0, tableExit);
        Assert.Contains("Top 3 of experiment 'search'", table);
        int first = table.IndexOf(expected[0].Canonical, StringComparison.Ordinal);
        int second = table.IndexOf(expected[1].Canonical, StringComparison.Ordinal);
        Assert.True(first >= 0 && second > first, table);
    }

    [Fact]
    public async Task Pareto_uses_the_stored_objectives_and_matches_the_runner_front()
    {
        var (path, result) = await StoreWith("s.db", "search", seed: 3, trials: 25);

        var (exit, output, _) = await Run("pareto", path, "--json");
        var (tableExit, table, _) = await Run("pareto", path, "--objectives", "fitness:max", "params:min");

        Assert.Equal(0, exit);
        using var json = JsonDocument.Parse(output);
        Assert.Equal(new[] { "fitness", "params" }, json.RootElement.GetProperty("objectives").EnumerateArray().Select(o => o.GetProperty("metric").GetString()));
        var front = json.RootElement.GetProperty("front").EnumerateArray().Select(f => f.GetProperty("trial").GetProperty("number").GetInt32()).ToArray();
        // One row per evaluated architecture: trials that reused another's result (dedup) are left out, as in `top`.
        var expected = result.ParetoFront.Where(t => t.ReusedFrom is null).Select(t => t.Number).OrderBy(n => n).ToArray();
        Assert.NotEmpty(expected);
        Assert.Equal(expected, front.OrderBy(n => n));

        Assert.Equal(0, tableExit);
        Assert.Contains("fitness (max)", table);
        Assert.Contains("params (min)", table);
        Assert.Contains($"{expected.Length} of", table);
    }

    [Fact]
    public async Task Export_writes_the_trial_architecture_that_the_space_reads_back()
    {
        var (path, result) = await StoreWith("s.db", "search", seed: 5, trials: 10);
        var trial = result.Trials[4];
        string file = _dir.File("out/trial4.arch.json");

        var (exit, output, _) = await Run("export", path, "--trial", "4", "--out", file);

        Assert.Equal(0, exit);
        Assert.Contains($"wrote trial 4 of 'search' ({trial.Canonical})", output);
        var architecture = TestSpace.Default.FromJson(File.ReadAllText(file));
        Assert.Equal(trial.Canonical, TestSpace.Default.ToCanonicalString(architecture));

        var (bestExit, bestJson, _) = await Run("export", path);
        Assert.Equal(0, bestExit);
        Assert.Equal(result.BestArchitecture, TestSpace.Default.FromJson(bestJson));
    }

    [Fact]
    public async Task Export_copies_a_trials_kept_weights_and_says_when_they_were_not_kept()
    {
        var (path, _) = await StoreWith("s.db", "search", seed: 5, trials: 6);
        var keep = new NasGen.Evaluation.KeepBestWeights(Path.Combine(Path.GetDirectoryName(path)!, "weights"), Count: 1);
        Directory.CreateDirectory(keep.Directory);
        using (var layer = TorchSharp.torch.nn.Linear(3, 2)) layer.save(keep.PathOf(4));
        string copy = _dir.File("app/trial4.weights");

        var (exit, output, _) = await Run("export", path, "--trial", "4", "--out", _dir.File("app/trial4.arch.json"), "--weights", copy);

        Assert.Equal(0, exit);
        Assert.Contains($"wrote the weights of trial 4 to {copy}", output);
        Assert.Equal(File.ReadAllBytes(keep.PathOf(4)), File.ReadAllBytes(copy));

        var (missingExit, _, error) = await Run("export", path, "--trial", "3", "--weights", _dir.File("app/trial3.weights"));
        Assert.Equal(NasGenCommand.Failure, missingExit);
        Assert.Contains("the weights of trial 3 were not kept", error);
        Assert.Contains("--keep-weights", error);
        Assert.False(File.Exists(_dir.File("app/trial3.weights")));
    }

    [Fact]
    public async Task Plot_writes_the_png_files()
    {
        var (path, _) = await StoreWith("s.db", "search", seed: 6, trials: 10);
        string folder = _dir.File("plots");

        var (exit, output, _) = await Run("plot", path, "--out", folder, "--json");

        Assert.Equal(0, exit);
        using var json = JsonDocument.Parse(output);
        var files = json.RootElement.GetProperty("files").EnumerateArray().Select(f => Path.GetFileName(f.GetString()!)).ToArray();
        Assert.Equal(new[] { "best-so-far.png", "trials.png", "pareto-front.png" }, files);
        foreach (string f in files)
            Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, File.ReadAllBytes(Path.Combine(folder, f)).Take(4));
    }

    [Fact]
    public async Task Compare_puts_two_experiments_side_by_side()
    {
        var (a, resultA) = await StoreWith("a.db", "search", seed: 1, trials: 12);
        var (b, resultB) = await StoreWith("b.db", "search", seed: 2, trials: 8);

        var (exit, output, _) = await Run("compare", a, b, "--json");
        var (tableExit, table, _) = await Run("compare", a, b);

        Assert.Equal(0, exit);
        using var json = JsonDocument.Parse(output);
        Assert.True(json.RootElement.GetProperty("sameSpace").GetBoolean());
        Assert.Equal(12, json.RootElement.GetProperty("a").GetProperty("experiment").GetProperty("trials").GetInt32());
        Assert.Equal(8, json.RootElement.GetProperty("b").GetProperty("experiment").GetProperty("trials").GetInt32());
        Assert.Equal(resultB.Best!.Fitness!.Value - resultA.Best!.Fitness!.Value, json.RootElement.GetProperty("bestFitnessDifference").GetDouble(), 9);

        Assert.Equal(0, tableExit);
        Assert.Contains(a, table);
        Assert.Contains(b, table);
        Assert.Contains("Same search space.", table);
    }

    [Fact]
    public async Task A_missing_store_is_an_error_naming_the_file()
    {
        string missing = _dir.File("nothing-here.db");

        var (exit, output, error) = await Run("list", missing);

        Assert.Equal(NasGenCommand.Failure, exit);
        Assert.Equal("", output);
        Assert.Contains($"nasgen: error: {missing}: no such file", error);
        Assert.False(File.Exists(missing)); // reading never creates a store
    }

    [Fact]
    public async Task A_corrupt_store_is_an_error_and_is_left_unchanged()
    {
        string path = _dir.File("corrupt.db");
        File.WriteAllText(path, "this is not a database");

        var (exit, _, error) = await Run("status", path);

        Assert.Equal(NasGenCommand.Failure, exit);
        Assert.Contains("not a SQLite database", error);
        Assert.Equal("this is not a database", File.ReadAllText(path));
    }

    [Fact]
    public async Task An_unknown_experiment_is_an_error_listing_the_store_experiments()
    {
        var (path, _) = await StoreWith("s.db", "first", seed: 1, trials: 3, "second");

        var (exit, _, error) = await Run("top", path, "--experiment", "third");
        var (ambiguousExit, _, ambiguous) = await Run("status", path);

        Assert.Equal(NasGenCommand.Failure, exit);
        Assert.Contains("no experiment 'third'", error);
        Assert.Contains("'first', 'second'", error);
        Assert.Equal(NasGenCommand.Failure, ambiguousExit);
        Assert.Contains("choose one with --experiment", ambiguous);
    }

    [Fact]
    public async Task An_unknown_trial_is_an_error_giving_the_valid_numbers()
    {
        var (path, _) = await StoreWith("s.db", "search", seed: 1, trials: 5);

        var (exit, _, error) = await Run("export", path, "--trial", "42", "--out", _dir.File("x.json"));

        Assert.Equal(NasGenCommand.Failure, exit);
        Assert.Contains("has no trial 42; its trials are numbered 0 to 4", error);
        Assert.False(File.Exists(_dir.File("x.json")));
    }

    [Fact]
    public async Task Bad_objectives_and_usage_errors_exit_non_zero()
    {
        var (path, _) = await StoreWith("s.db", "search", seed: 1, trials: 3);

        var (objectiveExit, _, objectiveError) = await Run("pareto", path, "--objectives", "fitness:up");
        var (usageExit, _, usageError) = await Run("plot", path); // --out is required

        Assert.Equal(NasGenCommand.Failure, objectiveExit);
        Assert.Contains("objective 'fitness:up' is not of the form metric:max or metric:min", objectiveError);
        Assert.NotEqual(0, usageExit);
        Assert.Contains("--out", usageError);
    }

    [Fact]
    public async Task Export_overwrites_an_existing_file_only_with_force_and_never_the_store()
    {
        var (path, _) = await StoreWith("s.db", "search", seed: 1, trials: 5);
        string file = _dir.File("best.arch.json");
        File.WriteAllText(file, "older");
        byte[] store = File.ReadAllBytes(path);

        var (refused, _, refusedError) = await Run("export", path, "--out", file);
        Assert.Equal(NasGenCommand.Failure, refused);
        Assert.Contains("add --force", refusedError);
        Assert.Equal("older", File.ReadAllText(file));

        var (forced, _, _) = await Run("export", path, "--out", file, "--force");
        Assert.Equal(NasGenCommand.Success, forced);
        using (var json = JsonDocument.Parse(File.ReadAllText(file)))
            Assert.Equal(JsonValueKind.Object, json.RootElement.ValueKind);

        var (onStore, _, storeError) = await Run("export", path, "--out", path, "--force");
        Assert.Equal(NasGenCommand.Failure, onStore);
        Assert.Contains("the store being read", storeError);
        Assert.Equal(store, File.ReadAllBytes(path));
    }

    [Fact]
    public async Task Escape_sequences_in_an_experiment_name_are_printed_visibly_not_sent_to_the_terminal()
    {
        var (path, _) = await StoreWith("s.db", "\u001b[2Jx", seed: 1, trials: 3);

        var (exit, output, error) = await Run("list", path);

        Assert.Equal(NasGenCommand.Success, exit);
        Assert.Equal("", error);
        Assert.DoesNotContain('\u001b', output);
        Assert.Contains("\\x1b[2Jx", output);
    }

    [Fact]
    public void Escape_makes_control_and_bidirectional_characters_visible_and_leaves_other_text_alone()
    {
        Assert.Equal("plain ünïcode, [markup] too", TerminalText.Escape("plain ünïcode, [markup] too"));
        Assert.Equal("a\\x1b[2Jb\\nc\\u202ed\\x07", TerminalText.Escape("a\u001b[2Jb\nc\u202Ed\u0007"));
        Assert.Equal("a\nb\\r", TerminalText.Escape("a\nb\r", keepLineBreaks: true));
    }
}
