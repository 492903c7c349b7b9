using System;
using System.Linq;
using System.Numerics;
using NasGen.Evaluation;
using NasGen.OneShot;
using Xunit.Abstractions;
using Unit = NasGen.Spaces.SposShuffleNet.BlocksChoice;

namespace NasGen.Spaces.Tests;

/// <summary>The SPOS ShuffleNet space against the SPOS paper, and the indexed layer choice it is declared with.</summary>
public sealed class SposShuffleNetTests(ITestOutputHelper output)
{
    [Fact]
    public void The_cardinality_is_four_units_for_each_of_twenty_blocks()
    {
        Assert.Equal(BigInteger.Pow(4, 20), SposShuffleNet.Space.Cardinality);
        Assert.Equal(new BigInteger(1_099_511_627_776), SposShuffleNet.Space.Cardinality);
        // Each position is its own layer dimension.
        Assert.Equal(Enumerable.Range(0, 20).Select(i => $"blocks.{i}"), SposShuffleNet.Space.Dimensions.Select(d => d.Label));
        Assert.All(SposShuffleNet.Space.Dimensions, d => Assert.Equal(ChoiceKind.Layer, d.Kind));
        Assert.Equal(new[] { "Shuffle3x3", "Shuffle5x5", "Shuffle7x7", "Xception" }, SposShuffleNet.Space.Dimensions[7].Candidates.Select(c => c.Token));
    }

    [Fact]
    public void Architectures_round_trip_through_text_json_and_indices_and_mutate_one_position()
    {
        var space = SposShuffleNet.Space;
        var random = new Random(11);
        for (int trial = 0; trial < 50; trial++)
        {
            var architecture = space.Sample(random);
            Assert.Equal(20, architecture.Blocks.Count);
            Assert.Equal(architecture, SposShuffleNet.Architecture.Parse(architecture.ToString()));
            Assert.Equal(architecture, SposShuffleNet.Architecture.FromJson(architecture.ToJson()));
            Assert.Equal(architecture, space.FromIndex(space.IndexOf(architecture)));
            var mutant = space.Mutate(architecture, random);
            Assert.Equal(1, Enumerable.Range(0, 20).Count(i => mutant.Blocks[i] != architecture.Blocks[i]));
        }
        string text = SposArchitectures.Searched.ToString();
        Assert.StartsWith("blocks.0=Shuffle3x3;blocks.1=Shuffle3x3;blocks.2=Xception;blocks.3=Shuffle5x5;", text);
        Assert.Contains("\"blocks\": {", SposArchitectures.Searched.ToJson());
        // Value equality: an architecture built again from the same choices is equal and hashes alike.
        var again = new SposShuffleNet.Architecture(new LayerChoices<Unit>(SposArchitectures.Searched.Blocks.ToArray()));
        Assert.Equal(SposArchitectures.Searched, again);
        Assert.Equal(SposArchitectures.Searched.GetHashCode(), again.GetHashCode());
        Assert.Equal(SposArchitectures.Searched.StableHash(), again.StableHash());
    }

    [Fact]
    public void A_list_of_the_wrong_length_is_refused_naming_the_label()
    {
        var tooShort = new SposShuffleNet.Architecture(LayerChoices<Unit>.Repeat(Unit.Xception, 19));
        var error = Assert.Throws<InvalidArchitectureException>(() => SposShuffleNet.Space.Validate(tooShort));
        Assert.Contains("'blocks.0'", error.Message);
        Assert.Contains("a list of 19 choices where the space has 20 positions", error.Message);
        Assert.Throws<InvalidArchitectureException>(() => SposShuffleNet.Space.Validate(default));
        Assert.Throws<InvalidArchitectureException>(() => SposShuffleNet.Architecture.Parse(SposArchitectures.Searched.ToString().Replace("blocks.5=Shuffle5x5", "blocks.5=Shuffle9x9")));
    }

    [Fact]
    public void The_fixed_network_builds_only_the_chosen_unit_per_block()
    {
        var architecture = new SposShuffleNet.Architecture(LayerChoices<Unit>.Repeat(Unit.Shuffle3x3, 20).With(3, Unit.Xception).With(4, Unit.Shuffle7x7));
        using var net = SposShuffleNet.CreateCifar(architecture, classes: 3);
        var keys = net.state_dict().Keys.ToHashSet();
        // The Xception unit's main branch has 15 layers (its last 1×1 convolution at 12), a ShuffleNet unit's 8.
        Assert.Contains("blocks.3.main.12.weight", keys);
        Assert.DoesNotContain("blocks.2.main.12.weight", keys);
        Assert.Equal(new long[] { 80, 1, 7, 7 }, net.state_dict()["blocks.4.main.3.weight"].shape);
        Assert.Equal(new long[] { 32, 1, 3, 3 }, net.state_dict()["blocks.2.main.3.weight"].shape);
        Assert.Equal(20, net.Blocks.Count);
    }

    [Fact]
    public void The_searched_architecture_has_the_papers_parameters_and_flops()
    {
        SposShuffleNet.Space.Validate(SposArchitectures.Searched);
        using var net = SposShuffleNet.CreateImageNet(SposArchitectures.Searched, middleScales: SposArchitectures.SearchedMiddleScales);
        var (parameters, multiplyAdds) = SpaceChecks.ImageNetCost(net, "SPOS searched (block and channel search)", output);
        // Guo et al., ECCV 2020, table 5: 328 M FLOPs (multiply-adds), 3.4 M parameters (docs/spaces/spos.md).
        Assert.Equal(3_432_579, parameters);
        Assert.InRange(parameters, 3.4e6 * 0.98, 3.4e6 * 1.02);
        Assert.InRange(multiplyAdds, 328e6 * 0.98, 328e6 * 1.02);
        foreach (var unit in Enum.GetValues<Unit>())
        {
            using var uniform = SposShuffleNet.CreateImageNet(new SposShuffleNet.Architecture(LayerChoices<Unit>.Repeat(unit, 20)));
            SpaceChecks.ImageNetCost(uniform, $"SPOS all {unit}, middle scale 1", output);
        }
    }

    [Fact]
    public void The_fixed_network_trains()
    {
        foreach (var architecture in SpaceChecks.Sample(SposShuffleNet.Space, seed: 8, count: 1).Append(SposArchitectures.Searched))
        {
            using var net = SposShuffleNet.CreateCifar(architecture, classes: 3);
            SpaceChecks.ForwardBackward(net, [3, 16, 16], 3);
        }
    }

    [Fact]
    public void The_supernet_has_one_mixed_operation_per_block_and_runs_a_darts_and_a_spos_step()
    {
        using var context = new SupernetContext(seed: 1);
        using var supernet = SposShuffleNet.CreateSupernet(context, create: a => SposShuffleNet.CreateCifar(a, classes: 2));
        Assert.Equal(Enumerable.Range(0, 20).Select(i => $"blocks.{i}"), context.Choices.Select(c => c.Label));
        Assert.All(supernet.Blocks, block => Assert.Equal(4, Assert.IsType<MixedOperation>(block).Candidates.Count));
        var path = context.SamplePath();
        var onPath = supernet.ArchitectureOnPath(path);
        Assert.Equal(path.Select(code => (Unit)code), onPath.Blocks);
        // 8×8 inputs (8 → 1 at the last stage) keep a step of all 80 candidates quick.
        SpaceChecks.DartsAndSposSteps(supernet, context, supernet.ArchitectureOnPath, SposShuffleNet.Space, [3, 8, 8], 2);
    }

    [Fact]
    public void Emitted_sources_compile_alone_and_compute_the_same_outputs()
    {
        var sampled = SpaceChecks.Sample(SposShuffleNet.Space, seed: 9, count: 2);
        SpaceChecks.ExportRoundTrip(SposShuffleNet.Space, sampled, a => new SposShuffleNet(a, 3, 3, false), [3, 3, false, null!], [3, 16, 16], "Spos");
        double[] scales = SposArchitectures.SearchedMiddleScales;
        SpaceChecks.ExportRoundTrip(SposShuffleNet.Space, [SposArchitectures.Searched], a => new SposShuffleNet(a, 3, 3, false, scales),
            [3, 3, false, scales], [3, 16, 16], "SposSearched");
    }
}
