using System;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using NasGen.IntegrationTests.Spaces;
using static TorchSharp.torch;

namespace NasGen.IntegrationTests.Export;

/// <summary>
/// Wide input choices export: their selection travels in the numbers vector, not in the int codes, so EmitSource and
/// [FixedArchitecture] bake it into the export, which then writes the chosen inputs' Select arguments as for any
/// input choice.
/// </summary>
public sealed class WideExportTests
{
    private static readonly WideSelectNet.SpaceDescriptor Space = WideSelectNet.Space;

    private static string JsonPath([CallerFilePath] string file = "") => Path.Combine(Path.GetDirectoryName(file)!, "fixed-wide-select-net.arch.json");

    [Fact]
    public void Emitted_networks_of_sampled_selections_compile_alone_load_the_weights_and_compute_the_same_outputs()
    {
        var random = new Random(11);
        var architectures = Enumerable.Range(0, 6).Select(_ => Space.Sample(random)).ToList();
        Assert.Equal(6, architectures.Distinct().Count());
        var sources = architectures.Select((a, i) => Space.EmitSource(a, $"Wide{i}", "Exported.Wide")).ToList();
        var assembly = ExportCompiler.Compile(sources);
        for (int i = 0; i < architectures.Count; i++)
        {
            var architecture = architectures[i];
            string source = sources[i];
            Assert.Contains("// Architecture: " + Space.ToCanonicalString(architecture) + "\n", source);
            // Exactly the chosen inputs' arguments are left: the mean of 32 and the sum of 20.
            for (int input = 0; input < 64; input++)
                Assert.Equal(architecture.Skips.Contains(input), source.Contains($"(x * {input + 1}f)", StringComparison.Ordinal));
            for (int input = 0; input < 40; input++)
                Assert.Equal(architecture.Taps.Contains(input), source.Contains($"(y * {input + 1}f)", StringComparison.Ordinal));
            Assert.Contains(") / 32;", source);

            using var original = new WideSelectNet(architecture);
            using var exported = ExportCompiler.Create(assembly.GetType("Exported.Wide.Wide" + i)!);
            // The searched network reduces the selected inputs with torch ops, the export with + and /: rounding differs.
            ExportCompiler.AssertSameNetwork(original, exported, [4, 3], seed: i, rtol: 1e-5, atol: 1e-5);
        }
    }

    [Fact]
    public void A_nested_space_with_wide_choices_exports_when_every_property_of_its_type_selects_alike()
    {
        var sampled = WideOuterNet.Space.Sample(new Random(13));
        var alike = sampled with { Second = sampled.First };
        string source = WideOuterNet.Space.EmitSource(alike, "WideOuter", "Exported.WideOuter");
        using var original = new WideOuterNet(alike);
        using var exported = ExportCompiler.Create(ExportCompiler.Compile([source]).GetType("Exported.WideOuter.WideOuter")!);
        ExportCompiler.AssertSameNetwork(original, exported, [4, 3], seed: 5, rtol: 1e-5, atol: 1e-5);

        // One template per nested space type holds one selection: two different ones are refused by label.
        Assert.NotEqual(sampled.First.Skips, sampled.Second.Skips);
        var error = Assert.Throws<NotSupportedException>(() => WideOuterNet.Space.EmitSource(sampled, "WideOuter", "Exported.WideOuter"));
        Assert.Contains($"'second.skips' selects {sampled.Second.Skips}, but another property of the same nested space type selects {sampled.First.Skips}", error.Message);
    }

    [Fact]
    public void The_class_generated_from_a_json_with_wide_selections_computes_what_the_searched_network_computes()
    {
        string json = File.ReadAllText(JsonPath());
        var architecture = WideSelectNet.Architecture.FromJson(json);
        // The file lists the selections unsorted; the architecture holds them as sets.
        Assert.True(architecture.Skips.Contains(30) && architecture.Skips.Contains(10) && architecture.Taps.Contains(37) && !architecture.Taps.Contains(0));
        using var original = new WideSelectNet(architecture);
        using var generated = new FixedWideSelectNet();
        var state = ExportCompiler.AssertSameNetwork(original, generated, [4, 3], seed: 3, rtol: 1e-5, atol: 1e-5);

        // Another selection computes something else with the same weights, so the equality above needs the JSON's selection.
        int unchosen = Enumerable.Range(0, 64).First(i => !architecture.Skips.Contains(i));
        var other = architecture with { Skips = new ChosenInputs(64, architecture.Skips.ToArray().Skip(1).Append(unchosen).ToArray()) };
        using var different = new WideSelectNet(other);
        different.eval();
        different.load_state_dict(state, strict: true);
        using var scope = NewDisposeScope();
        var input = randn(4, 3);
        Assert.False(different.call(input).allclose(generated.call(input), rtol: 1e-4, atol: 1e-4));
    }
}
