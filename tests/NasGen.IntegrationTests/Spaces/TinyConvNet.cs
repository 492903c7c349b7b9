using NasGen;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace NasGen.IntegrationTests.Spaces;

public enum Activation { Relu, Gelu, Tanh }

/// <summary>A classifier head with its own choices, nested in <see cref="TinyConvNet"/>.</summary>
[SearchSpace]
public sealed partial class ClassifierHead : Module<Tensor, Tensor>
{
    [Choice(16, 32)] public partial int Hidden { get; }

    [Choice] public partial Activation Activation { get; }

    private readonly Module<Tensor, Tensor> hiddenLayer;
    private readonly Module<Tensor, Tensor> activationLayer;
    private readonly Module<Tensor, Tensor> output;

    public ClassifierHead(Architecture architecture) : base(nameof(ClassifierHead))
    {
        InitializeChoices(architecture);
        hiddenLayer = Linear(8, Hidden);
        activationLayer = Activation switch
        {
            Activation.Relu => ReLU(),
            Activation.Gelu => GELU(),
            _ => Tanh(),
        };
        output = Linear(Hidden, 10);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input) => output.call(activationLayer.call(hiddenLayer.call(input)));
}

/// <summary>A small image classifier that uses every kind of choice.</summary>
[SearchSpace(Name = "tiny-convnet")]
public sealed partial class TinyConvNet : Module<Tensor, Tensor>
{
    [Choice(4, 8)] public partial int Width { get; }

    [Choice(0.0, 0.25)] public partial double Dropout { get; }

    [Choice(1e-3f, 1e-2f, Label = "lr")] public partial float LearningRate { get; }

    [Choice(2L, 3L)] public partial long Groups { get; }

    [Choice] public partial bool BatchNorm { get; }

    [Choice("max", "avg")] public partial string Pooling { get; }

    [LayerChoice(nameof(Conv3x3), nameof(Conv5x5), nameof(DepthwiseSeparable))]
    public partial Module<Tensor, Tensor> Block { get; }

    [Repeat(0, 2, nameof(MakeExtraBlock))] public partial Sequential Extra { get; }

    [InputChoice(candidates: 3, chosen: 2, reduction: InputReduction.Sum)] public partial InputChoice Skip { get; }

    [SubSpace] public partial ClassifierHead Head { get; }

    [Constraint]
    private static bool WideBlocksAvoidDropout(Architecture architecture) =>
        !(architecture.Width == 8 && architecture.Dropout > 0 && architecture.Block == BlockChoice.Conv5x5);

    private readonly Module<Tensor, Tensor> stem;
    private readonly Module<Tensor, Tensor> pool;
    private readonly Module<Tensor, Tensor> dropout;
    private readonly Module<Tensor, Tensor> toHead;

    public TinyConvNet(Architecture architecture) : base(nameof(TinyConvNet))
    {
        InitializeChoices(architecture);
        stem = Conv2d(1, Width, 3, padding: 1);
        pool = Pooling == "max" ? AdaptiveMaxPool2d([1, 1]) : AdaptiveAvgPool2d(1);
        dropout = Dropout(Dropout);
        toHead = Linear(Width, 8);
        RegisterComponents();
    }

    private Module<Tensor, Tensor> Conv3x3() => BatchNorm
        ? Sequential(Conv2d(Width, Width, 3, padding: 1), BatchNorm2d(Width), ReLU())
        : Sequential(Conv2d(Width, Width, 3, padding: 1), ReLU());

    private Module<Tensor, Tensor> Conv5x5() => Sequential(Conv2d(Width, Width, 5, padding: 2), ReLU());

    private Module<Tensor, Tensor> DepthwiseSeparable() => Sequential(
        Conv2d(Width, Width, 3, padding: 1, groups: Width), Conv2d(Width, Width, 1), ReLU());

    private Module<Tensor, Tensor> MakeExtraBlock(int index) => Sequential(Conv2d(Width, Width, 3, padding: 1), ReLU());

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var stemmed = stem.call(input);
        var blocked = Block.call(stemmed);
        var extra = Extra.call(blocked);
        var mixed = Skip.Select(stemmed, blocked, extra);
        var pooled = pool.call(mixed).flatten(1);
        var logits = Head.call(toHead.call(dropout.call(pooled)));
        return logits.MoveToOuterDisposeScope();
    }
}
