using System;
using System.Linq;
using System.Numerics;
using NasGen.OneShot;
using Xunit.Abstractions;

namespace NasGen.Spaces.Tests;

/// <summary>The MobileNetV3 / ProxylessNAS-style space against the MobileNetV3 paper.</summary>
public sealed class MobileNetV3Tests(ITestOutputHelper output)
{
    [Fact]
    public void The_cardinality_is_thirty_choices_per_layer_for_fourteen_layers()
    {
        // Per layer: 3 kernels × 5 expansion ratios × squeeze-and-excitation on or off.
        Assert.Equal(BigInteger.Pow(3 * 5 * 2, 14), MobileNetV3Space.Space.Cardinality);
        Assert.Equal(Enumerable.Range(0, 14).Select(i => $"layers.{i}"), MobileNetV3Space.Space.Dimensions.Select(d => d.Label));
        Assert.All(MobileNetV3Space.Space.Dimensions, d => Assert.Equal(30, d.Candidates.Count));
    }

    [Fact]
    public void MobileNetV3_Large_has_the_papers_parameters_and_multiply_adds()
    {
        using var net = MobileNetV3Space.CreateImageNet(MobileNetV3Architectures.Large);
        var (parameters, multiplyAdds) = SpaceChecks.ImageNetCost(net, "MobileNetV3-Large", output);
        // Howard et al., table 3: 5.4 M parameters, 219 M MAdds. torchvision's mobilenet_v3_large has 5,483,032.
        Assert.Equal(5_483_032, parameters);
        Assert.InRange(parameters, 5.4e6 * 0.98, 5.4e6 * 1.02);
        Assert.InRange(multiplyAdds, 219e6 * 0.98, 219e6 * 1.02);
    }

    [Fact]
    public void The_fixed_network_trains()
    {
        foreach (var architecture in SpaceChecks.Sample(MobileNetV3Space.Space, seed: 6, count: 1))
        {
            using var net = new MobileNetV3Space(architecture, classes: 3);
            SpaceChecks.ForwardBackward(net, [3, 32, 32], 3);
        }
    }

    [Fact]
    public void The_supernet_has_one_mixed_bottleneck_per_layer_and_runs_a_darts_and_a_spos_step()
    {
        using var context = new SupernetContext(seed: 1);
        using var supernet = MobileNetV3Space.CreateSupernet(context, create: a => new MobileNetV3Space(a, classes: 2));
        Assert.Equal(Enumerable.Range(0, 14).Select(i => $"layers.{i}"), context.Choices.Select(c => c.Label));
        Assert.All(supernet.Layers, layer => Assert.Equal(30, Assert.IsType<MixedOperation>(layer).Candidates.Count));
        // The path of MobileNetV3-Large selects its network: the same parameters as the fixed one.
        var path = new int[14];
        MobileNetV3Space.Space.Encode(MobileNetV3Architectures.Large, path);
        Assert.Equal(MobileNetV3Architectures.Large, supernet.ArchitectureOnPath(path));
        // 8×8 inputs (8 → 1 by the third stage) keep a step of all 420 candidates affordable.
        SpaceChecks.DartsAndSposSteps(supernet, context, supernet.ArchitectureOnPath, MobileNetV3Space.Space, [3, 8, 8], 2);
    }

    [Fact]
    public void Emitted_sources_compile_alone_and_compute_the_same_outputs()
    {
        var architectures = SpaceChecks.Sample(MobileNetV3Space.Space, seed: 7, count: 1).Append(MobileNetV3Architectures.Large).ToList();
        SpaceChecks.ExportRoundTrip(MobileNetV3Space.Space, architectures, a => new MobileNetV3Space(a, 3, 3, 0.2), [3, 3, 0.2], [3, 32, 32], "MobileNet");
    }
}
