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
// Usage: NasGen.PeerBench <mnist|awkward> <train|infer> <batch> <steps> [--threads N] [--no-guard] [--channels-last] [--no-item]
// Prints one line: samples per second, and the oneDNN kernels and guarded convolutions.
//        NasGen.PeerBench gemm <size> <repeats> [--threads N]
// Prints the float32 GFLOP/s of size × size matrix products: the peak the training step is compared with.
//        NasGen.PeerBench sweep [--no-guard] [--max C] [--step S]
// Checks every convolution from S, 2S .. C input to output channels (kernel 1/3/5, stride 1/2) against float64.
if (args.Length >= 1 && args[0] == "sweep") return GradientSweep.Run(args);
if (args.Length >= 3 && args[0] == "gemm") return GemmPeak(args);
if (args.Length < 4)
{
    Console.Error.WriteLine("usage: NasGen.PeerBench <mnist|awkward> <train|infer> <batch> <steps> [--threads N] [--no-guard] [--channels-last] | gemm <size> <repeats> | sweep");
    return 2;
}

string network = args[0], mode = args[1];
int batch = int.Parse(args[2], CultureInfo.InvariantCulture), steps = int.Parse(args[3], CultureInfo.InvariantCulture);
int threadsAt = Array.IndexOf(args, "--threads");
if (threadsAt >= 0) torch.set_num_threads(int.Parse(args[threadsAt + 1], CultureInfo.InvariantCulture));
bool guarded = !args.Contains("--no-guard");
bool channelsLast = args.Contains("--channels-last");
// --no-item: no loss.item() per step (ClassificationTrainer reads it to stop on NaN): what that host read costs.
bool readLoss = !args.Contains("--no-item");

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
// Channels-last strides without contiguous(memory_format): NHWC in memory, NCHW to the caller, as PyTorch makes it.
if (channelsLast) images = images.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2);
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
    if (readLoss) loss.item<float>();
    loss.backward();
    optimizer.step();
}

if (mode == "infer") model.eval(); else model.train();
// Warm-up: 3 steps, then steps until 1.5 s have passed, so that .NET's tiered JIT has settled (its background
// recompilation takes a core from the OpenMP threads in the first seconds: docs/performance.md). peer_bench.py does the same.
var warmup = Stopwatch.StartNew();
for (int i = 0; i < 3 || warmup.Elapsed.TotalSeconds < 1.5; i++) Step();
// CPU time of every thread (libtorch's OpenMP workers included): what a step costs when the machine is shared, where
// wall-clock time measures the neighbours (compare.py sets OMP_WAIT_POLICY=PASSIVE so that idle workers sleep).
TimeSpan cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
var stopwatch = Stopwatch.StartNew();
for (int i = 0; i < steps; i++) Step();
double seconds = stopwatch.Elapsed.TotalSeconds;
double cpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds;
Console.WriteLine(FormattableString.Invariant(
    $"samples_per_s={batch * steps / seconds:F1} cpu_us_per_sample={cpuSeconds * 1e6 / (batch * steps):F1} kernels={ConvolutionGuard.Kernels} guarded={(guarded ? covered : 0)} threads={torch.get_num_threads()}"));
return 0;

static int GemmPeak(string[] args)
{
    long size = long.Parse(args[1], CultureInfo.InvariantCulture);
    int repeats = int.Parse(args[2], CultureInfo.InvariantCulture), threadsAt = Array.IndexOf(args, "--threads");
    if (threadsAt >= 0) torch.set_num_threads(int.Parse(args[threadsAt + 1], CultureInfo.InvariantCulture));
    using Tensor a = randn(size, size), b = randn(size, size);
    a.mm(b).Dispose();
    TimeSpan cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
    var stopwatch = Stopwatch.StartNew();
    for (int i = 0; i < repeats; i++) a.mm(b).Dispose();
    double flops = 2.0 * size * size * size * repeats, cpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds;
    // gflops_per_cpu_s: per second of one core's time, the load-independent peak compare.py's --metric cpu uses.
    Console.WriteLine(FormattableString.Invariant(
        $"gflops={flops / stopwatch.Elapsed.TotalSeconds / 1e9:F1} gflops_per_cpu_s={flops / cpuSeconds / 1e9:F1}"));
    return 0;
}

// Channel counts off oneDNN's blocks (12 and 24), the shape of network a search proposes.
static Module<Tensor, Tensor> AwkwardNet() => Sequential(
    Conv2d(1, 12, 3, padding: 1), BatchNorm2d(12), ReLU(),
    Conv2d(12, 12, 3, padding: 1), BatchNorm2d(12), ReLU(), MaxPool2d(2),
    Conv2d(12, 24, 3, padding: 1), BatchNorm2d(24), ReLU(),
    Conv2d(24, 24, 3, padding: 1), BatchNorm2d(24), ReLU(),
    AdaptiveAvgPool2d(4), Flatten(), Linear(24 * 16, 10));
