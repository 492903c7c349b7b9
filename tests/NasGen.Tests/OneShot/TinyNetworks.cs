using System;
using System.Linq;
using NasGen.OneShot;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace NasGen.Tests.OneShot;

public enum TinyOp { None, Skip, Conv1x1, Conv3x3 }

public enum BlockOp { Conv3x3, Conv1x1, Identity }

/// <summary>The choices of <see cref="TinyNet"/>: a layer choice, an NB201 cell and a DARTS cell.</summary>
public sealed record TinyArchitecture(BlockOp Block, CellArchitecture<TinyOp> Nb, CellArchitecture<TinyOp> Darts);

/// <summary>
/// A hand-written network with one layer choice and both cell forms, buildable fixed or as a supernet with the same
/// submodule names — what the generator will emit.
/// </summary>
public sealed class TinyNet : Module<Tensor, Tensor>
{
    public const int Channels = 4;
    public static readonly CellShape NbShape = CellShape.EveryEdge(4);
    public static readonly CellShape DartsShape = CellShape.ChosenInputs(inputNodes: 2, intermediateNodes: 3, chosen: 2);

    private readonly Conv2d stem;
    private readonly Module<Tensor, Tensor> block;
    private readonly Cell<TinyOp> nb;
    private readonly Cell<TinyOp> darts;
    private readonly Linear head;

    public TinyNet(TinyArchitecture architecture) : base(nameof(TinyNet))
    {
        stem = Conv2d(1, Channels, 3, padding: 1);
        block = MakeBlock(architecture.Block);
        nb = Cell<TinyOp>.Fixed(architecture.Nb, MakeOp, "nb");
        darts = Cell<TinyOp>.Fixed(architecture.Darts, MakeOp, "darts");
        head = Linear(Channels * DartsShape.IntermediateNodes, 10);
        RegisterComponents();
    }

    public TinyNet(SupernetContext context) : base(nameof(TinyNet))
    {
        stem = Conv2d(1, Channels, 3, padding: 1);
        var blockOps = Enum.GetValues<BlockOp>();
        block = new MixedOperation("block", context.Register("block", blockOps.Select(b => b.ToString()).ToArray()), blockOps.Select(MakeBlock).ToArray());
        nb = Cell<TinyOp>.Supernet(NbShape, context, "nb", MakeOp, name: "nb");
        darts = Cell<TinyOp>.Supernet(DartsShape, context, "darts", MakeOp, name: "darts");
        head = Linear(Channels * DartsShape.IntermediateNodes, 10);
        RegisterComponents();
    }

    public TinyArchitecture ArchitectureOnPath(SupernetContext context) =>
        new((BlockOp)context["block"].PathCode, nb.ArchitectureOnPath(context.Path), darts.ArchitectureOnPath(context.Path));

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        Tensor s = functional.relu(stem.call(input));
        Tensor b = block.call(s);
        Tensor n = nb.call(b);
        Tensor d = darts.Forward(s, n);
        return head.call(d.mean([2L, 3L])).MoveToOuterDisposeScope();
    }

    public static Module<Tensor, Tensor> MakeBlock(BlockOp op) => op switch
    {
        BlockOp.Conv3x3 => Conv2d(Channels, Channels, 3, padding: 1),
        BlockOp.Conv1x1 => Conv2d(Channels, Channels, 1),
        _ => Identity(),
    };

    public static Module<Tensor, Tensor> MakeOp(TinyOp op, CellEdge edge) => op switch
    {
        TinyOp.None => new ZeroOp(),
        TinyOp.Skip => Identity(),
        TinyOp.Conv1x1 => Sequential(("conv", Conv2d(Channels, Channels, 1, bias: false)), ("bn", BatchNorm2d(Channels))),
        _ => Sequential(("relu", ReLU()), ("conv", Conv2d(Channels, Channels, 3, padding: 1, bias: false)), ("bn", BatchNorm2d(Channels))),
    };
}
