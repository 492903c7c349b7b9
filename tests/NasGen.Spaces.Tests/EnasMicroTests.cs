using System;
using System.Linq;
using System.Numerics;
using NasGen.Evaluation;
using NasGen.OneShot;
using Xunit.Abstractions;

namespace NasGen.Spaces.Tests;

/// <summary>The ENAS micro space against the ENAS paper and the authors' release.</summary>
public sealed class EnasMicroTests(ITestOutputHelper output)
{
    [Fact]
    public void The_cardinality_is_enas_samplers_two_ordered_slots_per_node_squared_for_two_cells()
    {
        // Node k = 2..6 has two slots, each one of k inputs and one of 5 ops: (5k)^2 (docs/spaces/enas.md).
        BigInteger cell = Enumerable.Range(2, 5).Aggregate(BigInteger.One, (product, k) => product * BigInteger.Pow(5 * k, 2));
        Assert.Equal(new BigInteger(5_062_500_000_000), cell);
        Assert.Equal(BigInteger.Pow(cell, 2), EnasMicro.Space.Cardinality);
        Assert.Equal(BigInteger.Parse("25628906250000000000000000", System.Globalization.CultureInfo.InvariantCulture), EnasMicro.Space.Cardinality);
        Assert.Equal(40, EnasMicro.Space.Dimensions.Count);
    }

    [Fact]
    public void The_published_cells_read_one_node_twice_and_output_their_loose_ends()
    {
        var published = EnasMicroArchitectures.Published;
        EnasMicro.Space.Validate(published);
        Assert.Equal("|AvgPool3x3~0|SepConv3x3~0|+|Identity~0|SepConv5x5~0|+|Identity~0|SepConv5x5~1|+|SepConv3x3~1|SepConv5x5~0|+|AvgPool3x3~0|SepConv5x5~1|",
            published.Normal.ToString());
        Assert.Equal("|SepConv3x3~1|SepConv3x3~1|+|MaxPool3x3~0|AvgPool3x3~0|+|SepConv5x5~1|SepConv5x5~3|+|SepConv3x3~1|Identity~0|+|MaxPool3x3~0|SepConv5x5~1|",
            published.Reduce.ToString());
        Assert.Equal([2, 3, 4, 5, 6], published.Normal.OutputNodes);
        Assert.Equal([2, 4, 5, 6], published.Reduce.OutputNodes);
        var codes = new int[EnasMicro.Space.Dimensions.Count];
        EnasMicro.Space.Encode(published, codes);
        Assert.Equal(published, EnasMicro.Space.Decode(codes));
        Assert.Throws<ArgumentException>(() => EnasMicroArchitectures.Cell("2 0 0 0 0 4 0 1 0 4 1 1 1 0 0 1 0 2 1 1")); // node 2 cannot read itself
    }

    [Fact]
    public void The_published_network_has_the_release_codes_parameter_count_and_the_paper_is_explained()
    {
        using var net = EnasMicro.CreateCifar(EnasMicroArchitectures.Published);
        long parameters = Profilers.CountParameters(net);
        output.WriteLine($"ENAS micro, published cells, 15 normal cells, 36 channels: {parameters:N0} parameters");
        // The authors' _fixed_layer network, term by term (docs/spaces/enas.md): stem, the 17 cells' operations,
        // their input calibrations and layer_base convolutions, the classifier.
        Assert.Equal(3_132 + 2_347_200 + 1_536_840 + 7_200, parameters);
        // ENAS, table 1: 4.6 M. The release's auxiliary head (trained with the network, excluded from its own
        // "Model has N params") adds 720·128 + 256 + 2·2·128·768 + 1,536 + 768·10; the rest is not in the release.
        long auxiliaryHead = 720 * 128 + 256 + 2 * 2 * 128 * 768 + 1_536 + 768 * 10;
        Assert.Equal(494_848, auxiliaryHead);
        Assert.InRange(parameters + auxiliaryHead, 4.6e6 * 0.95, 4.6e6);
    }

    [Fact]
    public void The_fixed_network_trains()
    {
        foreach (var architecture in SpaceChecks.Sample(EnasMicro.Space, seed: 4, count: 2).Append(EnasMicroArchitectures.Published))
        {
            using var net = new EnasMicro(architecture, channels: 4, normalCells: 3, classes: 3);
            SpaceChecks.ForwardBackward(net, [3, 8, 8], 3);
        }
    }

    [Fact]
    public void The_supernet_runs_a_darts_and_a_spos_step()
    {
        using var context = new SupernetContext(seed: 1);
        using var supernet = EnasMicro.CreateSupernet(context, create: a => new EnasMicro(a, channels: 4, normalCells: 3, classes: 2));
        // Two cells, each 5 nodes of 2 slots with an input and an op choice, shared by every position.
        Assert.Equal(EnasMicro.Space.Dimensions.Select(d => d.Label), context.Choices.Select(c => c.Label));
        SpaceChecks.DartsAndSposSteps(supernet, context, supernet.ArchitectureOnPath, EnasMicro.Space, [3, 8, 8], 2);
    }

    [Fact]
    public void Emitted_sources_compile_alone_and_compute_the_same_outputs()
    {
        var architectures = SpaceChecks.Sample(EnasMicro.Space, seed: 5, count: 3).Append(EnasMicroArchitectures.Published).ToList();
        SpaceChecks.ExportRoundTrip(EnasMicro.Space, architectures, a => new EnasMicro(a, 4, 3, 3, 3, 0.2), [4, 3, 3, 3, 0.2], [3, 8, 8], "EnasMicroNet");
    }
}
