using System;
using System.Collections.Generic;
using NasGen.Evaluation;

namespace NasGen.Bench201;

/// <summary>
/// The benchmark table held in arrays indexed by NasGen's grid index, so that a query costs an array read.
/// Loaded with <see cref="TabularEvaluator{TArchitecture}"/>, so it gets the same CSV parsing and the same errors.
/// </summary>
public sealed class BenchmarkTable
{
    /// <summary>Reads <paramref name="path"/>: every architecture of the space must have a row (keyed by the official arch string).</summary>
    public BenchmarkTable(string path, string keyColumn, string fitness, string report, string? cost, IReadOnlyList<string> objectives)
    {
        var columns = new TabularColumns { Key = keyColumn, Fitness = fitness, Report = report, Cost = cost, Objectives = objectives };
        var evaluator = new TabularEvaluator<Nb201Cell.Architecture>(path, columns, Nb201Arch.ToArchString);
        Path = evaluator.Path;
        Columns = columns;
        int n = (int)Nb201Cell.Space.Cardinality;
        Fitness = new double[n];
        Report = new double[n];
        Cost = new double[n];
        Objectives = new double[objectives.Count][];
        for (int o = 0; o < objectives.Count; o++) Objectives[o] = new double[n];
        foreach (var a in Nb201Cell.Space.Enumerate())
        {
            int g = Nb201Arch.GridIndex(a);
            var row = evaluator.Lookup(a); // throws, naming the file and the arch string, when the table lacks it
            Fitness[g] = row.Fitness;
            Report[g] = row.Metrics[report];
            Cost[g] = cost is null ? 0 : row.Metrics[TabularEvaluator<Nb201Cell.Architecture>.CostMetric];
            for (int o = 0; o < objectives.Count; o++) Objectives[o][g] = row.Metrics[objectives[o]];
        }
        if (evaluator.Count != n)
            ExtraRows = evaluator.Count - n;
    }

    /// <summary>The table's full path.</summary>
    public string Path { get; }

    /// <summary>The columns read.</summary>
    public TabularColumns Columns { get; }

    /// <summary>Fitness by grid index.</summary>
    public double[] Fitness { get; }

    /// <summary>Reported metric by grid index.</summary>
    public double[] Report { get; }

    /// <summary>Cost by grid index (zeros without a cost column).</summary>
    public double[] Cost { get; }

    /// <summary>Each objective column by grid index.</summary>
    public double[][] Objectives { get; }

    /// <summary>Rows whose key is not an architecture of the space (ignored).</summary>
    public int ExtraRows { get; }
}
