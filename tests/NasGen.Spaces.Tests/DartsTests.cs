using System;
using System.Diagnostics;
using System.Linq;
using System.Numerics;
using NasGen.Evaluation;
using NasGen.OneShot;
using Xunit.Abstractions;

namespace NasGen.Spaces.Tests;

/// <summary>The DARTS space against the DARTS paper.</summary>
public sealed class DartsTests(ITestOutputHelper output)
{
    [Fact]
    public void The_cardinality_is_the_product_over_nodes_squared_for_two_cells()
    {
        // Per cell: node m picks 2 of its 2 + m predecessors, C(2 + m, 2) = 1, 3, 6, 10 ways, and one of 8 ops per pick.
        BigInteger cell = 1 * 3 * 6 * 10 * BigInteger.Pow(8, 8);
        Assert.Equal(BigInteger.Pow(cell, 2), Darts.Space.Cardinality);
        Assert.Equal(new BigInteger(9_119_789_245_425_254_400), Darts.Space.Cardinality);
    }

    [Fact]
    public void DARTS_V2_has_the_papers_parameter_count_at_20_cells_and_36_channels()
    {
        Darts.Space.Validate(DartsGenotypes.V2);
        using var net = Darts.CreateEvaluation(DartsGenotypes.V2);
        // DARTS, Table 1: 3.3 M (the authors' count excludes the auxiliary head: docs/spaces/darts.md).
        long parameters = Profilers.CountParameters(net);
        Assert.Equal(3_349_342, parameters);
        Assert.InRange(parameters, 3.3e6 * 0.98, 3.3e6 * 1.02);
    }

    [Fact]
    public void Building_the_evaluation_network_is_measured()
    {
        // A measurement for docs/spaces/darts.md (goal: 50 ms), not a timing assert: the first build also loads libtorch.
        using (Darts.CreateEvaluation(DartsGenotypes.V2)) { }
        var milliseconds = Enumerable.Range(0, 5).Select(_ =>
        {
            var watch = Stopwatch.StartNew();
            using var net = Darts.CreateEvaluation(DartsGenotypes.V2);
            return watch.Elapsed.TotalMilliseconds;
        }).Order().ToList();
        output.WriteLine($"DARTS-V2 20 cells, 36 channels: built in {milliseconds[2]:F1} ms (median of 5; min {milliseconds[0]:F1} ms)");
        Assert.Equal(5, milliseconds.Count);
    }

    [Fact]
    public void A_genotype_with_a_node_reading_one_input_twice_is_refused()
    {
        var error = Assert.Throws<ArgumentException>(() => DartsGenotypes.Cell(
            (Darts.Op.SepConv3x3, 0), (Darts.Op.SepConv3x3, 0), (Darts.Op.SepConv3x3, 0), (Darts.Op.SepConv3x3, 1),
            (Darts.Op.SepConv3x3, 1), (Darts.Op.SkipConnect, 0), (Darts.Op.SkipConnect, 0), (Darts.Op.DilConv3x3, 2)));
        Assert.Contains("Node 2 takes inputs 0 and 0", error.Message);
    }

    [Fact]
    public void The_fixed_network_trains()
    {
        foreach (var architecture in SpaceChecks.Sample(Darts.Space, seed: 4, count: 2).Append(DartsGenotypes.V2))
        {
            using var net = new Darts(architecture, channels: 4, layers: 3, classes: 3);
            SpaceChecks.ForwardBackward(net, [3, 8, 8], 3);
        }
    }

    [Fact]
    public void The_supernet_runs_a_darts_and_a_spos_step()
    {
        using var context = new SupernetContext(seed: 1);
        using var supernet = Darts.CreateSupernet(context, create: a => new Darts(a, channels: 4, layers: 3, classes: 2));
        // Two cells, each 4 node input choices and 14 edges, shared by every position.
        Assert.Equal(2 * (4 + 14), context.Choices.Count);
        SpaceChecks.DartsAndSposSteps(supernet, context, supernet.ArchitectureOnPath, Darts.Space, [3, 8, 8], 2);
    }

    [Fact]
    public void Emitted_sources_compile_alone_and_compute_the_same_outputs()
    {
        var architectures = SpaceChecks.Sample(Darts.Space, seed: 5, count: 3).Append(DartsGenotypes.V2).ToList();
        SpaceChecks.ExportRoundTrip(Darts.Space, architectures, a => new Darts(a, 4, 3, 3, 3), [4, 3, 3, 3], [3, 8, 8], "DartsNet");
    }
}
