using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using NasGen.DartsBench;
using NasGen.Spaces;
using TorchSharp;
using static TorchSharp.torch;

// NasGen.DartsBench: two measurements for issue 23's performance goals.
//   build [repeats]: where building the 20-cell DARTS evaluation network goes (goal 50 ms). Wall and CPU time per
//     phase, medians over the repeats after one warm-up build (which also loads libtorch), 1 thread.
//   pair [cycles] [batch] [size] [steps] [--threads N] [--no-guard]: the DARTS search supernet (8 cells, 16 channels,
//     SupernetMode.Weighted) against the same mixed operations written by hand in TorchSharp (HandDartsSupernet):
//     one SGD step on the weights (forward, cross-entropy, backward into weights and α/β, step) on random
//     3×size×size batches; each side in a fresh process, alternating; CPU time per step (all threads,
//     OMP_WAIT_POLICY=PASSIVE) and peak RSS growth (VmHWM after the steps minus before the network was built).
//     Both sides train under ConvolutionGuard as NasGen's one-shot search does (--no-guard: neither).
//   step <nasgen|hand> <batch> <size> <steps> [--threads N] [--no-guard]: one side, one process (what pair runs).
//   search [data-dir] [out-dir] [search-epochs] [retrain-epochs] [random-architectures] [train-images]: the one-shot
//     run (DARTS on the 5-cell, 16-channel DARTS space on Fashion-MNIST, derived and random architectures retrained).
// Usage: dotnet bench/NasGen.DartsBench/bin/Release/net10.0/NasGen.DartsBench.dll build | pair | step ...
string command = args.Length > 0 ? args[0] : "build";
if (command == "pair") return SupernetPair.Pair(args);
if (command == "step") return SupernetPair.Step(args);
if (command == "search") return SearchRun.Run(args);
if (command != "build")
{
    Console.Error.WriteLine("usage: NasGen.DartsBench build [repeats] | pair [cycles] [batch] [size] [steps] [--threads N] [--no-guard] | step <nasgen|hand> <batch> <size> <steps> | search [data-dir] [out-dir] [search-epochs] [retrain-epochs] [random-architectures] [train-images]");
    return 2;
}

int repeats = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 7;
torch.set_num_threads(1);
var phases = new Dictionary<string, List<(double Wall, double Cpu)>>();

void Time(string phase, Action action)
{
    var process = Process.GetCurrentProcess();
    TimeSpan cpuBefore = process.TotalProcessorTime;
    var watch = Stopwatch.StartNew();
    action();
    double wall = watch.Elapsed.TotalMilliseconds;
    process.Refresh();
    double cpu = (process.TotalProcessorTime - cpuBefore).TotalMilliseconds;
    if (!phases.TryGetValue(phase, out var list)) phases[phase] = list = new();
    list.Add((wall, cpu));
}

using (Darts.CreateEvaluation(DartsGenotypes.V2)) { }
phases.Clear();
long modules = 0, parameters = 0, convolutions = 0;
for (int i = 0; i < repeats; i++)
{
    Darts? net = null;
    Time("CreateEvaluation (DARTS-V2, 20 cells, 36 channels)", () => net = Darts.CreateEvaluation(DartsGenotypes.V2));
    modules = net!.modules().Count();
    convolutions = net.modules().OfType<TorchSharp.Modules.Conv2d>().Count();
    parameters = net.parameters().Count();
    Time("the same with gradients off (no_grad around construction)", () =>
    {
        using var noGrad = no_grad();
        Darts.CreateEvaluation(DartsGenotypes.V2).Dispose();
    });
    var sizes = net.parameters().Select(p => p.shape).ToList();
    Time($"only allocating {parameters} parameter tensors (empty)", () =>
    {
        foreach (var shape in sizes) empty(shape).Dispose();
    });
    Time($"only initialising them (kaiming_uniform_ on each weight, uniform_ on the rest)", () =>
    {
        using var noGrad = no_grad();
        foreach (var p in net.parameters())
        {
            if (p.dim() >= 2) nn.init.kaiming_uniform_(p, Math.Sqrt(5));
            else nn.init.uniform_(p);
        }
    });
    Time($"only constructing {convolutions} Conv2d modules of the same shapes", () =>
    {
        foreach (var c in net.modules().OfType<TorchSharp.Modules.Conv2d>().ToList())
            nn.Conv2d(c.in_channels, c.out_channels, c.kernel_size[0], groups: c.groups, bias: c.bias is not null).Dispose();
    });
    Time("Dispose", () => net.Dispose());
}

Console.WriteLine($"{modules} modules, {convolutions} convolutions, {parameters} parameter tensors; median of {repeats} after a warm-up, 1 thread, load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");
Console.WriteLine("| phase | wall ms | CPU ms |");
Console.WriteLine("|---|--:|--:|");
foreach (var (phase, samples) in phases)
{
    double Median(IEnumerable<double> values) => values.Order().ElementAt(samples.Count / 2);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {phase} | {Median(samples.Select(s => s.Wall)):F1} | {Median(samples.Select(s => s.Cpu)):F1} |"));
}
return 0;
