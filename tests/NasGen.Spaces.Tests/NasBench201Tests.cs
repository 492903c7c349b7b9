using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Numerics;
using NasGen.Evaluation;
using NasGen.OneShot;
using static TorchSharp.torch;

namespace NasGen.Spaces.Tests;

/// <summary>The NAS-Bench-201 space against the benchmark's own table.</summary>
public sealed class NasBench201Tests
{
    private sealed record Row(int Index, NasBench201.Architecture Architecture, double ParamsM, double FlopsM);

    [Fact]
    public void The_cardinality_is_five_to_the_sixth()
    {
        Assert.Equal(BigInteger.Pow(5, 6), NasBench201.Space.Cardinality);
        Assert.Equal(6, NasBench201.Space.Dimensions.Count);
    }

    [Nb201TableFact]
    public void Parameter_counts_equal_the_table_for_sampled_and_extreme_cells()
    {
        var rows = ReadTable();
        Assert.Equal(15_625, rows.Count);
        Assert.All(rows.Take(50), r => Assert.Equal(r.Architecture, NasBench201Official.Parse(NasBench201Official.Format(r.Architecture))));
        // Every official index maps to the space's own index: the same 15,625 cells, none missing.
        Assert.Equal(rows.Count, rows.Select(r => NasBench201.Space.IndexOf(r.Architecture)).Distinct().Count());

        var random = new Random(201);
        var chosen = rows.OrderBy(_ => random.Next()).Take(300).ToList();
        // Extremes: every cell of a single op (all-none is the smallest, all-3×3-conv the largest), and the
        // table's smallest and largest counts.
        chosen.AddRange(rows.Where(r => r.Architecture.Dag.ToString().Split('|', '+', '~').Where(t => t.Length > 1).Distinct().Count() == 1));
        chosen.Add(rows.MinBy(r => r.ParamsM)!);
        chosen.Add(rows.MaxBy(r => r.ParamsM)!);
        foreach (var row in chosen)
        {
            using var net = NasBench201.CreateCifar(row.Architecture);
            long parameters = Profilers.CountParameters(net);
            // params_m has six decimals: the count is exact.
            Assert.True(Math.Abs(parameters - row.ParamsM * 1e6) < 0.5, $"index {row.Index} {row.Architecture}: {parameters} parameters, table {row.ParamsM} M");
        }
    }

    [Nb201TableFact]
    public void Profiled_multiply_accumulates_equal_the_table_flops_after_the_documented_conventions()
    {
        var rows = ReadTable();
        var random = new Random(202);
        var chosen = rows.OrderBy(_ => random.Next()).Take(60).ToList();
        chosen.Add(rows.MinBy(r => r.FlopsM)!);
        chosen.Add(rows.MaxBy(r => r.FlopsM)!);
        foreach (var row in chosen)
        {
            using var net = NasBench201.CreateCifar(row.Architecture);
            long profiled = Profilers.CountMultiplyAccumulates(net, 3, 32, 32);
            long benchmarkConvention = profiled - NormalizationAndPoolingTerms(row.Architecture) + 10;
            // flops_m has five decimals: within 10 multiply-adds.
            Assert.True(Math.Abs(benchmarkConvention - row.FlopsM * 1e6) < 10,
                $"index {row.Index} {row.Architecture}: profiler {profiled}, benchmark convention {benchmarkConvention}, table {row.FlopsM} M");
        }
    }

    // NasGen's profiler counts one multiply-add per batch-norm output element, per pooled output element and
    // kernel position, and per element entering global average pooling, and no bias; the benchmark's figures count
    // only convolutions and the classifier (with its 10 bias additions). Per stage at 32×32 (C·H·W = 16,384, 8,192,
    // 4,096): a BN after the stem, one per conv edge in each of 5 cells, two in the next reduction block and its 2×2
    // shortcut pooling (on the block's input), one BN before pooling; 9 per output element of each 3×3 pooling edge.
    private static long NormalizationAndPoolingTerms(NasBench201.Architecture architecture)
    {
        var ops = architecture.Dag.ChosenEdges().Select(e => e.Op).ToList();
        int convEdges = ops.Count(op => op is NasBench201.Op.Conv1x1 or NasBench201.Op.Conv3x3);
        int poolEdges = ops.Count(op => op is NasBench201.Op.AvgPool3x3);
        long[] stage = [16 * 32 * 32, 32 * 16 * 16, 64 * 8 * 8];
        long total = stage[0]; // the stem's BN
        for (int s = 0; s < 3; s++)
            total += 5L * (convEdges + 9 * poolEdges) * stage[s] + (s > 0 ? 2 * stage[s] + 4 * (stage[s] / 2) : 0);
        return total + stage[2] + stage[2]; // the last BN, global pooling's input
    }

    [Fact]
    public void The_fixed_network_trains_and_the_cell_canonical_text_is_the_benchmarks()
    {
        var architecture = NasBench201.Architecture.Parse("dag.edge1-0=Conv3x3;dag.edge2-0=Conv1x1;dag.edge2-1=SkipConnect;dag.edge3-0=AvgPool3x3;dag.edge3-1=None;dag.edge3-2=Conv3x3");
        Assert.Equal(NasBench201.Op.AvgPool3x3, architecture.Dag.ChosenEdges().Single(e => e.Edge == new CellEdge(0, 3)).Op);
        Assert.Equal("|Conv3x3~0|+|Conv1x1~0|SkipConnect~1|+|AvgPool3x3~0|None~1|Conv3x3~2|", architecture.Dag.ToString());
        Assert.Equal("|nor_conv_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|avg_pool_3x3~0|none~1|nor_conv_3x3~2|", NasBench201Official.Format(architecture));
        Assert.Throws<FormatException>(() => NasBench201Official.Parse("|nor_conv_3x3~0|+|conv_7x7~0|skip_connect~1|+|none~0|none~1|none~2|"));
        using var net = new NasBench201(architecture, channels: 4, cellsPerStage: 1, classes: 3);
        SpaceChecks.ForwardBackward(net, [3, 8, 8], 3);
    }

    [Fact]
    public void The_supernet_runs_a_darts_and_a_spos_step()
    {
        using var context = new SupernetContext(seed: 1);
        using var supernet = NasBench201.CreateSupernet(context, create: a => new NasBench201(a, channels: 4, cellsPerStage: 1, classes: 2));
        // Every cell position shares the one cell's alphas: 6 edges.
        Assert.Equal(6, context.Choices.Count);
        SpaceChecks.DartsAndSposSteps(supernet, context, supernet.ArchitectureOnPath, NasBench201.Space, [3, 8, 8], 2);
    }

    [Fact]
    public void Emitted_sources_compile_alone_and_compute_the_same_outputs()
    {
        var architectures = SpaceChecks.Sample(NasBench201.Space, seed: 3, count: 4);
        SpaceChecks.ExportRoundTrip(NasBench201.Space, architectures, a => new NasBench201(a, 4, 1, 3, 3), [4, 1, 3, 3], [3, 8, 8], "Nb201Net");
    }

    private static List<Row> ReadTable()
    {
        var lines = File.ReadAllLines(SpaceChecks.Nb201TablePath());
        var header = lines[0].Split(',');
        int arch = Array.IndexOf(header, "arch"), parameters = Array.IndexOf(header, "params_m"), flops = Array.IndexOf(header, "flops_m");
        return lines.Skip(1).Select(line => line.Split(',')).Select(cells => new Row(
            int.Parse(cells[0], CultureInfo.InvariantCulture),
            NasBench201Official.Parse(cells[arch]),
            double.Parse(cells[parameters], CultureInfo.InvariantCulture),
            double.Parse(cells[flops], CultureInfo.InvariantCulture))).ToList();
    }
}
