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
    private static string JsonPath(string name = "fixed-export-net.arch.json", [CallerFilePath] string file = "") => Path.Combine(Path.GetDirectoryName(file)!, name);

    [Fact]
    public void The_generated_class_loads_the_fixed_networks_weights_strictly_and_computes_the_same_outputs()
    {
        var architecture = ExportNet.Architecture.FromJson(File.ReadAllText(JsonPath()));
        using var original = new ExportNet(architecture);
        using var generated = new FixedExportNet();
        // The JSON's $fingerprint is the space's current one (else the build would have failed with NASG031).
        Assert.Contains($"\"$fingerprint\": \"{ExportNet.Space.Fingerprint}\"", File.ReadAllText(JsonPath()));

        var state = LoadsStrictlyAndComputesTheSame(original, generated);
        // Only what the architecture chose exists: a Gate mixer (no parameters) and one stage.
        Assert.Contains(state.Keys, k => k.StartsWith("stages.0."));
        Assert.DoesNotContain(state.Keys, k => k.StartsWith("stages.1."));
    }

    [Fact]
    public void A_generated_class_with_cells_loads_the_fixed_networks_weights_and_computes_the_same_outputs()
    {
        var architecture = CellSpaceNet.Architecture.FromJson(File.ReadAllText(JsonPath("fixed-cell-net.arch.json")));
        using var original = new CellSpaceNet(architecture);
        using var generated = new FixedCellNet();

        var state = LoadsStrictlyAndComputesTheSame(original, generated);
        // The cells hold only their chosen edges: node 1 of the DARTS cell takes inputs 1 (Conv3x3) and 2 (None), not 0.
        Assert.Contains(state.Keys, k => k.StartsWith("reduce.e3_1."));
        Assert.DoesNotContain(state.Keys, k => k.StartsWith("reduce.e3_0."));
        // The generated class does not use NasGen's Cell<TOp>: its own stand-in is nested in it.
        Assert.Equal(typeof(FixedCellNet), generated.Dag.GetType().DeclaringType);
    }

    // The generated class has the original's state_dict keys, takes its weights strictly and computes the same outputs.
    private static System.Collections.Generic.Dictionary<string, Tensor> LoadsStrictlyAndComputesTheSame(nn.Module<Tensor, Tensor> original, nn.Module<Tensor, Tensor> generated)
    {
        original.eval();
        generated.eval();
        var state = original.state_dict();
        Assert.Equal(state.Keys.Order(), generated.state_dict().Keys.Order());
        generated.load_state_dict(state, strict: true);

        using var scope = NewDisposeScope();
        torch.manual_seed(3);
        var input = randn(3, 1, 6, 6);
        Assert.True(original.call(input).allclose(generated.call(input), rtol: 0, atol: 1e-6));
        return state;
    }
}
