namespace NasGen.Spaces;

/// <summary>
/// The NAS-Bench-201 search space (Dong &amp; Yang, "NAS-Bench-201: Extending the Scope of Reproducible Neural
/// Architecture Search", ICLR 2020, section 2.1 and figure 1): one cell of 4 nodes whose 6 edges each carry one of
/// 5 operations (5^6 = 15,625 cells), stacked in the paper's macro network — a 3×3 convolution stem, three stages
/// of <c>cellsPerStage</c> cells (16, 32, 64 channels by default) joined by residual reduction blocks, batch norm
/// and ReLU, global average pooling and a linear classifier. Every cell position shares the one architecture.
/// </summary>
/// <remarks>
/// Built for 32×32 CIFAR images with 10 classes the parameter count equals the benchmark's <c>params_m</c> for
/// every cell (docs/spaces/nas-bench-201.md). The network adapts to any input size (ImageNet16-120: 16×16, 120 classes).
/// </remarks>
[SearchSpace(Name = "nas-bench-201")]
public sealed partial class NasBench201 : Module<Tensor, Tensor>
{
    /// <summary>The five operations of an edge, in the benchmark's order (<c>none, skip_connect, nor_conv_1x1, nor_conv_3x3, avg_pool_3x3</c>).</summary>
    public enum Op
    {
        /// <summary>Zero: the edge is cut.</summary>
        None,

        /// <summary>Identity.</summary>
        SkipConnect,

        /// <summary>ReLU, 1×1 convolution, batch norm.</summary>
        Conv1x1,

        /// <summary>ReLU, 3×3 convolution, batch norm.</summary>
        Conv3x3,

        /// <summary>3×3 average pooling, stride 1 (padding not counted).</summary>
        AvgPool3x3,
    }

    /// <summary>The cell: 4 nodes, every edge an operation, a node the sum of its incoming edges.</summary>
    [Cell(nodes: 4, ops: typeof(Op), factory: nameof(MakeOp))] public partial Cell<Op> Dag { get; }

    // The channels of the cell being built: the op factory runs for each cell position as the stages widen.
    private int cellChannels;
    private readonly Sequential stem;
    private readonly ModuleList<Sequential> stages, reductions, shortcuts;
    private readonly Sequential lastAct;
    private readonly AdaptiveAvgPool2d globalPooling;
    private readonly Linear classifier;

    /// <summary>The network of <paramref name="architecture"/>.</summary>
    /// <param name="architecture">The cell.</param>
    /// <param name="channels">Channels of the first stage (16 in the benchmark); the others double it.</param>
    /// <param name="cellsPerStage">Cells per stage, N (5 in the benchmark); at least 1.</param>
    /// <param name="classes">Classes of the classifier.</param>
    /// <param name="inputChannels">Image channels (3 for colour images).</param>
    public NasBench201(Architecture architecture, int channels = 16, int cellsPerStage = 5, int classes = 10, int inputChannels = 3)
        : base(nameof(NasBench201))
    {
        if (channels < 1 || cellsPerStage < 1 || classes < 1 || inputChannels < 1)
            throw new ArgumentOutOfRangeException(nameof(channels), "Channels, cells per stage, classes and input channels must all be at least 1.");
        cellChannels = channels;
        InitializeChoices(architecture);
        stem = Sequential(("0", Conv2d(inputChannels, channels, 3, padding: 1, bias: false)), ("1", BatchNorm2d(channels)));
        stages = new ModuleList<Sequential>();
        reductions = new ModuleList<Sequential>();
        shortcuts = new ModuleList<Sequential>();
        for (int stage = 0; stage < 3; stage++)
        {
            if (stage > 0)
            {
                // The residual reduction block: two ReLU-conv-BN, the first with stride 2, plus a 2×2 average-pool
                // and 1×1 conv shortcut (added in forward).
                reductions.append(Sequential(("0", ReluConvBn(cellChannels, 2 * cellChannels, 3, 2)), ("1", ReluConvBn(2 * cellChannels, 2 * cellChannels, 3, 1))));
                shortcuts.append(Sequential(("0", AvgPool2d(2, stride: 2)), ("1", Conv2d(cellChannels, 2 * cellChannels, 1, bias: false))));
                cellChannels *= 2;
            }
            // The first cell of the first stage is Dag itself; every other position is a cell of the same architecture.
            var cells = Sequential();
            for (int cell = stage == 0 ? 1 : 0; cell < cellsPerStage; cell++) cells.append(NewDag("cell"));
            stages.append(cells);
        }
        lastAct = Sequential(("0", BatchNorm2d(cellChannels)), ("1", ReLU()));
        globalPooling = AdaptiveAvgPool2d(1);
        classifier = Linear(cellChannels, classes);
        RegisterComponents();
    }

    /// <summary>The CIFAR network of the benchmark (16 channels, 5 cells per stage) for 32×32 colour images.</summary>
    public static NasBench201 CreateCifar(Architecture architecture, int classes = 10) => new(architecture, 16, 5, classes);

    private Module<Tensor, Tensor> MakeOp(Op op, CellEdge edge) => op switch
    {
        Op.None => new ZeroOp(),
        Op.SkipConnect => Identity(),
        Op.Conv1x1 => ReluConvBn(cellChannels, cellChannels, 1, 1),
        Op.Conv3x3 => ReluConvBn(cellChannels, cellChannels, 3, 1),
        _ => AvgPool2d(3, stride: 1, padding: 1, count_include_pad: false),
    };

    private static Sequential ReluConvBn(int input, int output, int kernel, int stride) => Sequential(
        ("0", ReLU()),
        ("1", Conv2d(input, output, kernel, stride: stride, padding: kernel / 2, bias: false)),
        ("2", BatchNorm2d(output)));

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        Tensor x = stages[0].call(Dag.call(stem.call(input)));
        for (int stage = 1; stage < 3; stage++) x = stages[stage].call(reductions[stage - 1].call(x) + shortcuts[stage - 1].call(x));
        return classifier.call(globalPooling.call(lastAct.call(x)).flatten(1)).MoveToOuterDisposeScope();
    }
}
