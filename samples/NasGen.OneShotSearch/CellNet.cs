using NasGen;
using NasGen.OneShot;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace NasGen.OneShotSearch;

/// <summary>The NAS-Bench-201 operations (Dong &amp; Yang, 2020).</summary>
public enum Nb201Op { None, SkipConnect, Conv1x1, Conv3x3, AvgPool3x3 }

/// <summary>
/// A small NAS-Bench-201-style network for 1×28×28 images, written by hand with <see cref="Cell{TOp}"/> (the source
/// generator will emit this shape from a <c>[Cell]</c> declaration): stride-2 stem conv → cell (14×14) → 2×2 average pool → cell (7×7) →
/// global average pool → linear. Both cells share one architecture (one set of alphas in the supernet), as in
/// NAS-Bench-201.
/// </summary>
public sealed class CellNet : Module<Tensor, Tensor>
{
    /// <summary>The cell's DAG: 4 nodes, 6 edges.</summary>
    public static readonly CellShape Shape = CellShape.EveryEdge(4);

    private readonly Sequential stem;
    private readonly Cell<Nb201Op> cell1;
    private readonly AvgPool2d reduce;
    private readonly Cell<Nb201Op> cell2;
    private readonly Linear head;

    /// <summary>The fixed network of <paramref name="architecture"/> with <paramref name="channels"/> channels.</summary>
    public CellNet(CellArchitecture<Nb201Op> architecture, int channels) : base(nameof(CellNet))
    {
        stem = Stem(channels);
        cell1 = Cell<Nb201Op>.Fixed(architecture, (op, edge) => MakeOp(op, channels));
        reduce = AvgPool2d(2);
        cell2 = Cell<Nb201Op>.Fixed(architecture, (op, edge) => MakeOp(op, channels));
        head = Linear(channels, 10);
        RegisterComponents();
    }

    /// <summary>The supernet: both cells' edges mix every op; their choices are registered in <paramref name="context"/> under <c>cell.edge{j}-{i}</c>.</summary>
    public CellNet(SupernetContext context, int channels) : base(nameof(CellNet))
    {
        stem = Stem(channels);
        cell1 = Cell<Nb201Op>.Supernet(Shape, context, "cell", (op, edge) => MakeOp(op, channels));
        reduce = AvgPool2d(2);
        cell2 = Cell<Nb201Op>.Supernet(Shape, context, "cell", (op, edge) => MakeOp(op, channels));
        head = Linear(channels, 10);
        RegisterComponents();
    }

    /// <summary>The cell architecture of a supernet path.</summary>
    public CellArchitecture<Nb201Op> ArchitectureOnPath(System.Collections.Generic.IReadOnlyList<int> path) => cell1.ArchitectureOnPath(path);

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        Tensor x = cell2.call(reduce.call(cell1.call(stem.call(input))));
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
