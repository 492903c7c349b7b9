using NasGen.Evaluation;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace NasGen.Tests.Evaluation;

public class ProfilerTests
{
    // conv 1->4 3x3 pad 1 (40 params) - BN(4) (8 params) - ReLU - maxpool 2 - flatten - linear 64->10 (650 params)
    private static Module<Tensor, Tensor> HandComputableNet() => Sequential(
        Conv2d(1, 4, 3, padding: 1), BatchNorm2d(4), ReLU(), MaxPool2d(2), Flatten(), Linear(64, 10));

    [Fact]
    public void Parameter_count_is_exact()
    {
        using var net = HandComputableNet();

        Assert.Equal(40 + 8 + 650, Profilers.CountParameters(net));
    }

    [Fact]
    public void Multiply_accumulates_match_the_hand_count()
    {
        using var net = HandComputableNet();

        long macs = Profilers.CountMultiplyAccumulates(net, 1, 8, 8);

        const long conv = 4 * 8 * 8 * 9;      // each output element: 1 channel x 3x3
        const long batchNorm = 4 * 8 * 8;     // one per element
        const long maxPool = 4 * 4 * 4 * 4;   // each output element: a 2x2 window
        const long linear = 10 * 64;
        Assert.Equal(conv + batchNorm + maxPool + linear, macs);
        Assert.True(net.training, "the profiler restores the training mode");
    }

    [Fact]
    public void Strided_and_grouped_convolutions_follow_the_real_shapes()
    {
        using var net = Sequential(Conv2d(4, 8, 3, stride: 2, padding: 1, groups: 2), AdaptiveAvgPool2d(1));

        long macs = Profilers.CountMultiplyAccumulates(net, 4, 8, 8);

        // Output 8x4x4; each element sums (4 / 2 groups) x 3x3 products; the pool reads 8x4x4 elements.
        Assert.Equal(8 * 4 * 4 * 2 * 9 + 8 * 4 * 4, macs);
    }

    private sealed class ForwardCallingNet : Module<Tensor, Tensor>
    {
        private readonly TorchSharp.Modules.Linear fc = Linear(4, 2);

        public ForwardCallingNet() : base(nameof(ForwardCallingNet)) => RegisterComponents();

        // forward() instead of call(): hooks never see the layer.
        public override Tensor forward(Tensor input) => fc.forward(input);
    }

    [Fact]
    public void Submodules_hidden_from_hooks_are_reported_instead_of_counted_as_zero()
    {
        using var net = new ForwardCallingNet();

        var error = Assert.Throws<System.InvalidOperationException>(() => Profilers.CountMultiplyAccumulates(net, 4));

        Assert.Contains("call()", error.Message);
    }

    [Fact]
    public void Latency_is_the_median_of_the_timed_runs()
    {
        using var net = HandComputableNet();

        LatencyMeasurement latency = Profilers.MeasureLatency(net, new long[] { 1, 1, 8, 8 }, warmupRuns: 2, timedRuns: 7);

        Assert.Equal(7, latency.TimedRuns);
        Assert.True(latency.MedianMilliseconds > 0);
        Assert.True(latency.MedianMilliseconds >= latency.MinimumMilliseconds);
        Assert.Contains("cpu", latency.Device, System.StringComparison.OrdinalIgnoreCase);
    }
}
