using System;
using System.Collections.Generic;
using System.Linq;
using NasGen;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace NasGen.Spaces;

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
                reduction.append(IsReadAfter(output, after) ? new FactorizedReduce(Width(after), Width(after + 1)).Registered() : Identity());
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

    private bool IsConnected(int layer, int from) => Skips[layer * (layer - 1) / 2 + from] is not NoConnection;

    private Module<Tensor, Tensor> Conv3x3(int layer) => Operation(Width(layer), Convolution(Width(layer), 3, separable: false));

    private Module<Tensor, Tensor> SepConv3x3(int layer) => Operation(Width(layer), Convolution(Width(layer), 3, separable: true));

    private Module<Tensor, Tensor> Conv5x5(int layer) => Operation(Width(layer), Convolution(Width(layer), 5, separable: false));

    private Module<Tensor, Tensor> SepConv5x5(int layer) => Operation(Width(layer), Convolution(Width(layer), 5, separable: true));

    private Module<Tensor, Tensor> AvgPool3x3(int layer) => Operation(Width(layer), AvgPool2d(3, stride: 1, padding: 1, count_include_pad: false));

    private Module<Tensor, Tensor> MaxPool3x3(int layer) => Operation(Width(layer), MaxPool2d(3, stride: 1, padding: 1));

    // A pair without a connection contributes nothing (the fixed network does not call it); in a supernet its zeros
    // fill the joining convolution's input where the path skips that output.
    private Module<Tensor, Tensor> NoSkip(int pair) => new NoConnection();

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

    private sealed class NoConnection() : Module<Tensor, Tensor>(nameof(NoConnection))
    {
        public override Tensor forward(Tensor x) => zeros_like(x);
    }

    // ENAS's factorized reduction: two stride-2 1×1 convolutions to half the output width each, the second shifted
    // by one pixel, concatenated, BN.
    private sealed class FactorizedReduce(int inputWidth, int outputWidth) : Module<Tensor, Tensor>(nameof(FactorizedReduce))
    {
        private readonly Conv2d conv1 = Conv2d(inputWidth, outputWidth / 2, 1, stride: 2, bias: false);
        private readonly Conv2d conv2 = Conv2d(inputWidth, outputWidth - outputWidth / 2, 1, stride: 2, bias: false);
        private readonly BatchNorm2d bn = BatchNorm2d(outputWidth);

        public FactorizedReduce Registered()
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
}
