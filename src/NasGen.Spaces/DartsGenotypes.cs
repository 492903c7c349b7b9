namespace NasGen.Spaces;

/// <summary>
/// Architectures of the <see cref="Darts"/> space published with DARTS (Liu et al., ICLR 2019; the genotypes of the
/// authors' code, <c>cnn/genotypes.py</c>), and the conversion from DARTS's genotype lists.
/// </summary>
public static class DartsGenotypes
{
    /// <summary>DARTS (second order), the cell of Table 1 and figures 4–5: 3.3 M parameters at 20 cells, 36 channels.</summary>
    public static Darts.Architecture V2 { get; } = new(
        Cell((Darts.Op.SepConv3x3, 0), (Darts.Op.SepConv3x3, 1), (Darts.Op.SepConv3x3, 0), (Darts.Op.SepConv3x3, 1),
             (Darts.Op.SepConv3x3, 1), (Darts.Op.SkipConnect, 0), (Darts.Op.SkipConnect, 0), (Darts.Op.DilConv3x3, 2)),
        Cell((Darts.Op.MaxPool3x3, 0), (Darts.Op.MaxPool3x3, 1), (Darts.Op.SkipConnect, 2), (Darts.Op.MaxPool3x3, 1),
             (Darts.Op.MaxPool3x3, 0), (Darts.Op.SkipConnect, 2), (Darts.Op.SkipConnect, 2), (Darts.Op.MaxPool3x3, 1)));

    /// <summary>
    /// A cell from a DARTS genotype list: 8 (operation, input) pairs, two per intermediate node in order, inputs
    /// numbered as in DARTS (0 and 1 the input nodes, 2.. the intermediate nodes).
    /// </summary>
    /// <exception cref="ArgumentException">Not 8 pairs, an input a node cannot see, or a node taking one input twice.</exception>
    public static CellArchitecture<Darts.Op> Cell(params (Darts.Op Op, int Input)[] genotype)
    {
        ArgumentNullException.ThrowIfNull(genotype);
        if (genotype.Length != 8) throw new ArgumentException($"A DARTS cell genotype has 8 (op, input) pairs, two per node; {genotype.Length} were given.", nameof(genotype));
        var inputs = new ChosenInputs[4];
        var ops = new List<Darts.Op>();
        for (int node = 0; node < 4; node++)
        {
            // NasGen lists a node's two ops by ascending input.
            var pair = genotype.Skip(2 * node).Take(2).OrderBy(p => p.Input).ToArray();
            if (pair[0].Input == pair[1].Input || pair[0].Input < 0 || pair[1].Input >= 2 + node)
                throw new ArgumentException($"Node {node + 2} takes inputs {pair[0].Input} and {pair[1].Input}: two different nodes below {node + 2} are needed.", nameof(genotype));
            inputs[node] = new ChosenInputs(2 + node, pair[0].Input, pair[1].Input);
            ops.AddRange(pair.Select(p => p.Op));
        }
        return CellArchitecture<Darts.Op>.ChosenInputs(CellShape.ChosenInputs(2, 4, 2), inputs, ops.ToArray());
    }
}
