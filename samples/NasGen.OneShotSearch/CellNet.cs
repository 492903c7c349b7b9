using NasGen;
using NasGen.OneShot;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace NasGen.OneShotSearch;

/// <summary>The NAS-Bench-201 operations (Dong &amp; Yang, 2020).</summary>
public enum Nb201Op { None, SkipConnect, Conv1x1, Conv3x3, AvgPool3x3 }

/// <summary>
/// A small NAS-Bench-201-style network for 1×28×28 images, declared as a search space with one <c>[Cell]</c>:
/// stride-2 stem conv → cell (14×14) → 2×2 average pool → the same cell again (7×7) → global average pool → linear.
/// The generator gives it the architecture type, the space maths, the fixed network and the supernet
/// (<see cref="CreateSupernet"/>); both cell positions share one architecture (one set of alphas), as in NAS-Bench-201.
/// </summary>
[SearchSpace(Name = "nb201-cell-net")]
public sealed partial class CellNet : Module<Tensor, Tensor>
{
    [Cell(nodes: 4, ops: typeof(Nb201Op), factory: nameof(MakeEdge))] public partial Cell<Nb201Op> Dag { get; }

    private readonly int channels;
    private readonly Sequential stem;
    private readonly AvgPool2d reduce;
    private readonly Cell<Nb201Op> dagAgain;
    private readonly Linear head;

    /// <summary>The network of <paramref name="architecture"/> with <paramref name="channels"/> channels.</summary>
    public CellNet(Architecture architecture, int channels) : base(nameof(CellNet))
    {
        this.channels = channels; // the cell's edges need it
        InitializeChoices(architecture);
        stem = Stem(channels);
        reduce = AvgPool2d(2);
        dagAgain = NewDag("dagAgain");
        head = Linear(channels, 10);
        RegisterComponents();
    }

    private Module<Tensor, Tensor> MakeEdge(Nb201Op op, CellEdge edge) => MakeOp(op, channels);

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        Tensor x = dagAgain.call(reduce.call(Dag.call(stem.call(input))));
        return head.call(x.mean([2L, 3L])).MoveToOuterDisposeScope();
    }

    /// <summary>The stem: a stride-2 3×3 convolution and batch norm.</summary>
    public static Sequential Stem(int channels) => Sequential(
        ("conv", Conv2d(1, channels, 3, stride: 2, padding: 1, bias: false)), // 28×28 → 14×14: CPU budget
        ("bn", BatchNorm2d(channels)));

    /// <summary>NAS-Bench-201's ops: ReLU-Conv-BN convolutions, 3×3 average pooling, identity and zero.</summary>
    public static Module<Tensor, Tensor> MakeOp(Nb201Op op, int channels) => op switch
    {
        Nb201Op.None => new ZeroOp(),
        Nb201Op.SkipConnect => Identity(),
        Nb201Op.AvgPool3x3 => AvgPool2d(3, stride: 1, padding: 1, count_include_pad: false),
        _ => Sequential(
            ("relu", ReLU()),
            ("conv", Conv2d(channels, channels, op == Nb201Op.Conv1x1 ? 1 : 3, padding: op == Nb201Op.Conv1x1 ? 0 : 1, bias: false)),
            ("bn", BatchNorm2d(channels))),
    };
}
