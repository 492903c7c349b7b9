using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using BenchmarkDotNet.Attributes;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using NasGen.Generators;

namespace NasGen.Benchmarks.Core;

/// <summary>
/// The generator over an in-memory compilation of 20 search-space classes (every kind of choice): a first run
/// from scratch, and a run after an unrelated edit (a new syntax tree with an unrelated class), which the
/// incremental pipeline should answer from its cache.
/// </summary>
public class GeneratorBenchmarks
{
    public const int SpaceCount = 20;
    internal static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Preview);
    private CSharpCompilation _compilation = null!;
    private GeneratorDriver _warmDriver = null!;
    private int _edit;

    [GlobalSetup]
    public void Setup()
    {
        var trees = Enumerable.Range(0, SpaceCount)
            .Select(i => CSharpSyntaxTree.ParseText(SpaceSource(i), ParseOptions, path: $"Space{i}.cs"))
            .ToList();
        _compilation = CSharpCompilation.Create("GeneratorBench", trees, References(),
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

        // Prove the input is right: 20 sources, no diagnostics, and an output that compiles.
        var driver = CreateDriver(trackSteps: true).RunGeneratorsAndUpdateCompilation(_compilation, out var output, out var diagnostics);
        var result = driver.GetRunResult();
        if (result.GeneratedTrees.Length != SpaceCount || diagnostics.Length > 0)
            throw new InvalidOperationException($"Expected {SpaceCount} sources and no diagnostics; got {result.GeneratedTrees.Length} and {string.Join("; ", diagnostics)}");
        var errors = output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        if (errors.Count > 0)
            throw new InvalidOperationException("Generated code does not compile: " + string.Join("; ", errors.Take(5)));

        // Prove the edit is answered from the cache: every model output cached or unchanged.
        var edited = driver.RunGenerators(_compilation.AddSyntaxTrees(UnrelatedTree())).GetRunResult();
        var reasons = edited.Results[0].TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs).Select(o => o.Reason).ToList();
        if (reasons.Any(r => r is not (IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged)))
            throw new InvalidOperationException("An unrelated edit re-ran outputs: " + string.Join(", ", reasons));

        _warmDriver = CreateDriver(trackSteps: false).RunGenerators(_compilation);
    }

    /// <summary>A cold driver over a fresh compilation (same parsed trees, no bound symbols).</summary>
    [Benchmark(Baseline = true)]
    public GeneratorDriver FirstRun() => CreateDriver(trackSteps: false).RunGenerators(_compilation.Clone());

    /// <summary>The warm driver after an edit that adds an unrelated class.</summary>
    [Benchmark]
    public GeneratorDriver AfterUnrelatedEdit() => _warmDriver.RunGenerators(_compilation.AddSyntaxTrees(UnrelatedTree()));

    /// <summary>The warm driver over the very same compilation: the floor of a cached run.</summary>
    [Benchmark]
    public GeneratorDriver RerunUnchanged() => _warmDriver.RunGenerators(_compilation);

    private SyntaxTree UnrelatedTree() => CSharpSyntaxTree.ParseText(
        $"namespace Bench.Other; public sealed class Unrelated{_edit++} {{ public int Value => 42; }}", ParseOptions, path: "Unrelated.cs");

    /// <summary>.NET 10, NasGen's two assemblies and TorchSharp: what a space compiles against.</summary>
    internal static IEnumerable<MetadataReference> References() =>
        Basic.Reference.Assemblies.Net100.References.All.Cast<MetadataReference>()
            .Concat(new[] { typeof(SearchSpaceAttribute), typeof(SearchSpace<>), typeof(TorchSharp.torch) }
                .Select(t => MetadataReference.CreateFromFile(t.Assembly.Location)));

    internal static GeneratorDriver CreateDriver(bool trackSteps) => CSharpGeneratorDriver.Create(
        new[] { new SearchSpaceGenerator().AsSourceGenerator() },
        parseOptions: ParseOptions,
        driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackSteps));

    // NasGen.InputReduction is qualified: `using static TorchSharp.torch.nn` also brings TorchSharp's nn.Reduction into scope.
    /// <summary>Space i: value choices (int, double, string, bool, enum), a layer choice, a repeat, an input choice, and from the second on a nested space.</summary>
    private static string SpaceSource(int i)
    {
        var s = new StringBuilder();
        s.AppendLine("using NasGen;");
        s.AppendLine("using TorchSharp.Modules;");
        s.AppendLine("using static TorchSharp.torch;");
        s.AppendLine("using static TorchSharp.torch.nn;");
        s.AppendLine("namespace Bench.Spaces;");
        s.AppendLine($"public enum Act{i} {{ Relu, Gelu, Tanh }}");
        s.AppendLine($"[SearchSpace(Name = \"space-{i}\")]");
        s.AppendLine($"public sealed partial class Space{i} : Module<Tensor, Tensor>");
        s.AppendLine("{");
        s.AppendLine($"    [Choice({8 + i}, {16 + i}, {32 + i})] public partial int Width {{ get; }}");
        s.AppendLine("    [Choice(0.0, 0.25, 0.5)] public partial double Dropout { get; }");
        s.AppendLine("    [Choice(\"max\", \"avg\")] public partial string Pooling { get; }");
        s.AppendLine("    [Choice] public partial bool Norm { get; }");
        s.AppendLine($"    [Choice] public partial Act{i} Activation {{ get; }}");
        s.AppendLine("    [LayerChoice(nameof(Conv3x3), nameof(Conv5x5))] public partial Module<Tensor, Tensor> Block { get; }");
        if (i % 2 == 0)
            s.AppendLine("    [Repeat(0, 2, nameof(MakeBlock))] public partial Sequential Extra { get; }");
        if (i % 3 == 0)
            s.AppendLine("    [InputChoice(candidates: 3, chosen: 2, reduction: NasGen.InputReduction.Sum)] public partial InputChoice Skip { get; }");
        if (i > 0)
            s.AppendLine($"    [SubSpace] public partial Space{i - 1} Inner {{ get; }}");
        s.AppendLine("    [Constraint] private static bool Small(Architecture a) => !(a.Dropout > 0.4 && a.Norm);");
        s.AppendLine($"    public Space{i}(Architecture architecture) : base(\"Space{i}\") {{ InitializeChoices(architecture); RegisterComponents(); }}");
        s.AppendLine("    private Module<Tensor, Tensor> Conv3x3() => Conv2d(Width, Width, 3, padding: 1);");
        s.AppendLine("    private Module<Tensor, Tensor> Conv5x5() => Conv2d(Width, Width, 5, padding: 2);");
        s.AppendLine("    private Module<Tensor, Tensor> MakeBlock(int index) => Sequential(Conv2d(Width, Width, 3, padding: 1), ReLU());");
        s.AppendLine("    public override Tensor forward(Tensor input) => Block.call(input);");
        s.AppendLine("}");
        return s.ToString();
    }
}
