using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading.Tasks;
using NasGen.CrashHarness;
using NasGen.Storage;
using NasGen.Strategies;
using Npgsql;
using Xunit.Abstractions;

namespace NasGen.Tests.Experiments;

/// <summary>Worker processes sharing one experiment on a real PostgreSQL server, with a worker killed and the server restarted.</summary>
public sealed class DistributedExperimentTests(ITestOutputHelper output)
{
    private const int Seed = 11;
    private const int Trials = 200;
    private const int Workers = 4;

    private sealed class Worker(string name, Process process)
    {
        public string Name { get; } = name;
        public Process Process { get; } = process;
        public ConcurrentQueue<string> Lines { get; } = new();
        public Task Reading { get; set; } = Task.CompletedTask;
        public int? Evaluated => Lines.Where(l => l.StartsWith("evaluated ", StringComparison.Ordinal))
            .Select(l => (int?)int.Parse(l.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture)).LastOrDefault();
    }

    [Fact]
    public async Task Four_workers_finish_200_trials_once_each_through_a_killed_worker_and_a_database_restart()
    {
        if (PostgresServer.ConnectionString(output) is not { } server) return;
        string? pgctl = Environment.GetEnvironmentVariable("NASGEN_TEST_PGCTL");
        if (pgctl is null && string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
            throw new InvalidOperationException("CI=true but NASGEN_TEST_PGCTL (how to restart the server) is not set.");
        string cs = await PostgresServer.FreshSchemaAsync(server);
        using var dir = new TempDirectory();
        string table = dir.File("table.csv");
        SharedWorker.WriteTable(table);
        string dll = CrashResumeTests.HarnessDll();

        var workers = new List<Worker>();
        try
        {
            for (int i = 1; i <= Workers; i++)
            {
                // 250 ms per trial, so a worker is almost always inside a trial when it is killed; a 6 s lease (renewed every
                // 2 s) survives a loaded machine's scheduling delays yet brings the killed worker's trial back within the run.
                var start = new ProcessStartInfo("dotnet", new[] { dll, "worker", $"w{i}", table, Seed.ToString(), Trials.ToString(), "250", "6000" })
                {
                    RedirectStandardOutput = true,
                    RedirectStandardError = true,
                    UseShellExecute = false,
                };
                start.Environment[ExperimentStores.EnvironmentVariable] = "postgresql:" + cs; // no password: PGPASSFILE / PGPASSWORD are inherited
                var worker = new Worker($"w{i}", Process.Start(start)!);
                worker.Reading = Task.WhenAll(Pump(worker, worker.Process.StandardOutput), Pump(worker, worker.Process.StandardError));
                workers.Add(worker);
            }

            // Kill w2 while it evaluates a trial, once the run is under way.
            await WaitUntil(async () => (await Counts(cs)).Finished >= 30, TimeSpan.FromSeconds(120), "30 finished trials");
            var victim = workers[1];
            // Kill w2 just after it starts a trial (one it was not running at the previous look, 20 ms earlier), so the
            // 250 ms trial is still running when the kill lands: a trial seen running may be about to finish.
            int[] held = await RunningOf(cs, victim.Name);
            await WaitUntil(async () =>
            {
                var now = await RunningOf(cs, victim.Name);
                bool started = now.Length > 0 && !now.SequenceEqual(held);
                held = now;
                return started;
            }, TimeSpan.FromSeconds(30), "w2 starting a trial");
            victim.Process.Kill(); // SIGKILL: no cleanup, the claim stays until its lease runs out
            await victim.Process.WaitForExitAsync();
            held = await RunningOf(cs, victim.Name);
            output.WriteLine($"killed w2 holding trial(s) {string.Join(",", held)}");
            Assert.NotEmpty(held);

            // Restart the server while the others run.
            await WaitUntil(async () => (await Counts(cs)).Finished >= 110, TimeSpan.FromSeconds(120), "110 finished trials");
            if (pgctl is not null)
            {
                var restart = Process.Start(new ProcessStartInfo("bash", new[] { "-c", pgctl + " -m fast restart" }) { RedirectStandardOutput = true, UseShellExecute = false })!;
                await restart.WaitForExitAsync();
                Assert.Equal(0, restart.ExitCode);
                output.WriteLine("restarted the server");
            }
            else output.WriteLine("NASGEN_TEST_PGCTL not set: the database restart part is skipped.");

            foreach (var w in workers.Where(w => w != victim))
            {
                using var timeout = new System.Threading.CancellationTokenSource(TimeSpan.FromMinutes(4));
                await w.Process.WaitForExitAsync(timeout.Token);
                await w.Reading;
                foreach (var line in w.Lines.Where(l => !l.StartsWith("finished ", StringComparison.Ordinal))) output.WriteLine($"{w.Name}: {line}");
                Assert.Equal(0, w.Process.ExitCode);
            }

            await using var store = await PostgresExperimentStore.OpenAsync(cs);
            var experiment = await store.OpenExperimentAsync(new ExperimentConfig(SharedWorker.ExperimentName, TestSpace.Default.Name,
                TestSpace.Default.Fingerprint, "hill-climb", Seed, "{}"));
            var trials = await store.GetTrialsAsync(experiment.Id);
            // Exactly the budget, every trial finished once, one tell each.
            Assert.Equal(Enumerable.Range(0, Trials), trials.Select(t => t.Number));
            Assert.All(trials, t => Assert.Equal(TrialStatus.Completed, t.Status));
            Assert.Equal(Enumerable.Range(0, Trials), trials.Select(t => t.TellSequence!.Value).OrderBy(s => s));
            // The killed worker's trial went back to the queue and another worker finished it.
            foreach (int n in held) Assert.NotEqual(victim.Name, trials[n].Worker);
            // Lost work is bounded by what was in flight: the killed worker's trial and one per worker at the restart.
            int evaluated = workers.Where(w => w != victim).Sum(w => w.Evaluated!.Value) + trials.Count(t => t.Worker == victim.Name);
            output.WriteLine($"evaluations: {evaluated} for {Trials} trials");
            Assert.InRange(evaluated, Trials, Trials + 1 + (Workers - 1));
            // The shared strategy saw one consistent history: replaying it into a fresh strategy proposes every stored trial.
            Assert.Null(FirstDivergence(trials));
        }
        finally
        {
            foreach (var w in workers.Where(w => !w.Process.HasExited)) w.Process.Kill();
            foreach (var w in workers) w.Process.Dispose();
        }
    }

    private static async Task Pump(Worker worker, System.IO.StreamReader reader)
    {
        while (await reader.ReadLineAsync() is { } line) worker.Lines.Enqueue(line);
    }

    /// <summary>The first trial a fresh hill climb, fed the history in store order, would not have proposed; null when none.</summary>
    private static int? FirstDivergence(IReadOnlyList<TrialRecord> trials)
    {
        var strategy = new HillClimbStrategy(TestSpace.Default, Seed);
        var tells = new Queue<TrialRecord>(trials.OrderBy(t => t.TellSequence));
        var suggestions = new Dictionary<int, Suggestion<TestArch>>();
        foreach (var trial in trials)
        {
            while (tells.Count > 0 && tells.Peek().AsksAtTell <= trial.Number)
            {
                var told = tells.Dequeue();
                strategy.Tell(suggestions[told.Number], new TrialOutcome(told.Fitness));
            }
            var asked = strategy.Ask()!;
            if (!asked.Architecture.Equals(TestSpace.Default.FromJson(trial.ArchitectureJson))) return trial.Number;
            suggestions[trial.Number] = asked;
        }
        return null;
    }

    private static async Task WaitUntil(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(clock.Elapsed < timeout, $"timed out waiting for {what}");
            await Task.Delay(20);
        }
    }

    private static async Task<T> Query<T>(string cs, string sql, Func<NpgsqlDataReader, T> read, params (string, object)[] parameters)
    {
        await using var connection = new NpgsqlConnection(cs);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value);
        await using var reader = await command.ExecuteReaderAsync();
        return read(reader);
    }

    private static Task<(int Trials, int Finished)> Counts(string cs) =>
        Query(cs, "SELECT to_regclass('nasgen_trials') IS NOT NULL;", r => r.Read() && r.GetBoolean(0)).ContinueWith(async exists => !exists.Result ? (0, 0) :
            await Query(cs, "SELECT COUNT(*), COUNT(*) FILTER (WHERE status IN (2, 3)) FROM nasgen_trials;", r => { r.Read(); return ((int)r.GetInt64(0), (int)r.GetInt64(1)); })).Unwrap();

    private static Task<int[]> RunningOf(string cs, string worker) =>
        Query(cs, "SELECT number FROM nasgen_trials WHERE status=1 AND worker=@w;", r =>
        {
            var numbers = new List<int>();
            while (r.Read()) numbers.Add(r.GetInt32(0));
            return numbers.ToArray();
        }, ("w", worker));
}
