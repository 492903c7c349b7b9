using System.Linq;
using Microsoft.CodeAnalysis;
using NasGen.Generators.Tests.Infrastructure;

namespace NasGen.Generators.Tests;

/// <summary>The pipeline caches: unrelated edits re-run nothing, and models hold no compilation objects.</summary>
public sealed class IncrementalityTests
{
    private const string Helper = """
        namespace Demo.Util;

        public static class MathHelper
        {
            public static int Twice(int value) => value * 2;
        }
        """;

    private static (GeneratorRun First, CSharpCompilationPair Trees) RunFirst(string spaceSource)
    {
        var space = TestCompilation.Parse(TestCompilation.Usings + spaceSource, "Space.cs");
        var helper = TestCompilation.Parse(Helper, "Helper.cs");
        var first = GeneratorDriverRunner.Run(TestCompilation.Create(space, helper)).AssertClean();
        return (first, new CSharpCompilationPair(space, helper));
    }

    private sealed record CSharpCompilationPair(SyntaxTree Space, SyntaxTree Helper);

    [Theory]
    [InlineData(Sources.ValueOnly)]
    [InlineData(Sources.Modules)]
    [InlineData(Sources.Nested)]
    public void RunningAgainOnACloneIsFullyCached(string source)
    {
        var (first, _) = RunFirst(source);
        var second = GeneratorDriverRunner.Run(first.InputCompilation.Clone(), first.Driver).AssertClean();
        StepAssertions.AssertAllCachedOrUnchanged(second.Result);
        Assert.Equal(first.Sources, second.Sources);
    }

    [Fact]
    public void AddingAnUnrelatedFileIsFullyCached()
    {
        var (first, _) = RunFirst(Sources.Modules);
        var unrelated = TestCompilation.Parse("namespace Demo.Other; public sealed class Unrelated { public int Value { get; set; } }", "Unrelated.cs");
        var second = GeneratorDriverRunner.Run(first.InputCompilation.AddSyntaxTrees(unrelated), first.Driver).AssertClean();
        StepAssertions.AssertAllCachedOrUnchanged(second.Result);
        Assert.Equal(first.Sources, second.Sources);
    }

    [Fact]
    public void EditingAMethodBodyInAnotherFileIsFullyCached()
    {
        var (first, trees) = RunFirst(Sources.Nested);
        var edited = trees.Helper.WithChangedText(trees.Helper.GetText().Replace(
            Helper.IndexOf("value * 2", System.StringComparison.Ordinal), "value * 2".Length, "value + value"));
        var second = GeneratorDriverRunner.Run(first.InputCompilation.ReplaceSyntaxTree(trees.Helper, edited), first.Driver).AssertClean();
        StepAssertions.AssertAllCachedOrUnchanged(second.Result);
        Assert.Equal(first.Sources, second.Sources);
    }

    [Fact]
    public void EditingAChoicesCandidatesIsModified()
    {
        var (first, trees) = RunFirst(Sources.ValueOnly);
        string text = trees.Space.GetText().ToString();
        var edited = trees.Space.WithChangedText(Microsoft.CodeAnalysis.Text.SourceText.From(text.Replace("[Choice(16, 32, 64)]", "[Choice(16, 32, 128)]")));
        var second = GeneratorDriverRunner.Run(first.InputCompilation.ReplaceSyntaxTree(trees.Space, edited), first.Driver).AssertClean();

        Assert.Contains(IncrementalStepRunReason.Modified, StepAssertions.Reasons(second.Result, TrackingNames.Spaces));
        Assert.Contains(IncrementalStepRunReason.Modified, StepAssertions.Reasons(second.Result, TrackingNames.Models));
        var sourceReasons = second.Result.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs).Select(o => o.Reason);
        Assert.Contains(IncrementalStepRunReason.Modified, sourceReasons);
        Assert.Contains("{ 16, 32, 128 }", second.Source("Demo.Hyper.Space.g.cs"));
    }

    [Fact]
    public void IntroducingAnErrorModifiesTheDiagnosticsAndRemovesTheSource()
    {
        var (first, trees) = RunFirst(Sources.ValueOnly);
        string text = trees.Space.GetText().ToString();
        var edited = trees.Space.WithChangedText(Microsoft.CodeAnalysis.Text.SourceText.From(text.Replace("[Choice(16, 32, 64)]", "[Choice(16, 16)]")));
        var second = GeneratorDriverRunner.Run(first.InputCompilation.ReplaceSyntaxTree(trees.Space, edited), first.Driver);

        Assert.Contains(IncrementalStepRunReason.Modified, StepAssertions.Reasons(second.Result, TrackingNames.Diagnostics));
        Assert.Single(second.Diagnostics("NASG007"));
        // Only the stand-ins for the members the space's own code uses remain.
        Assert.Equal(["Demo.Hyper.Space.g.cs"], second.Sources.Keys.ToArray());
        Assert.Contains("which has errors:", second.Source("Demo.Hyper.Space.g.cs"));
    }

    [Fact]
    public void EditingAMethodBodyOfTheSpaceReEmitsOnlyItsExportTemplate()
    {
        var (first, trees) = RunFirst(Sources.Modules);
        string text = trees.Space.GetText().ToString();
        var edited = trees.Space.WithChangedText(Microsoft.CodeAnalysis.Text.SourceText.From(
            text.Replace("return Skip.Select(input, Shortcut.call(a), b);", "return Skip.Select(input, Shortcut.call(a), b * 2);")));
        var second = GeneratorDriverRunner.Run(first.InputCompilation.ReplaceSyntaxTree(trees.Space, edited), first.Driver).AssertClean();

        // The transform re-runs on the edited file, but every model equals the last one: nothing downstream re-runs
        // except the export template, which holds the new body.
        foreach (string step in new[] { TrackingNames.Models, TrackingNames.Diagnostics, TrackingNames.HintNames })
            Assert.All(StepAssertions.Reasons(second.Result, step),
                reason => Assert.True(reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"{step}: {reason}"));
        Assert.Contains(IncrementalStepRunReason.Modified, StepAssertions.Reasons(second.Result, TrackingNames.ExportTemplates));
        Assert.Equal(first.Sources.Where(s => s.Key.EndsWith(".Space.g.cs", System.StringComparison.Ordinal)),
            second.Sources.Where(s => s.Key.EndsWith(".Space.g.cs", System.StringComparison.Ordinal)));
        Assert.Contains("b * 2", second.Source("Demo.Nets.Cell.Export.g.cs"));
        Assert.DoesNotContain("b * 2", first.Source("Demo.Nets.Cell.Export.g.cs"));
    }

    [Fact]
    public void EditingAClassBesideTheSpaceThatItUsesReEmitsItsExportTemplate()
    {
        // The export nests ConvBn, so an edit of ConvBn's body must reach it; the space's own code stays as it was.
        var (first, trees) = RunFirst(Sources.BesideClasses);
        string text = trees.Space.GetText().ToString();
        var edited = trees.Space.WithChangedText(Microsoft.CodeAnalysis.Text.SourceText.From(
            text.Replace("=> norm.call(conv.call(x));", "=> norm.call(conv.call(x)) * 2;")));
        var second = GeneratorDriverRunner.Run(first.InputCompilation.ReplaceSyntaxTree(trees.Space, edited), first.Driver).AssertClean();

        Assert.All(StepAssertions.Reasons(second.Result, TrackingNames.Models),
            reason => Assert.True(reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, reason.ToString()));
        Assert.Contains(IncrementalStepRunReason.Modified, StepAssertions.Reasons(second.Result, TrackingNames.ExportTemplates));
        Assert.Contains("norm.call(conv.call(x)) * 2", second.Source("Demo.Net.Export.g.cs"));
        Assert.DoesNotContain("norm.call(conv.call(x)) * 2", first.Source("Demo.Net.Export.g.cs"));
    }

    [Fact]
    public void AGlobalUsingAddedInAnotherFileReachesTheExportTemplate()
    {
        var (first, _) = RunFirst(Sources.Modules);
        var globals = TestCompilation.Parse("global using System.Text;", "GlobalUsings.cs");
        var second = GeneratorDriverRunner.Run(first.InputCompilation.AddSyntaxTrees(globals), first.Driver).AssertClean();

        Assert.Contains(IncrementalStepRunReason.Modified, StepAssertions.Reasons(second.Result, TrackingNames.ExportTemplates));
        Assert.Contains("\"using System.Text;\"", second.Source("Demo.Nets.Cell.Export.g.cs"));
        Assert.DoesNotContain("System.Text", first.Source("Demo.Nets.Cell.Export.g.cs"));
    }

    [Fact]
    public void EditingAMethodBodyOfTheSpaceLeavesEveryOtherStepCachedOrUnchanged()
    {
        var (first, trees) = RunFirst(Sources.Modules);
        string text = trees.Space.GetText().ToString();
        var edited = trees.Space.WithChangedText(Microsoft.CodeAnalysis.Text.SourceText.From(
            text.Replace("return Skip.Select(input, Shortcut.call(a), b);", "return Skip.Select(input, Shortcut.call(a), b * 3);")));
        var second = GeneratorDriverRunner.Run(first.InputCompilation.ReplaceSyntaxTree(trees.Space, edited), first.Driver).AssertClean();

        // Every tracked step, not only the models: the parse re-runs (its result holds the new template) and the
        // template step carries the change; nothing else may re-run, and exactly one source changes.
        // (Roslyn's own steps, such as "Compilation", change with every edit and are not ours to cache.)
        string[] ours = [TrackingNames.Models, TrackingNames.Diagnostics, TrackingNames.Stubs, TrackingNames.HintNames, TrackingNames.FixedArchitectures];
        var tracked = second.Result.TrackedSteps.Keys.Intersect(ours).ToList();
        Assert.Contains(TrackingNames.Models, tracked);
        Assert.Contains(TrackingNames.HintNames, tracked);
        foreach (string step in tracked)
            Assert.All(StepAssertions.Reasons(second.Result, step),
                reason => Assert.True(reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"{step}: {reason}"));
        var changedOutputs = second.Result.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs)
            .Count(o => o.Reason is not (IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged));
        Assert.Equal(1, changedOutputs);
        Assert.Equal(first.Sources.Keys.Where(k => !k.EndsWith(".Export.g.cs", System.StringComparison.Ordinal)).Select(k => first.Sources[k]),
            second.Sources.Keys.Where(k => !k.EndsWith(".Export.g.cs", System.StringComparison.Ordinal)).Select(k => second.Sources[k]));
    }

    [Theory]
    [InlineData(Sources.ValueOnly)]
    [InlineData(Sources.Modules)]
    [InlineData(Sources.Nested)]
    [InlineData(Sources.NestedInContainingType)]
    public void StepOutputsHoldNoCompilationObjects(string source)
    {
        var (first, _) = RunFirst(source);
        StepAssertions.AssertNoCompilationObjects(first.Result);
    }

    [Fact]
    public void DiagnosticOutputsHoldNoCompilationObjects()
    {
        var run = GeneratorDriverRunner.Run("""
            namespace Bad;
            [SearchSpace]
            public partial class S
            {
                [Choice(1, 1)] public partial int A { get; }
                [Choice(1, "x")] public partial int B { get; }
            }
            """);
        Assert.NotEmpty(run.GeneratorDiagnostics);
        StepAssertions.AssertNoCompilationObjects(run.Result);
    }
}
