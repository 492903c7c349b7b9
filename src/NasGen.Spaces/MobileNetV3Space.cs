using System;
using NasGen;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace NasGen.Spaces;

/// <summary>
/// A MobileNetV3 / ProxylessNAS-style space (Howard et al., "Searching for MobileNetV3", ICCV 2019, table 1;
/// Cai, Zhu &amp; Han, "ProxylessNAS: Direct Neural Architecture Search on Target Task and Hardware", ICLR 2019,
/// section 3): the MobileNetV3-Large skeleton — a stride-2 3×3 stem with h-swish, a fixed first inverted bottleneck,
/// 14 searchable inverted-bottleneck (MBConv) layers in five stages of 24, 40, 80, 112 and 160 channels, a 1×1
/// convolution to 960 channels, global pooling, a 1280-wide hidden layer and the classifier. Each searchable layer
/// chooses its depthwise kernel (3, 5, 7), its expansion ratio (MobileNetV3-Large's 2.3, 2.5, 3, 4 and 6, which
/// include ProxylessNAS's 3 and 6) and whether it has squeeze-and-excitation; the activation (ReLU in the first
/// two stages, h-swish after) and the widths are MobileNetV3-Large's.
/// </summary>
/// <remarks>
/// Expanded widths are <c>round(input × ratio)</c> to a multiple of 8 (MobileNetV3's <c>_make_divisible</c>), so
/// <see cref="MobileNetV3Architectures.Large"/> is exactly MobileNetV3-Large 1.0. The space has no supernet: its
/// choices are value choices that change weight shapes (docs/spaces/mobilenet-v3.md says why and what the DSL lacks).
/// </remarks>
[SearchSpace(Name = "mobilenet-v3")]
public sealed partial class MobileNetV3Space : Module<Tensor, Tensor>
{
    /// <summary>Layer 1 (16→24 channels, stride 2): depthwise kernel.</summary>
    [Choice(3, 5, 7)] public partial int Kernel1 { get; }

    /// <summary>Layer 1: expansion ratio of the inverted bottleneck.</summary>
    [Choice(2.3, 2.5, 3.0, 4.0, 6.0)] public partial double Expansion1 { get; }

    /// <summary>Layer 1: squeeze-and-excitation.</summary>
    [Choice] public partial bool SqueezeExcite1 { get; }

    /// <summary>Layer 2 (24→24 channels, stride 1): depthwise kernel.</summary>
    [Choice(3, 5, 7)] public partial int Kernel2 { get; }

    /// <summary>Layer 2: expansion ratio of the inverted bottleneck.</summary>
    [Choice(2.3, 2.5, 3.0, 4.0, 6.0)] public partial double Expansion2 { get; }

    /// <summary>Layer 2: squeeze-and-excitation.</summary>
    [Choice] public partial bool SqueezeExcite2 { get; }

    /// <summary>Layer 3 (24→40 channels, stride 2): depthwise kernel.</summary>
    [Choice(3, 5, 7)] public partial int Kernel3 { get; }

    /// <summary>Layer 3: expansion ratio of the inverted bottleneck.</summary>
    [Choice(2.3, 2.5, 3.0, 4.0, 6.0)] public partial double Expansion3 { get; }

    /// <summary>Layer 3: squeeze-and-excitation.</summary>
    [Choice] public partial bool SqueezeExcite3 { get; }

    /// <summary>Layer 4 (40→40 channels, stride 1): depthwise kernel.</summary>
    [Choice(3, 5, 7)] public partial int Kernel4 { get; }

    /// <summary>Layer 4: expansion ratio of the inverted bottleneck.</summary>
    [Choice(2.3, 2.5, 3.0, 4.0, 6.0)] public partial double Expansion4 { get; }

    /// <summary>Layer 4: squeeze-and-excitation.</summary>
    [Choice] public partial bool SqueezeExcite4 { get; }

    /// <summary>Layer 5 (40→40 channels, stride 1): depthwise kernel.</summary>
    [Choice(3, 5, 7)] public partial int Kernel5 { get; }

    /// <summary>Layer 5: expansion ratio of the inverted bottleneck.</summary>
    [Choice(2.3, 2.5, 3.0, 4.0, 6.0)] public partial double Expansion5 { get; }

    /// <summary>Layer 5: squeeze-and-excitation.</summary>
    [Choice] public partial bool SqueezeExcite5 { get; }

    /// <summary>Layer 6 (40→80 channels, stride 2): depthwise kernel.</summary>
    [Choice(3, 5, 7)] public partial int Kernel6 { get; }

    /// <summary>Layer 6: expansion ratio of the inverted bottleneck.</summary>
    [Choice(2.3, 2.5, 3.0, 4.0, 6.0)] public partial double Expansion6 { get; }

    /// <summary>Layer 6: squeeze-and-excitation.</summary>
    [Choice] public partial bool SqueezeExcite6 { get; }

    /// <summary>Layer 7 (80→80 channels, stride 1): depthwise kernel.</summary>
    [Choice(3, 5, 7)] public partial int Kernel7 { get; }

    /// <summary>Layer 7: expansion ratio of the inverted bottleneck.</summary>
    [Choice(2.3, 2.5, 3.0, 4.0, 6.0)] public partial double Expansion7 { get; }

    /// <summary>Layer 7: squeeze-and-excitation.</summary>
    [Choice] public partial bool SqueezeExcite7 { get; }

    /// <summary>Layer 8 (80→80 channels, stride 1): depthwise kernel.</summary>
    [Choice(3, 5, 7)] public partial int Kernel8 { get; }

    /// <summary>Layer 8: expansion ratio of the inverted bottleneck.</summary>
    [Choice(2.3, 2.5, 3.0, 4.0, 6.0)] public partial double Expansion8 { get; }

    /// <summary>Layer 8: squeeze-and-excitation.</summary>
    [Choice] public partial bool SqueezeExcite8 { get; }

    /// <summary>Layer 9 (80→80 channels, stride 1): depthwise kernel.</summary>
    [Choice(3, 5, 7)] public partial int Kernel9 { get; }

    /// <summary>Layer 9: expansion ratio of the inverted bottleneck.</summary>
    [Choice(2.3, 2.5, 3.0, 4.0, 6.0)] public partial double Expansion9 { get; }

    /// <summary>Layer 9: squeeze-and-excitation.</summary>
    [Choice] public partial bool SqueezeExcite9 { get; }

    /// <summary>Layer 10 (80→112 channels, stride 1): depthwise kernel.</summary>
    [Choice(3, 5, 7)] public partial int Kernel10 { get; }

    /// <summary>Layer 10: expansion ratio of the inverted bottleneck.</summary>
    [Choice(2.3, 2.5, 3.0, 4.0, 6.0)] public partial double Expansion10 { get; }

    /// <summary>Layer 10: squeeze-and-excitation.</summary>
    [Choice] public partial bool SqueezeExcite10 { get; }

    /// <summary>Layer 11 (112→112 channels, stride 1): depthwise kernel.</summary>
    [Choice(3, 5, 7)] public partial int Kernel11 { get; }

    /// <summary>Layer 11: expansion ratio of the inverted bottleneck.</summary>
    [Choice(2.3, 2.5, 3.0, 4.0, 6.0)] public partial double Expansion11 { get; }

    /// <summary>Layer 11: squeeze-and-excitation.</summary>
    [Choice] public partial bool SqueezeExcite11 { get; }

    /// <summary>Layer 12 (112→160 channels, stride 2): depthwise kernel.</summary>
    [Choice(3, 5, 7)] public partial int Kernel12 { get; }

    /// <summary>Layer 12: expansion ratio of the inverted bottleneck.</summary>
    [Choice(2.3, 2.5, 3.0, 4.0, 6.0)] public partial double Expansion12 { get; }

    /// <summary>Layer 12: squeeze-and-excitation.</summary>
    [Choice] public partial bool SqueezeExcite12 { get; }

    /// <summary>Layer 13 (160→160 channels, stride 1): depthwise kernel.</summary>
    [Choice(3, 5, 7)] public partial int Kernel13 { get; }

    /// <summary>Layer 13: expansion ratio of the inverted bottleneck.</summary>
    [Choice(2.3, 2.5, 3.0, 4.0, 6.0)] public partial double Expansion13 { get; }

    /// <summary>Layer 13: squeeze-and-excitation.</summary>
    [Choice] public partial bool SqueezeExcite13 { get; }

    /// <summary>Layer 14 (160→160 channels, stride 1): depthwise kernel.</summary>
    [Choice(3, 5, 7)] public partial int Kernel14 { get; }

    /// <summary>Layer 14: expansion ratio of the inverted bottleneck.</summary>
    [Choice(2.3, 2.5, 3.0, 4.0, 6.0)] public partial double Expansion14 { get; }

    /// <summary>Layer 14: squeeze-and-excitation.</summary>
    [Choice] public partial bool SqueezeExcite14 { get; }

    // Per searchable layer: input and output channels, stride, h-swish (else ReLU); MobileNetV3-Large's table 1.
    private static readonly (int Input, int Output, int Stride, bool HardSwish)[] Layers =
    [
        (16, 24, 2, false),
        (24, 24, 1, false),
        (24, 40, 2, false),
        (40, 40, 1, false),
        (40, 40, 1, false),
        (40, 80, 2, true),
        (80, 80, 1, true),
        (80, 80, 1, true),
        (80, 80, 1, true),
        (80, 112, 1, true),
        (112, 112, 1, true),
        (112, 160, 2, true),
        (160, 160, 1, true),
        (160, 160, 1, true),
    ];

    private readonly Sequential stem;
    private readonly ModuleList<Module<Tensor, Tensor>> blocks;
    private readonly Sequential head;

    /// <summary>The network of <paramref name="architecture"/>.</summary>
    /// <param name="architecture">The layers' kernels, expansions and squeeze-and-excitation.</param>
    /// <param name="classes">Classes of the classifier (1000 for ImageNet).</param>
    /// <param name="inputChannels">Image channels (3 for colour images).</param>
    /// <param name="dropout">Dropout before the classifier (0.2 in MobileNetV3).</param>
    public MobileNetV3Space(Architecture architecture, int classes = 1000, int inputChannels = 3, double dropout = 0.2) : base(nameof(MobileNetV3Space))
    {
        if (classes < 1 || inputChannels < 1) throw new ArgumentOutOfRangeException(nameof(classes), "Classes and input channels must be at least 1.");
        InitializeChoices(architecture);
        stem = Sequential(("0", Conv2d(inputChannels, 16, 3, stride: 2, padding: 1, bias: false)), ("1", BatchNorm2d(16)), ("2", Hardswish()));
        int[] kernels = [Kernel1, Kernel2, Kernel3, Kernel4, Kernel5, Kernel6, Kernel7, Kernel8, Kernel9, Kernel10, Kernel11, Kernel12, Kernel13, Kernel14];
        double[] expansions = [Expansion1, Expansion2, Expansion3, Expansion4, Expansion5, Expansion6, Expansion7, Expansion8, Expansion9, Expansion10, Expansion11, Expansion12, Expansion13, Expansion14];
        bool[] squeezes = [SqueezeExcite1, SqueezeExcite2, SqueezeExcite3, SqueezeExcite4, SqueezeExcite5, SqueezeExcite6, SqueezeExcite7, SqueezeExcite8, SqueezeExcite9, SqueezeExcite10, SqueezeExcite11, SqueezeExcite12, SqueezeExcite13, SqueezeExcite14];
        blocks = new ModuleList<Module<Tensor, Tensor>>();
        // The first bottleneck is fixed in MobileNetV3-Large: 3×3 depthwise, no expansion, no squeeze-and-excitation.
        blocks.append(new InvertedResidual(16, 16, 16, 3, 1, false, false).Registered());
        for (int i = 0; i < Layers.Length; i++)
        {
            var (input, output, stride, hardSwish) = Layers[i];
            blocks.append(new InvertedResidual(input, Divisible(input * expansions[i]), output, kernels[i], stride, squeezes[i], hardSwish).Registered());
        }
        head = Sequential(
            ("0", Conv2d(160, 960, 1, bias: false)), ("1", BatchNorm2d(960)), ("2", Hardswish()),
            ("3", AdaptiveAvgPool2d(1)), ("4", Flatten()),
            ("5", Linear(960, 1280)), ("6", Hardswish()), ("7", Dropout(dropout)), ("8", Linear(1280, classes)));
        RegisterComponents();
    }

    /// <summary>The ImageNet network (1000 classes, 224×224 inputs; any size works through global pooling).</summary>
    public static MobileNetV3Space CreateImageNet(Architecture architecture, int classes = 1000) => new(architecture, classes);

    // MobileNetV3's _make_divisible: the nearest multiple of 8, never more than 10 % below the value.
    private static int Divisible(double value)
    {
        int rounded = Math.Max(8, (int)(value + 4) / 8 * 8);
        return rounded < 0.9 * value ? rounded + 8 : rounded;
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        Tensor x = stem.call(input);
        foreach (var block in blocks) x = block.call(x);
        return head.call(x).MoveToOuterDisposeScope();
    }

    // An inverted bottleneck: 1×1 expansion (none when the width does not change), k×k depthwise with the stride,
    // optional squeeze-and-excitation (squeeze to a quarter, ReLU, expand, hard sigmoid), 1×1 projection; a
    // residual connection when the shape is kept. (A primary constructor and Registered(): the exporter renames
    // explicit constructors of nested classes.)
    private sealed class InvertedResidual(int input, int expanded, int output, int kernel, int stride, bool squeezeExcite, bool hardSwish)
        : Module<Tensor, Tensor>(nameof(InvertedResidual))
    {
        private readonly bool residual = input == output && stride == 1;
        private readonly bool squeeze = squeezeExcite;
        private readonly Module<Tensor, Tensor> expand = expanded == input ? Identity() : Sequential(
            ("0", Conv2d(input, expanded, 1, bias: false)), ("1", BatchNorm2d(expanded)), ("2", Activation(hardSwish)));
        private readonly Sequential depthwise = Sequential(
            ("0", Conv2d(expanded, expanded, kernel, stride: stride, padding: kernel / 2, groups: expanded, bias: false)),
            ("1", BatchNorm2d(expanded)), ("2", Activation(hardSwish)));
        private readonly Module<Tensor, Tensor> excite = !squeezeExcite ? Identity() : Sequential(
            ("0", AdaptiveAvgPool2d(1)), ("1", Conv2d(expanded, Divisible(expanded / 4.0), 1)), ("2", ReLU()),
            ("3", Conv2d(Divisible(expanded / 4.0), expanded, 1)), ("4", Hardsigmoid()));
        private readonly Sequential project = Sequential(("0", Conv2d(expanded, output, 1, bias: false)), ("1", BatchNorm2d(output)));

        public InvertedResidual Registered()
        {
            RegisterComponents();
            return this;
        }

        private static Module<Tensor, Tensor> Activation(bool hardSwish) => hardSwish ? Hardswish() : ReLU();

        public override Tensor forward(Tensor x)
        {
            Tensor y = depthwise.call(expand.call(x));
            if (squeeze) y = y * excite.call(y);
            y = project.call(y);
            return residual ? x + y : y;
        }
    }
}
