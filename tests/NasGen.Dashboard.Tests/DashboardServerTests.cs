using System;
using System.Buffers;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using NasGen.Cli;
using NasGen.CrashHarness;
using NasGen.Storage;
using NasGen.Tests.Experiments;

namespace NasGen.Dashboard.Tests;

/// <summary>The server without a browser: deltas, importance, request guards and the nasgen dashboard command.</summary>
public sealed class DashboardServerTests
{
    private static TrialRecord Trial(int number, TrialStatus status, double? fitness = null, string json = "{}", int steps = 0) => new()
    {
        Number = number, Status = status, ArchitectureJson = json, Canonical = json, StableHash = (ulong)number, Fidelity = 1, Seed = number,
        Fitness = fitness, Intermediate = Enumerable.Range(1, steps).Select(s => new KeyValuePair<int, double>(s, s / 10.0)).ToArray(),
    };

    private static StoredExperiment Experiment() =>
        new(1, new ExperimentConfig("e", "S", "f", "random", 1, "{\"maxTrials\":10,\"objectives\":[\"Maximize fitness\",\"Minimize params\"]}"), DateTimeOffset.UnixEpoch);

    private static JsonElement Delta(ExperimentState state, long since)
    {
        var buffer = new ArrayBufferWriter<byte>();
        Endpoints.WriteDelta(buffer, state, since);
        return JsonDocument.Parse(buffer.WrittenMemory).RootElement.Clone();
    }

    [Fact]
    public void Only_trials_changed_since_a_version_are_sent()
    {
        var state = new ExperimentState(Experiment());
        var now = DateTimeOffset.UnixEpoch;
        Assert.Equal(3, state.Apply(new[] { Trial(0, TrialStatus.Completed, 1), Trial(1, TrialStatus.Running, steps: 1), Trial(2, TrialStatus.Pending) }, now));
        Assert.Equal(1, state.Version);
        Assert.Equal(0, state.Apply(new[] { Trial(0, TrialStatus.Completed, 1), Trial(1, TrialStatus.Running, steps: 1), Trial(2, TrialStatus.Pending) }, now));
        Assert.Equal(1, state.Version);

        // Trial 1 reports a second intermediate result and trial 3 is new: only those two are sent.
        Assert.Equal(2, state.Apply(new[] { Trial(0, TrialStatus.Completed, 1), Trial(1, TrialStatus.Running, steps: 2), Trial(2, TrialStatus.Pending), Trial(3, TrialStatus.Pending) }, now));
        var delta = Delta(state, since: 1);
        Assert.Equal(2, delta.GetProperty("version").GetInt64());
        Assert.False(delta.GetProperty("reset").GetBoolean());
        Assert.Equal(new[] { 1, 3 }, delta.GetProperty("trials").EnumerateArray().Select(t => t.GetProperty("number").GetInt32()));
        Assert.Equal(2, delta.GetProperty("trials")[0].GetProperty("intermediate").GetArrayLength());
        Assert.Equal(4, delta.GetProperty("summary").GetProperty("trials").GetInt32());
        Assert.Equal(10, delta.GetProperty("summary").GetProperty("maxTrials").GetInt32());

        Assert.Empty((Delta(state, since: 2)).GetProperty("trials").EnumerateArray());
        // A client that knows nothing, or a version this server never had (it restarted), gets everything.
        Assert.Equal(4, (Delta(state, since: 0)).GetProperty("trials").GetArrayLength());
        var stale = Delta(state, since: 99);
        Assert.True(stale.GetProperty("reset").GetBoolean());
        Assert.Equal(4, stale.GetProperty("trials").GetArrayLength());
    }

    [Fact]
    public void A_minimised_experiment_reports_its_lowest_fitness_as_best()
    {
        var minimised = new StoredExperiment(1, new ExperimentConfig("loss", "S", "f", "tpe", 1, "{\"maxTrials\":10,\"direction\":\"Minimize\"}"), DateTimeOffset.UnixEpoch);
        var trials = new[] { Trial(0, TrialStatus.Completed, 0.7), Trial(1, TrialStatus.Completed, 0.2), Trial(2, TrialStatus.Completed, 0.9) };
        var state = new ExperimentState(minimised);
        state.Apply(trials, DateTimeOffset.UnixEpoch);
        var summary = Delta(state, since: 0).GetProperty("summary");
        Assert.True(summary.GetProperty("minimize").GetBoolean());
        Assert.Equal(1, summary.GetProperty("best").GetProperty("number").GetInt32());

        var maximised = new ExperimentState(Experiment());
        maximised.Apply(trials, DateTimeOffset.UnixEpoch);
        Assert.False(Delta(maximised, since: 0).GetProperty("summary").GetProperty("minimize").GetBoolean());
        Assert.Equal(2, Delta(maximised, since: 0).GetProperty("summary").GetProperty("best").GetProperty("number").GetInt32());
    }

    [Fact]
    public void Importance_is_the_variance_share_of_each_choices_marginal_means()
    {
        // Fitness depends on a alone (x: 1, y: 3); b is balanced across a, so its marginal means are equal.
        var trials = new[]
        {
            Trial(0, TrialStatus.Completed, 1, "{\"a\":\"x\",\"b\":1}"), Trial(1, TrialStatus.Completed, 1, "{\"a\":\"x\",\"b\":2}"),
            Trial(2, TrialStatus.Completed, 3, "{\"a\":\"y\",\"b\":1}"), Trial(3, TrialStatus.Completed, 3, "{\"a\":\"y\",\"b\":2}"),
            Trial(4, TrialStatus.Failed, null, "{\"a\":\"x\",\"b\":1}"),
        };
        var importance = Analysis.Importance(trials);
        Assert.Equal(new[] { "a", "b" }, importance.Select(c => c.Choice));
        Assert.Equal(1.0, importance[0].Importance, 12);
        Assert.Equal(0.0, importance[1].Importance, 12);
        Assert.Equal(new[] { ("x", 2, 1.0), ("y", 2, 3.0) }, importance[0].Values.Select(v => (v.Value, v.Count, v.Mean)));

        // Half explained: a shifts the mean by ±1, b adds ±1 within each value of a.
        var mixed = new[]
        {
            Trial(0, TrialStatus.Completed, 0, "{\"a\":\"x\",\"b\":1}"), Trial(1, TrialStatus.Completed, 2, "{\"a\":\"x\",\"b\":2}"),
            Trial(2, TrialStatus.Completed, 2, "{\"a\":\"y\",\"b\":1}"), Trial(3, TrialStatus.Completed, 4, "{\"a\":\"y\",\"b\":2}"),
        };
        Assert.All(Analysis.Importance(mixed), c => Assert.Equal(0.5, c.Importance, 12));
    }

    [Fact]
    public void Importance_kept_up_to_date_trial_by_trial_equals_importance_computed_from_all_trials()
    {
        // Trials arrive pending, run, finish (some fail, some are reused, one has a choice the others lack) in random
        // order of changes, as changed-since reads deliver them; after every read the kept sums give the same answer
        // as a pass over every trial.
        var random = new Random(11);
        var state = new ExperimentState(Experiment());
        var latest = new Dictionary<int, TrialRecord>();
        for (int read = 0; read < 60; read++)
        {
            var changed = new List<TrialRecord>();
            for (int k = random.Next(1, 6); k > 0; k--)
            {
                int number = random.Next(40);
                string json = $"{{\"a\":\"{"xyz"[number % 3]}\",\"b\":{number % 2}{(number == 7 ? ",\"c\":true" : "")}}}";
                var status = latest.TryGetValue(number, out var before) && before.IsFinished ? before.Status : (TrialStatus)random.Next(4);
                double? fitness = status == TrialStatus.Completed ? (before?.Fitness ?? 0.9 + (number % 3) * 0.01 + random.NextDouble() * 0.001) : null;
                var trial = Trial(number, status, fitness, json, steps: random.Next(3)) with { ReusedFrom = number % 5 == 4 ? 0 : null };
                latest[number] = trial;
                changed.Add(trial);
            }
            state.Apply(changed, DateTimeOffset.UnixEpoch);
            var expected = Analysis.Importance(latest.Values);
            var actual = state.Importance();
            Assert.Equal(expected.Select(c => c.Choice), actual.Select(c => c.Choice));
            foreach (var (e, a) in expected.Zip(actual))
            {
                Assert.Equal(e.Importance, a.Importance, 9);
                Assert.Equal(e.Values.Select(v => (v.Value, v.Count)), a.Values.Select(v => (v.Value, v.Count)));
                Assert.Equal(e.Values.Select(v => Math.Round(v.Mean, 9)), a.Values.Select(v => Math.Round(v.Mean, 9)));
            }
        }
        Assert.Contains(state.Importance(), c => c.Choice == "c");
    }

    [Fact]
    public void The_two_objective_sweep_finds_the_general_front()
    {
        var random = new Random(5);
        for (int round = 0; round < 50; round++)
        {
            // Few distinct values, so that ties in one or both objectives are common.
            var points = Enumerable.Range(0, random.Next(1, 60)).Select(i => (Number: i, A: (double)random.Next(8), B: (double)random.Next(8))).ToArray();
            var expected = NasGen.Experiments.ParetoFront.Compute(points, p => new[] { p.A, p.B },
                new[] { NasGen.Experiments.ObjectiveDirection.Maximize, NasGen.Experiments.ObjectiveDirection.Maximize }).Select(p => p.Number);
            Assert.Equal(expected.Order(), Analysis.FrontOfTwo(points).Order());
        }
    }

    [Fact]
    public void Choices_are_the_architectures_leaves_by_path()
    {
        var choices = ExperimentState.Choices("{\"$space\":\"S\",\"$fingerprint\":\"f\",\"width\":16,\"op\":\"Conv3x3\",\"cell\":{\"edge\":\"skip\",\"inputs\":[0,2]}}");
        Assert.Equal(new Dictionary<string, string> { ["width"] = "16", ["op"] = "Conv3x3", ["cell.edge"] = "skip", ["cell.inputs"] = "[0,2]" }, choices);
        Assert.Empty(ExperimentState.Choices("not json"));
    }

    [Fact]
    public async Task The_first_screen_from_store_aggregates_equals_the_summary_of_every_trial()
    {
        using var dir = new TempDirectory();
        string path = dir.File("first.db");
        await using (var store = SqliteExperimentStore.Open(path))
            await TestStores.RunHillClimb(store, TestStores.Table(dir), "climb", trials: 40);
        var (experiment, trials) = await TestStores.Read(path, "climb");
        Assert.Contains(trials, t => t.ReusedFrom is not null); // reused results must not count as the best
        await using var server = await Dashboard.StartAsync(path, new DashboardOptions { Port = 0 });
        using var http = new HttpClient { BaseAddress = server.Url };
        async Task<JsonElement> Get(string url) => JsonDocument.Parse(await http.GetStringAsync(url)).RootElement.Clone();

        // Asked before the trials are read (a fresh server), from aggregates; then the same numbers from every trial.
        var listed = (await Get("/api/experiments")).EnumerateArray().Single();
        var summary = await Get($"/api/experiments/{experiment.Id}/summary");
        var fromTrials = (await Get($"/api/experiments/{experiment.Id}/trials?since=0")).GetProperty("summary");
        foreach (string field in new[] { "trials", "completed", "failed", "running", "pending", "best", "failuresByReason", "elapsedSeconds", "objectives", "minimize" })
        {
            Assert.Equal(fromTrials.GetProperty(field).GetRawText(), summary.GetProperty(field).GetRawText());
            Assert.Equal(fromTrials.GetProperty(field).GetRawText(), listed.GetProperty(field).GetRawText());
        }
        Assert.Equal(trials.Count, summary.GetProperty("trials").GetInt32());

        // The table: sorted and windowed by the store, the count of matches for the pager.
        var best = trials.Where(t => t.Fitness is not null).OrderByDescending(t => t.Fitness).ThenBy(t => t.Number).Select(t => t.Number).ToArray();
        var page = await Get($"/api/experiments/{experiment.Id}/table?sort=fitness&desc=true&offset=2&limit=3");
        Assert.Equal(trials.Count, page.GetProperty("matching").GetInt32());
        Assert.Equal(best.Skip(2).Take(3), page.GetProperty("trials").EnumerateArray().Select(t => t.GetProperty("number").GetInt32()));
        var reused = await Get($"/api/experiments/{experiment.Id}/table?status=completed&q={Uri.EscapeDataString(trials[0].Canonical)}");
        Assert.Equal(trials.Count(t => t.Status == TrialStatus.Completed && t.Canonical.Contains(trials[0].Canonical, StringComparison.OrdinalIgnoreCase)),
            reused.GetProperty("matching").GetInt32());

        foreach (string bad in new[] { "sort=params", "sort=2", "status=Done", "limit=0", "limit=5000", "offset=-1" })
        {
            var refused = await http.GetAsync($"/api/experiments/{experiment.Id}/table?{bad}");
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.False(string.IsNullOrEmpty(JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString()), bad);
        }
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/api/experiments/999/summary")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/api/experiments/999/table")).StatusCode);
    }

    [Fact]
    public async Task Loopback_serving_refuses_other_host_names_and_every_write_method()
    {
        using var dir = new TempDirectory();
        string path = await TestStores.ListStore(dir, "guard.db", "guard", new[] { new TestArch(8, TestOp.Skip, 1, false) });
        await using var server = await Dashboard.StartAsync(path, new DashboardOptions { Port = 0 });
        Assert.Null(server.Token);
        Assert.Equal("127.0.0.1", server.Url.Host);
        using var http = new HttpClient { BaseAddress = server.Url };

        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/api/experiments")).StatusCode);
        // A page on another site that resolves its own name to 127.0.0.1 (DNS rebinding) is refused.
        using var rebound = new HttpRequestMessage(HttpMethod.Get, "/api/experiments");
        rebound.Headers.Host = "attacker.example";
        Assert.Equal(HttpStatusCode.Forbidden, (await http.SendAsync(rebound)).StatusCode);
        foreach (var method in new[] { HttpMethod.Post, HttpMethod.Put, HttpMethod.Delete, HttpMethod.Patch })
            Assert.Equal(HttpStatusCode.MethodNotAllowed, (await http.SendAsync(new HttpRequestMessage(method, "/api/experiments"))).StatusCode);

        var page = await http.GetAsync("/");
        Assert.Contains("script-src 'self'", page.Headers.GetValues("Content-Security-Policy").Single());
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/api/experiments/999/trials")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await http.GetAsync("/api/experiments/1/pareto?x=fitness&y=params:min")).StatusCode);
    }

    [Fact]
    public async Task The_command_serves_until_cancelled_and_explains_bad_stores()
    {
        using var dir = new TempDirectory();
        string path = await TestStores.ListStore(dir, "cli.db", "cli", new[] { new TestArch(8, TestOp.Skip, 1, false) });

        // The command writes from its own task: read what it wrote under the synchronized writer's lock.
        var printed = new StringWriter();
        var output = TextWriter.Synchronized(printed);
        var error = new StringWriter();
        string Printed() { lock (output) return printed.ToString(); }
        using var stop = new CancellationTokenSource();
        var run = NasGenCommand.RunAsync(new[] { "dashboard", path, "--port", "0", "--host", "0.0.0.0", "-e", "cli" }, output, error, stop.Token);
        string? url = null;
        for (var deadline = DateTime.UtcNow.AddMinutes(2); url is null && DateTime.UtcNow < deadline && !run.IsCompleted;)
        {
            url = Printed().Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith("open http", StringComparison.Ordinal))?["open ".Length..];
            if (url is null) await Task.Delay(50);
        }
        Assert.True(url is not null, $"no address printed; output: {Printed()}; error: {error}");
        string token = Printed().Split('\n').Single(l => l.StartsWith("access token: ", StringComparison.Ordinal))["access token: ".Length..].Trim();
        var port = new Uri(url).Port;
        using var http = new HttpClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync($"http://127.0.0.1:{port}/api/info")).StatusCode);
        using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{port}/api/info");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        var info = JsonDocument.Parse(await (await http.SendAsync(request)).Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(JsonValueKind.Number, info.GetProperty("experiment").ValueKind);
        stop.Cancel();
        Assert.Equal(NasGenCommand.Success, await run);

        var missingError = new StringWriter();
        Assert.Equal(NasGenCommand.Failure, await NasGenCommand.RunAsync(new[] { "dashboard", dir.File("missing.db"), "--port", "0" }, new StringWriter(), missingError));
        Assert.Contains("no such file", missingError.ToString());
        var hostError = new StringWriter();
        Assert.Equal(NasGenCommand.Failure, await NasGenCommand.RunAsync(new[] { "dashboard", path, "--port", "0", "--host", "example.com" }, new StringWriter(), hostError));
        Assert.Contains("not an IP address", hostError.ToString());
    }
}
