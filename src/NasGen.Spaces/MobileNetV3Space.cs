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
/// <see cref="MobileNetV3Architectures.Large"/> is exactly MobileNetV3-Large 1.0. The layers are one indexed layer
/// choice (<c>Count = 14</c>) over the 30 kernel × expansion × squeeze-and-excitation bottlenecks, so the supernet
/// has one mixed operation per layer, as ProxylessNAS's over-parameterized network (docs/spaces/mobilenet-v3.md).
/// </remarks>
[SearchSpace(Name = "mobilenet-v3")]
public sealed partial class MobileNetV3Space : Module<Tensor, Tensor>
{
    /// <summary>
    /// The 14 searchable layers: per layer an inverted bottleneck of depthwise kernel 3, 5 or 7 (<c>K3</c>…), expansion
    /// ratio 2.3, 2.5, 3, 4 or 6 (<c>E2_3</c>…) and squeeze-and-excitation or not (<c>Se</c>): 30 candidates.
    /// </summary>
    [LayerChoice(nameof(K3E2_3), nameof(K3E2_3Se), nameof(K3E2_5), nameof(K3E2_5Se), nameof(K3E3), nameof(K3E3Se), nameof(K3E4), nameof(K3E4Se), nameof(K3E6), nameof(K3E6Se), nameof(K5E2_3), nameof(K5E2_3Se), nameof(K5E2_5), nameof(K5E2_5Se), nameof(K5E3), nameof(K5E3Se), nameof(K5E4), nameof(K5E4Se), nameof(K5E6), nameof(K5E6Se), nameof(K7E2_3), nameof(K7E2_3Se), nameof(K7E2_5), nameof(K7E2_5Se), nameof(K7E3), nameof(K7E3Se), nameof(K7E4), nameof(K7E4Se), nameof(K7E6), nameof(K7E6Se), Count = 14)]
    public partial ModuleList<Module<Tensor, Tensor>> Layers { get; }

    // Per searchable layer: input and output channels, stride, h-swish (else ReLU); MobileNetV3-Large's table 1.
    private static readonly (int Input, int Output, int Stride, bool HardSwish)[] LayerShapes =
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
    private readonly Module<Tensor, Tensor> first;
    private readonly Sequential head;

    /// <summary>The network of <paramref name="architecture"/>.</summary>
    /// <param name="architecture">Each layer's kernel, expansion and squeeze-and-excitation.</param>
    /// <param name="classes">Classes of the classifier (1000 for ImageNet).</param>
    /// <param name="inputChannels">Image channels (3 for colour images).</param>
    /// <param name="dropout">Dropout before the classifier (0.2 in MobileNetV3).</param>
    public MobileNetV3Space(Architecture architecture, int classes = 1000, int inputChannels = 3, double dropout = 0.2) : base(nameof(MobileNetV3Space))
    {
        if (classes < 1 || inputChannels < 1) throw new ArgumentOutOfRangeException(nameof(classes), "Classes and input channels must be at least 1.");
        InitializeChoices(architecture);
        stem = Sequential(("0", Conv2d(inputChannels, 16, 3, stride: 2, padding: 1, bias: false)), ("1", BatchNorm2d(16)), ("2", Hardswish()));
        // The first bottleneck is fixed in MobileNetV3-Large: 3×3 depthwise, no expansion, no squeeze-and-excitation.
        first = new InvertedResidual(16, 16, 16, 3, 1, false, false).Registered();
        head = Sequential(
            ("0", Conv2d(160, 960, 1, bias: false)), ("1", BatchNorm2d(960)), ("2", Hardswish()),
            ("3", AdaptiveAvgPool2d(1)), ("4", Flatten()),
            ("5", Linear(960, 1280)), ("6", Hardswish()), ("7", Dropout(dropout)), ("8", Linear(1280, classes)));
        RegisterComponents();
    }

    /// <summary>The ImageNet network (1000 classes, 224×224 inputs; any size works through global pooling).</summary>
    public static MobileNetV3Space CreateImageNet(Architecture architecture, int classes = 1000) => new(architecture, classes);

    private Module<Tensor, Tensor> K3E2_3(int layer) => Bottleneck(layer, 3, 2.3, squeezeExcite: false);

    private Module<Tensor, Tensor> K3E2_3Se(int layer) => Bottleneck(layer, 3, 2.3, squeezeExcite: true);

    private Module<Tensor, Tensor> K3E2_5(int layer) => Bottleneck(layer, 3, 2.5, squeezeExcite: false);

    private Module<Tensor, Tensor> K3E2_5Se(int layer) => Bottleneck(layer, 3, 2.5, squeezeExcite: true);

    private Module<Tensor, Tensor> K3E3(int layer) => Bottleneck(layer, 3, 3.0, squeezeExcite: false);

    private Module<Tensor, Tensor> K3E3Se(int layer) => Bottleneck(layer, 3, 3.0, squeezeExcite: true);

    private Module<Tensor, Tensor> K3E4(int layer) => Bottleneck(layer, 3, 4.0, squeezeExcite: false);

    private Module<Tensor, Tensor> K3E4Se(int layer) => Bottleneck(layer, 3, 4.0, squeezeExcite: true);

    private Module<Tensor, Tensor> K3E6(int layer) => Bottleneck(layer, 3, 6.0, squeezeExcite: false);

    private Module<Tensor, Tensor> K3E6Se(int layer) => Bottleneck(layer, 3, 6.0, squeezeExcite: true);

    private Module<Tensor, Tensor> K5E2_3(int layer) => Bottleneck(layer, 5, 2.3, squeezeExcite: false);

    private Module<Tensor, Tensor> K5E2_3Se(int layer) => Bottleneck(layer, 5, 2.3, squeezeExcite: true);

    private Module<Tensor, Tensor> K5E2_5(int layer) => Bottleneck(layer, 5, 2.5, squeezeExcite: false);

    private Module<Tensor, Tensor> K5E2_5Se(int layer) => Bottleneck(layer, 5, 2.5, squeezeExcite: true);

    private Module<Tensor, Tensor> K5E3(int layer) => Bottleneck(layer, 5, 3.0, squeezeExcite: false);

    private Module<Tensor, Tensor> K5E3Se(int layer) => Bottleneck(layer, 5, 3.0, squeezeExcite: true);

    private Module<Tensor, Tensor> K5E4(int layer) => Bottleneck(layer, 5, 4.0, squeezeExcite: false);

    private Module<Tensor, Tensor> K5E4Se(int layer) => Bottleneck(layer, 5, 4.0, squeezeExcite: true);

    private Module<Tensor, Tensor> K5E6(int layer) => Bottleneck(layer, 5, 6.0, squeezeExcite: false);

    private Module<Tensor, Tensor> K5E6Se(int layer) => Bottleneck(layer, 5, 6.0, squeezeExcite: true);

    private Module<Tensor, Tensor> K7E2_3(int layer) => Bottleneck(layer, 7, 2.3, squeezeExcite: false);

    private Module<Tensor, Tensor> K7E2_3Se(int layer) => Bottleneck(layer, 7, 2.3, squeezeExcite: true);

    private Module<Tensor, Tensor> K7E2_5(int layer) => Bottleneck(layer, 7, 2.5, squeezeExcite: false);

    private Module<Tensor, Tensor> K7E2_5Se(int layer) => Bottleneck(layer, 7, 2.5, squeezeExcite: true);

    private Module<Tensor, Tensor> K7E3(int layer) => Bottleneck(layer, 7, 3.0, squeezeExcite: false);

    private Module<Tensor, Tensor> K7E3Se(int layer) => Bottleneck(layer, 7, 3.0, squeezeExcite: true);

    private Module<Tensor, Tensor> K7E4(int layer) => Bottleneck(layer, 7, 4.0, squeezeExcite: false);

    private Module<Tensor, Tensor> K7E4Se(int layer) => Bottleneck(layer, 7, 4.0, squeezeExcite: true);

    private Module<Tensor, Tensor> K7E6(int layer) => Bottleneck(layer, 7, 6.0, squeezeExcite: false);

    private Module<Tensor, Tensor> K7E6Se(int layer) => Bottleneck(layer, 7, 6.0, squeezeExcite: true);

    // Layer `layer`'s bottleneck: widths, stride and activation from MobileNetV3-Large's table.
    private static Module<Tensor, Tensor> Bottleneck(int layer, int kernel, double expansion, bool squeezeExcite)
    {
        var (input, output, stride, hardSwish) = LayerShapes[layer];
        return new InvertedResidual(input, Divisible(input * expansion), output, kernel, stride, squeezeExcite, hardSwish).Registered();
    }

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
        x = first.call(x);
        foreach (var layer in Layers) x = layer.call(x);
        return head.call(x).MoveToOuterDisposeScope();
    }

    // An inverted bottleneck: 1×1 expansion (none when the width does not change), k×k depthwise with the stride,
    // optional squeeze-and-excitation (squeeze to a quarter, ReLU, expand, hard sigmoid), 1×1 projection; a
    // residual connection when the shape is kept. (A primary constructor runs no body: Registered() registers the
    // fields once their initializers have run.)
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
