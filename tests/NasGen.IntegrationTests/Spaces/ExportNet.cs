using NasGen;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace NasGen.IntegrationTests.Spaces;

public enum Squash { Relu, Tanh }

/// <summary>A module built by type (a parameterless constructor) as a layer-choice candidate.</summary>
public sealed class Swish : Module<Tensor, Tensor>
{
    public Swish() : base(nameof(Swish))
    {
    }

    public override Tensor forward(Tensor input) => input * sigmoid(input);
}

/// <summary>Another parameterless candidate module.</summary>
public sealed class Gate : Module<Tensor, Tensor>
{
    public Gate() : base(nameof(Gate))
    {
    }

    public override Tensor forward(Tensor input) => input * tanh(input);
}

/// <summary>A nested space built through a factory that passes extra constructor arguments.</summary>
[SearchSpace(Name = "export-body")]
public sealed partial class ExportBody : Module<Tensor, Tensor>
{
    [Choice] public partial Squash Squash { get; }

    [Choice(1, 3)] public partial int Kernel { get; }

    private readonly Module<Tensor, Tensor> layer;

    public ExportBody(Architecture architecture, int channels) : base(nameof(ExportBody))
    {
        InitializeChoices(architecture);
        layer = Conv2d(channels, channels, Kernel, padding: Kernel / 2);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input) => Squash switch
    {
        Squash.Relu => layer.call(input).relu(),
        _ => layer.call(input).tanh(),
    };
}

/// <summary>
/// Exercises what the exporter must carry over: conditions on value choices (if/else blocks, a ternary, a switch),
/// a negative value, <c>this.</c> access, type-built and factory-built candidates, a repeat, Mean and Concat input choices and a
/// nested space built by a factory. References in this summary point at generated members (<see cref="EmitSource"/>,
/// <see cref="Architecture">the architecture type</see>) that an exported class does not have: the export turns them into text.
/// </summary>
[SearchSpace(Name = "export-net")]
public sealed partial class ExportNet : Module<Tensor, Tensor>
{
    [Choice(4, 6)] public partial int Width { get; }

    [Choice] public partial bool Residual { get; }

    [Choice(-1.0, 0.5, 2.0)] public partial double Scale { get; }

    [Choice("sum", "max")] public partial string Pool { get; }

    [LayerChoice(typeof(Swish), typeof(Gate))] public partial Module<Tensor, Tensor> Mixer { get; }

    [LayerChoice(nameof(Narrow), nameof(Wide))] public partial Module<Tensor, Tensor> Conv { get; }

    [Repeat(1, 2, nameof(Stage))] public partial Sequential Stages { get; }

    [InputChoice(3, 2, InputReduction.Mean)] public partial InputChoice Merge { get; }

    [InputChoice(3, 2, InputReduction.Concat)] public partial InputChoice Join { get; }

    [SubSpace(Factory = nameof(MakeBody))] public partial ExportBody Body { get; }

    private readonly Module<Tensor, Tensor> stem, head;
    private readonly Module<Tensor, Tensor>? norm;

    /// <summary>The network of <paramref name="architecture"/> with <paramref name="classes"/> outputs.</summary>
    /// <param name="architecture">The choices; the export has none.</param>
    /// <param name="classes">How many classes.</param>
    public ExportNet(Architecture architecture, int classes = 3) : base(nameof(ExportNet))
    {
        InitializeChoices(architecture);
        stem = Conv2d(1, Width, 3, padding: 1);
        if (Residual)
        {
            norm = BatchNorm2d(Width);
        }
        else
        {
            norm = null;
        }
        head = Linear(2 * Width, classes);
        RegisterComponents();
    }

    private Module<Tensor, Tensor> Narrow() => Conv2d(Width, Width, 1);

    private Module<Tensor, Tensor> Wide() => Sequential(Conv2d(Width, Width, 3, padding: 1), ReLU());

    private Module<Tensor, Tensor> Stage(int index) => Conv2d(this.Width, this.Width, 1);

    private ExportBody MakeBody(ExportBody.Architecture architecture) => new ExportBody(architecture, Width);

    private static Tensor Twice(Tensor x) => x * 2;

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = stem.call(input);
        if (norm is not null) x = norm.call(x);
        var mixed = Conv.call(Mixer.call(x));
        var staged = Stages.call(mixed);
        var merged = Merge.Select(x, mixed, staged) * Scale;
        if (Residual) merged = merged + x;
        var joined = Join.Select(x, Body.call(merged), staged);
        var pooled = Pool == "sum" ? joined.sum([2, 3]) : joined.amax([2, 3]);
        return head.call(Twice(pooled)).MoveToOuterDisposeScope();
    }
}
