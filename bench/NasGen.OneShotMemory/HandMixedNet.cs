using System.Linq;
using NasGen.OneShotSearch;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace NasGen.OneShotMemory;

/// <summary>
/// The DARTS supernet of <see cref="CellNet"/> written directly in TorchSharp, without NasGen: per edge a list of the
/// five candidates, weighted by a softmax row of one alpha matrix shared by both cells (None skipped, as NasGen does).
/// </summary>
public sealed class HandMixedNet : Module<Tensor, Tensor>
{
    private const int Edges = 6;
    private readonly Sequential stem;
    private readonly ModuleList<ModuleList<Module<Tensor, Tensor>>> cell1;
    private readonly AvgPool2d reduce;
    private readonly ModuleList<ModuleList<Module<Tensor, Tensor>>> cell2;
    private readonly Linear head;
    private readonly Tensor _alpha;

    public HandMixedNet(int channels, Tensor alpha) : base(nameof(HandMixedNet))
    {
        _alpha = alpha;
        stem = CellNet.Stem(channels);
        cell1 = Cell(channels);
        reduce = AvgPool2d(2);
        cell2 = Cell(channels);
        head = Linear(channels, 10);
        RegisterComponents();
    }

    private static ModuleList<ModuleList<Module<Tensor, Tensor>>> Cell(int channels) => new(Enumerable.Range(0, Edges)
        .Select(_ => new ModuleList<Module<Tensor, Tensor>>(System.Enum.GetValues<Nb201Op>().Select(op => CellNet.MakeOp(op, channels)).ToArray()))
        .ToArray());

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        Tensor x = RunCell(cell2, reduce.call(RunCell(cell1, stem.call(input))));
        return head.call(x.mean([2L, 3L])).MoveToOuterDisposeScope();
    }

    private Tensor RunCell(ModuleList<ModuleList<Module<Tensor, Tensor>>> cell, Tensor input)
    {
        Tensor weights = _alpha.softmax(1);
        var nodes = new Tensor[4];
        nodes[0] = input;
        int edge = 0;
        for (int to = 1; to < 4; to++)
        {
            Tensor? node = null;
            for (int from = 0; from < to; from++, edge++)
            {
                // As a careful hand-written op would: a scope frees the temporaries, the sum accumulates in place.
                using var scope = NewDisposeScope();
                Tensor? mixed = null;
                for (int k = 1; k < cell[edge].Count; k++) // k = 0 is None: it adds nothing
                {
                    Tensor term = weights[edge, k] * cell[edge][k].call(nodes[from]);
                    mixed = mixed is null ? term : mixed.add_(term);
                }
                Tensor result = node is null ? mixed! : node + mixed!;
                node = result.MoveToOuterDisposeScope();
            }
            nodes[to] = node!;
        }
        return nodes[3];
    }
}
