namespace NasGen.Spaces;

/// <summary>
/// The ENAS macro space (Pham, Guan, Zoph, Le &amp; Dean, "Efficient Neural Architecture Search via Parameter
/// Sharing", ICML 2018, section 2.3 and figure 4): a 3×3 convolution stem, 12 layers of constant width, global
/// pooling and the classifier. Each layer applies one of 6 operations — 3×3 and 5×5 convolutions, 3×3 and 5×5
/// separable convolutions, 3×3 average and max pooling, each after a 1×1 convolution — to the previous layer's
/// output, and adds the outputs of any subset of the earlier layers (skip connections) before batch normalisation.
/// After layers 4 and 8 every kept output is halved in size by a factorized reduction.
/// </summary>
/// <remarks>
/// The operations are one indexed layer choice (<c>Count = 12</c>); the skip connections another, over
/// {<c>NoSkip</c>, <c>Skip</c>} with one position per (layer, earlier output) pair (<c>Count = 66</c>,
/// <see cref="SkipPosition"/>), so a supernet mixes both and one-shot methods search the connections too.
/// docs/spaces/enas.md derives the cardinality 6^12 × 2^66.
/// </remarks>
[SearchSpace(Name = "enas-macro")]
public sealed partial class EnasMacro : Module<Tensor, Tensor>
{
    /// <summary>Layers of the network (ENAS's <c>child_num_layers</c> for the search).</summary>
    public const int LayerCount = 12;

    /// <summary>Skip-connection positions: layer <c>i</c> may connect from the stem and layers 0 … i − 2.</summary>
    public const int SkipCount = LayerCount * (LayerCount - 1) / 2;

    /// <summary>The operation of each of the 12 layers, in ENAS's order.</summary>
    [LayerChoice(nameof(Conv3x3), nameof(SepConv3x3), nameof(Conv5x5), nameof(SepConv5x5), nameof(AvgPool3x3), nameof(MaxPool3x3), Count = LayerCount)]
    public partial ModuleList<Module<Tensor, Tensor>> Layers { get; }

    /// <summary>Per (layer, earlier output) pair, whether the earlier output is added to the layer's: position <see cref="SkipPosition"/>.</summary>
    [LayerChoice(nameof(NoSkip), nameof(Skip), Count = SkipCount)]
    public partial ModuleList<Module<Tensor, Tensor>> Skips { get; }

    // ENAS's pool_layers for 12 layers: the outputs kept so far are halved after layers 3 and 7 (0-based).
    private static readonly int[] ReductionAfter = [LayerCount / 3 - 1, 2 * LayerCount / 3 - 1];

    private readonly int channels;
    private readonly Sequential stem;
    private readonly ModuleList<BatchNorm2d> norms;
    private readonly ModuleList<ModuleList<Module<Tensor, Tensor>>> reductions;
    private readonly Dropout dropout;
    private readonly Linear classifier;

    /// <summary>The network of <paramref name="architecture"/>.</summary>
    /// <param name="architecture">Each layer's operation and skip connections.</param>
    /// <param name="channels">Width of every layer (36 in ENAS's macro search, 96 in its final training).</param>
    /// <param name="classes">Classes of the classifier.</param>
    /// <param name="inputChannels">Image channels (3 for colour images).</param>
    /// <param name="dropout">Dropout before the classifier (ENAS trains with keep probability 0.5 to 0.9).</param>
    public EnasMacro(Architecture architecture, int channels = 36, int classes = 10, int inputChannels = 3, double dropout = 0.1)
        : base(nameof(EnasMacro))
    {
        if (channels < 2 || classes < 1 || inputChannels < 1)
            throw new ArgumentOutOfRangeException(nameof(channels), "Channels must be at least 2, classes and input channels at least 1.");
        this.channels = channels;
        InitializeChoices(architecture);
        stem = Sequential(("0", Conv2d(inputChannels, channels, 3, padding: 1, bias: false)), ("1", BatchNorm2d(channels)));
        norms = new ModuleList<BatchNorm2d>();
        for (int layer = 0; layer < LayerCount; layer++) norms.append(BatchNorm2d(channels));
        // A factorized reduction per output that a later layer reads (ENAS reduces every kept output; reducing only
        // the read ones leaves no weights without gradients in a fixed network and changes nothing else). A supernet's
        // skips are mixed operations, so it reduces every output.
        reductions = new ModuleList<ModuleList<Module<Tensor, Tensor>>>();
        foreach (int after in ReductionAfter)
        {
            var reduction = new ModuleList<Module<Tensor, Tensor>>();
            for (int output = 0; output <= after + 1; output++)
                reduction.append(IsReadAfter(output, after) ? new EnasFactorizedReduce(channels, channels).Registered() : Identity());
            reductions.append(reduction);
        }
        this.dropout = Dropout(dropout);
        classifier = Linear(channels, classes);
        RegisterComponents();
    }

    /// <summary>The network for 32×32 colour images (ENAS's CIFAR-10 search network: 36 channels).</summary>
    public static EnasMacro CreateCifar(Architecture architecture, int classes = 10, int channels = 36) => new(architecture, channels, classes);

    /// <summary>
    /// The position in <see cref="Skips"/> of the connection into <paramref name="layer"/> from output
    /// <paramref name="from"/>, where output 0 is the stem's and output k the output of layer k − 1; a layer
    /// reads the output just before it (<c>from = layer</c>) anyway, so it chooses among <c>from</c> &lt; <paramref name="layer"/>.
    /// </summary>
    public static int SkipPosition(int layer, int from)
    {
        if (layer < 1 || layer >= LayerCount || from < 0 || from >= layer)
            throw new ArgumentOutOfRangeException(nameof(from), $"Layer {layer} has no skip connection from output {from}: layers 1–{LayerCount - 1} connect from outputs 0 … layer − 1.");
        return layer * (layer - 1) / 2 + from;
    }

    // Whether a layer after `layer` reads `output`: the next layer reads the output before it, the others through skips.
    private bool IsReadAfter(int output, int layer) =>
        output == layer + 1 || Enumerable.Range(layer + 1, LayerCount - layer - 1).Any(later => output < later && IsConnected(later, output));

    private bool IsConnected(int layer, int from) => Skips[layer * (layer - 1) / 2 + from] is not EnasNoConnection;

    private Module<Tensor, Tensor> Conv3x3(int layer) => new ConvolutionBranch(channels, 3, separable: false).Registered();

    private Module<Tensor, Tensor> SepConv3x3(int layer) => new ConvolutionBranch(channels, 3, separable: true).Registered();

    private Module<Tensor, Tensor> Conv5x5(int layer) => new ConvolutionBranch(channels, 5, separable: false).Registered();

    private Module<Tensor, Tensor> SepConv5x5(int layer) => new ConvolutionBranch(channels, 5, separable: true).Registered();

    private Module<Tensor, Tensor> AvgPool3x3(int layer) =>
        Sequential(("0", PointwiseConvBn(channels)), ("1", ReLU()), ("2", AvgPool2d(3, stride: 1, padding: 1, count_include_pad: false)));

    private Module<Tensor, Tensor> MaxPool3x3(int layer) =>
        Sequential(("0", PointwiseConvBn(channels)), ("1", ReLU()), ("2", MaxPool2d(3, stride: 1, padding: 1)));

    // A pair without a connection contributes nothing (the fixed network does not call it); as a module it lets the
    // supernet weigh "no skip" (zeros) against "skip".
    private Module<Tensor, Tensor> NoSkip(int pair) => new EnasNoConnection();

    private Module<Tensor, Tensor> Skip(int pair) => Identity();

    private static Sequential PointwiseConvBn(int channels) =>
        Sequential(("0", Conv2d(channels, channels, 1, bias: false)), ("1", BatchNorm2d(channels)));

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var outputs = new List<Tensor> { stem.call(input) };
        for (int layer = 0; layer < LayerCount; layer++)
        {
            Tensor x = Layers[layer].call(outputs[^1]);
            for (int from = 0; from < layer; from++)
                if (IsConnected(layer, from)) x = x + Skips[layer * (layer - 1) / 2 + from].call(outputs[from]);
            outputs.Add(norms[layer].call(x));
            int reduction = Array.IndexOf(ReductionAfter, layer);
            if (reduction >= 0)
                for (int i = 0; i < outputs.Count; i++) outputs[i] = reductions[reduction][i].call(outputs[i]);
        }
        Tensor pooled = outputs[^1].mean([2, 3]);
        return classifier.call(dropout.call(pooled)).MoveToOuterDisposeScope();
    }

    // ENAS's convolution branch: 1×1 convolution, BN, ReLU, then the k×k (or depthwise k×k and pointwise) convolution, BN, ReLU.
    // (A primary constructor runs no body: Registered() registers the fields once their initializers have run.)
    private sealed class ConvolutionBranch(int channels, int kernel, bool separable) : Module<Tensor, Tensor>(nameof(ConvolutionBranch))
    {
        private readonly Sequential input = PointwiseConvBn(channels);
        private readonly Sequential convolution = separable
            ? Sequential(
                ("0", Conv2d(channels, channels, kernel, padding: kernel / 2, groups: channels, bias: false)),
                ("1", Conv2d(channels, channels, 1, bias: false)), ("2", BatchNorm2d(channels)))
            : Sequential(("0", Conv2d(channels, channels, kernel, padding: kernel / 2, bias: false)), ("1", BatchNorm2d(channels)));

        public ConvolutionBranch Registered()
        {
            RegisterComponents();
            return this;
        }

        public override Tensor forward(Tensor x) => functional.relu(convolution.call(functional.relu(input.call(x))));
    }
}

/// <summary>
/// The final training form of the ENAS macro network (Pham, Guan, Zoph, Le &amp; Dean, "Efficient Neural Architecture
/// Search via Parameter Sharing", ICML 2018, section 3.2 and figure 7), the form in which the authors train the macro
/// architecture they report as found: 24 layers, each applying one of ENAS's 6 operations to the previous output and
/// joining the chosen earlier outputs (skip connections) by concatenation and a 1×1 convolution; the width doubles
/// at each of the two reductions (after layers 7 and 15, counting from 0). <see cref="EnasMacroArchitectures.Published"/> is the
/// published architecture.
/// </summary>
/// <remarks>
/// The choices are those of <see cref="EnasMacro"/> at 24 layers: one operation per layer and one
/// {<c>NoSkip</c>, <c>Skip</c>} choice per (layer, earlier output) pair (<see cref="SkipPosition"/>). The layer count
/// is fixed because an indexed choice's <c>Count</c> is a constant. In a supernet every skip position is a mixed
/// operation, so each layer's joining convolution reads every earlier output (zeros where a path skips none).
/// docs/spaces/enas.md describes the layer and checks the published network's parameters.
/// </remarks>
[SearchSpace(Name = "enas-macro-final")]
public sealed partial class EnasMacroFinal : Module<Tensor, Tensor>
{
    /// <summary>Layers of the network (ENAS's <c>child_num_layers</c> for the final training).</summary>
    public const int LayerCount = 24;

    /// <summary>Skip-connection positions: layer <c>i</c> may connect from the stem and layers 0 … i − 2.</summary>
    public const int SkipCount = LayerCount * (LayerCount - 1) / 2;

    /// <summary>The operation of each of the 24 layers, in ENAS's order.</summary>
    [LayerChoice(nameof(Conv3x3), nameof(SepConv3x3), nameof(Conv5x5), nameof(SepConv5x5), nameof(AvgPool3x3), nameof(MaxPool3x3), Count = LayerCount)]
    public partial ModuleList<Module<Tensor, Tensor>> Layers { get; }

    /// <summary>Per (layer, earlier output) pair, whether the earlier output joins the layer's: position <see cref="SkipPosition"/>.</summary>
    [LayerChoice(nameof(NoSkip), nameof(Skip), Count = SkipCount)]
    public partial ModuleList<Module<Tensor, Tensor>> Skips { get; }

    // ENAS's pool_layers for 24 layers: after layers 7 and 15 (0-based) the outputs kept so far are halved in size
    // and doubled in width.
    private static readonly int[] ReductionAfter = [LayerCount / 3 - 1, 2 * LayerCount / 3 - 1];

    private readonly int channels;
    private readonly Sequential stem;
    private readonly ModuleList<Sequential> joins;
    private readonly ModuleList<ModuleList<Module<Tensor, Tensor>>> reductions;
    private readonly Dropout dropout;
    private readonly Linear classifier;

    /// <summary>The network of <paramref name="architecture"/>.</summary>
    /// <param name="architecture">Each layer's operation and skip connections.</param>
    /// <param name="channels">Width of layers 0–7 (ENAS's <c>child_out_filters</c>: 96 in the authors' final training); 2× for layers 8–15, 4× for 16–23.</param>
    /// <param name="classes">Classes of the classifier.</param>
    /// <param name="inputChannels">Image channels (3 for colour images).</param>
    /// <param name="dropout">Dropout before the classifier (the authors' final training keeps 0.5).</param>
    public EnasMacroFinal(Architecture architecture, int channels = 96, int classes = 10, int inputChannels = 3, double dropout = 0.5)
        : base(nameof(EnasMacroFinal))
    {
        if (channels < 1 || classes < 1 || inputChannels < 1)
            throw new ArgumentOutOfRangeException(nameof(channels), "Channels, classes and input channels must be at least 1.");
        this.channels = channels;
        InitializeChoices(architecture);
        stem = Sequential(("0", Conv2d(inputChannels, channels, 3, padding: 1, bias: false)), ("1", BatchNorm2d(channels)));
        // Layer i ≥ 1 joins its operation's output and its connected earlier outputs: ReLU, 1×1 convolution, BN.
        joins = new ModuleList<Sequential>();
        for (int layer = 1; layer < LayerCount; layer++)
        {
            int width = Width(layer);
            int inputs = 1 + Enumerable.Range(0, layer).Count(from => IsConnected(layer, from));
            joins.append(Sequential(("0", ReLU()), ("1", Conv2d(inputs * width, width, 1, bias: false)), ("2", BatchNorm2d(width))));
        }
        // A factorized reduction to twice the width per output that a later layer reads (ENAS reduces every kept
        // output; in the published architecture every one is read, so the count is the same).
        reductions = new ModuleList<ModuleList<Module<Tensor, Tensor>>>();
        foreach (int after in ReductionAfter)
        {
            var reduction = new ModuleList<Module<Tensor, Tensor>>();
            for (int output = 0; output <= after + 1; output++)
                reduction.append(IsReadAfter(output, after) ? new EnasFactorizedReduce(Width(after), Width(after + 1)).Registered() : Identity());
            reductions.append(reduction);
        }
        this.dropout = Dropout(dropout);
        classifier = Linear(Width(LayerCount - 1), classes, hasBias: false);
        RegisterComponents();
    }

    /// <summary>The network for 32×32 colour images at the authors' final-training width (96 channels, 384 in the last layers).</summary>
    public static EnasMacroFinal CreateCifar(Architecture architecture, int classes = 10, int channels = 96) => new(architecture, channels, classes);

    /// <summary>
    /// The position in <see cref="Skips"/> of the connection into <paramref name="layer"/> from output
    /// <paramref name="from"/>, where output 0 is the stem's and output k the output of layer k − 1 (ENAS's
    /// <c>fixed_arc</c> lists a layer's skip bits in this order).
    /// </summary>
    public static int SkipPosition(int layer, int from)
    {
        if (layer < 1 || layer >= LayerCount || from < 0 || from >= layer)
            throw new ArgumentOutOfRangeException(nameof(from), $"Layer {layer} has no skip connection from output {from}: layers 1–{LayerCount - 1} connect from outputs 0 … layer − 1.");
        return layer * (layer - 1) / 2 + from;
    }

    // The width of layer `layer`'s output: doubled after each reduction point before it.
    private int Width(int layer) => channels << ReductionAfter.Count(after => after < layer);

    // Whether a layer after `layer` reads `output`: the next layer reads the output before it, the others through skips.
    private bool IsReadAfter(int output, int layer) =>
        output == layer + 1 || Enumerable.Range(layer + 1, LayerCount - layer - 1).Any(later => output < later && IsConnected(later, output));

    private bool IsConnected(int layer, int from) => Skips[layer * (layer - 1) / 2 + from] is not EnasNoConnection;

    private Module<Tensor, Tensor> Conv3x3(int layer) => Operation(Width(layer), Convolution(Width(layer), 3, separable: false));

    private Module<Tensor, Tensor> SepConv3x3(int layer) => Operation(Width(layer), Convolution(Width(layer), 3, separable: true));

    private Module<Tensor, Tensor> Conv5x5(int layer) => Operation(Width(layer), Convolution(Width(layer), 5, separable: false));

    private Module<Tensor, Tensor> SepConv5x5(int layer) => Operation(Width(layer), Convolution(Width(layer), 5, separable: true));

    private Module<Tensor, Tensor> AvgPool3x3(int layer) => Operation(Width(layer), AvgPool2d(3, stride: 1, padding: 1, count_include_pad: false));

    private Module<Tensor, Tensor> MaxPool3x3(int layer) => Operation(Width(layer), MaxPool2d(3, stride: 1, padding: 1));

    // A pair without a connection contributes nothing (the fixed network does not call it); in a supernet its zeros
    // fill the joining convolution's input where the path skips that output.
    private Module<Tensor, Tensor> NoSkip(int pair) => new EnasNoConnection();

    private Module<Tensor, Tensor> Skip(int pair) => Identity();

    // Every operation starts as ENAS's final layer does: ReLU, 1×1 convolution, BN; then its own part.
    private static Sequential Operation(int width, Module<Tensor, Tensor> own) =>
        Sequential(("0", ReLU()), ("1", Conv2d(width, width, 1, bias: false)), ("2", BatchNorm2d(width)), ("3", own));

    // ReLU, the k×k convolution (separable: depthwise k×k and pointwise 1×1, as the paper defines it), BN.
    private static Sequential Convolution(int width, int kernel, bool separable) => separable
        ? Sequential(
            ("0", ReLU()),
            ("1", Conv2d(width, width, kernel, padding: kernel / 2, groups: width, bias: false)),
            ("2", Conv2d(width, width, 1, bias: false)),
            ("3", BatchNorm2d(width)))
        : Sequential(("0", ReLU()), ("1", Conv2d(width, width, kernel, padding: kernel / 2, bias: false)), ("2", BatchNorm2d(width)));

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var outputs = new List<Tensor> { stem.call(input) };
        for (int layer = 0; layer < LayerCount; layer++)
        {
            Tensor x = Layers[layer].call(outputs[^1]);
            if (layer > 0)
            {
                var joined = new List<Tensor>();
                for (int from = 0; from < layer; from++)
                    if (IsConnected(layer, from)) joined.Add(Skips[layer * (layer - 1) / 2 + from].call(outputs[from]));
                joined.Add(x);
                x = joins[layer - 1].call(cat(joined, 1));
            }
            outputs.Add(x);
            int reduction = Array.IndexOf(ReductionAfter, layer);
            if (reduction >= 0)
                for (int i = 0; i < outputs.Count; i++) outputs[i] = reductions[reduction][i].call(outputs[i]);
        }
        Tensor pooled = outputs[^1].mean([2, 3]);
        return classifier.call(dropout.call(pooled)).MoveToOuterDisposeScope();
    }
}

// The two forms' shared modules, beside them in this file so that each form's export nests the ones it uses.

// The "no skip" candidate: zeros, for a supernet to weigh against the skip (a fixed network never calls it).
internal sealed class EnasNoConnection() : Module<Tensor, Tensor>(nameof(EnasNoConnection))
{
    public override Tensor forward(Tensor x) => zeros_like(x);
}

// ENAS's factorized reduction: two stride-2 1×1 convolutions to half the output width each, the second shifted by
// one pixel, concatenated, BN. (A primary constructor and Registered(), as the spaces' nested modules.)
internal sealed class EnasFactorizedReduce(int inputWidth, int outputWidth) : Module<Tensor, Tensor>(nameof(EnasFactorizedReduce))
{
    private readonly Conv2d conv1 = Conv2d(inputWidth, outputWidth / 2, 1, stride: 2, bias: false);
    private readonly Conv2d conv2 = Conv2d(inputWidth, outputWidth - outputWidth / 2, 1, stride: 2, bias: false);
    private readonly BatchNorm2d bn = BatchNorm2d(outputWidth);

    public EnasFactorizedReduce Registered()
    {
        RegisterComponents();
        return this;
    }

    public override Tensor forward(Tensor x)
    {
        Tensor shifted = x[TensorIndex.Ellipsis, TensorIndex.Slice(1), TensorIndex.Slice(1)];
        return bn.call(cat([conv1.call(x), conv2.call(shifted)], 1));
    }
}
