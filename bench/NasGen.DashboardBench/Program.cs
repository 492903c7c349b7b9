using System;
using System.Buffers;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using NasGen.Dashboard;
using NasGen.Storage;

// Usage: NasGen.DashboardBench [trials=10000] [folder=/tmp/nasgen-dashboard-bench]
// Writes a store of that many finished trials (4 intermediate results each) once, then times over fresh servers:
// the first data (the requests of the first screen: overview and first table page), the whole page (every request the page makes on load, one after another) and the live update a polling page gets
// after one more trial is written, with the server-side parts of that update timed in-process.
int count = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 10_000;
string folder = args.Length > 1 ? args[1] : Path.Combine(Path.GetTempPath(), "nasgen-dashboard-bench");
Directory.CreateDirectory(folder);
string path = Path.Combine(folder, $"bench-{count}.db");
const int Runs = 7;

await using (var writer = SqliteExperimentStore.Open(path))
{
    var experiment = await writer.OpenExperimentAsync(Config());
    int have = (await writer.GetTrialsAsync(experiment.Id)).Count;
    if (have < count)
    {
        Console.WriteLine($"writing {count - have} trials into {path} ...");
        for (int i = have; i < count; i++) await AddTrial(writer, experiment.Id, i);
    }
}

static ExperimentConfig Config() => new("bench", "BenchSpace", "fp", "random", 1, "{\"maxTrials\":null,\"objectives\":[\"Maximize fitness\",\"Minimize params\"]}");

static async Task AddTrial(IExperimentStore store, long id, int i)
{
    var random = new Random(i);
    string json = $"{{\"width\":{8 << random.Next(4)},\"op\":\"{(random.Next(3) == 0 ? "Conv3x3" : "Conv5x5")}\",\"depth\":{random.Next(1, 4)},\"residual\":{(random.Next(2) == 1 ? "true" : "false")}}}";
    await store.AddTrialAsync(id, new NewTrial(json, json.Replace("\"", ""), (ulong)i, 1.0, i));
    var claimed = await store.ClaimNextTrialAsync(id, "bench") ?? throw new InvalidOperationException("nothing to claim");
    double fitness = random.NextDouble();
    for (int step = 1; step <= 4; step++) await store.AddIntermediateAsync(id, claimed.Number, step, fitness * step / 4);
    await store.CompleteTrialAsync(id, claimed.Number, new TrialCompletion(TrialStatus.Completed, fitness,
        new Dictionary<string, double> { ["params"] = random.Next(1000, 100000), ["latency_ms"] = random.NextDouble() * 10 }, FailureReason.None, null, null, false, i + 1));
}

// The first screen (overview and the first table page, from the store's aggregates and one page query), then what the
// page loads after it for the charts (the whole trial list, importance, Pareto).
string[] firstScreen = { "/", "/app.js", "/app.css", "/api/info", "/api/experiments", "/api/experiments/1/summary", "/api/experiments/1/table?sort=fitness&desc=true&limit=100" };
string[] lazyRequests = { "/api/experiments/1/trials?since=0", "/api/experiments/1/importance", "/api/experiments/1/pareto?x=fitness:max&y=params:min" };
string[] pageRequests = firstScreen.Concat(lazyRequests).ToArray();
var firstPage = new List<double>();
var wholePage = new List<double>();
var firstPageByRequest = pageRequests.ToDictionary(r => r, _ => new List<double>());
var process = System.Diagnostics.Process.GetCurrentProcess();
var firstPageCpu = new List<double>();
var liveHttp = new List<double>();
long deltaBytes = 0, fullBytes = 0;
for (int run = 0; run < Runs; run++)
{
    // A fresh server each run: the first page includes reading the whole store.
    var options = new DashboardOptions { Port = 0 };
    await using var server = await Dashboard.StartAsync(path, options);
    using var http = new HttpClient { BaseAddress = server.Url };
    process.Refresh();
    var cpuBefore = process.TotalProcessorTime;
    var total = Stopwatch.StartNew();
    foreach (string request in pageRequests)
    {
        var one = Stopwatch.StartNew();
        byte[] body = await http.GetByteArrayAsync(request);
        firstPageByRequest[request].Add(one.Elapsed.TotalMilliseconds);
        if (request.EndsWith("since=0", StringComparison.Ordinal)) fullBytes = body.Length;
        if (request == firstScreen[^1])
        {
            firstPage.Add(total.Elapsed.TotalMilliseconds);
            process.Refresh();
            firstPageCpu.Add((process.TotalProcessorTime - cpuBefore).TotalMilliseconds); // client and server share this process
        }
    }
    wholePage.Add(total.Elapsed.TotalMilliseconds);

    await Task.Delay(options.RefreshInterval + TimeSpan.FromMilliseconds(100));
    long version = JsonDocument.Parse(await http.GetByteArrayAsync("/api/experiments/1/trials?since=0")).RootElement.GetProperty("version").GetInt64();
    await using (var writer = SqliteExperimentStore.Open(path))
    {
        var experiment = await writer.OpenExperimentAsync(Config());
        await AddTrial(writer, experiment.Id, count + run);
    }
    // Past the refresh interval, so that the next poll reads the store again (as a page polling once a second does).
    await Task.Delay(options.RefreshInterval + TimeSpan.FromMilliseconds(100));
    var live = Stopwatch.StartNew();
    byte[] delta = await http.GetByteArrayAsync($"/api/experiments/1/trials?since={version}");
    liveHttp.Add(live.Elapsed.TotalMilliseconds);
    deltaBytes = delta.Length;
    int sent = JsonDocument.Parse(delta).RootElement.GetProperty("trials").GetArrayLength();
    if (sent != 1) throw new InvalidOperationException($"the live update sent {sent} trials, not 1");
}

// The parts of a first load and of a live update, in process: reading the whole experiment and taking it in (the
// first load), reading what changed since (the store's change numbers), the diff against the last snapshot, and
// writing the delta, for 1 and for 100 changed trials.
await using var reader = SqliteExperimentStore.OpenReadOnly(path);
var experimentRecord = (await reader.ListExperimentsAsync()).Single();
var reads = new List<double>();
var firstApply = new List<double>();
var changedReads = new Dictionary<int, List<double>> { [1] = new(), [100] = new() };
var diffs = new Dictionary<int, List<double>> { [1] = new(), [100] = new() };
var writes = new Dictionary<int, List<double>> { [1] = new(), [100] = new() };
var bytes = new Dictionary<int, long>();
var statisticsReads = new List<double>();
var pageReads = new List<double>();
for (int run = 0; run < Runs; run++)
{
    var watch = Stopwatch.StartNew();
    await reader.GetTrialStatisticsAsync(experimentRecord.Id, NasGen.Experiments.ObjectiveDirection.Maximize);
    statisticsReads.Add(watch.Elapsed.TotalMilliseconds);
    watch.Restart();
    await reader.GetTrialPageAsync(experimentRecord.Id, new TrialPageQuery(TrialSortKey.Fitness, Descending: true));
    pageReads.Add(watch.Elapsed.TotalMilliseconds);
    watch.Restart();
    var trials = await reader.GetTrialsAsync(experimentRecord.Id);
    reads.Add(watch.Elapsed.TotalMilliseconds);
    watch.Restart();
    new ExperimentState(experimentRecord).Apply(trials, DateTimeOffset.UtcNow);
    firstApply.Add(watch.Elapsed.TotalMilliseconds);
    foreach (int changed in new[] { 1, 100 })
    {
        watch.Restart();
        var since = await reader.GetTrialsChangedSinceAsync(experimentRecord.Id, trials.OrderByDescending(t => t.Version).ElementAt(changed).Version);
        changedReads[changed].Add(watch.Elapsed.TotalMilliseconds);
        if (since.Count < changed) throw new InvalidOperationException($"the changed-since read returned {since.Count} trials, not {changed} or more");
    }
    foreach (int changed in new[] { 1, 100 })
    {
        var state = new ExperimentState(experimentRecord);
        state.Apply(trials.Take(trials.Count - changed).ToArray(), DateTimeOffset.UtcNow);
        long since = state.Version;
        var changedTrials = trials.Skip(trials.Count - changed).ToArray(); // what the changed-since read returns
        watch.Restart();
        state.Apply(changedTrials, DateTimeOffset.UtcNow);
        diffs[changed].Add(watch.Elapsed.TotalMilliseconds);
        var buffer = new ArrayBufferWriter<byte>();
        watch.Restart();
        Endpoints.WriteDelta(buffer, state, since);
        writes[changed].Add(watch.Elapsed.TotalMilliseconds);
        bytes[changed] = buffer.WrittenCount;
    }
}

static string Median(List<double> values) => values.Order().ElementAt(values.Count / 2).ToString("F1", CultureInfo.InvariantCulture);
Console.WriteLine($"store: {path}, {count} trials; medians of {Runs} runs (ms); load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");
Console.WriteLine($"first data (overview + first table page), {firstScreen.Length} requests in sequence: {Median(firstPage)} ms (min {firstPage.Min():F1}, max {firstPage.Max():F1}); CPU time of the process {Median(firstPageCpu)} ms");
Console.WriteLine($"whole page (then the trial list, importance and Pareto for the charts), {pageRequests.Length} requests: {Median(wholePage)} ms");
foreach (var (request, times) in firstPageByRequest) Console.WriteLine($"  {request}: {Median(times)} ms");
Console.WriteLine($"  whole-experiment response: {fullBytes / 1024.0:F0} KiB");
Console.WriteLine($"  store, in process: statistics (aggregates) {Median(statisticsReads)} ms, first table page by fitness {Median(pageReads)} ms");
Console.WriteLine($"live update after one new trial, over HTTP: {Median(liveHttp)} ms ({deltaBytes} bytes)");
Console.WriteLine($"  store read of the whole experiment (first load): {Median(reads)} ms, taken in (views serialized, importance summed): {Median(firstApply)} ms");
foreach (int changed in new[] { 1, 100 })
    Console.WriteLine($"  {changed} changed: store read of the changes {Median(changedReads[changed])} ms, diff {Median(diffs[changed])} ms, delta written {Median(writes[changed])} ms, {bytes[changed]} bytes");
foreach (var (name, size) in Endpoints.AssetSizes.OrderBy(a => a.Key)) Console.WriteLine($"asset {name}: {size} bytes");
