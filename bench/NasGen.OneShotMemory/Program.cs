using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using NasGen;
using NasGen.OneShot;
using NasGen.OneShotMemory;
using NasGen.OneShotSearch;
using TorchSharp;
using static TorchSharp.torch;

// Peak memory and time of one training step (forward, cross-entropy, backward, SGD step) of the sample's network in
// each form. Peak RSS only grows, so each configuration runs in its own process; the figure is VmHWM after the steps
// minus VmHWM before the network is built (libtorch loaded, batch allocated). Usage:
//   dotnet bench/NasGen.OneShotMemory/bin/Release/net10.0/NasGen.OneShotMemory.dll [batch] [channels]
string[] modes = ["fixed-skip", "fixed-conv3x3", "supernet-fixed-path", "supernet-gumbel", "supernet-weighted", "hand-written-weighted"];
if (args.Length > 0 && modes.Contains(args[0]))
{
    Measure(args[0], int.Parse(args[1], CultureInfo.InvariantCulture), int.Parse(args[2], CultureInfo.InvariantCulture));
    return;
}

int batch = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 64;
int channels = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 16;
Console.WriteLine($"batch {batch}, 1x28x28 inputs, {channels} channels, 1 thread, 5 steps after 1 warm-up step");
Console.WriteLine("| network | parameters | peak RSS growth (MiB) | ms / step |");
Console.WriteLine("|---|--:|--:|--:|");
string self = Environment.ProcessPath!;
string dll = typeof(HandMixedNet).Assembly.Location;
double? nasgen = null, hand = null;
foreach (string mode in modes)
{
    var start = new ProcessStartInfo(self) { RedirectStandardOutput = true };
    if (!self.EndsWith("NasGen.OneShotMemory", StringComparison.Ordinal)) start.ArgumentList.Add(dll);
    foreach (string a in new[] { mode, batch.ToString(CultureInfo.InvariantCulture), channels.ToString(CultureInfo.InvariantCulture) }) start.ArgumentList.Add(a);
    using var child = Process.Start(start)!;
    string line = child.StandardOutput.ReadToEnd().Trim();
    child.WaitForExit();
    Console.WriteLine(line);
    double mib = double.Parse(line.Split('|')[3], CultureInfo.InvariantCulture);
    if (mode == "supernet-weighted") nasgen = mib;
    if (mode == "hand-written-weighted") hand = mib;
}
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"NasGen weighted supernet / hand-written mixed op (peak memory): {nasgen / hand:F2}"));

static void Measure(string mode, int batch, int channels)
{
    torch.set_num_threads(1);
    torch.random.manual_seed(1);
    Tensor x = randn(batch, 1, 28, 28);
    Tensor y = randint(0, 10, batch);
    long before = PeakRssKiB();

    using var context = new SupernetContext(1);
    Tensor handAlpha = (randn(6, 5) * 1e-3).requires_grad_();
    var shape = CellNet.SpaceDescriptor.DagShape;
    CellNet.Architecture Every(Nb201Op op) => new(CellArchitecture<Nb201Op>.EveryEdge(shape, Enumerable.Repeat(op, 6).ToArray()));
    nn.Module<Tensor, Tensor> net = mode switch
    {
        "fixed-skip" => new CellNet(Every(Nb201Op.SkipConnect), channels),
        "fixed-conv3x3" => new CellNet(Every(Nb201Op.Conv3x3), channels),
        "hand-written-weighted" => new HandMixedNet(channels, handAlpha),
        _ => CellNet.CreateSupernet(context, create: architecture => new CellNet(architecture, channels)),
    };
    if (mode == "supernet-fixed-path")
    {
        context.Mode = SupernetMode.Fixed;
        context.SetPath(Enumerable.Repeat((int)Nb201Op.Conv3x3, context.Choices.Count).ToArray());
    }
    else if (mode == "supernet-gumbel") context.Mode = SupernetMode.Gumbel;
    else context.Mode = SupernetMode.Weighted;

    using var optimizer = optim.SGD(net.parameters(), 0.01, momentum: 0.9);
    var stopwatch = new Stopwatch();
    for (int step = 0; step < 6; step++)
    {
        if (step == 1) stopwatch.Start(); // the first step allocates optimizer state and warms up
        context.Resample();
        using var scope = NewDisposeScope();
        optimizer.zero_grad();
        Tensor loss = nn.functional.cross_entropy(net.call(x), y);
        loss.backward();
        optimizer.step();
    }
    stopwatch.Stop();
    double mib = (PeakRssKiB() - before) / 1024.0;
    long parameters = net.parameters().Sum(p => p.numel());
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {mode} | {parameters:N0} |{mib:F1}| {stopwatch.Elapsed.TotalMilliseconds / 5:F1} |"));
}

static long PeakRssKiB()
{
    string line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
    return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
}
