using System;
using System.Linq;
using System.Numerics;
using NasGen.Evaluation;
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
        Assert.Equal(42, MobileNetV3Space.Space.Dimensions.Count);
    }

    [Fact]
    public void MobileNetV3_Large_has_the_papers_parameters_and_multiply_adds()
    {
        using var net = MobileNetV3Space.CreateImageNet(MobileNetV3Architectures.Large);
        long parameters = Profilers.CountParameters(net);
        long multiplyAdds = Profilers.CountMultiplyAccumulates(net, 3, 224, 224);
        output.WriteLine($"MobileNetV3-Large: {parameters} parameters, {multiplyAdds} profiled multiply-accumulates");
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
    public void Emitted_sources_compile_alone_and_compute_the_same_outputs()
    {
        var architectures = SpaceChecks.Sample(MobileNetV3Space.Space, seed: 7, count: 1).Append(MobileNetV3Architectures.Large).ToList();
        SpaceChecks.ExportRoundTrip(MobileNetV3Space.Space, architectures, a => new MobileNetV3Space(a, 3, 3, 0.2), [3, 3, 0.2], [3, 32, 32], "MobileNet");
    }
}
