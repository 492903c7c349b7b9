using NasGen;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MySearch;

#if (data == "csv")
/// <summary>
/// The search space: a multilayer perceptron over the table's feature columns whose width, depth, activation and
/// dropout are searched. Edit the choices freely; the generator checks them as you type.
/// </summary>
[SearchSpace]
public sealed partial class SearchNet : Module<Tensor, Tensor>
{
    [Choice(16, 32, 64)] public partial int Width { get; }

    [LayerChoice(nameof(ReluLayer), nameof(GeluLayer))] public partial Module<Tensor, Tensor> Activation { get; }

    [Repeat(0, 2, nameof(HiddenLayer))] public partial Sequential Hidden { get; }

    [Choice(0.0, 0.2)] public partial double Dropout { get; }

    private readonly Module<Tensor, Tensor> input, output;

    /// <param name="architecture">The choices.</param>
    /// <param name="features">The table's feature columns.</param>
    /// <param name="classes">The number of classes.</param>
    public SearchNet(Architecture architecture, int features = 4, int classes = 2) : base(nameof(SearchNet))
    {
        InitializeChoices(architecture);
        input = Linear(features, Width);
        output = Sequential(Dropout(Dropout), Linear(Width, classes));
        RegisterComponents();
    }

    private Module<Tensor, Tensor> ReluLayer() => ReLU();

    private Module<Tensor, Tensor> GeluLayer() => GELU();

    private Module<Tensor, Tensor> HiddenLayer(int index) => Sequential(Linear(Width, Width), ReLU());

    public override Tensor forward(Tensor x) => output.call(Hidden.call(Activation.call(input.call(x))));
}
#else
/// <summary>
/// The search space: a small convolutional classifier whose width, main block, depth and dropout are searched.
/// Edit the choices freely; the generator checks them as you type.
/// </summary>
[SearchSpace]
public sealed partial class SearchNet : Module<Tensor, Tensor>
{
    [Choice(8, 16, 32)] public partial int Width { get; }

    [LayerChoice(nameof(Conv3x3), nameof(Conv5x5))] public partial Module<Tensor, Tensor> Block { get; }

    [Repeat(0, 2, nameof(ExtraBlock))] public partial Sequential Extra { get; }

    [Choice(0.0, 0.2)] public partial double Dropout { get; }

    private readonly Module<Tensor, Tensor> stem, head;

    /// <param name="architecture">The choices.</param>
    /// <param name="channels">1 for grayscale images, 3 for RGB.</param>
    /// <param name="classes">The number of classes (sub-folders).</param>
    public SearchNet(Architecture architecture, int channels = 1, int classes = 2) : base(nameof(SearchNet))
    {
        InitializeChoices(architecture);
        stem = Sequential(Conv2d(channels, Width, 3, padding: 1), BatchNorm2d(Width), ReLU());
        head = Sequential(AdaptiveAvgPool2d(1), Flatten(), Dropout(Dropout), Linear(Width, classes));
        RegisterComponents();
    }

    private Module<Tensor, Tensor> Conv3x3() => Sequential(Conv2d(Width, Width, 3, padding: 1), BatchNorm2d(Width), ReLU());

    private Module<Tensor, Tensor> Conv5x5() => Sequential(Conv2d(Width, Width, 5, padding: 2), BatchNorm2d(Width), ReLU());

    private Module<Tensor, Tensor> ExtraBlock(int index) => Conv3x3();

    public override Tensor forward(Tensor x) => head.call(Extra.call(Block.call(stem.call(x))));
}
#endif
