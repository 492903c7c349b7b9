using NasGen.OneShot;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace NasGen;

/// <summary>
/// A cell: a DAG whose edges carry operations (<see cref="CellShape"/> gives the form), built either FIXED (only the
/// chosen operations exist) or as a SUPERNET (every edge a <see cref="MixedOperation"/> over all candidates; DARTS
/// form nodes mix their predecessors with a <see cref="MixedInput"/>).
/// </summary>
/// <remarks>
/// Submodule names are the same in both forms apart from the candidate level: edge <c>i → j</c> is <c>e{j}_{i}</c>,
/// so the fixed cell's state_dict keys are <c>e1_0.&lt;inner&gt;</c> and the supernet's <c>e1_0.&lt;Op&gt;.&lt;inner&gt;</c>
/// (<see cref="Supernets.ExtractFixedStateDict"/> maps one to the other). With <see cref="CellInputs.WithRepetition"/>
/// slot <c>t</c> of node <c>j</c> reading node <c>i</c> is <c>e{j}_{i}_{t}</c> (<see cref="CellEdge.SlotName"/>); the
/// supernet has one per predecessor and slot. The op factory is called for every op,
/// <c>None</c>/<c>Zero</c> included: return a parameter-free <see cref="ZeroOp"/> there (stride as the edge needs);
/// the cell skips zero edges in sums and only runs one when a node has nothing else, to get its shape.
/// </remarks>
/// <typeparam name="TOp">The operation enum; a member named <c>None</c> or <c>Zero</c> (any case) is the zero op.</typeparam>
public sealed class Cell<TOp> : Module<Tensor, Tensor>, IPathModule where TOp : struct, Enum
{
    private readonly Dictionary<CellEdge, Module<Tensor, Tensor>> _edges = [];
    private readonly Dictionary<string, CellEdge> _edgeByName = new(StringComparer.Ordinal);
    private readonly bool[] _fixedNone;                 // fixed cell: per edge index, the chosen op is zero
    private readonly Dictionary<CellEdge, MixedChoice> _edgeChoices = [];
    private MixedInput[] _nodeInputs = [];               // supernet, DARTS form: per intermediate node
    private readonly TOp[] _candidates;
    // With repetition, slot s = m · Chosen + t of node m: its modules by predecessor (one in a fixed cell), and in a
    // supernet its input choice (one of the node's predecessors) and op choice (shared by those modules).
    private readonly Dictionary<(int Slot, int From), Module<Tensor, Tensor>> _slotModules = [];
    private readonly Dictionary<string, (int Slot, int From)> _slotByName = new(StringComparer.Ordinal);
    private readonly List<(int Slot, int From, bool None)> _fixedSlots = [];
    private MixedInput[] _slotInputs = [];
    private MixedChoice[] _slotOps = [];

    /// <summary>Every member of <typeparamref name="TOp"/> in declaration order: the default candidates.</summary>
    public static IReadOnlyList<TOp> AllOps { get; } = Enum.GetValues<TOp>();

    private Cell(string name, CellShape shape, TOp[] candidates) : base(name)
    {
        Shape = shape;
        _candidates = candidates;
        _fixedNone = new bool[shape.Edges.Count];
    }

    /// <summary>The DAG's shape.</summary>
    public CellShape Shape { get; }

    /// <summary>The fixed cell's architecture; null for a supernet cell.</summary>
    public CellArchitecture<TOp>? Architecture { get; private init; }

    /// <summary>Whether this is a supernet cell.</summary>
    public bool IsSupernet => Architecture is null;

    /// <summary>The op candidates (all of <typeparamref name="TOp"/> unless restricted).</summary>
    public IReadOnlyList<TOp> Candidates => _candidates;

    /// <summary>Builds the fixed cell of <paramref name="architecture"/>: only its chosen edges and ops exist.</summary>
    /// <param name="architecture">The cell's choices.</param>
    /// <param name="factory">Builds the op for an edge (called once per existing edge).</param>
    /// <param name="name">The module name.</param>
    public static Cell<TOp> Fixed(CellArchitecture<TOp> architecture, Func<TOp, CellEdge, Module<Tensor, Tensor>> factory, string name = "cell")
    {
        ArgumentNullException.ThrowIfNull(architecture);
        ArgumentNullException.ThrowIfNull(factory);
        var cell = new Cell<TOp>(name, architecture.Shape, AllOps.ToArray()) { Architecture = architecture };
        if (architecture.Shape.HasSlots)
        {
            int slot = 0;
            foreach (var (edge, op) in architecture.ChosenEdges())
            {
                cell.AddSlot(slot, edge, Build(factory, op, edge));
                cell._fixedSlots.Add((slot++, edge.From, IsNone(op)));
            }
            return cell;
        }
        foreach (var (edge, op) in architecture.ChosenEdges())
        {
            cell.AddEdge(edge, Build(factory, op, edge));
            cell._fixedNone[architecture.Shape.EdgeIndex(edge)] = IsNone(op);
        }
        return cell;
    }

    /// <summary>
    /// Builds the supernet cell: every edge a <see cref="MixedOperation"/> over <paramref name="candidates"/>, with choice
    /// <c>{label}.edge{j}-{i}</c>; in the DARTS form each intermediate node <c>m</c> also mixes its predecessors with
    /// choice <c>{label}.node{m}.inputs</c> (Sum). Cells built with the same label in one context share alphas and path.
    /// </summary>
    /// <param name="shape">The DAG.</param>
    /// <param name="context">The supernet context the choices are registered in.</param>
    /// <param name="label">Prefix of the choice labels (empty for none).</param>
    /// <param name="factory">Builds an op for an edge (called once per edge and candidate).</param>
    /// <param name="candidates">The op candidates (default: every member of <typeparamref name="TOp"/>).</param>
    /// <param name="name">The module name.</param>
    public static Cell<TOp> Supernet(CellShape shape, SupernetContext context, string label,
        Func<TOp, CellEdge, Module<Tensor, Tensor>> factory, IReadOnlyList<TOp>? candidates = null, string name = "cell")
    {
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(label);
        ArgumentNullException.ThrowIfNull(factory);
        TOp[] ops = (candidates ?? AllOps).ToArray();
        if (ops.Length == 0) throw new ArgumentException("A cell needs at least one op candidate.", nameof(candidates));
        string[] names = ops.Select(o => o.ToString()).ToArray();
        string prefix = label.Length == 0 ? "" : label + ".";
        var cell = new Cell<TOp>(name, shape, ops);
        if (shape.HasSlots)
        {
            cell.AddSupernetSlots(context, prefix, factory, names);
            return cell;
        }
        var inputs = new List<MixedInput>();
        for (int m = 0; m < (shape.Form == CellForm.ChosenInputs ? shape.IntermediateNodes : 0); m++)
        {
            var choice = context.RegisterInputs(prefix + NodeLabel(m) + ".inputs", shape.InputNodes + m, shape.Chosen);
            inputs.Add(new MixedInput(choice, InputReduction.Sum));
        }
        foreach (var edge in shape.Edges)
        {
            MixedChoice choice = context.Register(prefix + edge.Label, names);
            cell._edgeChoices.Add(edge, choice);
            cell.AddEdge(edge, new MixedOperation(edge.Name, choice, ops.Select(op => Build(factory, op, edge)).ToArray()));
        }
        cell._nodeInputs = inputs.ToArray();
        return cell;
    }

    /// <summary>
    /// The choices of a cell of <paramref name="shape"/> as search-space dimensions, so the flattened space covers the
    /// cell exactly (codes: <see cref="CellArchitecture{TOp}.ToCodes"/>). NAS-Bench-201 form: one layer dimension per
    /// edge, <c>{label}.edge{j}-{i}</c>. DARTS form, per intermediate node <c>m</c>: <c>{label}.node{m}.inputs</c> (an
    /// input dimension over the <c>C(m + inputNodes, chosen)</c> selections) then <c>{label}.node{m}.op{t}</c> per selected input.
    /// With repetition, per slot <c>t</c> of node <c>m</c>: <c>{label}.node{m}.input{t}</c> (one of the <c>m + inputNodes</c>
    /// predecessors) then <c>{label}.node{m}.op{t}</c>, so a cell has <c>∏_m ((m + inputNodes) · |ops|)^chosen</c> architectures.
    /// </summary>
    public static IReadOnlyList<Dimension> Dimensions(CellShape shape, string label = "", IReadOnlyList<TOp>? candidates = null)
    {
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(label);
        TOp[] ops = (candidates ?? AllOps).ToArray();
        string[] names = ops.Select(o => o.ToString()).ToArray();
        string prefix = label.Length == 0 ? "" : label + ".";
        var dimensions = new List<Dimension>();
        if (shape.Form == CellForm.EveryEdge)
        {
            foreach (var edge in shape.Edges) dimensions.Add(Dimension.OfNamed(prefix + edge.Label, ChoiceKind.Layer, ops, names));
            return dimensions;
        }
        for (int m = 0; m < shape.IntermediateNodes; m++)
        {
            if (!shape.HasSlots)
                dimensions.Add(Dimension.Inputs(prefix + NodeLabel(m) + ".inputs", new InputSelections(shape.InputNodes + m, shape.Chosen)));
            for (int t = 0; t < shape.Chosen; t++)
            {
                if (shape.HasSlots) dimensions.Add(Dimension.Inputs(SlotInputLabel(prefix, m, t), new InputSelections(shape.InputNodes + m, 1)));
                dimensions.Add(Dimension.OfNamed(SlotOpLabel(prefix, m, t), ChoiceKind.Layer, ops, names));
            }
        }
        return dimensions;
    }

    /// <summary>The module of an edge (a <see cref="MixedOperation"/> in a supernet cell), or null when the fixed cell lacks it (or has slots).</summary>
    public Module<Tensor, Tensor>? Edge(CellEdge edge) => _edges.TryGetValue(edge, out var module) ? module : null;

    /// <summary>
    /// How many nodes the output concatenates, so the next layer can size its input (channels × this): 1 in the
    /// NAS-Bench-201 form; the fixed cell's <see cref="CellArchitecture{TOp}.OutputNodes"/>; every intermediate node in
    /// a supernet cell, whose loose-ends output zeroes the nodes its path reads instead of dropping them.
    /// </summary>
    public int OutputNodes => Architecture?.OutputNodes.Count ?? (Shape.Form == CellForm.EveryEdge ? 1 : Shape.IntermediateNodes);

    /// <summary>The architecture of this supernet cell on <paramref name="path"/> (a path of its context).</summary>
    public CellArchitecture<TOp> ArchitectureOnPath(IReadOnlyList<int> path)
    {
        ArgumentNullException.ThrowIfNull(path);
        RequireSupernet();
        if (Shape.Form == CellForm.EveryEdge)
            return CellArchitecture<TOp>.EveryEdge(Shape, Shape.Edges.Select(e => _candidates[path[_edgeChoices[e].Index]]).ToArray());
        if (Shape.HasSlots)
            return CellArchitecture<TOp>.FromSlots(Shape, _slotInputs.Select(input => SlotInputOnPath(input.Choice, path)).ToArray(),
                _slotOps.Select(op => _candidates[path[op.Index]]).ToArray());
        var inputs = new ChosenInputs[Shape.IntermediateNodes];
        var ops = new List<TOp>();
        for (int m = 0; m < inputs.Length; m++)
        {
            MixedChoice choice = _nodeInputs[m].Choice;
            inputs[m] = choice.InputSets[path[choice.Index]];
            foreach (int from in inputs[m].ToArray())
                ops.Add(_candidates[path[_edgeChoices[new CellEdge(from, Shape.InputNodes + m)].Index]]);
        }
        return CellArchitecture<TOp>.ChosenInputs(Shape, inputs, ops.ToArray());
    }

    /// <summary>
    /// Writes <paramref name="architecture"/> into <paramref name="path"/> (a path of this supernet cell's context): its
    /// edge and input codes; the codes of edges the architecture does not select are left as they are.
    /// </summary>
    public void WritePath(CellArchitecture<TOp> architecture, Span<int> path)
    {
        ArgumentNullException.ThrowIfNull(architecture);
        RequireSupernet();
        if (!architecture.Shape.Equals(Shape)) throw new ArgumentException($"The architecture's shape {architecture.Shape} is not this cell's {Shape}.", nameof(architecture));
        if (Shape.HasSlots)
        {
            for (int slot = 0; slot < _slotOps.Length; slot++)
            {
                MixedChoice input = _slotInputs[slot].Choice;
                path[input.Index] = input.CodeOf(new ChosenInputs(input.CandidateNames.Count, architecture.SlotInputs[slot]));
                path[_slotOps[slot].Index] = OpCode(architecture.Ops[slot]);
            }
            return;
        }
        foreach (var (edge, op) in architecture.ChosenEdges())
        {
            path[_edgeChoices[edge].Index] = OpCode(op);
        }
        for (int m = 0; m < _nodeInputs.Length; m++)
            path[_nodeInputs[m].Choice.Index] = _nodeInputs[m].Choice.CodeOf(architecture.Inputs[m]);
    }

    /// <summary>Runs the cell on its single input node (NAS-Bench-201 form, or a DARTS form cell with one input).</summary>
    public override Tensor forward(Tensor input) => Forward(input);

    /// <summary>
    /// Runs the cell on its input nodes, in order (DARTS: the outputs of the two previous cells). Returns the last
    /// node (NAS-Bench-201 form) or the channel concatenation of the intermediate nodes (DARTS form): with
    /// <see cref="CellOutput.LooseEnds"/> only the unread ones in a fixed cell, and in a supernet cell every node with the
    /// ones its path reads set to zero (all of them as they are in the weighted DARTS mode, where every node is read).
    /// </summary>
    public Tensor Forward(params Tensor[] inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        if (inputs.Length != Shape.InputNodes)
            throw new ArgumentException($"This cell has {Shape.InputNodes} input nodes; {inputs.Length} tensors were given.", nameof(inputs));
        var nodes = new Tensor[Shape.Nodes];
        Array.Copy(inputs, nodes, inputs.Length);
        for (int node = Shape.InputNodes; node < Shape.Nodes; node++)
        {
            int m = node - Shape.InputNodes;
            if (Shape.HasSlots)
            {
                nodes[node] = IsSupernet ? SumSupernetSlots(m, nodes) : SumFixedSlots(m, nodes);
            }
            else if (IsSupernet && Shape.Form == CellForm.ChosenInputs)
            {
                ChosenInputs? active = _nodeInputs[m].Choice.ActiveInputs();
                var contributions = new Tensor[node];
                for (int from = 0; from < node; from++)
                    if (active is null || active.Value.Contains(from))
                        contributions[from] = _edges[new CellEdge(from, node)].call(nodes[from]);
                nodes[node] = _nodeInputs[m].Select(contributions);
            }
            else
            {
                nodes[node] = SumIncoming(node, nodes);
            }
        }
        if (Shape.Form == CellForm.EveryEdge) return nodes[^1];
        if (Architecture is not null) return cat(Architecture.OutputNodes.Select(node => nodes[node]).ToArray(), 1);
        if (Shape.Output == CellOutput.LooseEnds)
            foreach (int node in NodesReadOnPath()) nodes[node] = zeros_like(nodes[node]);
        return cat(nodes[Shape.InputNodes..], 1);
    }

    /// <inheritdoc />
    bool IPathModule.KeepChild(string childName, IReadOnlyList<int> path, out bool collapse)
    {
        collapse = false;
        if (IsSupernet && _slotByName.TryGetValue(childName, out var slot))
            return SlotInputOnPath(_slotInputs[slot.Slot].Choice, path) == slot.From;
        if (!IsSupernet || Shape.Form == CellForm.EveryEdge || !_edgeByName.TryGetValue(childName, out var edge)) return true;
        MixedChoice inputs = _nodeInputs[edge.To - Shape.InputNodes].Choice;
        return inputs.InputSets[path[inputs.Index]].Contains(edge.From);
    }

    private static string NodeLabel(int m) => string.Create(CultureInfo.InvariantCulture, $"node{m}");

    private static string SlotInputLabel(string prefix, int m, int t) => string.Create(CultureInfo.InvariantCulture, $"{prefix}node{m}.input{t}");

    private static string SlotOpLabel(string prefix, int m, int t) => string.Create(CultureInfo.InvariantCulture, $"{prefix}node{m}.op{t}");

    private static int SlotInputOnPath(MixedChoice input, IReadOnlyList<int> path) => input.InputSets[path[input.Index]].ToArray()[0];

    private int OpCode(TOp op)
    {
        int code = Array.IndexOf(_candidates, op);
        return code >= 0 ? code : throw new ArgumentException($"Op {op} is not a candidate of this cell.", nameof(op));
    }

    // Supernet with repetition: per slot an input choice over the node's predecessors, an op choice, and one mixed op
    // per predecessor (ENAS keeps separate weights per slot and predecessor, too).
    private void AddSupernetSlots(SupernetContext context, string prefix, Func<TOp, CellEdge, Module<Tensor, Tensor>> factory, string[] names)
    {
        var inputs = new List<MixedInput>();
        var ops = new List<MixedChoice>();
        for (int m = 0; m < Shape.IntermediateNodes; m++)
        {
            int node = Shape.InputNodes + m;
            for (int t = 0; t < Shape.Chosen; t++)
            {
                inputs.Add(new MixedInput(context.RegisterInputs(SlotInputLabel(prefix, m, t), node, 1), InputReduction.Sum));
                MixedChoice op = context.Register(SlotOpLabel(prefix, m, t), names);
                ops.Add(op);
                for (int from = 0; from < node; from++)
                {
                    var edge = new CellEdge(from, node);
                    AddSlot(m * Shape.Chosen + t, edge, new MixedOperation(edge.SlotName(t), op, _candidates.Select(candidate => Build(factory, candidate, edge)).ToArray()));
                }
            }
        }
        _slotInputs = inputs.ToArray();
        _slotOps = ops.ToArray();
    }

    private void AddSlot(int slot, CellEdge edge, Module<Tensor, Tensor> module)
    {
        string name = edge.SlotName(slot % Shape.Chosen);
        _slotModules.Add((slot, edge.From), module);
        _slotByName.Add(name, (slot, edge.From));
        register_module(name, module);
    }

    // Fixed cell with repetition: the sum of the node's slots; zero ops only when the node has nothing else (its shape).
    private Tensor SumFixedSlots(int m, Tensor[] nodes)
    {
        Tensor? sum = null;
        (int Slot, int From)? zero = null;
        for (int slot = m * Shape.Chosen; slot < (m + 1) * Shape.Chosen; slot++)
        {
            var (_, from, none) = _fixedSlots[slot];
            if (none)
            {
                zero ??= (slot, from);
                continue;
            }
            Tensor output = _slotModules[(slot, from)].call(nodes[from]);
            sum = sum is null ? output : sum + output; // out of place: an op may return its input itself
        }
        return sum ?? _slotModules[zero!.Value].call(nodes[zero.Value.From]);
    }

    // Supernet with repetition: per slot, the mixed input over the predecessors it may read (only the path's one outside
    // the weighted mode), each through the slot's mixed op; the node sums its slots.
    private Tensor SumSupernetSlots(int m, Tensor[] nodes)
    {
        Tensor? sum = null;
        int node = Shape.InputNodes + m;
        for (int slot = m * Shape.Chosen; slot < (m + 1) * Shape.Chosen; slot++)
        {
            ChosenInputs? active = _slotInputs[slot].Choice.ActiveInputs();
            var contributions = new Tensor[node];
            for (int from = 0; from < node; from++)
                if (active is null || active.Value.Contains(from))
                    contributions[from] = _slotModules[(slot, from)].call(nodes[from]);
            Tensor output = _slotInputs[slot].Select(contributions);
            sum = sum is null ? output : sum + output;
        }
        return sum!;
    }

    // The intermediate nodes that the active path's chosen inputs read (none in the weighted mode, where no path is chosen).
    private IEnumerable<int> NodesReadOnPath()
    {
        var read = new SortedSet<int>();
        foreach (MixedInput input in Shape.HasSlots ? _slotInputs : _nodeInputs)
            if (input.Choice.ActiveInputs() is ChosenInputs active)
                foreach (int from in active.ToArray())
                    if (from >= Shape.InputNodes) read.Add(from);
        return read;
    }

    private static bool IsNone(TOp op) => MixedChoice.IsNoneName(op.ToString());

    private static Module<Tensor, Tensor> Build(Func<TOp, CellEdge, Module<Tensor, Tensor>> factory, TOp op, CellEdge edge) =>
        factory(op, edge) ?? throw new InvalidOperationException($"The op factory returned null for {op} on edge {edge.From} → {edge.To}.");

    private void AddEdge(CellEdge edge, Module<Tensor, Tensor> module)
    {
        _edges.Add(edge, module);
        _edgeByName.Add(edge.Name, edge);
        register_module(edge.Name, module);
    }

    private void RequireSupernet()
    {
        if (!IsSupernet) throw new InvalidOperationException("This is a fixed cell; paths belong to supernet cells.");
    }

    // Whether an existing edge adds zeros: its fixed op is None, or its mixed op computes a None candidate.
    private bool IsZeroEdge(CellEdge edge)
    {
        if (!IsSupernet) return _fixedNone[Shape.EdgeIndex(edge)];
        MixedChoice choice = _edgeChoices[edge];
        return choice.Context.Mode != SupernetMode.Weighted && choice.IsNone(choice.ActiveCandidate());
    }

    // Node = sum of its existing incoming edges; zero edges are skipped unless the node has nothing else (they give the shape).
    private Tensor SumIncoming(int node, Tensor[] nodes)
    {
        Tensor? sum = null;
        CellEdge? zero = null;
        for (int from = 0; from < node; from++)
        {
            var edge = new CellEdge(from, node);
            if (!_edges.TryGetValue(edge, out var module)) continue;
            if (IsZeroEdge(edge))
            {
                zero ??= edge;
                continue;
            }
            Tensor output = module.call(nodes[from]);
            sum = sum is null ? output : sum + output; // out of place: an op may return its input itself
        }
        if (sum is not null) return sum;
        if (zero is CellEdge z) return _edges[z].call(nodes[z.From]);
        throw new InvalidOperationException($"Node {node} of the cell has no incoming edge.");
    }
}
