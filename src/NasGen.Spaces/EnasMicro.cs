namespace NasGen.Spaces;

/// <summary>
/// The ENAS micro (cell) space (Pham, Guan, Zoph, Le &amp; Dean, "Efficient Neural Architecture Search via Parameter
/// Sharing", ICML 2018, section 2.4 and figure 5): a normal and a reduction cell of B = 7 nodes, the two previous
/// cells' outputs and 5 intermediate nodes. Each intermediate node has two slots; each slot picks any earlier node
/// (the same one may fill both) and one of 5 operations (3×3 and 5×5 separable convolution, 3×3 average and max
/// pooling, identity), and the node adds the two results. A cell outputs its loose ends (the nodes no other node
/// reads) concatenated; the next cells bring it back to their width with a ReLU, 1×1 convolution and BN (ENAS's
/// calibration), and each cell passes its newer input through one more (ENAS's <c>layer_base</c>).
/// </summary>
/// <remarks>
/// The network is ENAS's final CIFAR-10 form (the authors' <c>micro_child.py</c>, <c>scripts/cifar10_micro_final.sh</c>):
/// a 3×3 convolution stem of 3C channels, 15 normal cells in three stacks of 5 with a reduction cell (width doubled)
/// after the first and second stack, ReLU, global average pooling, dropout and a linear classifier. Every normal
/// position shares the normal cell's architecture, every reduction position the reduction cell's. The auxiliary head
/// is a training aid and not part of the network: see docs/spaces/enas.md.
/// </remarks>
[SearchSpace(Name = "enas-micro")]
public sealed partial class EnasMicro : Module<Tensor, Tensor>
{
    /// <summary>The 5 operations, in ENAS's order (the operation numbers of its <c>fixed_arc</c>).</summary>
    public enum Op
    {
        /// <summary>3×3 separable convolution, applied twice (0).</summary>
        SepConv3x3,

        /// <summary>5×5 separable convolution, applied twice (1).</summary>
        SepConv5x5,

        /// <summary>3×3 average pooling, padding not counted (2).</summary>
        AvgPool3x3,

        /// <summary>3×3 max pooling (3).</summary>
        MaxPool3x3,

        /// <summary>Identity, or a factorized reduction on a stride-2 edge (4).</summary>
        Identity,
    }

    /// <summary>The normal cell (stride 1), shared by every normal position.</summary>
    [Cell(inputNodes: 2, intermediateNodes: 5, chosen: 2, ops: typeof(Op), factory: nameof(MakeNormalOp),
        Inputs = CellInputs.WithRepetition, Output = CellOutput.LooseEnds)]
    public partial Cell<Op> Normal { get; }

    /// <summary>The reduction cell (stride 2 on the edges from the input nodes), shared by both reduction positions.</summary>
    [Cell(inputNodes: 2, intermediateNodes: 5, chosen: 2, ops: typeof(Op), factory: nameof(MakeReduceOp),
        Inputs = CellInputs.WithRepetition, Output = CellOutput.LooseEnds)]
    public partial Cell<Op> Reduce { get; }

    // The widths of the cells being built: the op factories run for each position as the network widens.
    private int normalChannels, reduceChannels;
    private readonly Sequential stem;
    private readonly ModuleList<Module<Tensor, Tensor>> preprocess0, preprocess1;
    private readonly ModuleList<Cell<Op>> cells;
    private readonly int[] reductions;
    private readonly Dropout dropout;
    private readonly Linear classifier;

    /// <summary>The network of <paramref name="architecture"/>.</summary>
    /// <param name="architecture">The normal and reduction cells.</param>
    /// <param name="channels">Initial channels C (ENAS: 20 to search, 36 for the final network); the stem has 3C.</param>
    /// <param name="normalCells">Normal cells, in three equal stacks (ENAS: 15 for the final network, 6 to search).</param>
    /// <param name="classes">Classes of the classifier.</param>
    /// <param name="inputChannels">Image channels (3 for colour images).</param>
    /// <param name="dropout">Dropout before the classifier (ENAS's <c>child_keep_prob</c> 0.8 in its final script: 0.2).</param>
    public EnasMicro(Architecture architecture, int channels = 36, int normalCells = 15, int classes = 10, int inputChannels = 3, double dropout = 0.2)
        : base(nameof(EnasMicro))
    {
        if (channels < 2 || normalCells < 3 || normalCells % 3 != 0 || classes < 1 || inputChannels < 1)
            throw new ArgumentOutOfRangeException(nameof(normalCells), "Channels must be at least 2, normal cells a positive multiple of 3, classes and input channels at least 1.");
        int stack = normalCells / 3;
        reductions = [stack, 2 * stack + 1]; // ENAS's pool_layers among its normalCells + 2 layers
        normalChannels = channels;
        reduceChannels = 2 * channels;
        InitializeChoices(architecture);
        stem = Sequential(("0", Conv2d(inputChannels, 3 * channels, 3, padding: 1, bias: false)), ("1", BatchNorm2d(3 * channels)));
        preprocess0 = new ModuleList<Module<Tensor, Tensor>>();
        preprocess1 = new ModuleList<Module<Tensor, Tensor>>();
        cells = new ModuleList<Cell<Op>>();
        // The two previous layers' widths and whether the older one is twice as large (the newer one reduced).
        int width = channels, previousPrevious = 3 * channels, previous = 3 * channels;
        bool reducedBefore = false;
        for (int layer = 0; layer < normalCells + 2; layer++)
        {
            bool reduction = Array.IndexOf(reductions, layer) >= 0;
            if (reduction) width *= 2;
            // ENAS's _maybe_calibrate_size: match both inputs to the cell's width and size, only where they differ.
            preprocess0.append(reducedBefore ? Sequential(("0", ReLU()), ("1", new FactorizedReduce(previousPrevious, width).Registered()))
                : previousPrevious != width ? ReluConvBn(previousPrevious, width) : Identity());
            // ... then, always, ENAS's layer_base on the newer input.
            preprocess1.append(previous != width ? Sequential(("0", ReluConvBn(previous, width)), ("1", ReluConvBn(width, width))) : ReluConvBn(width, width));
            Cell<Op> cell;
            if (layer == 0) cell = Normal;
            else if (layer == reductions[0]) cell = Reduce;
            else
            {
                normalChannels = reduceChannels = width;
                cell = reduction ? NewReduce("cell") : NewNormal("cell");
                cells.append(cell);
            }
            // The loose ends (in a supernet: every node, the read ones zeroed) are what the next cells calibrate.
            (previousPrevious, previous, reducedBefore) = (previous, cell.OutputNodes * width, reduction);
        }
        this.dropout = Dropout(dropout);
        classifier = Linear(previous, classes, hasBias: false); // ENAS's fc has no bias
        RegisterComponents();
    }

    /// <summary>ENAS's final CIFAR-10 network: 15 normal cells, 36 initial channels (table 1: 4.6 M parameters).</summary>
    public static EnasMicro CreateCifar(Architecture architecture, int classes = 10) => new(architecture, 36, 15, classes);

    private Module<Tensor, Tensor> MakeNormalOp(Op op, CellEdge edge) => MakeOp(op, normalChannels, 1);

    private Module<Tensor, Tensor> MakeReduceOp(Op op, CellEdge edge) => MakeOp(op, reduceChannels, edge.From < 2 ? 2 : 1);

    private static Module<Tensor, Tensor> MakeOp(Op op, int channels, int stride) => op switch
    {
        Op.SepConv3x3 => SepConv(channels, 3, stride),
        Op.SepConv5x5 => SepConv(channels, 5, stride),
        Op.AvgPool3x3 => AvgPool2d(3, stride: stride, padding: 1, count_include_pad: false),
        Op.MaxPool3x3 => MaxPool2d(3, stride: stride, padding: 1),
        _ => stride == 1 ? Identity() : new FactorizedReduce(channels, channels).Registered(),
    };

    private static Sequential ReluConvBn(int input, int output) => Sequential(
        ("0", ReLU()), ("1", Conv2d(input, output, 1, bias: false)), ("2", BatchNorm2d(output)));

    // ENAS's _fixed_conv: twice ReLU, depthwise k×k (the first with the edge's stride), pointwise, BN.
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
        Tensor s0 = stem.call(input), s1 = s0;
        int next = 0;
        for (int layer = 0; layer < preprocess0.Count; layer++)
        {
            var cell = layer == 0 ? Normal : layer == reductions[0] ? Reduce : cells[next++];
            (s0, s1) = (s1, cell.Forward(preprocess0[layer].call(s0), preprocess1[layer].call(s1)));
        }
        Tensor pooled = functional.relu(s1).mean([2, 3]);
        return classifier.call(dropout.call(pooled)).MoveToOuterDisposeScope();
    }

    // ENAS's _factorized_reduction: two stride-2 1×1 convolutions, the second shifted by one pixel, concatenated, BN.
    // (ENAS's calibration of a larger input puts a ReLU before it; its identity edges on stride 2 do not.)
    // (A primary constructor runs no body: Registered() registers the fields once their initializers have run.)
    private sealed class FactorizedReduce(int input, int output) : Module<Tensor, Tensor>(nameof(FactorizedReduce))
    {
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
            Tensor shifted = x[TensorIndex.Ellipsis, TensorIndex.Slice(1), TensorIndex.Slice(1)];
            return bn.call(cat([conv1.call(x), conv2.call(shifted)], 1));
        }
    }
}
