using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.Data.Sqlite;
using NasGen.CrashHarness;
using NasGen.Storage;
using Xunit.Abstractions;

namespace NasGen.Tests.Experiments;

public sealed class CrashResumeTests(ITestOutputHelper output)
{
    private const int Seed = 21;
    private const int Trials = 40;

    private sealed record Row(int Number, TrialStatus Status, string Canonical, double? Fitness, int Seed, int? ReusedFrom, bool StoppedEarly, int? TellSequence);

    /// <summary>The harness's own build output, next to this test assembly's (same configuration and framework).</summary>
    internal static string HarnessDll()
    {
        var testOut = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        string framework = testOut.Name, configuration = testOut.Parent!.Name;
        string testsDir = testOut.Parent.Parent!.Parent!.Parent!.FullName; // tests/NasGen.Tests/bin/<cfg>/<tfm>
        string dll = Path.Combine(testsDir, "NasGen.CrashHarness", "bin", configuration, framework, "NasGen.CrashHarness.dll");
        Assert.True(File.Exists(dll), $"crash harness not built at {dll}");
        return dll;
    }

    private static List<Row> ReadTrials(string db)
    {
        if (!File.Exists(db)) return new();
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = db, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT name FROM sqlite_master WHERE name='nasgen_trials';";
        if (command.ExecuteScalar() is null) return new();
        command.CommandText = "SELECT number, status, canonical, fitness, seed, reused_from, stopped_early, tell_seq FROM nasgen_trials ORDER BY number;";
        using var r = command.ExecuteReader();
        var rows = new List<Row>();
        while (r.Read())
            rows.Add(new Row(r.GetInt32(0), (TrialStatus)r.GetInt32(1), r.GetString(2), r.IsDBNull(3) ? null : r.GetDouble(3), r.GetInt32(4),
                r.IsDBNull(5) ? null : r.GetInt32(5), r.GetInt32(6) != 0, r.IsDBNull(7) ? null : r.GetInt32(7)));
        return rows;
    }

    private static Process StartHarness(string dll, string db) =>
        Process.Start(new ProcessStartInfo("dotnet", new[] { dll, db, Seed.ToString(), Trials.ToString(), "20" })
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        })!;

    /// <summary>Reads the harness's progress lines until it reports <paramref name="target"/> finished trials; false if it ends first.</summary>
    private static async Task<bool> WaitForFinished(Process process, int target, TimeSpan timeout)
    {
        using var cts = new System.Threading.CancellationTokenSource(timeout);
        while (await process.StandardOutput.ReadLineAsync(cts.Token) is { } line)
            if (line.StartsWith("finished ", StringComparison.Ordinal) && int.Parse(line.AsSpan(9)) >= target)
                return true;
        return false;
    }

    [Fact]
    public async Task Killed_runs_resume_without_losing_or_repeating_trials_and_end_as_an_uninterrupted_run()
    {
        string dll = HarnessDll();
        using var dir = new TempDirectory();

        await using (var store = SqliteExperimentStore.Open(dir.File("reference.db")))
            await CrashExperiment.Create(store, Seed, Trials, TimeSpan.Zero).RunAsync();
        var reference = ReadTrials(dir.File("reference.db"));
        Assert.Equal(Trials, reference.Count);
        Assert.Contains(reference, r => r.ReusedFrom is not null);      // dedup happens on this path
        Assert.Contains(reference, r => r.StoppedEarly);                // median stopping too
        Assert.Contains(reference, r => r.Status == TrialStatus.Failed); // and a constraint

        string db = dir.File("crash.db");
        var random = new Random(2024); // fixed: the same kill points every run
        var previous = new List<Row>();
        int kills = 0, target = 0;
        for (int attempt = 0; attempt < 6 && kills < 4; attempt++)
        {
            // Kill after a random number of further finished trials, plus a random delay that lands the kill
            // inside an evaluation, a store write or the strategy's turn.
            target += random.Next(2, 7);
            int extraMs = random.Next(0, 60);
            using var process = StartHarness(dll, db);
            var stderr = process.StandardError.ReadToEndAsync();
            bool reached = await WaitForFinished(process, target, TimeSpan.FromSeconds(60));
            if (reached) await Task.Delay(extraMs);
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                kills++;
            }
            await process.WaitForExitAsync();
            Assert.True(reached || process.ExitCode == 0, $"harness failed: {await stderr}");

            var now = ReadTrials(db);
            var finished = now.Where(r => r.Status is TrialStatus.Completed or TrialStatus.Failed).ToList();
            output.WriteLine($"attempt {attempt}: {(process.ExitCode == 0 ? "ran to the end" : $"killed at {target} finished + {extraMs} ms")}: {finished.Count} finished, {now.Count - finished.Count} unfinished");
            // Nothing finished before is lost or changed, and every finished trial is the reference's trial of that number.
            foreach (var old in previous.Where(r => r.Status is TrialStatus.Completed or TrialStatus.Failed))
                Assert.Contains(old, finished);
            foreach (var row in finished)
                Assert.Equal(reference[row.Number] with { TellSequence = row.TellSequence }, row);
            Assert.Equal(finished.Count, finished.Select(r => r.TellSequence).Distinct().Count());
            Assert.True(finished.Count >= Math.Min(target, Trials), $"{finished.Count} finished, but the harness had reported {target}");
            previous = now;
            if (finished.Count == Trials) break;
        }
        // Late trials are often reused (dedup) and finish at once, so a kill may come after the end on a slow runner.
        Assert.True(kills >= 3, $"only {kills} kills landed before the end of the run");

        using (var final = StartHarness(dll, db))
        {
            var error = final.StandardError.ReadToEndAsync();
            string text = await final.StandardOutput.ReadToEndAsync();
            await final.WaitForExitAsync();
            Assert.True(final.ExitCode == 0, text + await error);
            output.WriteLine(text);
        }
        var resumed = ReadTrials(db);
        Assert.Equal(reference.Select(r => r with { TellSequence = null }), resumed.Select(r => r with { TellSequence = null }));
    }
}
