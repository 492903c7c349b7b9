using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using NasGen.IntegrationTests.Spaces;
using TorchSharp;
using static TorchSharp.torch;

namespace NasGen.IntegrationTests.Export;

/// <summary>A class generated at build time from an architecture JSON takes the searched network's weights.</summary>
public sealed class FixedArchitectureTests
{
    private static string JsonPath([CallerFilePath] string file = "") => Path.Combine(Path.GetDirectoryName(file)!, "fixed-export-net.arch.json");

    [Fact]
    public void The_generated_class_loads_the_fixed_networks_weights_strictly_and_computes_the_same_outputs()
    {
        var architecture = ExportNet.Architecture.FromJson(File.ReadAllText(JsonPath()));
        using var original = new ExportNet(architecture);
        using var generated = new FixedExportNet();
        original.eval();
        generated.eval();
        // The JSON's $fingerprint is the space's current one (else the build would have failed with NASG031).
        Assert.Contains($"\"$fingerprint\": \"{ExportNet.Space.Fingerprint}\"", File.ReadAllText(JsonPath()));

        var state = original.state_dict();
        Assert.Equal(state.Keys.Order(), generated.state_dict().Keys.Order());
        generated.load_state_dict(state, strict: true);

        using var scope = NewDisposeScope();
        torch.manual_seed(3);
        var input = randn(3, 1, 6, 6);
        Assert.True(original.call(input).allclose(generated.call(input), rtol: 0, atol: 1e-6));
        // Only what the architecture chose exists: a Gate mixer (no parameters) and one stage.
        Assert.Contains(state.Keys, k => k.StartsWith("stages.0."));
        Assert.DoesNotContain(state.Keys, k => k.StartsWith("stages.1."));
    }
}
