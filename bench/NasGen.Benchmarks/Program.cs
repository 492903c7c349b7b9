using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace NasGen.Benchmarks;

/// <summary>Runs the benchmarks; pass BenchmarkDotNet's usual arguments (<c>--filter</c>, <c>--job</c>, ...).</summary>
public static class Program
{
    /// <summary>Entry point.</summary>
    public static void Main(string[] args)
    {
        if (args is ["--cpu-ask", ..])
        {
            MixedStrategyAskBenchmarks.MeasureCpuTime(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 16);
            return;
        }
        // In process: one build serves every case, and the TorchSharp native fix applied to this output is used.
        // Few invocations per iteration because an iteration must not add many outcomes to the state measured.
        var job = Job.Default
            .WithToolchain(InProcessEmitToolchain.Instance)
            .WithWarmupCount(2)
            .WithIterationCount(8)
            .WithInvocationCount(16)
            .WithUnrollFactor(1);
        var config = DefaultConfig.Instance.AddJob(job.AsDefault());
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, config);
    }
}
