using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace NasGen;

/// <summary>The two cell forms.</summary>
public enum CellForm
{
    /// <summary>NAS-Bench-201 (Dong &amp; Yang, 2020): every edge <c>i → j</c> (<c>i &lt; j</c>) carries an operation, a node is the sum of its incoming edges, the output is the last node.</summary>
    EveryEdge,

    /// <summary>DARTS / NASNet (Liu et al., 2019; Zoph et al., 2018): each intermediate node picks <c>k</c> predecessors, each through an operation; the output concatenates the intermediate nodes' channels (see <see cref="CellShape.WithOptions"/> for ENAS's slots and loose ends).</summary>
    ChosenInputs,
}

/// <summary>An edge of a cell, from node <see cref="From"/> to node <see cref="To"/> (global node numbers, inputs first).</summary>
public readonly record struct CellEdge(int From, int To)
{
    /// <summary>The submodule name of the edge's operation: <c>e{To}_{From}</c>.</summary>
    public string Name => string.Create(CultureInfo.InvariantCulture, $"e{To}_{From}");

    /// <summary>The edge's label in supernet choices and in the NAS-Bench-201 dimensions: <c>edge{To}-{From}</c>.</summary>
    public string Label => string.Create(CultureInfo.InvariantCulture, $"edge{To}-{From}");

    /// <summary>The submodule name of the edge's operation in slot <paramref name="slot"/> of a cell with repetition: <c>e{To}_{From}_{slot}</c>.</summary>
    public string SlotName(int slot) => string.Create(CultureInfo.InvariantCulture, $"e{To}_{From}_{slot}");
}

/// <summary>
/// The shape of a cell's DAG: its form, input nodes, intermediate nodes and (DARTS form) how many predecessors each
/// intermediate node picks. Nodes are numbered globally, input nodes first.
/// </summary>
public sealed class CellShape : IEquatable<CellShape>
{
    private readonly CellEdge[] _edges;

    private CellShape(CellForm form, int inputNodes, int intermediateNodes, int chosen,
        CellInputs inputs = CellInputs.Distinct, CellOutput output = CellOutput.AllNodes)
    {
        Form = form;
        Inputs = inputs;
        Output = output;
        InputNodes = inputNodes;
        IntermediateNodes = intermediateNodes;
        Chosen = chosen;
        var edges = new List<CellEdge>();
        for (int to = form == CellForm.EveryEdge ? 1 : inputNodes; to < Nodes; to++)
            for (int from = 0; from < to; from++)
                edges.Add(new CellEdge(from, to));
        _edges = edges.ToArray();
    }

    /// <summary>
    /// The NAS-Bench-201 form with <paramref name="nodes"/> nodes: node 0 is the input, edges in the order
    /// (1,0), (2,0), (2,1), (3,0), (3,1), (3,2) ... (from, to written as to-from).
    /// </summary>
    public static CellShape EveryEdge(int nodes)
    {
        if (nodes is < 2 or > 64) throw new ArgumentOutOfRangeException(nameof(nodes), nodes, "A cell has between 2 and 64 nodes.");
        return new CellShape(CellForm.EveryEdge, 1, nodes - 1, 0);
    }

    /// <summary>
    /// The DARTS form: <paramref name="inputNodes"/> inputs (the two previous cells' outputs in DARTS),
    /// <paramref name="intermediateNodes"/> nodes each picking <paramref name="chosen"/> predecessors among the inputs
    /// and earlier intermediate nodes.
    /// </summary>
    public static CellShape ChosenInputs(int inputNodes = 2, int intermediateNodes = 4, int chosen = 2)
    {
        if (inputNodes < 1) throw new ArgumentOutOfRangeException(nameof(inputNodes), inputNodes, "A cell needs at least one input node.");
        if (intermediateNodes < 1) throw new ArgumentOutOfRangeException(nameof(intermediateNodes), intermediateNodes, "A cell needs at least one intermediate node.");
        if (inputNodes + intermediateNodes > 64) throw new ArgumentOutOfRangeException(nameof(intermediateNodes), "A cell has at most 64 nodes.");
        if (chosen < 1 || chosen > inputNodes)
            throw new ArgumentOutOfRangeException(nameof(chosen), chosen, $"Each node picks between 1 and {inputNodes} predecessors (the first intermediate node has only the {inputNodes} inputs).");
        return new CellShape(CellForm.ChosenInputs, inputNodes, intermediateNodes, chosen);
    }

    /// <summary>
    /// This DARTS-form shape with ENAS's options: <paramref name="inputs"/> says whether a node's slots may repeat a
    /// predecessor, <paramref name="output"/> whether the cell outputs every intermediate node or only its loose ends.
    /// </summary>
    /// <exception cref="InvalidOperationException">This is a NAS-Bench-201 form shape (it has neither option).</exception>
    public CellShape WithOptions(CellInputs inputs, CellOutput output)
    {
        if (Form != CellForm.ChosenInputs) throw new InvalidOperationException("Only DARTS-form (ChosenInputs) cells have input and output options.");
        if (!Enum.IsDefined(inputs)) throw new ArgumentOutOfRangeException(nameof(inputs), inputs, "Not a CellInputs member.");
        if (!Enum.IsDefined(output)) throw new ArgumentOutOfRangeException(nameof(output), output, "Not a CellOutput member.");
        return new CellShape(Form, InputNodes, IntermediateNodes, Chosen, inputs, output);
    }

    /// <summary>The form.</summary>
    public CellForm Form { get; }

    /// <summary>DARTS form: distinct predecessors per node, or independent slots that may repeat one (ENAS).</summary>
    public CellInputs Inputs { get; }

    /// <summary>DARTS form: whether the output concatenates every intermediate node or only the loose ends.</summary>
    public CellOutput Output { get; }

    /// <summary>Whether a node's inputs are independent slots (<see cref="CellInputs.WithRepetition"/>).</summary>
    public bool HasSlots => Inputs == CellInputs.WithRepetition;

    /// <summary>Input nodes (1 in the NAS-Bench-201 form).</summary>
    public int InputNodes { get; }

    /// <summary>Nodes computed by the cell.</summary>
    public int IntermediateNodes { get; }

    /// <summary>Predecessors each intermediate node picks (DARTS form); 0 in the NAS-Bench-201 form (all of them).</summary>
    public int Chosen { get; }

    /// <summary>All nodes.</summary>
    public int Nodes => InputNodes + IntermediateNodes;

    /// <summary>Every possible edge, grouped by target node, sources ascending.</summary>
    public IReadOnlyList<CellEdge> Edges => _edges;

    /// <summary>The position of an edge in <see cref="Edges"/>.</summary>
    public int EdgeIndex(CellEdge edge)
    {
        int first = Form == CellForm.EveryEdge ? 1 : InputNodes;
        if (edge.To < first || edge.To >= Nodes || edge.From < 0 || edge.From >= edge.To)
            throw new ArgumentOutOfRangeException(nameof(edge), edge, "Not an edge of this cell.");
        // Targets before edge.To contribute first + (first+1) + ... + (edge.To-1) edges.
        return (edge.To * (edge.To - 1) - first * (first - 1)) / 2 + edge.From;
    }

    /// <inheritdoc />
    public bool Equals(CellShape? other) => other is not null && Form == other.Form && InputNodes == other.InputNodes
        && IntermediateNodes == other.IntermediateNodes && Chosen == other.Chosen && Inputs == other.Inputs && Output == other.Output;

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as CellShape);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Form, InputNodes, IntermediateNodes, Chosen, Inputs, Output);

    /// <inheritdoc />
    public override string ToString() => Form == CellForm.EveryEdge
        ? string.Create(CultureInfo.InvariantCulture, $"EveryEdge(nodes: {Nodes})")
        : string.Create(CultureInfo.InvariantCulture, $"ChosenInputs(inputNodes: {InputNodes}, intermediateNodes: {IntermediateNodes}, chosen: {Chosen}{Options})");

    private string Options => (Inputs == CellInputs.Distinct ? "" : ", " + Inputs) + (Output == CellOutput.AllNodes ? "" : ", " + Output);
}

/// <summary>
/// The zero operation (<c>None</c>/<c>Zero</c> candidates): zeros shaped like the input subsampled by
/// <see cref="Stride"/>; no parameters. Return it from a cell's op factory for the zero op.
/// </summary>
public sealed class ZeroOp : Module<Tensor, Tensor>
{
    /// <summary>Creates the zero op; <paramref name="stride"/> 2 on the edges of a reduction cell that leave an input node.</summary>
    public ZeroOp(int stride = 1) : base("zero")
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(stride, 1);
        Stride = stride;
    }

    /// <summary>The spatial stride.</summary>
    public int Stride { get; }

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        if (Stride == 1) return zeros_like(input);
        using var view = input.slice(2, 0, input.shape[2], Stride).slice(3, 0, input.shape[3], Stride);
        return zeros_like(view);
    }
}
