using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using NasGen.CrashHarness;
using NasGen.Storage;
using Xunit.Abstractions;

namespace NasGen.Tests.Experiments;

/// <summary>
/// Two real processes (the crash harness: a whole experiment with its store) on one SQLite store, started together and
/// staggered: exactly one runs and the other is refused naming it; killing the runner lets the next one take over; and
/// the store ends with the trials of an uninterrupted run, none evaluated twice.
/// </summary>
public sealed class SingleWriterProcessTests(ITestOutputHelper output)
{
    private const int Seed = 21;
    private const int Trials = 40;
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(120);

    /// <summary>A harness process with its output lines collected as they come.</summary>
    private sealed class Harness : IDisposable
    {
        private readonly List<string> _lines = new();
        private readonly TaskCompletionSource _progress = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _finished;

        /// <param name="stepDelayMs">Time per evaluation step: slow enough that the runner is still running when the later ones start.</param>
        public Harness(string dll, string db, int stepDelayMs = 1000)
        {
            Process = Process.Start(new ProcessStartInfo("dotnet", new[] { dll, db, Seed.ToString(), Trials.ToString(), stepDelayMs.ToString() })
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            })!;
            Error = Process.StandardError.ReadToEndAsync();
            Reading = Task.Run(async () =>
            {
                while (await Process.StandardOutput.ReadLineAsync() is { } line)
                {
                    lock (_lines) _lines.Add(line);
                    if (line.StartsWith("finished ", StringComparison.Ordinal)) Volatile.Write(ref _finished, int.Parse(line.AsSpan(9)));
                }
            });
        }

        public Process Process { get; }
        public Task<string> Error { get; }
        public Task Reading { get; }
        public int Finished => Volatile.Read(ref _finished);
        public IReadOnlyList<string> Lines { get { lock (_lines) return _lines.ToList(); } }

        /// <summary>Waits until the harness reports <paramref name="target"/> finished trials or exits; true when it got there.</summary>
        public async Task<bool> ReachesAsync(int target)
        {
            var deadline = Stopwatch.StartNew();
            while (Finished < target && !Process.HasExited && deadline.Elapsed < Deadline) await Task.Delay(20);
            return Finished >= target;
        }

        public async Task<int> ExitAsync()
        {
            using var cts = new CancellationTokenSource(Deadline);
            await Process.WaitForExitAsync(cts.Token);
            await Reading;
            return Process.ExitCode;
        }

        public void Dispose()
        {
            if (!Process.HasExited) Process.Kill(entireProcessTree: true);
            Process.Dispose();
        }
    }

    private async Task AssertRefusedNaming(Harness refused, Harness owner)
    {
        int exit = await refused.ExitAsync();
        output.WriteLine($"refused harness {refused.Process.Id} (exit {exit}); owner {owner.Process.Id} (exited: {owner.Process.HasExited}, finished {owner.Finished})");
        if (exit != 3) output.WriteLine(string.Join('\n', refused.Lines.Where(l => !l.StartsWith("finished ", StringComparison.Ordinal))) + await refused.Error);
        Assert.Equal(3, exit);
        string error = await refused.Error;
        Assert.Contains("refused: ", error);
        Assert.Contains("in use by another NasGen process", error);
        // Named by pid and host, unless the owner had not recorded itself yet (the two started in the same instant).
        Assert.True(error.Contains($"process {owner.Process.Id} on host ", StringComparison.Ordinal) || error.Contains("owner not recorded yet", StringComparison.Ordinal), error);
        Assert.DoesNotContain("fresh", error, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(refused.Lines, l => l.StartsWith("finished ", StringComparison.Ordinal)); // it evaluated nothing
    }

    [Fact]
    public async Task Two_processes_on_one_store_one_runs_the_other_is_refused_and_a_kill_lets_the_next_take_over()
    {
        string dll = CrashResumeTests.HarnessDll();
        using var dir = new TempDirectory();
        string db = dir.File("shared.db");

        // Started together: exactly one of them runs.
        using var first = new Harness(dll, db);
        using var second = new Harness(dll, db);
        await Task.WhenAny(first.Process.WaitForExitAsync(), second.Process.WaitForExitAsync()).WaitAsync(Deadline);
        var (runner, refused) = first.Process.HasExited ? (second, first) : (first, second);
        await AssertRefusedNaming(refused, runner);

        // Staggered: one started while the runner evaluates is refused, naming the runner. (Started at once: late in the
        // run, the hill climb's trials are mostly reused results that finish in no time, so the run could end first.)
        using (var late = new Harness(dll, db))
            await AssertRefusedNaming(late, runner);
        Assert.False(runner.Process.HasExited, "the runner ended before the staggered start was checked");

        // Killed mid-run: the next one takes over, says from whom, and finishes the experiment.
        // (The error text is awaited only on failure: it is complete only when the process has ended.)
        if (!await runner.ReachesAsync(2)) Assert.Fail($"the running harness stopped: {await runner.Error}");
        Assert.False(runner.Process.HasExited, "the runner ended before it could be killed mid-run");
        runner.Process.Kill(entireProcessTree: true);
        await runner.ExitAsync();
        using var next = new Harness(dll, db, stepDelayMs: 0); // the delay changes no result, only the time taken
        Assert.Equal(0, await next.ExitAsync());
        output.WriteLine(string.Join('\n', next.Lines.Where(l => !l.StartsWith("finished ", StringComparison.Ordinal))));
        Assert.Contains(next.Lines, l => l.StartsWith($"took over from process {runner.Process.Id} on host {Environment.MachineName} since ", StringComparison.Ordinal));

        // One writer at a time: the store holds exactly the trials of an uninterrupted run, each recorded once.
        using var reference = new TempDirectory();
        await using (var store = SqliteExperimentStore.Open(reference.File("reference.db")))
            await CrashExperiment.Create(store, Seed, Trials, TimeSpan.Zero).RunAsync();
        var expected = await Rows(reference.File("reference.db"));
        var actual = await Rows(db);
        Assert.Equal(expected.Select(r => r with { TellSequence = null }), actual.Select(r => r with { TellSequence = null }));
        Assert.Equal(Trials, actual.Select(r => r.TellSequence).Distinct().Count());
    }

    private sealed record Row(int Number, TrialStatus Status, string Canonical, double? Fitness, int? ReusedFrom, bool StoppedEarly, int? TellSequence);

    private static async Task<List<Row>> Rows(string db)
    {
        await using var store = SqliteExperimentStore.OpenReadOnly(db);
        var experiment = Assert.Single(await store.ListExperimentsAsync());
        return (await store.GetTrialsAsync(experiment.Id))
            .Select(t => new Row(t.Number, t.Status, t.Canonical, t.Fitness, t.ReusedFrom, t.StoppedEarly, t.TellSequence)).ToList();
    }
}
