using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using NasGen.OneShot;
using NasGen.Spaces;
using TorchSharp;
using static TorchSharp.torch;

namespace NasGen.DartsBench;

/// <summary>The paired harness: NasGen's DARTS supernet against <see cref="HandDartsSupernet"/> (Program.cs explains).</summary>
internal static class SupernetPair
{
    private const int Channels = 16, Layers = 8, Classes = 10;

    public static int Pair(string[] args)
    {
        string[] numbers = args.Skip(1).TakeWhile(a => !a.StartsWith("--", StringComparison.Ordinal)).ToArray();
        int cycles = Number(numbers, 0, 5), batch = Number(numbers, 1, 16), size = Number(numbers, 2, 16), steps = Number(numbers, 3, 3);
        string[] flags = args.SkipWhile(a => !a.StartsWith("--", StringComparison.Ordinal)).ToArray();
        var results = new Dictionary<string, List<(double CpuMs, double Mib)>> { ["nasgen"] = new(), ["hand"] = new() };
        var loads = new List<string>();
        for (int cycle = 0; cycle < cycles; cycle++)
        {
            loads.Add(File.ReadAllText("/proc/loadavg").Split(' ')[0]);
            // Alternate which side goes first, so that a trend in the load favours neither.
            foreach (string side in cycle % 2 == 0 ? new[] { "nasgen", "hand" } : new[] { "hand", "nasgen" })
            {
                string line = RunChild(new[] { "step", side, $"{batch}", $"{size}", $"{steps}" }.Concat(flags));
                double cpu = Value(line, "cpu_ms_per_step"), mib = Value(line, "peak_rss_growth_mib");
                results[side].Add((cpu, mib));
                Console.Error.WriteLine($"cycle {cycle + 1} {side}: {line}");
            }
        }

        double Median(IEnumerable<double> values) { var sorted = values.Order().ToList(); return sorted[sorted.Count / 2]; }
        var (nasgen, hand) = (results["nasgen"], results["hand"]);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"DARTS search supernet ({Layers} cells, {Channels} channels, weighted), batch {batch} × 3×{size}×{size}, {steps} steps per process, {cycles} cycles, flags [{string.Join(' ', flags)}]; load average at the cycles' starts: {string.Join(", ", loads)}"));
        Console.WriteLine("| | NasGen supernet | hand-written | NasGen ÷ hand-written (median of per-cycle ratios) |");
        Console.WriteLine("|---|--:|--:|--:|");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| CPU ms per step | {Median(nasgen.Select(r => r.CpuMs)):F0} | {Median(hand.Select(r => r.CpuMs)):F0} | {Median(nasgen.Zip(hand, (a, b) => a.CpuMs / b.CpuMs)):F3} |"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| peak RSS growth (MiB) | {Median(nasgen.Select(r => r.Mib)):F1} | {Median(hand.Select(r => r.Mib)):F1} | {Median(nasgen.Zip(hand, (a, b) => a.Mib / b.Mib)):F3} |"));
        return 0;
    }

    public static int Step(string[] args)
    {
        string side = args[1];
        int batch = int.Parse(args[2], CultureInfo.InvariantCulture), size = int.Parse(args[3], CultureInfo.InvariantCulture);
        int steps = int.Parse(args[4], CultureInfo.InvariantCulture), threadsAt = Array.IndexOf(args, "--threads");
        torch.set_num_threads(threadsAt >= 0 ? int.Parse(args[threadsAt + 1], CultureInfo.InvariantCulture) : 2);
        bool guarded = !args.Contains("--no-guard");
        torch.random.manual_seed(1);
        Tensor x = randn(batch, 3, size, size), y = randint(0, Classes, batch);
        long before = PeakRssKiB();

        using var context = new SupernetContext(seed: 1);
        nn.Module<Tensor, Tensor> net;
        IEnumerable<Tensor> architecture;
        if (side == "hand")
        {
            var hand = new HandDartsSupernet(Channels, Layers, Classes);
            (net, architecture) = (hand, hand.ArchitectureParameters);
        }
        else
        {
            net = Darts.CreateSupernet(context, create: a => new Darts(a, Channels, Layers, Classes));
            context.Mode = SupernetMode.Weighted;
            architecture = context.Choices.Select(choice => (Tensor)choice.Alpha);
        }
        using IDisposable? guard = guarded ? ConvolutionGuard.Attach(net) : null;
        using var optimizer = optim.SGD(net.parameters(), 0.025, momentum: 0.9);
        var process = Process.GetCurrentProcess();
        TimeSpan cpuBefore = default;
        var watch = new Stopwatch();
        for (int step = 0; step < steps + 2; step++)
        {
            if (step == 2) // two warm-up steps: optimizer state, NasGen's one-time shape check, allocator caches
            {
                process.Refresh();
                cpuBefore = process.TotalProcessorTime;
                watch.Start();
            }
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            foreach (Tensor alpha in architecture) alpha.grad?.zero_();
            Tensor loss = nn.functional.cross_entropy(net.call(x), y);
            loss.backward();
            optimizer.step();
        }
        watch.Stop();
        process.Refresh();
        double cpuMs = (process.TotalProcessorTime - cpuBefore).TotalMilliseconds / steps;
        double mib = (PeakRssKiB() - before) / 1024.0;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"cpu_ms_per_step={cpuMs:F1} wall_ms_per_step={watch.Elapsed.TotalMilliseconds / steps:F1} peak_rss_growth_mib={mib:F1} parameters={net.parameters().Sum(p => p.numel())} architecture_tensors={architecture.Count()} guarded={guarded}"));
        net.Dispose();
        return 0;
    }

    private static string RunChild(IEnumerable<string> arguments)
    {
        string self = Environment.ProcessPath!;
        var start = new ProcessStartInfo(self) { RedirectStandardOutput = true, RedirectStandardError = true };
        if (!self.EndsWith("NasGen.DartsBench", StringComparison.Ordinal)) start.ArgumentList.Add(typeof(SupernetPair).Assembly.Location);
        foreach (string argument in arguments) start.ArgumentList.Add(argument);
        // Idle OpenMP workers sleep rather than spin, so that CPU time counts work only.
        start.Environment["OMP_WAIT_POLICY"] = "PASSIVE";
        using var child = Process.Start(start)!;
        child.ErrorDataReceived += (_, _) => { }; // libtorch's NNPACK warnings: drained, not shown
        child.BeginErrorReadLine();
        string output = child.StandardOutput.ReadToEnd().Trim();
        child.WaitForExit();
        if (child.ExitCode != 0 || !output.Contains("cpu_ms_per_step=", StringComparison.Ordinal))
            throw new InvalidOperationException($"step {string.Join(' ', arguments)} failed ({child.ExitCode}): {output}");
        return output.Split('\n').Last(l => l.Contains("cpu_ms_per_step=", StringComparison.Ordinal));
    }

    private static double Value(string line, string key) =>
        double.Parse(line.Split(' ').First(part => part.StartsWith(key + "=", StringComparison.Ordinal))[(key.Length + 1)..], CultureInfo.InvariantCulture);

    private static int Number(string[] values, int index, int fallback) =>
        values.Length > index ? int.Parse(values[index], CultureInfo.InvariantCulture) : fallback;

    private static long PeakRssKiB()
    {
        string line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
    }
}
