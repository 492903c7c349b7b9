// A fixed network exported by NasGen from the search space 'DigitsNet' (NasGen.DigitsSearch.DigitsNet).
// Architecture: width=16;block=Conv3x3;extra=1;shortcut=[1];dropout=0.2;learningRate=0.05
// Space fingerprint: 46d8639b958ffa07
// Produced by NasGen 0.1.0 (EmitSource).
// Only the chosen operations exist; it needs TorchSharp and nothing from NasGen.
#nullable enable

using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace NasGen.Samples.Exported;

/// <summary>
/// A small convolutional classifier for grey-scale digit images, with its design left open: width, the main
/// block's operation, extra blocks, a shortcut and dropout, and with it the training recipe's learning rate
/// (read by the trainer, not by the network). For 28x28 images the stem halves the resolution.
/// </summary>
public sealed class MnistNet : Module<Tensor, Tensor>
{
    // The chosen operations; their names are the searched network's state_dict keys, so its weights load here.
    private readonly Module<Tensor, Tensor> block;
    private readonly Sequential extra;

    public int Width => 16;
    public Module<Tensor, Tensor> Block => block;
    public Sequential Extra => extra;
    public double Dropout => 0.2;
    public double LearningRate => 0.05;

    private readonly Module<Tensor, Tensor> stem;
    private readonly Module<Tensor, Tensor> classifier;

    public MnistNet(bool downsample = false, int classes = 10) : base(nameof(MnistNet))
    {
        block = Conv3x3();
        extra = Sequential(("0", ExtraBlock(0)));
        stem = downsample
            ? Sequential(Conv2d(1, Width, 3, padding: 1), BatchNorm2d(Width), ReLU(), MaxPool2d(2))
            : Sequential(Conv2d(1, Width, 3, padding: 1), BatchNorm2d(Width), ReLU());
        // A 4x4 map keeps coarse position (where the strokes are), which global average pooling would throw away.
        classifier = Sequential(AdaptiveAvgPool2d(4), Flatten(), Dropout(Dropout), Linear(16 * Width, classes));
        RegisterComponents();
    }

    private Module<Tensor, Tensor> Conv3x3() => Sequential(Conv2d(Width, Width, 3, padding: 1), BatchNorm2d(Width), ReLU());

    private Module<Tensor, Tensor> ExtraBlock(int index) => Conv3x3();

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var features = stem.call(input);
        var deeper = Extra.call(Block.call(features));
        var combined = features + deeper;
        return classifier.call(combined).MoveToOuterDisposeScope();
    }
}
