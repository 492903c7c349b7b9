using NasGen;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace NasGen.DigitsSearch;

/// <summary>
/// A small convolutional classifier for grey-scale digit images, with its design left open: width, the main
/// block's operation, extra blocks, a shortcut and dropout, and with it the training recipe's learning rate
/// (read by the trainer, not by the network). For 28x28 images the stem halves the resolution.
/// </summary>
[SearchSpace]
public sealed partial class DigitsNet : Module<Tensor, Tensor>
{
    [Choice(8, 16, 32)] public partial int Width { get; }

    [LayerChoice(nameof(Conv3x3), nameof(Conv5x5), nameof(SeparableConv3x3))]
    public partial Module<Tensor, Tensor> Block { get; }

    [Repeat(0, 2, nameof(ExtraBlock))] public partial Sequential Extra { get; }

    [InputChoice(candidates: 2, chosen: 1)] public partial InputChoice Shortcut { get; }

    // Continuous: any rate between the bounds (the space is infinite, searched by every strategy but grid).
    [Range(0.0, 0.5)] public partial double Dropout { get; }

    // SGD with momentum and a cosine schedule; the job used 0.05 for every trial before. Searched on a log scale, as
    // learning rates are (a factor matters, not a difference).
    [Range(0.01, 0.2, Log = true)] public partial double LearningRate { get; }

    // Wide nets with the 5x5 block cost more than they help on 8x8 images.
    [Constraint]
    private static bool SmallEnough(Architecture architecture) =>
        !(architecture.Width == 32 && architecture.Block == BlockChoice.Conv5x5);

    private readonly Module<Tensor, Tensor> stem;
    private readonly Module<Tensor, Tensor> classifier;

    public DigitsNet(Architecture architecture, bool downsample = false, int classes = 10) : base(nameof(DigitsNet))
    {
        InitializeChoices(architecture);
        stem = downsample
            ? Sequential(Conv2d(1, Width, 3, padding: 1), BatchNorm2d(Width), ReLU(), MaxPool2d(2))
            : Sequential(Conv2d(1, Width, 3, padding: 1), BatchNorm2d(Width), ReLU());
        // A 4x4 map keeps coarse position (where the strokes are), which global average pooling would throw away.
        classifier = Sequential(AdaptiveAvgPool2d(4), Flatten(), Dropout(Dropout), Linear(16 * Width, classes));
        RegisterComponents();
    }

    private Module<Tensor, Tensor> Conv3x3() => Sequential(Conv2d(Width, Width, 3, padding: 1), BatchNorm2d(Width), ReLU());

    private Module<Tensor, Tensor> Conv5x5() => Sequential(Conv2d(Width, Width, 5, padding: 2), BatchNorm2d(Width), ReLU());

    private Module<Tensor, Tensor> SeparableConv3x3() => Sequential(
        Conv2d(Width, Width, 3, padding: 1, groups: Width), Conv2d(Width, Width, 1), BatchNorm2d(Width), ReLU());

    private Module<Tensor, Tensor> ExtraBlock(int index) => Conv3x3();

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var features = stem.call(input);
        var deeper = Extra.call(Block.call(features));
        var combined = Shortcut.Select(deeper, features + deeper);
        return classifier.call(combined).MoveToOuterDisposeScope();
    }
}
