using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using NasGen.Storage;

// Usage: NasGen.StoreThroughput [trials=2000] [folder=temp]
// Writes trials through the path an experiment uses (add, claim, 4 intermediate results, complete: each its own
// transaction), then reads the whole experiment back several times.
int trials = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 2000;
string folder = args.Length > 1 ? args[1] : Path.GetTempPath();
string path = Path.Combine(folder, $"nasgen-store-throughput-{Environment.ProcessId}.db");
try
{
    await using var store = SqliteExperimentStore.Open(path);
    var experiment = await store.OpenExperimentAsync(new ExperimentConfig("throughput", "Bench", "0000000000000000", "none", 1, "{}"));
    const string Json = "{\"$space\":\"Bench\",\"width\":32,\"op\":\"Conv3x3\",\"depth\":2,\"residual\":true}";
    var metrics = new Dictionary<string, double> { ["params"] = 123456, ["flops"] = 7.5e6, ["test_acc"] = 0.93 };

    var write = Stopwatch.StartNew();
    for (int i = 0; i < trials; i++)
    {
        await store.AddTrialAsync(experiment.Id, new NewTrial(Json, $"width=32;op=Conv3x3;depth=2;residual=true;i={i}", (ulong)i * 0x9E3779B97F4A7C15UL, 1.0, i));
        var claimed = await store.ClaimNextTrialAsync(experiment.Id, "bench");
        for (int step = 1; step <= 4; step++) await store.AddIntermediateAsync(experiment.Id, claimed!.Number, step, step * 0.2);
        await store.CompleteTrialAsync(experiment.Id, claimed!.Number,
            new TrialCompletion(TrialStatus.Completed, 0.9, metrics, FailureReason.None, null, null, false, i + 1));
    }
    write.Stop();

    const int Reads = 5;
    var read = Stopwatch.StartNew();
    int count = 0;
    for (int r = 0; r < Reads; r++) count += (await store.GetTrialsAsync(experiment.Id)).Count;
    read.Stop();

    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"write: {trials} trials (add + claim + 4 intermediates + complete) in {write.Elapsed.TotalSeconds:0.00} s = {trials / write.Elapsed.TotalSeconds:0} trials/s"));
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"read:  {count} trials ({Reads} full reads) in {read.Elapsed.TotalSeconds:0.00} s = {count / read.Elapsed.TotalSeconds:0} trials/s"));
    Console.WriteLine($"file:  {new FileInfo(path).Length / 1024} KiB + WAL {(File.Exists(path + "-wal") ? new FileInfo(path + "-wal").Length / 1024 : 0)} KiB");
}
finally
{
    foreach (var f in new[] { path, path + "-wal", path + "-shm" }) File.Delete(f);
}
