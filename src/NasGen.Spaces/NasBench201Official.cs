namespace NasGen.Spaces;

/// <summary>
/// The benchmark's official architecture strings (<c>|nor_conv_3x3~0|+|none~0|skip_connect~1|+...</c>, as in the
/// NAS-Bench-201 API and its tables) to and from <see cref="NasBench201"/> architectures.
/// </summary>
public static class NasBench201Official
{
    private static readonly string[] Names = ["none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3"];

    /// <summary>The architecture of an official string.</summary>
    /// <exception cref="FormatException">The text is not 6 edges of the benchmark's operations in three node groups.</exception>
    public static NasBench201.Architecture Parse(string official)
    {
        ArgumentNullException.ThrowIfNull(official);
        string[] nodes = official.Split('+');
        var ops = new List<NasBench201.Op>();
        for (int node = 0; node < nodes.Length; node++)
        {
            string[] edges = nodes[node].Split('|', StringSplitOptions.RemoveEmptyEntries);
            for (int from = 0; from < edges.Length; from++)
            {
                int code = Array.IndexOf(Names, edges[from].Split('~')[0]);
                if (code < 0 || edges[from] != Edge(code, from))
                    throw new FormatException($"'{edges[from]}' in '{official}' is not an edge 'op~{from}' with op one of {string.Join(", ", Names)}.");
                ops.Add((NasBench201.Op)code);
            }
            if (edges.Length != node + 1) throw new FormatException($"Node {node + 1} of '{official}' has {edges.Length} edges; it needs {node + 1}.");
        }
        if (nodes.Length != 3) throw new FormatException($"'{official}' has {nodes.Length} node groups; a NAS-Bench-201 cell has 3.");
        return new NasBench201.Architecture(CellArchitecture<NasBench201.Op>.EveryEdge(CellShape.EveryEdge(4), ops.ToArray()));
    }

    /// <summary>The official string of an architecture.</summary>
    public static string Format(NasBench201.Architecture architecture)
    {
        var edges = architecture.Dag.ChosenEdges().ToDictionary(e => e.Edge, e => e.Op);
        return string.Join("+", Enumerable.Range(1, 3).Select(to =>
            "|" + string.Concat(Enumerable.Range(0, to).Select(from => Edge((int)edges[new CellEdge(from, to)], from) + "|"))));
    }

    private static string Edge(int op, int from) => string.Create(CultureInfo.InvariantCulture, $"{Names[op]}~{from}");
}
