namespace NasGen.Spaces;

/// <summary>
/// The DARTS CNN search space (Liu, Simonyan &amp; Yang, "DARTS: Differentiable Architecture Search", ICLR 2019,
/// section 2.1 and appendix A.1.1): a normal and a reduction cell, each with 2 input nodes (the outputs of the two
/// previous cells) and 4 intermediate nodes; every intermediate node picks 2 predecessors, each through one of 8
/// operations (the zero op, 3×3 max and average pooling, identity, 3×3 and 5×5 separable and dilated separable
/// convolutions); the cell's output concatenates the 4 intermediate nodes. The network stacks <c>layers</c> cells
/// after a 3×3 convolution stem of <c>3 × channels</c> channels; the cells at 1/3 and 2/3 of the depth are
/// reduction cells (stride 2 on the edges leaving the input nodes, channels doubled).
/// </summary>
/// <remarks>
/// The search network is 8 cells of 16 channels, the CIFAR-10 evaluation network 20 cells of 36 channels
/// (<see cref="CreateEvaluation"/>); all normal positions share the normal cell's architecture and all reduction
/// positions the reduction cell's. DARTS's auxiliary head and drop path (training aids of the evaluation network)
/// are not part of the network: see docs/spaces/darts.md.
/// </remarks>
[SearchSpace(Name = "darts")]
public sealed partial class Darts : Module<Tensor, Tensor>
{
    /// <summary>The 8 operations, in DARTS's <c>PRIMITIVES</c> order.</summary>
    public enum Op
    {
        /// <summary>Zero (<c>none</c>).</summary>
        None,

        /// <summary>3×3 max pooling (<c>max_pool_3x3</c>).</summary>
        MaxPool3x3,

        /// <summary>3×3 average pooling, padding not counted (<c>avg_pool_3x3</c>).</summary>
        AvgPool3x3,

        /// <summary>Identity, or a factorized reduction on a stride-2 edge (<c>skip_connect</c>).</summary>
        SkipConnect,

        /// <summary>3×3 separable convolution, applied twice (<c>sep_conv_3x3</c>).</summary>
        SepConv3x3,

        /// <summary>5×5 separable convolution, applied twice (<c>sep_conv_5x5</c>).</summary>
        SepConv5x5,

        /// <summary>3×3 separable convolution with dilation 2 (<c>dil_conv_3x3</c>).</summary>
        DilConv3x3,

        /// <summary>5×5 separable convolution with dilation 2 (<c>dil_conv_5x5</c>).</summary>
        DilConv5x5,
    }

    /// <summary>The normal cell (stride 1), shared by every normal position.</summary>
    [Cell(inputNodes: 2, intermediateNodes: 4, chosen: 2, ops: typeof(Op), factory: nameof(MakeNormalOp))]
    public partial Cell<Op> Normal { get; }

    /// <summary>The reduction cell (stride 2 on the edges from the input nodes), shared by both reduction positions.</summary>
    [Cell(inputNodes: 2, intermediateNodes: 4, chosen: 2, ops: typeof(Op), factory: nameof(MakeReduceOp))]
    public partial Cell<Op> Reduce { get; }

    // The channels of the cells being built: the op factories run for each position as the network widens.
    private int normalChannels, reduceChannels;
    private readonly int firstReduction;
    private readonly Sequential stem;
    private readonly Module<Tensor, Tensor> stem1;
    private readonly ModuleList<Module<Tensor, Tensor>> preprocess0, preprocess1;
    private readonly ModuleList<Cell<Op>> cells;
    private readonly AdaptiveAvgPool2d globalPooling;
    private readonly Linear classifier;

    /// <summary>The network of <paramref name="architecture"/>.</summary>
    /// <param name="architecture">The normal and reduction cells.</param>
    /// <param name="channels">Initial channels C (16 to search, 36 to evaluate on CIFAR-10); the stem has 3C.</param>
    /// <param name="layers">Cells (8 to search, 20 to evaluate); at least 3.</param>
    /// <param name="classes">Classes of the classifier.</param>
    /// <param name="inputChannels">Image channels (3 for colour images).</param>
    /// <param name="imageNet">DARTS's ImageNet stems (two stride-2 3×3 convolutions to C, then a third to the second
    /// input, 8× smaller than the image: 224 → 28) instead of the CIFAR stem (one 3×3 convolution to 3C).</param>
    public Darts(Architecture architecture, int channels = 16, int layers = 8, int classes = 10, int inputChannels = 3, bool imageNet = false)
        : base(nameof(Darts))
    {
        if (channels < 1 || layers < 3 || classes < 1 || inputChannels < 1)
            throw new ArgumentOutOfRangeException(nameof(layers), "Channels, classes and input channels must be at least 1, layers at least 3.");
        firstReduction = layers / 3;
        normalChannels = channels;
        reduceChannels = 2 * channels;
        InitializeChoices(architecture);
        preprocess0 = new ModuleList<Module<Tensor, Tensor>>();
        preprocess1 = new ModuleList<Module<Tensor, Tensor>>();
        cells = new ModuleList<Cell<Op>>();
        int previousPrevious, previous, current = channels;
        bool reductionBefore;
        if (imageNet)
        {
            stem = Sequential(
                ("0", Conv2d(inputChannels, channels / 2, 3, stride: 2, padding: 1, bias: false)), ("1", BatchNorm2d(channels / 2)), ("2", ReLU()),
                ("3", Conv2d(channels / 2, channels, 3, stride: 2, padding: 1, bias: false)), ("4", BatchNorm2d(channels)));
            stem1 = Sequential(("0", ReLU()), ("1", Conv2d(channels, channels, 3, stride: 2, padding: 1, bias: false)), ("2", BatchNorm2d(channels)));
            (previousPrevious, previous, reductionBefore) = (channels, channels, true);
        }
        else
        {
            stem = Sequential(("0", Conv2d(inputChannels, 3 * channels, 3, padding: 1, bias: false)), ("1", BatchNorm2d(3 * channels)));
            stem1 = Identity(); // both input nodes of the first cell are the stem's output
            (previousPrevious, previous, reductionBefore) = (3 * channels, 3 * channels, false);
        }
        for (int layer = 0; layer < layers; layer++)
        {
            bool reduction = layer == layers / 3 || layer == 2 * layers / 3;
            if (reduction) current *= 2;
            // The previous cell's input is twice as large after a reduction: a factorized reduction matches it.
            preprocess0.append(reductionBefore ? new FactorizedReduce(previousPrevious, current).Registered() : ReluConvBn(previousPrevious, current, 1, 1));
            preprocess1.append(ReluConvBn(previous, current, 1, 1));
            // Normal and Reduce are the first normal and reduction positions; the others are cells of the same architectures.
            if (layer != 0 && layer != firstReduction)
            {
                normalChannels = reduceChannels = current;
                cells.append(reduction ? NewReduce("cell") : NewNormal("cell"));
            }
            (previousPrevious, previous, reductionBefore) = (previous, 4 * current, reduction);
        }
        globalPooling = AdaptiveAvgPool2d(1);
        classifier = Linear(previous, classes);
        RegisterComponents();
    }

    /// <summary>The CIFAR-10 evaluation network: 20 cells, 36 initial channels (DARTS, section 3.3).</summary>
    public static Darts CreateEvaluation(Architecture architecture, int classes = 10) => new(architecture, 36, 20, classes);

    /// <summary>The ImageNet evaluation network (mobile setting): 14 cells, 48 initial channels, 224×224 inputs (DARTS, section 3.3).</summary>
    public static Darts CreateImageNet(Architecture architecture, int classes = 1000) => new(architecture, 48, 14, classes, 3, imageNet: true);

    /// <summary>The search network: 8 cells, 16 initial channels (DARTS, section 3.1.1).</summary>
    public static Darts CreateSearch(Architecture architecture, int classes = 10) => new(architecture, 16, 8, classes);

    private Module<Tensor, Tensor> MakeNormalOp(Op op, CellEdge edge) => MakeOp(op, normalChannels, 1);

    private Module<Tensor, Tensor> MakeReduceOp(Op op, CellEdge edge) => MakeOp(op, reduceChannels, edge.From < 2 ? 2 : 1);

    private static Module<Tensor, Tensor> MakeOp(Op op, int channels, int stride) => op switch
    {
        Op.None => new ZeroOp(stride),
        Op.MaxPool3x3 => MaxPool2d(3, stride: stride, padding: 1),
        Op.AvgPool3x3 => AvgPool2d(3, stride: stride, padding: 1, count_include_pad: false),
        Op.SkipConnect => stride == 1 ? Identity() : new FactorizedReduce(channels, channels).Registered(),
        Op.SepConv3x3 => SepConv(channels, 3, stride),
        Op.SepConv5x5 => SepConv(channels, 5, stride),
        Op.DilConv3x3 => DilConv(channels, 3, stride),
        _ => DilConv(channels, 5, stride),
    };

    private static Sequential ReluConvBn(int input, int output, int kernel, int stride) => Sequential(
        ("0", ReLU()),
        ("1", Conv2d(input, output, kernel, stride: stride, padding: kernel / 2, bias: false)),
        ("2", BatchNorm2d(output)));

    // ReLU, depthwise k×k (dilation 2), pointwise, BN.
    private static Sequential DilConv(int channels, int kernel, int stride) => Sequential(
        ("0", ReLU()),
        ("1", Conv2d(channels, channels, kernel, stride: stride, padding: kernel - 1, dilation: 2, groups: channels, bias: false)),
        ("2", Conv2d(channels, channels, 1, bias: false)),
        ("3", BatchNorm2d(channels)));

    // The separable convolution applied twice (the first with the edge's stride), as in DARTS's SepConv.
    private static Sequential SepConv(int channels, int kernel, int stride) => Sequential(
        ("0", ReLU()),
        ("1", Conv2d(channels, channels, kernel, stride: stride, padding: kernel / 2, groups: channels, bias: false)),
        ("2", Conv2d(channels, channels, 1, bias: false)),
        ("3", BatchNorm2d(channels)),
        ("4", ReLU()),
        ("5", Conv2d(channels, channels, kernel, padding: kernel / 2, groups: channels, bias: false)),
        ("6", Conv2d(channels, channels, 1, bias: false)),
        ("7", BatchNorm2d(channels)));

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        Tensor s0 = stem.call(input), s1 = stem1.call(s0);
        int next = 0;
        for (int layer = 0; layer < preprocess0.Count; layer++)
        {
            var cell = layer == 0 ? Normal : layer == firstReduction ? Reduce : cells[next++];
            (s0, s1) = (s1, cell.Forward(preprocess0[layer].call(s0), preprocess1[layer].call(s1)));
        }
        return classifier.call(globalPooling.call(s1).flatten(1)).MoveToOuterDisposeScope();
    }

    // Halves the spatial size with two stride-2 1×1 convolutions, the second shifted by one pixel, concatenated.
    // (A primary constructor runs no body: Registered() registers the fields once their initializers have run.)
    private sealed class FactorizedReduce(int input, int output) : Module<Tensor, Tensor>(nameof(FactorizedReduce))
    {
        private readonly ReLU relu = ReLU();
        private readonly Conv2d conv1 = Conv2d(input, output / 2, 1, stride: 2, bias: false);
        private readonly Conv2d conv2 = Conv2d(input, output - output / 2, 1, stride: 2, bias: false);
        private readonly BatchNorm2d bn = BatchNorm2d(output);

        public FactorizedReduce Registered()
        {
            RegisterComponents();
            return this;
        }

        public override Tensor forward(Tensor x)
        {
            Tensor activated = relu.call(x);
            Tensor shifted = activated[TensorIndex.Ellipsis, TensorIndex.Slice(1), TensorIndex.Slice(1)];
            return bn.call(cat([conv1.call(activated), conv2.call(shifted)], 1));
        }
    }
}
