using System;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using NasGen;
using NasGen.Samples.Exported;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

// The C# side of the peer benchmark (bench/peer/compare.py runs it alternately with peer_bench.py).
// Usage: NasGen.PeerBench <mnist|awkward> <train|infer> <batch> <steps> [--threads N] [--no-guard]
// Prints one line: samples per second, and the oneDNN kernels and guarded convolutions.
if (args.Length < 4)
{
    Console.Error.WriteLine("usage: NasGen.PeerBench <mnist|awkward> <train|infer> <batch> <steps> [--threads N] [--no-guard]");
    return 2;
}

string network = args[0], mode = args[1];
int batch = int.Parse(args[2], CultureInfo.InvariantCulture), steps = int.Parse(args[3], CultureInfo.InvariantCulture);
int threadsAt = Array.IndexOf(args, "--threads");
if (threadsAt >= 0) torch.set_num_threads(int.Parse(args[threadsAt + 1], CultureInfo.InvariantCulture));
bool guarded = !args.Contains("--no-guard");

manual_seed(1);
Module<Tensor, Tensor> model = network switch
{
    "mnist" => new MnistNet(downsample: true),
    "awkward" => AwkwardNet(),
    _ => throw new ArgumentException($"unknown network '{network}' (mnist or awkward)"),
};
using IDisposable? guard = guarded ? ConvolutionGuard.Attach(model) : null;
int covered = model.modules().OfType<TorchSharp.Modules.Conv2d>().Count(ConvolutionGuard.Covers);

Tensor images = randn(batch, 1, 28, 28), labels = randint(0, 10, new long[] { batch });
using var optimizer = optim.SGD(model.parameters(), 0.05, momentum: 0.9);

void Step()
{
    using var scope = NewDisposeScope();
    if (mode == "infer")
    {
        using var noGrad = no_grad();
        model.call(images).argmax(1).sum().item<long>();
        return;
    }

    optimizer.zero_grad();
    Tensor loss = functional.cross_entropy(model.call(images), labels);
    loss.item<float>();
    loss.backward();
    optimizer.step();
}

if (mode == "infer") model.eval(); else model.train();
for (int i = 0; i < 3; i++) Step();
var stopwatch = Stopwatch.StartNew();
for (int i = 0; i < steps; i++) Step();
double seconds = stopwatch.Elapsed.TotalSeconds;
Console.WriteLine(FormattableString.Invariant(
    $"samples_per_s={batch * steps / seconds:F1} kernels={ConvolutionGuard.Kernels} guarded={(guarded ? covered : 0)} threads={torch.get_num_threads()}"));
return 0;

// Channel counts off oneDNN's blocks (12 and 24), the shape of network a search proposes.
static Module<Tensor, Tensor> AwkwardNet() => Sequential(
    Conv2d(1, 12, 3, padding: 1), BatchNorm2d(12), ReLU(),
    Conv2d(12, 12, 3, padding: 1), BatchNorm2d(12), ReLU(), MaxPool2d(2),
    Conv2d(12, 24, 3, padding: 1), BatchNorm2d(24), ReLU(),
    Conv2d(24, 24, 3, padding: 1), BatchNorm2d(24), ReLU(),
    AdaptiveAvgPool2d(4), Flatten(), Linear(24 * 16, 10));
