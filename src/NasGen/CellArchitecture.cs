using System.Text;

namespace NasGen;

/// <summary>
/// The choices of one cell: an operation per edge (NAS-Bench-201 form), or per intermediate node the selected
/// predecessors and an operation for each (DARTS form). Immutable, with value equality and a canonical text in
/// the NAS-Bench-201 style, <c>|op~0|+|op~0|op~1|+|...|</c>: one group per computed node, one <c>op~from</c> entry
/// per edge that exists, sources ascending (with repetition: one entry per slot, in slot order).
/// </summary>
/// <typeparam name="TOp">The operation enum; a member named <c>None</c> or <c>Zero</c> is the zero operation.</typeparam>
public sealed class CellArchitecture<TOp> : IEquatable<CellArchitecture<TOp>> where TOp : struct, Enum
{
    private readonly TOp[] _ops;
    private readonly ChosenInputs[] _inputs;
    private readonly int[] _slotInputs;

    private CellArchitecture(CellShape shape, TOp[] ops, ChosenInputs[] inputs, int[] slotInputs)
    {
        Shape = shape;
        _ops = ops;
        _inputs = inputs;
        _slotInputs = slotInputs;
        OutputNodes = shape.Form == CellForm.EveryEdge ? [shape.Nodes - 1] : FindOutputNodes();
    }

    /// <summary>The cell's shape.</summary>
    public CellShape Shape { get; }

    /// <summary>
    /// The operations: one per edge in <see cref="CellShape.Edges"/> order (NAS-Bench-201 form), or <c>Chosen</c> per
    /// intermediate node, the <c>t</c>-th for its <c>t</c>-th selected input in ascending order (DARTS form).
    /// </summary>
    public IReadOnlyList<TOp> Ops => _ops;

    /// <summary>Per intermediate node, the selected predecessors (global node numbers); empty in the NAS-Bench-201 form and with repetition.</summary>
    public IReadOnlyList<ChosenInputs> Inputs => _inputs;

    /// <summary>
    /// With repetition (<see cref="CellInputs.WithRepetition"/>): per slot, <c>Chosen</c> per intermediate node, the
    /// predecessor it reads (global node number; <see cref="Ops"/> has the slot's op at the same position). Empty otherwise.
    /// </summary>
    public IReadOnlyList<int> SlotInputs => _slotInputs;

    /// <summary>
    /// The nodes the cell's output concatenates, ascending: the last node (NAS-Bench-201 form), every intermediate node,
    /// or with <see cref="CellOutput.LooseEnds"/> the intermediate nodes that no chosen edge reads.
    /// </summary>
    public IReadOnlyList<int> OutputNodes { get; }

    /// <summary>A NAS-Bench-201 form architecture: one op per edge, in <see cref="CellShape.Edges"/> order.</summary>
    public static CellArchitecture<TOp> EveryEdge(CellShape shape, params TOp[] ops)
    {
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(ops);
        if (shape.Form != CellForm.EveryEdge) throw new ArgumentException($"Shape {shape} is not of the EveryEdge form.", nameof(shape));
        if (ops.Length != shape.Edges.Count) throw new ArgumentException($"A {shape} cell has {shape.Edges.Count} edges; {ops.Length} ops were given.", nameof(ops));
        return new CellArchitecture<TOp>(shape, ops.ToArray(), [], []);
    }

    /// <summary>A DARTS form architecture: per intermediate node its selected inputs and one op per selected input.</summary>
    public static CellArchitecture<TOp> ChosenInputs(CellShape shape, ChosenInputs[] inputs, TOp[] ops)
    {
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(ops);
        if (shape.Form != CellForm.ChosenInputs) throw new ArgumentException($"Shape {shape} is not of the ChosenInputs form.", nameof(shape));
        if (inputs.Length != shape.IntermediateNodes) throw new ArgumentException($"A {shape} cell has {shape.IntermediateNodes} intermediate nodes; {inputs.Length} input selections were given.", nameof(inputs));
        for (int m = 0; m < inputs.Length; m++)
        {
            int available = shape.InputNodes + m;
            if (inputs[m].Candidates != available || inputs[m].Count != shape.Chosen)
                throw new ArgumentException($"Node {m} selects {shape.Chosen} of {available} predecessors; {inputs[m]} of {inputs[m].Candidates} was given.", nameof(inputs));
        }
        if (ops.Length != shape.IntermediateNodes * shape.Chosen)
            throw new ArgumentException($"A {shape} cell has {shape.IntermediateNodes * shape.Chosen} ops; {ops.Length} were given.", nameof(ops));
        return new CellArchitecture<TOp>(shape, ops.ToArray(), inputs.ToArray(), []);
    }

    /// <summary>
    /// An architecture of a cell with repetition (<see cref="CellInputs.WithRepetition"/>): per intermediate node
    /// <c>Chosen</c> slots, slot <c>t</c> of node <c>m</c> at position <c>m · Chosen + t</c> of both arrays, each a
    /// predecessor (global node number, below the node) and the op applied to it; one predecessor may fill several slots.
    /// </summary>
    public static CellArchitecture<TOp> FromSlots(CellShape shape, int[] inputs, TOp[] ops)
    {
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(ops);
        if (!shape.HasSlots) throw new ArgumentException($"Shape {shape} does not allow repetition; use ChosenInputs.", nameof(shape));
        int slots = shape.IntermediateNodes * shape.Chosen;
        if (inputs.Length != slots || ops.Length != slots)
            throw new ArgumentException($"A {shape} cell has {slots} slots; {inputs.Length} inputs and {ops.Length} ops were given.", nameof(inputs));
        for (int s = 0; s < slots; s++)
        {
            int node = shape.InputNodes + s / shape.Chosen;
            if ((uint)inputs[s] >= (uint)node)
                throw new ArgumentException($"Slot {s % shape.Chosen} of node {node} reads {inputs[s]}; it reads a node in 0..{node - 1}.", nameof(inputs));
        }
        return new CellArchitecture<TOp>(shape, ops.ToArray(), [], inputs.ToArray());
    }

    // The intermediate nodes that no chosen edge reads (all of them unless the shape outputs loose ends).
    private int[] FindOutputNodes()
    {
        var read = new bool[Shape.Nodes];
        if (Shape.Output == CellOutput.LooseEnds)
            foreach (var (edge, _) in ChosenEdges()) read[edge.From] = true;
        return Enumerable.Range(Shape.InputNodes, Shape.IntermediateNodes).Where(node => !read[node]).ToArray();
    }

    /// <summary>
    /// The edges that exist in the fixed cell with their ops, grouped by target node, sources ascending; with
    /// repetition one entry per slot, in slot order (an edge appears twice when two slots read the same node).
    /// </summary>
    public IEnumerable<(CellEdge Edge, TOp Op)> ChosenEdges()
    {
        if (Shape.Form == CellForm.EveryEdge)
        {
            for (int e = 0; e < _ops.Length; e++) yield return (Shape.Edges[e], _ops[e]);
            yield break;
        }
        if (Shape.HasSlots)
        {
            for (int s = 0; s < _slotInputs.Length; s++) yield return (new CellEdge(_slotInputs[s], Shape.InputNodes + s / Shape.Chosen), _ops[s]);
            yield break;
        }

        for (int m = 0; m < _inputs.Length; m++)
        {
            int[] from = _inputs[m].ToArray();
            for (int t = 0; t < from.Length; t++) yield return (new CellEdge(from[t], Shape.InputNodes + m), _ops[m * Shape.Chosen + t]);
        }
    }

    /// <summary>
    /// The candidate codes over <see cref="Cell{TOp}.Dimensions"/>: one op index per edge (NAS-Bench-201 form), or per
    /// node the input selection's index in <see cref="NasGen.ChosenInputs.All"/> then one op index per selected input;
    /// with repetition, per slot its predecessor then its op index.
    /// </summary>
    /// <param name="candidates">The op candidates (default: every member of <typeparamref name="TOp"/>).</param>
    public int[] ToCodes(IReadOnlyList<TOp>? candidates = null)
    {
        var ops = candidates ?? Cell<TOp>.AllOps;
        int OpCode(TOp op)
        {
            for (int i = 0; i < ops.Count; i++) if (EqualityComparer<TOp>.Default.Equals(ops[i], op)) return i;
            throw new ArgumentException($"Op {op} is not among the candidates {string.Join(", ", ops)}.", nameof(candidates));
        }

        if (Shape.Form == CellForm.EveryEdge) return _ops.Select(OpCode).ToArray();
        var codes = new List<int>();
        if (Shape.HasSlots)
        {
            // The input code of a slot is the predecessor itself: InputSelections(k, 1) numbers {i} as i.
            for (int s = 0; s < _slotInputs.Length; s++) codes.AddRange([_slotInputs[s], OpCode(_ops[s])]);
            return codes.ToArray();
        }
        for (int m = 0; m < _inputs.Length; m++)
        {
            codes.Add(new InputSelections(Shape.InputNodes + m, Shape.Chosen).IndexOf(_inputs[m]));
            for (int t = 0; t < Shape.Chosen; t++) codes.Add(OpCode(_ops[m * Shape.Chosen + t]));
        }
        return codes.ToArray();
    }

    /// <summary>The architecture with the given codes (the inverse of <see cref="ToCodes"/>).</summary>
    public static CellArchitecture<TOp> FromCodes(CellShape shape, ReadOnlySpan<int> codes, IReadOnlyList<TOp>? candidates = null)
    {
        ArgumentNullException.ThrowIfNull(shape);
        var ops = candidates ?? Cell<TOp>.AllOps;
        int expected = CodeCount(shape);
        if (codes.Length != expected) throw new ArgumentException($"A {shape} cell has {expected} codes; {codes.Length} were given.", nameof(codes));
        TOp Op(int code) => (uint)code < (uint)ops.Count ? ops[code]
            : throw new ArgumentOutOfRangeException(nameof(codes), code, $"Op codes are in 0..{ops.Count - 1}.");
        if (shape.Form == CellForm.EveryEdge)
        {
            var edgeOps = new TOp[codes.Length];
            for (int e = 0; e < codes.Length; e++) edgeOps[e] = Op(codes[e]);
            return EveryEdge(shape, edgeOps);
        }
        if (shape.HasSlots)
        {
            var slotInputs = new int[codes.Length / 2];
            var slotOps = new TOp[slotInputs.Length];
            for (int s = 0; s < slotInputs.Length; s++)
            {
                int node = shape.InputNodes + s / shape.Chosen;
                slotInputs[s] = (uint)codes[2 * s] < (uint)node ? codes[2 * s]
                    : throw new ArgumentOutOfRangeException(nameof(codes), codes[2 * s], $"Input codes of node {node - shape.InputNodes} are in 0..{node - 1}.");
                slotOps[s] = Op(codes[2 * s + 1]);
            }
            return FromSlots(shape, slotInputs, slotOps);
        }

        var inputs = new ChosenInputs[shape.IntermediateNodes];
        var nodeOps = new TOp[shape.IntermediateNodes * shape.Chosen];
        int c = 0;
        for (int m = 0; m < inputs.Length; m++)
        {
            var all = new InputSelections(shape.InputNodes + m, shape.Chosen);
            int code = codes[c++];
            inputs[m] = (uint)code < (uint)all.Count ? all[code]
                : throw new ArgumentOutOfRangeException(nameof(codes), code, $"Input codes of node {m} are in 0..{all.Count - 1}.");
            for (int t = 0; t < shape.Chosen; t++) nodeOps[m * shape.Chosen + t] = Op(codes[c++]);
        }
        return ChosenInputs(shape, inputs, nodeOps);
    }

    /// <summary>The canonical text, e.g. <c>|Conv3x3~0|+|None~0|Skip~1|+|Conv1x1~0|Conv3x3~1|Skip~2|</c>.</summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        int node = -1;
        foreach (var (edge, op) in ChosenEdges())
        {
            if (edge.To != node)
            {
                if (node >= 0) text.Append('+');
                text.Append('|');
                node = edge.To;
            }
            text.Append(op.ToString()).Append('~').Append(edge.From.ToString(CultureInfo.InvariantCulture)).Append('|');
        }
        return text.ToString();
    }

    /// <summary>Parses the canonical text (<see cref="ToString"/>) of a cell of <paramref name="shape"/>.</summary>
    /// <exception cref="FormatException">The text does not describe a valid cell of this shape.</exception>
    public static CellArchitecture<TOp> Parse(CellShape shape, string text)
    {
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(text);
        string[] groups = text.Split('+');
        if (groups.Length != shape.IntermediateNodes)
            throw new FormatException($"'{text}' has {groups.Length} node groups; a {shape} cell has {shape.IntermediateNodes}.");
        var ops = new List<TOp>();
        var inputs = new List<ChosenInputs>();
        var slots = new List<int>();
        for (int m = 0; m < groups.Length; m++)
        {
            string group = groups[m];
            if (group.Length < 2 || group[0] != '|' || group[^1] != '|') throw new FormatException($"Node group '{group}' of '{text}' must start and end with '|'.");
            var entries = group[1..^1].Split('|');
            int node = shape.InputNodes + m;
            var from = new List<int>();
            foreach (string entry in entries)
            {
                int tilde = entry.LastIndexOf('~');
                if (tilde <= 0 || !Enum.TryParse(entry[..tilde], ignoreCase: false, out TOp op) || !Enum.IsDefined(op)
                    || !int.TryParse(entry[(tilde + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out int source) || source >= node)
                    throw new FormatException($"Entry '{entry}' of '{text}' is not 'op~from' with an op of {typeof(TOp).Name} and a predecessor of node {node}.");
                if (from.Count > 0 && source <= from[^1] && !shape.HasSlots) throw new FormatException($"The sources of node {node} in '{text}' must be distinct and ascending.");
                from.Add(source);
                ops.Add(op);
            }
            if (shape.Form == CellForm.EveryEdge)
            {
                if (from.Count != node) throw new FormatException($"Node {node} in '{text}' must list all of its {node} incoming edges.");
            }
            else
            {
                if (from.Count != shape.Chosen) throw new FormatException($"Node {node} in '{text}' must select {shape.Chosen} predecessors.");
                if (shape.HasSlots) slots.AddRange(from);
                else inputs.Add(new ChosenInputs(node, from.ToArray()));
            }
        }
        return shape.Form == CellForm.EveryEdge ? EveryEdge(shape, ops.ToArray())
            : shape.HasSlots ? FromSlots(shape, slots.ToArray(), ops.ToArray())
            : ChosenInputs(shape, inputs.ToArray(), ops.ToArray());
    }

    /// <summary>How many codes (dimensions) a cell of <paramref name="shape"/> has.</summary>
    public static int CodeCount(CellShape shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        return shape.Form == CellForm.EveryEdge ? shape.Edges.Count
            : shape.HasSlots ? shape.IntermediateNodes * shape.Chosen * 2
            : shape.IntermediateNodes * (1 + shape.Chosen);
    }

    /// <inheritdoc />
    public bool Equals(CellArchitecture<TOp>? other) => other is not null && Shape.Equals(other.Shape)
        && _ops.SequenceEqual(other._ops) && _inputs.SequenceEqual(other._inputs) && _slotInputs.SequenceEqual(other._slotInputs);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as CellArchitecture<TOp>);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Shape);
        foreach (var op in _ops) hash.Add(op);
        foreach (var input in _inputs) hash.Add(input);
        foreach (int input in _slotInputs) hash.Add(input);
        return hash.ToHashCode();
    }
}
