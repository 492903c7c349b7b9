using NasGen;
using NasGen.OneShot;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace NasGen.IntegrationTests.Spaces;

public enum CellOp { None, Skip, Conv3x3, AvgPool }

/// <summary>
/// Both cell forms, a layer choice and an input choice in one space: a NAS-Bench-201 cell used twice (one shared
/// architecture), a DARTS cell, and a pinned width. The generator gives it a fixed network and a supernet.
/// </summary>
[SearchSpace(Name = "cell-net")]
public sealed partial class CellSpaceNet : Module<Tensor, Tensor>
{
    [Choice(4, 6)] public partial int Width { get; }

    [Cell(nodes: 4, ops: typeof(CellOp), factory: nameof(MakeOp))] public partial Cell<CellOp> Dag { get; }

    [Cell(inputNodes: 2, intermediateNodes: 2, chosen: 2, ops: typeof(CellOp), factory: nameof(MakeOp))]
    public partial Cell<CellOp> Reduce { get; }

    [LayerChoice(nameof(Pointwise), nameof(Spatial))] public partial Module<Tensor, Tensor> Block { get; }

    [InputChoice(2, 1, InputReduction.Sum)] public partial InputChoice Skip { get; }

    private readonly Module<Tensor, Tensor> stem, head;
    private readonly Cell<CellOp> dagAgain;

    public CellSpaceNet(Architecture architecture) : base(nameof(CellSpaceNet))
    {
        InitializeChoices(architecture);
        stem = Conv2d(1, Width, 3, padding: 1);
        dagAgain = NewDag("dagAgain");
        head = Linear(2 * Width, 3);
        RegisterComponents();
    }

    private Module<Tensor, Tensor> MakeOp(CellOp op, CellEdge edge) => op switch
    {
        CellOp.None => new ZeroOp(),
        CellOp.Skip => Identity(),
        CellOp.Conv3x3 => Sequential(ReLU(), Conv2d(Width, Width, 3, padding: 1), BatchNorm2d(Width)),
        _ => AvgPool2d(3, stride: 1, padding: 1),
    };

    private Module<Tensor, Tensor> Pointwise() => Conv2d(Width, Width, 1);

    private Module<Tensor, Tensor> Spatial() => Sequential(Conv2d(Width, Width, 3, padding: 1), ReLU());

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = stem.call(input);
        var a = dagAgain.call(Dag.call(x));
        var b = Block.call(a);
        var reduced = Reduce.Forward(Skip.Select(a, b), x);
        return head.call(reduced.mean([2, 3])).MoveToOuterDisposeScope();
    }
}
