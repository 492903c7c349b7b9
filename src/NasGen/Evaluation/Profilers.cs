using System.Diagnostics;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NasGen.Evaluation;

/// <summary>Latency of one forward pass, measured after a warm-up.</summary>
/// <param name="MedianMilliseconds">Median of the timed runs (the figure to report).</param>
/// <param name="MinimumMilliseconds">Fastest timed run.</param>
/// <param name="TimedRuns">How many runs the median is taken over.</param>
/// <param name="Device">Where it ran.</param>
public sealed record LatencyMeasurement(double MedianMilliseconds, double MinimumMilliseconds, int TimedRuns, string Device);

/// <summary>
/// Cost of a network: exact parameter count, multiply-accumulates of a forward pass, measured latency.
/// </summary>
/// <remarks>
/// Multiply-accumulates are counted by running one forward pass with hooks on every leaf module, so
/// they follow the real shapes (strides, padding, modules called twice). Submodules must be invoked
/// through <c>call()</c> (as <see cref="Sequential"/> and TorchSharp convention do); <c>forward()</c>
/// bypasses hooks.
/// </remarks>
public static class Profilers
{
    /// <summary>Number of scalar parameters (every registered parameter, trainable or not, each counted once).</summary>
    public static long CountParameters(nn.Module model, bool trainableOnly = false)
    {
        ArgumentNullException.ThrowIfNull(model);
        return model.parameters().Where(p => !trainableOnly || p.requires_grad).Sum(p => p.numel());
    }

    /// <summary>
    /// Multiply-accumulates (MACs; FLOPs are about twice this) of one forward pass of a single example.
    /// Counted per leaf module: convolution and linear layers <c>output elements x (weight elements / output channels)</c>;
    /// batch norm one per output element (scale and shift fold into one multiply-add at inference);
    /// max and average pooling <c>output elements x kernel area</c>; adaptive pooling one per input element;
    /// activations, dropout, flatten and functional code in <c>forward</c> count zero. Bias additions are not counted.
    /// Any other leaf module with a weight of rank 2 or more is counted like a linear layer.
    /// </summary>
    /// <param name="model">The network (left in the training mode it had).</param>
    /// <param name="exampleShape">Shape of one example without the batch dimension, e.g. <c>1, 28, 28</c>.</param>
    /// <exception cref="InvalidOperationException">No hook fired although the model has parameterised layers (submodules called with forward()).</exception>
    public static long CountMultiplyAccumulates(nn.Module<Tensor, Tensor> model, params long[] exampleShape)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(exampleShape);
        long total = 0;
        bool wasTraining = model.training;
        using var hooks = new ForwardHooks(model, _ => true, (module, input, output) => total += LeafMultiplyAccumulates(module, input, output));
        try
        {
            model.eval();
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            Tensor input = zeros(new[] { 1L }.Concat(exampleShape).ToArray(), device: DeviceOf(model));
            model.call(input);
        }
        finally
        {
            model.train(wasTraining);
        }

        if (hooks.FiredCount == 0 && ForwardHooks.LeafModules(model).Any(l => l.parameters().Any()))
        {
            throw new InvalidOperationException(
                $"No layer of '{model.GetName()}' reported its shapes: its forward() calls submodules with forward() instead of call(), which bypasses hooks. " +
                "Call submodules with call() (or wrap them in Sequential) so NasGen can count their multiply-accumulates.");
        }

        return total;
    }

    /// <summary>
    /// Measures the forward latency of one batch: <paramref name="warmupRuns"/> untimed runs, then the
    /// median of <paramref name="timedRuns"/> timed runs (synchronising the GPU when there is one).
    /// </summary>
    /// <param name="model">The network; timed in evaluation mode without gradients, then restored to its mode.</param>
    /// <param name="inputShape">The full input shape including the batch dimension, e.g. <c>1, 1, 28, 28</c>.</param>
    /// <param name="warmupRuns">Runs discarded (allocator, kernel selection, caches).</param>
    /// <param name="timedRuns">Runs timed; at least 1.</param>
    /// <param name="seed">Seed of the random input.</param>
    public static LatencyMeasurement MeasureLatency(nn.Module<Tensor, Tensor> model, long[] inputShape, int warmupRuns = 5, int timedRuns = 21, int seed = 0)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(inputShape);
        ArgumentOutOfRangeException.ThrowIfNegative(warmupRuns);
        ArgumentOutOfRangeException.ThrowIfLessThan(timedRuns, 1);

        Device device = DeviceOf(model);
        bool wasTraining = model.training;
        var milliseconds = new double[timedRuns];
        try
        {
            model.eval();
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            using var generator = new TorchSharp.torch.Generator((ulong)seed);
            Tensor input = randn(inputShape, generator: generator).to(device);
            for (int run = -warmupRuns; run < timedRuns; run++)
            {
                long start = Stopwatch.GetTimestamp();
                using (NewDisposeScope())
                {
                    model.call(input);
                    if (device.type == TorchSharp.DeviceType.CUDA) cuda.synchronize(device);
                }

                if (run >= 0) milliseconds[run] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            }
        }
        finally
        {
            model.train(wasTraining);
        }

        Array.Sort(milliseconds);
        double median = timedRuns % 2 == 1
            ? milliseconds[timedRuns / 2]
            : (milliseconds[timedRuns / 2 - 1] + milliseconds[timedRuns / 2]) / 2;
        return new LatencyMeasurement(median, milliseconds[0], timedRuns, device.ToString());
    }

    /// <summary>The device of the model's first parameter or buffer (CPU for a model with neither).</summary>
    internal static Device DeviceOf(nn.Module model) =>
        model.parameters().Select(p => p.device).Concat(model.buffers().Select(b => b.device)).FirstOrDefault() ?? CPU;

    private static long LeafMultiplyAccumulates(nn.Module<Tensor, Tensor> module, Tensor input, Tensor output) => module switch
    {
        Linear linear => output.numel() * linear.in_features,
        BatchNorm1d or BatchNorm2d or BatchNorm3d => output.numel(),
        MaxPool1d pool => output.numel() * KernelArea(pool.kernel_size),
        MaxPool2d pool => output.numel() * KernelArea(pool.kernel_size),
        AvgPool1d pool => output.numel() * KernelArea(pool.kernel_size),
        AvgPool2d pool => output.numel() * KernelArea(pool.kernel_size),
        // A transposed convolution's weight is [in, out / groups, kernel...]: each input element scatters that many products.
        ConvTranspose1d or ConvTranspose2d or ConvTranspose3d => input.numel() * WeightElementsPerFirstDimension(module),
        AdaptiveAvgPool1d or AdaptiveAvgPool2d or AdaptiveMaxPool1d or AdaptiveMaxPool2d => input.numel(),
        // Convolutions (any rank, grouped or not) and unknown weighted layers: each output element
        // is a dot product over one output channel's slice of the weight.
        _ => WeightedLayerMultiplyAccumulates(module, output),
    };

    private static long WeightedLayerMultiplyAccumulates(nn.Module<Tensor, Tensor> module, Tensor output) =>
        output.numel() * WeightElementsPerFirstDimension(module);

    private static long WeightElementsPerFirstDimension(nn.Module<Tensor, Tensor> module)
    {
        var weight = module.named_parameters(recurse: false).Where(p => p.name == "weight").Select(p => p.parameter).FirstOrDefault();
        return weight is null || weight.dim() < 2 ? 0 : weight.numel() / weight.shape[0];
    }

    private static long KernelArea(long kernelSize) => kernelSize;

    private static long KernelArea(long[]? kernelSize) => kernelSize?.Aggregate(1L, (area, side) => area * side) ?? 1;
}
