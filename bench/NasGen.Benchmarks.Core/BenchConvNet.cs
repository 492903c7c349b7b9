using NasGen;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace NasGen.Benchmarks.Core;

/// <summary>
/// A small conv net space: stem conv, a [LayerChoice] block, global average pooling, linear head.
/// The training benchmark builds the fixed network of <see cref="BenchmarkArchitecture"/>.
/// </summary>
[SearchSpace(Name = "bench-convnet")]
public sealed partial class BenchConvNet : Module<Tensor, Tensor>
{
    public const int Width = 16;

    /// <summary>The architecture the benchmark trains: the 3x3 conv block.</summary>
    public static Architecture BenchmarkArchitecture => new(BlockChoice.Conv3x3);

    [LayerChoice(nameof(Conv3x3), nameof(Conv5x5), nameof(DepthwiseSeparable))]
    public partial Module<Tensor, Tensor> Block { get; }

    private readonly Module<Tensor, Tensor> stem;
    private readonly Module<Tensor, Tensor> pool;
    private readonly Module<Tensor, Tensor> head;

    public BenchConvNet(Architecture architecture) : base(nameof(BenchConvNet))
    {
        InitializeChoices(architecture);
        stem = Conv2d(1, Width, 3, padding: 1);
        pool = AdaptiveAvgPool2d(1);
        head = Linear(Width, 10);
        RegisterComponents();
    }

    private Module<Tensor, Tensor> Conv3x3() => Sequential(Conv2d(Width, Width, 3, padding: 1), ReLU());

    private Module<Tensor, Tensor> Conv5x5() => Sequential(Conv2d(Width, Width, 5, padding: 2), ReLU());

    private Module<Tensor, Tensor> DepthwiseSeparable() => Sequential(
        Conv2d(Width, Width, 3, padding: 1, groups: Width), Conv2d(Width, Width, 1), ReLU());

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = functional.relu(stem.call(input));
        x = Block.call(x);
        x = pool.call(x).flatten(1);
        return head.call(x).MoveToOuterDisposeScope();
    }
}

/// <summary>
/// <see cref="BenchConvNet"/> with the 3x3 block, written by hand in plain TorchSharp: the same layers, the
/// same field names (so the same state_dict keys) and the same forward.
/// </summary>
public sealed class HandWrittenConvNet : Module<Tensor, Tensor>
{
    private const int Width = BenchConvNet.Width;

    private readonly Module<Tensor, Tensor> block;
    private readonly Module<Tensor, Tensor> stem;
    private readonly Module<Tensor, Tensor> pool;
    private readonly Module<Tensor, Tensor> head;

    public HandWrittenConvNet() : base(nameof(HandWrittenConvNet))
    {
        block = Sequential(Conv2d(Width, Width, 3, padding: 1), ReLU());
        stem = Conv2d(1, Width, 3, padding: 1);
        pool = AdaptiveAvgPool2d(1);
        head = Linear(Width, 10);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = functional.relu(stem.call(input));
        x = block.call(x);
        x = pool.call(x).flatten(1);
        return head.call(x).MoveToOuterDisposeScope();
    }
}
