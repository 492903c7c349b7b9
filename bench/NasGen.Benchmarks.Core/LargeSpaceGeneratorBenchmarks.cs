using System;
using System.Linq;
using System.Text;
using BenchmarkDotNet.Attributes;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using NasGen.Generators;

namespace NasGen.Benchmarks.Core;

/// <summary>
/// The generator over one search space of 200 choices (issue 17's acceptance size): a first run, and a run after an
/// edit inside <c>forward</c>'s body that changes no choice, which must re-emit only the export template.
/// </summary>
public class LargeSpaceGeneratorBenchmarks
{
    public const int ChoiceCount = 200;
    private CSharpCompilation _compilation = null!;

    internal CSharpCompilation Compilation => _compilation;
    private SyntaxTree _space = null!;
    private GeneratorDriver _warmDriver = null!;
    private int _edit;

    [GlobalSetup]
    public void Setup()
    {
        _space = CSharpSyntaxTree.ParseText(SpaceSource(), GeneratorBenchmarks.ParseOptions, path: "Large.cs");
        _compilation = CSharpCompilation.Create("LargeSpaceBench", [_space], GeneratorBenchmarks.References(),
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

        // Prove the input is right: generated, no diagnostics (but NASG021's note on its size), output that compiles.
        var driver = CreateDriver(trackSteps: true).RunGeneratorsAndUpdateCompilation(_compilation, out var output, out var all);
        var diagnostics = all.Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
        if (driver.GetRunResult().GeneratedTrees.Length == 0 || diagnostics.Count > 0)
            throw new InvalidOperationException("Expected generated code and no diagnostics; got " + string.Join("; ", diagnostics));
        var errors = output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        if (errors.Count > 0)
            throw new InvalidOperationException("Generated code does not compile: " + string.Join("; ", errors.Take(5)));

        // Prove the body edit re-emits nothing but the export template.
        var edited = driver.RunGenerators(BodyEdited()).GetRunResult().Results[0];
        var rerun = new[] { TrackingNames.Models, TrackingNames.Diagnostics, TrackingNames.HintNames }
            .SelectMany(name => edited.TrackedSteps[name]).SelectMany(s => s.Outputs)
            .Count(o => o.Reason is not (IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged));
        if (rerun > 0) throw new InvalidOperationException($"A body edit re-ran {rerun} step outputs after the parse.");

        _warmDriver = CreateDriver(trackSteps: false).RunGenerators(_compilation);
    }

    /// <summary>A cold driver over a fresh compilation (same parsed tree, no bound symbols).</summary>
    [Benchmark(Baseline = true)]
    public GeneratorDriver FirstRun() => CreateDriver(trackSteps: false).RunGenerators(_compilation.Clone());

    /// <summary>The warm driver after an edit inside <c>forward</c> (a different constant each invocation).</summary>
    [Benchmark]
    public GeneratorDriver AfterBodyEdit() => _warmDriver.RunGenerators(BodyEdited());

    internal Compilation BodyEdited()
    {
        string marker = "input * 1.0";
        int at = _space.GetText().ToString().IndexOf(marker, StringComparison.Ordinal);
        var text = _space.GetText().Replace(at, marker.Length, $"input * {++_edit % 7 + 2}.0");
        return _compilation.ReplaceSyntaxTree(_space, _space.WithChangedText(text));
    }

    private static GeneratorDriver CreateDriver(bool trackSteps) => GeneratorBenchmarks.CreateDriver(trackSteps);

    /// <summary>
    /// 200 choices: int, double and enum value choices, layer choices over two factories, repeats and input choices,
    /// in equal shares; a forward that uses the modules.
    /// </summary>
    public static string SpaceSource()
    {
        var s = new StringBuilder();
        s.AppendLine("using NasGen;");
        s.AppendLine("using TorchSharp.Modules;");
        s.AppendLine("using static TorchSharp.torch;");
        s.AppendLine("using static TorchSharp.torch.nn;");
        s.AppendLine("namespace Bench.Large;");
        s.AppendLine("public enum Act { Relu, Gelu, Tanh }");
        s.AppendLine("[SearchSpace(Name = \"large\")]");
        s.AppendLine("public sealed partial class Large : Module<Tensor, Tensor>");
        s.AppendLine("{");
        var modules = new StringBuilder();
        for (int i = 0; i < ChoiceCount; i++)
        {
            switch (i % 5)
            {
                case 0: s.AppendLine($"    [Choice({i + 1}, {i + 2}, {i + 3})] public partial int Width{i} {{ get; }}"); break;
                case 1: s.AppendLine($"    [Choice(0.0, 0.25, 0.5)] public partial double Rate{i} {{ get; }}"); break;
                case 2: s.AppendLine($"    [Choice] public partial Act Act{i} {{ get; }}"); break;
                case 3:
                    s.AppendLine($"    [LayerChoice(nameof(Conv3), nameof(Conv5))] public partial Module<Tensor, Tensor> Block{i} {{ get; }}");
                    modules.AppendLine($"        x = Block{i}.call(x);");
                    break;
                default:
                    s.AppendLine($"    [Repeat(0, 2, nameof(MakeBlock))] public partial Sequential Extra{i} {{ get; }}");
                    modules.AppendLine($"        x = Extra{i}.call(x);");
                    break;
            }
        }
        s.AppendLine("    public Large(Architecture architecture) : base(\"Large\") { InitializeChoices(architecture); RegisterComponents(); }");
        s.AppendLine("    private Module<Tensor, Tensor> Conv3() => Conv2d(8, 8, 3, padding: 1);");
        s.AppendLine("    private Module<Tensor, Tensor> Conv5() => Conv2d(8, 8, 5, padding: 2);");
        s.AppendLine("    private Module<Tensor, Tensor> MakeBlock(int index) => Sequential(Conv2d(8, 8, 3, padding: 1), ReLU());");
        s.AppendLine("    public override Tensor forward(Tensor input)");
        s.AppendLine("    {");
        s.AppendLine("        var x = input * 1.0;");
        s.Append(modules);
        s.AppendLine("        return x;");
        s.AppendLine("    }");
        s.AppendLine("}");
        return s.ToString();
    }
}
