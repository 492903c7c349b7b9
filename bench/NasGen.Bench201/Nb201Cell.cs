using System;
using System.Collections.Generic;
using NasGen.Evaluation;

namespace NasGen.Bench201;

/// <summary>The five operations of a NAS-Bench-201 edge, in the benchmark's own order (the codes are the official op indices).</summary>
public enum Nb201Op
{
    /// <summary><c>none</c>: the edge carries zeros.</summary>
    None,
    /// <summary><c>skip_connect</c>: identity.</summary>
    SkipConnect,
    /// <summary><c>nor_conv_1x1</c>: ReLU-Conv1x1-BN.</summary>
    NorConv1x1,
    /// <summary><c>nor_conv_3x3</c>: ReLU-Conv3x3-BN.</summary>
    NorConv3x3,
    /// <summary><c>avg_pool_3x3</c>: 3x3 average pooling.</summary>
    AvgPool3x3,
}

/// <summary>
/// The NAS-Bench-201 cell: 4 nodes, one operation on each of the 6 edges (node = sum of its incoming edges),
/// 5^6 = 15,625 architectures. Properties are in the official edge order 1&lt;-0, 2&lt;-0, 2&lt;-1, 3&lt;-0, 3&lt;-1,
/// 3&lt;-2; only the space maths is needed for a tabular benchmark, so the class is not a module.
/// </summary>
[SearchSpace(Name = "nas-bench-201")]
public sealed partial class Nb201Cell
{
    /// <summary>Edge 1&lt;-0.</summary>
    [Choice(Label = "edge1-0")] public partial Nb201Op Edge1From0 { get; }
    /// <summary>Edge 2&lt;-0.</summary>
    [Choice(Label = "edge2-0")] public partial Nb201Op Edge2From0 { get; }
    /// <summary>Edge 2&lt;-1.</summary>
    [Choice(Label = "edge2-1")] public partial Nb201Op Edge2From1 { get; }
    /// <summary>Edge 3&lt;-0.</summary>
    [Choice(Label = "edge3-0")] public partial Nb201Op Edge3From0 { get; }
    /// <summary>Edge 3&lt;-1.</summary>
    [Choice(Label = "edge3-1")] public partial Nb201Op Edge3From1 { get; }
    /// <summary>Edge 3&lt;-2.</summary>
    [Choice(Label = "edge3-2")] public partial Nb201Op Edge3From2 { get; }

    /// <summary>Creates the cell (it only records the choices).</summary>
    public Nb201Cell(Architecture architecture) => InitializeChoices(architecture);
}

/// <summary>Conversions between <see cref="Nb201Cell.Architecture"/> and the official arch string and index.</summary>
public static class Nb201Arch
{
    /// <summary>The official operation names, indexed by <see cref="Nb201Op"/>.</summary>
    public static IReadOnlyList<string> OpNames { get; } = ["none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3"];

    // (to, from) of each edge, in the order of the space's dimensions and of the arch string.
    private static readonly (int To, int From)[] Edges = [(1, 0), (2, 0), (2, 1), (3, 0), (3, 1), (3, 2)];

    /// <summary>The official string <c>|op~0|+|op~0|op~1|+|op~0|op~1|op~2|</c>.</summary>
    public static string ToArchString(Nb201Cell.Architecture architecture)
    {
        Span<int> codes = stackalloc int[6];
        Nb201Cell.Space.Encode(architecture, codes);
        var text = new System.Text.StringBuilder("|", 96);
        for (int e = 0; e < Edges.Length; e++)
        {
            if (e > 0 && Edges[e].From == 0) text.Append("+|");
            text.Append(OpNames[codes[e]]).Append('~').Append(Edges[e].From).Append('|');
        }
        return text.ToString();
    }

    /// <summary>Parses the official string; the error names what is wrong and shows the expected shape.</summary>
    public static Nb201Cell.Architecture ParseArchString(string arch)
    {
        ArgumentNullException.ThrowIfNull(arch);
        const string shape = "|op~0|+|op~0|op~1|+|op~0|op~1|op~2|";
        string[] nodes = arch.Split('+');
        if (nodes.Length != 3)
            throw new FormatException($"'{arch}' is not a NAS-Bench-201 arch string: expected 3 '+'-separated node groups, as in {shape}.");
        Span<int> codes = stackalloc int[6];
        int edge = 0;
        for (int node = 1; node <= 3; node++)
        {
            string group = nodes[node - 1];
            if (group.Length < 2 || group[0] != '|' || group[^1] != '|')
                throw new FormatException($"'{arch}': node {node}'s group '{group}' must start and end with '|', as in {shape}.");
            string[] inputs = group[1..^1].Split('|');
            if (inputs.Length != node)
                throw new FormatException($"'{arch}': node {node} must have {node} inputs, found {inputs.Length}.");
            for (int from = 0; from < node; from++, edge++)
            {
                string item = inputs[from];
                int tilde = item.LastIndexOf('~');
                string op = tilde < 0 ? item : item[..tilde];
                if (tilde < 0 || item[(tilde + 1)..] != from.ToString(System.Globalization.CultureInfo.InvariantCulture))
                    throw new FormatException($"'{arch}': input '{item}' of node {node} must be 'op~{from}'.");
                int code = IndexOfOp(op);
                if (code < 0)
                    throw new FormatException($"'{arch}': unknown operation '{op}' on edge {node}<-{from}; operations are {string.Join(", ", OpNames)}.");
                codes[edge] = code;
            }
        }
        return Nb201Cell.Space.Decode(codes);
    }

    /// <summary>The position in NasGen's grid (mixed radix, edge 3&lt;-2 fastest): not the official index (see <see cref="Nb201Index"/>).</summary>
    public static int GridIndex(Nb201Cell.Architecture architecture) => (int)Nb201Cell.Space.IndexOf(architecture);

    private static int IndexOfOp(string op)
    {
        for (int i = 0; i < OpNames.Count; i++) if (OpNames[i] == op) return i;
        return -1;
    }
}

/// <summary>
/// The official NAS-Bench-201 index of each architecture. The benchmark numbers its cells in an order of its
/// own (not a formula of the ops), so the map is read from a table's <c>index</c> and <c>arch</c> columns.
/// </summary>
public sealed class Nb201Index
{
    private readonly int[] _officialByGrid;
    private readonly Nb201Cell.Architecture[] _byOfficial;

    /// <summary>Reads the map from a CSV with an arch-string column and an index column; every architecture of the space must appear once.</summary>
    public Nb201Index(string path, string archColumn = "arch", string indexColumn = "index")
    {
        var table = new TabularEvaluator<Nb201Cell.Architecture>(path, new TabularColumns { Key = archColumn, Fitness = indexColumn }, Nb201Arch.ToArchString);
        int n = (int)Nb201Cell.Space.Cardinality;
        _officialByGrid = new int[n];
        _byOfficial = new Nb201Cell.Architecture[n];
        var seen = new bool[n];
        foreach (var a in Nb201Cell.Space.Enumerate())
        {
            double value = table.Lookup(a).Fitness;
            if (value < 0 || value >= n || value != Math.Floor(value))
                throw new TabularDataException($"{table.Path}: index {value} of '{Nb201Arch.ToArchString(a)}' is not an integer in 0..{n - 1}.");
            int official = (int)value;
            if (seen[official]) throw new TabularDataException($"{table.Path}: index {official} is given to two architectures.");
            seen[official] = true;
            _officialByGrid[Nb201Arch.GridIndex(a)] = official;
            _byOfficial[official] = a;
        }
    }

    /// <summary>The official index of an architecture.</summary>
    public int IndexOf(Nb201Cell.Architecture architecture) => _officialByGrid[Nb201Arch.GridIndex(architecture)];

    /// <summary>The architecture with an official index.</summary>
    public Nb201Cell.Architecture FromIndex(int index) =>
        (uint)index < (uint)_byOfficial.Length ? _byOfficial[index]
        : throw new ArgumentOutOfRangeException(nameof(index), index, $"NAS-Bench-201 indices are 0..{_byOfficial.Length - 1}.");
}
