using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using NasGen.IntegrationTests.Spaces;

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

        var state = ExportCompiler.AssertSameNetwork(original, generated, [3, 1, 6, 6], seed: 3);
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

        var state = ExportCompiler.AssertSameNetwork(original, generated, [3, 1, 6, 6], seed: 3);
        // The cells hold only their chosen edges: node 1 of the DARTS cell takes inputs 1 (Conv3x3) and 2 (None), not 0.
        Assert.Contains(state.Keys, k => k.StartsWith("reduce.e3_1."));
        Assert.DoesNotContain(state.Keys, k => k.StartsWith("reduce.e3_0."));
        // The generated class does not use NasGen's Cell<TOp>: its own stand-in is nested in it.
        Assert.Equal(typeof(FixedCellNet), generated.Dag.GetType().DeclaringType);
    }
}
