using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace NasGen.Benchmarks.Core;

/// <summary>
/// One short job for the whole suite (1 launch, 3 warm-ups, 10 iterations), run in process: the suite must
/// finish in minutes on a shared 2-core machine, and in-process keeps the TorchSharp native fix of this
/// project's own output folder (a separately generated BenchmarkDotNet project would need it too).
/// </summary>
internal static class BenchConfig
{
    public static IConfig Create() => DefaultConfig.Instance
        .AddJob(Job.Default
            .WithLaunchCount(1)
            .WithWarmupCount(3)
            .WithIterationCount(10)
            .WithToolchain(InProcessEmitToolchain.Instance)
            .WithId("Short-InProcess"))
        .AddDiagnoser(MemoryDiagnoser.Default)
        .WithOptions(ConfigOptions.DisableOptimizationsValidator);
}
