using System;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;
using NasGen.Generators.Tests.Infrastructure;

namespace NasGen.Generators.Tests;

/// <summary>
/// A space's parse is reused while no file's declarations change (<see cref="IncrementalityTests"/>). These edits change
/// what the choices mean from outside the space's class or shift where its diagnostics point; each incremental run must
/// give what a fresh driver gives on the same compilation.
/// </summary>
public sealed class DeclarationChangeTests
{
    private const string Space = """
        namespace Demo;

        [SearchSpace]
        public partial class Hyper
        {
            [Choice(Sizes.Small, Sizes.Large)] public partial int Width { get; }
            [Choice] public partial Mode Mode { get; }
        }
        """;

    private const string Definitions = """
        namespace Demo;

        public static class Sizes
        {
            public const int Small = 16;
            public const int Large = 64;
        }

        public enum Mode { Fast, Exact }
        """;

    private const string Layers = """
        namespace Demo.Nets;

        [SearchSpace]
        public sealed partial class Net : Module<Tensor, Tensor>
        {
            [LayerChoice(nameof(Small), nameof(Big))] public partial Module<Tensor, Tensor> Block { get; }

            public Net(Architecture architecture) : base(nameof(Net)) { InitializeChoices(architecture); RegisterComponents(); }

            public override Tensor forward(Tensor input) => Block.call(input);
        }
        """;

    private const string Factories = """
        namespace Demo.Nets;

        public sealed partial class Net
        {
            private Module<Tensor, Tensor> Small() => Linear(4, 4);
            private Module<Tensor, Tensor> Big() => Sequential(Linear(4, 8), Linear(8, 4));
        }
        """;

    [Fact]
    public void EditingAConstantInAnotherFileChangesTheCandidates()
    {
        var (first, definitions) = RunFirst(Space, Definitions);
        Assert.Contains("{ 16, 64 }", first.Source("Demo.Hyper.Space.g.cs"));

        var second = RunEdited(first, definitions, "Large = 64", "Large = 128").AssertClean();

        Assert.Contains(IncrementalStepRunReason.Modified, StepAssertions.Reasons(second.Result, TrackingNames.Models));
        Assert.Contains("{ 16, 128 }", second.Source("Demo.Hyper.Space.g.cs"));
        AssertSameAsFresh(second);
    }

    [Fact]
    public void EditingAConstantInAnotherFileToADuplicateReportsIt()
    {
        var (first, definitions) = RunFirst(Space, Definitions);

        var second = RunEdited(first, definitions, "Large = 64", "Large = 16");

        Assert.Single(second.Diagnostics("NASG007"));
        Assert.DoesNotContain("Demo.Hyper.Export.g.cs", second.Sources.Keys);
        AssertSameAsFresh(second);
    }

    [Fact]
    public void AddingAnEnumMemberInAnotherFileAddsACandidate()
    {
        var (first, definitions) = RunFirst(Space, Definitions);
        Assert.DoesNotContain("Cheap", first.Source("Demo.Hyper.Space.g.cs"));

        var second = RunEdited(first, definitions, "Fast, Exact }", "Fast, Exact, Cheap }").AssertClean();

        Assert.Contains("Cheap", second.Source("Demo.Hyper.Space.g.cs"));
        Assert.Contains("Cheap", second.Source("Demo.Hyper.ExportChoices.g.cs"));
        AssertSameAsFresh(second);
    }

    [Fact]
    public void ChangingAFactorysSignatureInAnotherPartReportsIt()
    {
        var (first, factories) = RunFirst(Layers, Factories);

        var second = RunEdited(first, factories, "private Module<Tensor, Tensor> Big() => Sequential(Linear(4, 8), Linear(8, 4));",
            "private int Big() => 4;");

        var invalid = Assert.Single(second.Diagnostics("NASG010"));
        Assert.Contains("Big", invalid.GetMessage(), StringComparison.Ordinal);
        AssertSameAsFresh(second);
    }

    [Fact]
    public void EditingAFactorysBodyInAnotherPartChangesOnlyTheExportTemplate()
    {
        var (first, factories) = RunFirst(Layers, Factories);

        var second = RunEdited(first, factories, "Linear(4, 8), Linear(8, 4)", "Linear(4, 16), Linear(16, 4)").AssertClean();

        foreach (string step in new[] { TrackingNames.Spaces, TrackingNames.Models, TrackingNames.Diagnostics, TrackingNames.HintNames })
            Assert.All(StepAssertions.Reasons(second.Result, step),
                reason => Assert.True(reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"{step}: {reason}"));
        Assert.Contains("Linear(4, 16)", second.Source("Demo.Nets.Net.Export.g.cs"));
        AssertSameAsFresh(second);
    }

    [Fact]
    public void ABodyEditAboveADiagnosticMovesItWithoutParsingAgain()
    {
        const string invalid = """
            namespace Demo;

            [SearchSpace]
            public partial class Broken
            {
                public static int Helper() { return 1; }

                [Choice(16, 16, 32)] public partial int Width { get; }
            }
            """;
        var space = TestCompilation.Parse(TestCompilation.Usings + invalid, "Broken.cs");
        var first = GeneratorDriverRunner.Run(TestCompilation.Create(space));
        var before = Assert.Single(first.Diagnostics("NASG007"));

        var second = RunEdited(first, space, "{ return 1; }", "{\n        int one = 1;\n        return one;\n    }");

        // The parse was reused (no declaration changed), yet the diagnostic points at the same argument, three lines down.
        Assert.All(StepAssertions.Reasons(second.Result, TrackingNames.Spaces),
            reason => Assert.True(reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"{reason}"));
        var after = Assert.Single(second.Diagnostics("NASG007"));
        Assert.Equal(before.Location.GetLineSpan().StartLinePosition.Line + 3, after.Location.GetLineSpan().StartLinePosition.Line);
        Assert.Equal("16", TestCompilation.LocatedText(second.InputCompilation, after));
        AssertSameAsFresh(second);
    }

    private static (GeneratorRun First, SyntaxTree Edited) RunFirst(string spaceSource, string otherSource)
    {
        var space = TestCompilation.Parse(TestCompilation.Usings + spaceSource, "Space.cs");
        var other = TestCompilation.Parse(TestCompilation.Usings + otherSource, "Other.cs");
        return (GeneratorDriverRunner.Run(TestCompilation.Create(space, other)), other);
    }

    private static GeneratorRun RunEdited(GeneratorRun first, SyntaxTree tree, string find, string replacement)
    {
        string text = tree.GetText().ToString();
        int at = text.IndexOf(find, StringComparison.Ordinal);
        Assert.True(at >= 0, $"'{find}' not in the file");
        var edited = tree.WithChangedText(tree.GetText().WithChanges(new TextChange(new TextSpan(at, find.Length), replacement)));
        return GeneratorDriverRunner.Run(first.InputCompilation.ReplaceSyntaxTree(tree, edited), first.Driver);
    }

    // What a driver that never saw the earlier compilation makes of the same one: the same sources and diagnostics, at
    // the same places.
    private static void AssertSameAsFresh(GeneratorRun incremental)
    {
        var fresh = GeneratorDriverRunner.Run(incremental.InputCompilation);
        Assert.Equal(fresh.Sources.OrderBy(s => s.Key, StringComparer.Ordinal), incremental.Sources.OrderBy(s => s.Key, StringComparer.Ordinal));
        Assert.Equal(Describe(fresh), Describe(incremental));
    }

    private static string[] Describe(GeneratorRun run) =>
        run.GeneratorDiagnostics.Select(d => $"{d.Id} {d.Location.GetLineSpan()} {d.Location.SourceSpan} {d.GetMessage()}").Order(StringComparer.Ordinal).ToArray();
}
