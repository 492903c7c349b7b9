// Shared by NasGen.Generators ([FixedArchitecture]) and NasGen (EmitSource): both write the same source.
using System.Text;
using System.Text.RegularExpressions;

namespace NasGen.Export;

internal sealed partial class NetworkSourceRenderer
{
    // ---- Cells ----------------------------------------------------------------------------------------------------

    // New<Cell>(name): the chosen edges of one cell, one line per target node, as NasGen's Cell<TOp>.Fixed builds them.
    private static List<string> CellFactory(ChoiceTemplate cell, int[] codes)
    {
        var byNode = new SortedDictionary<int, List<string>>();
        void Add(int from, int to, int op)
        {
            if (!byNode.TryGetValue(to, out var list)) byNode[to] = list = new List<string>();
            list.Add($"({ChoiceTemplate.Number(from)}, {ChoiceTemplate.Number(to)}, {cell.Candidates[op].Expression})");
        }
        if (cell.EveryEdge)
        {
            var edges = cell.CellEdges();
            for (int e = 0; e < edges.Count; e++) Add(edges[e].From, edges[e].To, codes[e]);
        }
        else
        {
            int c = 0;
            for (int m = 0; m < cell.IntermediateNodes; m++)
            {
                if (cell.CellRepetition)
                {
                    // Slot by slot, in order: its input (one of the node's predecessors) and its op.
                    for (int t = 0; t < cell.Chosen; t++, c += 2)
                        Add(ChoiceTemplate.InputSelection(cell.InputNodes + m, 1, codes[c])[0], cell.InputNodes + m, codes[c + 1]);
                    continue;
                }
                int[] inputs = ChoiceTemplate.InputSelection(cell.InputNodes + m, cell.Chosen, codes[c++]);
                foreach (int from in inputs) Add(from, cell.InputNodes + m, codes[c++]);
            }
        }
        string form = cell.CellRepetition || cell.CellLooseEnds
            ? $"slots: {(cell.CellRepetition ? "true" : "false")}, looseEnds: {(cell.CellLooseEnds ? "true" : "false")}"
            : $"concatenate: {(cell.EveryEdge ? "false" : "true")}";
        var lines = new List<string>
        {
            $"// The chosen cell '{cell.Label}': its edges (from node, to node, op).",
            $"private {cell.TypeText} New{cell.Property}(string name) => new(name, inputNodes: {ChoiceTemplate.Number(cell.InputNodes)}, {form}, {CSharpIdentifiers.Escape(cell.Factory)},",
        };
        var nodes = byNode.Values.ToList();
        for (int n = 0; n < nodes.Count; n++)
            lines.Add("    " + string.Join(", ", nodes[n]) + (n == nodes.Count - 1 ? ");" : ","));
        return lines;
    }

    // Stand-ins for NasGen's Cell<TOp>, CellEdge and ZeroOp, with the same names so the user's code compiles unchanged
    // and the same module names so the searched network's weights load.
    private static List<string> CellTypes(NetworkTemplate template, bool includeZeroOp)
    {
        var (module, tensor) = ModuleTypes(template);
        string text = $$"""
            /// <summary>An edge of a cell, from node <c>From</c> to node <c>To</c>.</summary>
            public readonly record struct CellEdge(int From, int To)
            {
                /// <summary>The edge's module name in its cell.</summary>
                public string Name => global::System.FormattableString.Invariant($"e{To}_{From}");
            }

            /// <summary>
            /// A fixed cell: each node after the input nodes sums its incoming edges; an edge whose op is None or Zero
            /// counts only when its node has no other edge (it gives the shape). The output is the last node, or with
            /// <c>concatenate</c> the intermediate nodes joined along the channels (with <c>looseEnds</c> only those no
            /// edge reads).
            /// </summary>
            public sealed class Cell<TOp> : {{module}} where TOp : struct, global::System.Enum
            {
                private readonly int _inputNodes;
                private readonly int _nodes;
                private readonly bool _concatenate;
                private readonly (int From, int To, bool Zero, {{module}} Op)[] _edges;
                private readonly global::System.Collections.Generic.List<int> _outputs = new();

                public Cell(string name, int inputNodes, bool concatenate, global::System.Func<TOp, CellEdge, {{module}}> factory,
                    params (int From, int To, TOp Op)[] edges) : this(name, inputNodes, concatenate, false, false, factory, edges)
                {
                }

                /// <summary>
                /// A cell whose nodes read slots, each an input and an op, in order (<c>slots</c>: a node may read one input
                /// twice; the modules are named <c>e{to}_{from}_{slot}</c>), concatenating its intermediate nodes.
                /// </summary>
                public Cell(string name, int inputNodes, bool slots, bool looseEnds, global::System.Func<TOp, CellEdge, {{module}}> factory,
                    params (int From, int To, TOp Op)[] edges) : this(name, inputNodes, true, slots, looseEnds, factory, edges)
                {
                }

                private Cell(string name, int inputNodes, bool concatenate, bool slots, bool looseEnds, global::System.Func<TOp, CellEdge, {{module}}> factory,
                    (int From, int To, TOp Op)[] edges) : base(name)
                {
                    _inputNodes = inputNodes;
                    _concatenate = concatenate;
                    _edges = new (int, int, bool, {{module}})[edges.Length];
                    _nodes = inputNodes;
                    var read = new global::System.Collections.Generic.HashSet<int>();
                    var slotsTaken = new global::System.Collections.Generic.Dictionary<int, int>();
                    for (int i = 0; i < edges.Length; i++)
                    {
                        var (from, to, op) = edges[i];
                        var edge = new CellEdge(from, to);
                        string opName = op.ToString();
                        bool zero = string.Equals(opName, "None", global::System.StringComparison.OrdinalIgnoreCase)
                            || string.Equals(opName, "Zero", global::System.StringComparison.OrdinalIgnoreCase);
                        _edges[i] = (from, to, zero, factory(op, edge));
                        slotsTaken.TryGetValue(to, out int slot);
                        slotsTaken[to] = slot + 1;
                        register_module(slots ? global::System.FormattableString.Invariant($"{edge.Name}_{slot}") : edge.Name, _edges[i].Op);
                        _nodes = global::System.Math.Max(_nodes, to + 1);
                        if (looseEnds) read.Add(from);
                    }
                    for (int node = inputNodes; node < _nodes; node++)
                        if (!read.Contains(node)) _outputs.Add(node);
                }

                /// <summary>How many nodes the output joins.</summary>
                public int OutputNodes => _concatenate ? _outputs.Count : 1;

                public override {{tensor}} forward({{tensor}} input) => Forward(input);

                /// <summary>Runs the cell on its input nodes, in order.</summary>
                public {{tensor}} Forward(params {{tensor}}[] inputs)
                {
                    if (inputs.Length != _inputNodes)
                        throw new global::System.ArgumentException($"This cell has {_inputNodes} input nodes; {inputs.Length} tensors were given.", nameof(inputs));
                    var nodes = new {{tensor}}[_nodes];
                    global::System.Array.Copy(inputs, nodes, inputs.Length);
                    for (int node = _inputNodes; node < _nodes; node++)
                    {
                        {{tensor}}? sum = null;
                        int zero = -1;
                        for (int i = 0; i < _edges.Length; i++)
                        {
                            if (_edges[i].To != node) continue;
                            if (_edges[i].Zero)
                            {
                                if (zero < 0) zero = i;
                                continue;
                            }
                            {{tensor}} output = _edges[i].Op.call(nodes[_edges[i].From]);
                            sum = sum is null ? output : sum + output;
                        }
                        nodes[node] = sum ?? _edges[zero].Op.call(nodes[_edges[zero].From]);
                    }
                    return _concatenate ? global::TorchSharp.torch.cat(_outputs.ConvertAll(node => nodes[node]), 1) : nodes[^1];
                }
            }
            """;
        if (includeZeroOp)
        {
            text += $$"""


                /// <summary>The zero op: zeros shaped like the input (strided like the edge).</summary>
                public sealed class ZeroOp : {{module}}
                {
                    public ZeroOp(int stride = 1) : base("zero") => Stride = stride;

                    /// <summary>The spatial stride.</summary>
                    public int Stride { get; }

                    public override {{tensor}} forward({{tensor}} input)
                    {
                        if (Stride == 1) return global::TorchSharp.torch.zeros_like(input);
                        using var view = input.slice(2, 0, input.shape[2], Stride).slice(3, 0, input.shape[3], Stride);
                        return global::TorchSharp.torch.zeros_like(view);
                    }
                }
                """;
        }
        return text.Replace("\r", "").Split('\n').ToList();
    }

    // `Module<Tensor, Tensor>` and `Tensor` as the space's base list writes them (its usings make them resolve), or
    // fully qualified when the base list is not of that shape.
    private static (string Module, string Tensor) ModuleTypes(NetworkTemplate template)
    {
        string baseType = template.BaseList.Trim().TrimStart(':').Trim();
        int open = baseType.IndexOf('<');
        int close = baseType.LastIndexOf('>');
        if (open > 0 && close == baseType.Length - 1)
        {
            string[] arguments = baseType.Substring(open + 1, close - open - 1).Split(',');
            if (arguments.Length == 2 && arguments[0].Trim() == arguments[1].Trim() && arguments[0].IndexOf('<') < 0)
                return (baseType, arguments[0].Trim());
        }
        return ("global::TorchSharp.torch.nn.Module<global::TorchSharp.torch.Tensor, global::TorchSharp.torch.Tensor>", "global::TorchSharp.torch.Tensor");
    }
}
