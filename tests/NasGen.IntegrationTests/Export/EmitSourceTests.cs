using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using NasGen.DigitsSearch;
using NasGen.IntegrationTests.Readme;
using NasGen.IntegrationTests.Spaces;
using NasGen.OneShot;
using TorchSharp;
using static TorchSharp.torch;

namespace NasGen.IntegrationTests.Export;

/// <summary>
/// EmitSource round trip: the emitted class compiles on its own (TorchSharp only, nullable, warnings as errors),
/// takes the fixed network's weights strictly and computes the same outputs.
/// </summary>
public sealed class EmitSourceTests
{
    private sealed record Case(string ClassName, string Source, Func<nn.Module<Tensor, Tensor>> Original, long[] InputShape);

    [Fact]
    public void Emitted_networks_compile_alone_load_the_weights_and_compute_the_same_outputs()
    {
        var random = new Random(5);
        var cases = new List<Case>();
        void Add<T>(SearchSpace<T> space, int count, Func<T, nn.Module<Tensor, Tensor>> create, long[] inputShape, string prefix)
            where T : struct, IEquatable<T>
        {
            foreach (var architecture in Distinct(space, random, count))
            {
                string name = $"{prefix}{cases.Count}";
                cases.Add(new Case(name, space.EmitSource(architecture, name, "Exported.Networks"), () => create(architecture), inputShape));
            }
        }
        Add(TinyConvNet.Space, 20, a => new TinyConvNet(a), [2, 1, 8, 8], "Tiny");
        Add(ExportNet.Space, 20, a => new ExportNet(a), [2, 1, 6, 6], "Export");
        Add(ReadmeDigitsNet.Space, 6, a => new ReadmeDigitsNet(a), [2, 1, 8, 8], "Readme");
        Add(DigitsNet.Space, 8, a => new DigitsNet(a), [2, 1, 8, 8], "Digits");
        Add(CellSpaceNet.Space, 16, a => new CellSpaceNet(a), [2, 1, 6, 6], "Cell");
        Add(NestedBlockNet.Space, 2, a => new NestedBlockNet(a), [2, 1, 6], "Nested");
        Assert.True(cases.Count >= 72);

        var assembly = ExportCompiler.Compile(cases.Select(c => c.Source));
        foreach (var c in cases)
        {
            var type = assembly.GetType("Exported.Networks." + c.ClassName)!;
            using var original = c.Original();
            using var exported = ExportCompiler.Create(type);
            ExportCompiler.AssertSameNetwork(original, exported, c.InputShape, seed: c.ClassName.GetHashCode(StringComparison.Ordinal), context: $"{c.ClassName}\n{c.Source}");
        }
    }

    [Fact]
    public void The_source_names_the_architecture_and_keeps_only_the_chosen_operations()
    {
        var architecture = ExportNet.Space.FromIndex(0) with
        {
            Width = 6,
            Residual = false,
            Scale = -1.0,
            Pool = "max",
            Conv = ExportNet.ConvChoice.Narrow,
            Stages = 2,
            Join = new ChosenInputs(3, 0, 2),
        };
        string source = ExportNet.EmitSource(architecture, "BestNet", "MyApp.Models");

        Assert.Contains($"// Architecture: {architecture}", source);
        Assert.Contains($"// Space fingerprint: {ExportNet.Space.Fingerprint}", source);
        Assert.Contains("public sealed class BestNet : Module<Tensor, Tensor>", source);
        Assert.Contains("namespace MyApp.Models;", source);
        Assert.Contains("public BestNet(int classes = 3) : base(nameof(BestNet))", source);
        // Value choices are constant properties; decided conditions leave only their branch; unchosen factories are gone.
        Assert.Contains("public int Width => 6;", source);
        Assert.Contains("public double Scale => -1.0;", source);
        Assert.Contains("public bool Residual => false;", source);
        Assert.DoesNotContain("if (Residual", source);
        Assert.DoesNotContain("Pool ==", source);
        Assert.Contains("conv = Narrow();", source);
        Assert.Contains("stem = Conv2d(1, Width, 3, padding: 1);", source);
        Assert.Contains("norm = null;", source);
        Assert.DoesNotContain("BatchNorm2d", source);
        Assert.Contains("var pooled = joined.amax([2, 3]);", source);
        Assert.Contains("var merged = ((x + mixed) / 2) * Scale;", source);
        Assert.Contains("private Module<Tensor, Tensor> Narrow()", source);
        Assert.DoesNotContain("Wide()", source);
        Assert.Contains("stages = Sequential((\"0\", Stage(0)), (\"1\", Stage(1)));", source);
        Assert.Contains("var joined = global::TorchSharp.torch.cat(new[] { x, staged }, 1);", source);
        // Nothing of NasGen remains: no attributes, no InitializeChoices, no Architecture, no using.
        Assert.DoesNotContain("using NasGen;", source);
        Assert.DoesNotContain("[Choice", source);
        Assert.DoesNotContain("InitializeChoices", source);
        Assert.DoesNotContain("Architecture architecture", source);
        // The nested space is a nested class built by the factory, without its architecture parameter.
        Assert.Contains("private ExportBody MakeBody() => new ExportBody(Width);", source);
        Assert.Contains("public sealed class ExportBody : Module<Tensor, Tensor>", source);
        // Same architecture, same text: the output is deterministic.
        Assert.Equal(source, ExportNet.EmitSource(architecture, "BestNet", "MyApp.Models"));
    }

    [Fact]
    public void Weights_extracted_from_a_supernet_load_into_the_emitted_class_of_its_path()
    {
        using var context = new SupernetContext(seed: 8);
        using var supernet = CellSpaceNet.CreateSupernet(context, width: 6);
        context.Mode = SupernetMode.Fixed;
        torch.manual_seed(8);
        var paths = Enumerable.Range(0, 4).Select(_ => context.SamplePath()).ToList();
        var sources = paths.Select((path, i) => CellSpaceNet.EmitSource(supernet.ArchitectureOnPath(path), $"FromSupernet{i}", "Exported.Supernet")).ToList();
        var assembly = ExportCompiler.Compile(sources);
        supernet.eval();
        for (int i = 0; i < paths.Count; i++)
        {
            context.SetPath(paths[i]);
            using var exported = ExportCompiler.Create(assembly.GetType($"Exported.Supernet.FromSupernet{i}")!);
            exported.eval();
            var weights = Supernets.ExtractFixedStateDict(supernet, context, paths[i]);
            exported.load_state_dict(weights, strict: true);

            using var scope = NewDisposeScope();
            var input = randn(2, 1, 6, 6);
            var expected = supernet.call(input);
            var actual = exported.call(input);
            Assert.True(expected.allclose(actual, rtol: 0, atol: 1e-5), $"path {context.Describe(paths[i])}: outputs differ by {(expected - actual).abs().max().item<float>()}");
            foreach (var tensor in weights.Values) tensor.Dispose();
        }
    }

    [Fact]
    public void The_committed_sample_export_is_what_EmitSource_writes_today()
    {
        string folder = Path.Combine(RepositoryRoot(), "samples", "NasGen.ExportedNetwork");
        var architecture = DigitsNet.Architecture.FromJson(File.ReadAllText(Path.Combine(folder, "mnist.arch.json")));
        string expected = File.ReadAllText(Path.Combine(folder, "MnistNet.cs")).Replace("\r\n", "\n");
        Assert.Equal(expected, DigitsNet.EmitSource(architecture, "MnistNet", "NasGen.Samples.Exported"));
    }

    private static string RepositoryRoot([CallerFilePath] string file = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(file)!, "..", "..", ".."));

    [Theory]
    [InlineData("Best Net", "MyApp")]
    [InlineData("class", "MyApp")]
    [InlineData("9Lives", "MyApp")]
    [InlineData("BestNet", "MyApp..Models")]
    [InlineData("BestNet", "MyApp;System.IO.File.Delete(\"x\")")]
    [InlineData("BestNet*/ evil", "MyApp")]
    public void Names_that_are_not_identifiers_are_refused(string className, string @namespace)
    {
        var architecture = TinyConvNet.Space.FromIndex(0);
        var error = Assert.Throws<ArgumentException>(() => TinyConvNet.EmitSource(architecture, className, @namespace));
        Assert.Contains("is not a valid C#", error.Message);
    }

    [Theory]
    [InlineData("Width")]          // a value choice
    [InlineData("forward")]        // a method
    [InlineData("ClassifierHead")] // the nested class of the Head sub-space
    public void A_class_name_that_a_member_of_the_space_has_is_refused(string className)
    {
        var architecture = TinyConvNet.Space.FromIndex(0);
        var error = Assert.Throws<ArgumentException>(() => TinyConvNet.EmitSource(architecture, className, "MyApp"));
        Assert.Contains($"'{className}' names a member of the space", error.Message);
    }

    private static IEnumerable<T> Distinct<T>(SearchSpace<T> space, Random random, int count) where T : struct, IEquatable<T>
    {
        var seen = new HashSet<T>();
        while (seen.Count < count && (!space.IsFinite || seen.Count < space.CountAllowed()))
        {
            var architecture = space.Sample(random);
            if (seen.Add(architecture)) yield return architecture;
        }
    }

}
