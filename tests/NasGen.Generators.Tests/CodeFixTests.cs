using System;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;
using NasGen.CodeFixes;
using NasGen.Generators.Tests.Infrastructure;

namespace NasGen.Generators.Tests;

/// <summary>
/// The code fixes, applied the way the IDE does: the generator's diagnostics on a document of a real
/// <see cref="AdhocWorkspace"/>, the provider's code action, its operations applied to the workspace.
/// </summary>
public sealed class CodeFixTests
{
    private const string Hyper = """
        namespace Demo;

        [SearchSpace]
        public {0}class Hyper
        {{
            {1}
        }}
        """;

    private static string Space(string modifiers, string members) => string.Format(Hyper, modifiers, members);

    [Fact]
    public async Task AddPartialMakesTheSpacePartial()
    {
        string fixedText = await ApplyFixAsync(new AddPartialModifierCodeFix(), "NASG001",
            Space("sealed ", "[Choice(16, 32)] public partial int Width { get; }"));

        Assert.Equal(Space("sealed partial ", "[Choice(16, 32)] public partial int Width { get; }"), StripUsings(fixedText));
        AssertNoLongerReported(fixedText, "NASG001");
    }

    [Fact]
    public async Task AddPartialWithoutOtherModifiersKeepsTheLeadingTrivia()
    {
        const string bad = """
            namespace Demo;

            [SearchSpace]
            // The space.
            class Hyper
            {
                [Choice(16, 32)] public partial int Width { get; }
            }
            """;
        string fixedText = await ApplyFixAsync(new AddPartialModifierCodeFix(), "NASG001", bad);

        Assert.Equal(bad.Replace("\nclass Hyper", "\npartial class Hyper", StringComparison.Ordinal), StripUsings(fixedText));
        AssertNoLongerReported(fixedText, "NASG001");
    }

    [Theory]
    [InlineData("[Choice(16, 32, 16)] public partial int Width { get; }", "[Choice(16, 32)] public partial int Width { get; }")]
    [InlineData("[Choice(16, 16, 32)] public partial int Width { get; }", "[Choice(16, 32)] public partial int Width { get; }")]
    [InlineData("[Choice(\"max\", \"avg\", \"max\", Label = \"pool\")] public partial string Pooling { get; }",
        "[Choice(\"max\", \"avg\", Label = \"pool\")] public partial string Pooling { get; }")]
    public async Task RemoveDuplicateCandidateRemovesTheRepeatedArgument(string bad, string expected)
    {
        string fixedText = await ApplyFixAsync(new RemoveDuplicateCandidateCodeFix(), "NASG007", Space("partial ", bad));

        Assert.Equal(Space("partial ", expected), StripUsings(fixedText));
        AssertNoLongerReported(fixedText, "NASG007");
    }

    [Fact]
    public async Task RemoveDuplicateLayerCandidate()
    {
        const string bad = """
            namespace Demo;

            [SearchSpace]
            public partial class Cell : Module<Tensor, Tensor>
            {
                [LayerChoice(nameof(Conv3), nameof(Conv5), nameof(Conv3))] public partial Module<Tensor, Tensor> Op { get; }
                public Cell(Architecture architecture) : base(nameof(Cell)) { InitializeChoices(architecture); RegisterComponents(); }
                public override Tensor forward(Tensor input) => Op.forward(input);
                private Module<Tensor, Tensor> Conv3() => ReLU();
                private Module<Tensor, Tensor> Conv5() => Tanh();
            }
            """;
        string fixedText = await ApplyFixAsync(new RemoveDuplicateCandidateCodeFix(), "NASG007", bad);

        Assert.Equal(bad.Replace(", nameof(Conv3))]", ")]", StringComparison.Ordinal), StripUsings(fixedText));
        AssertNoLongerReported(fixedText, "NASG007");
    }

    [Fact]
    public void ProvidersDeclareWhatTheyFixAndSupportFixAll()
    {
        CodeFixProvider[] providers = [new AddPartialModifierCodeFix(), new RemoveDuplicateCandidateCodeFix()];
        Assert.Equal(["NASG001"], providers[0].FixableDiagnosticIds.ToArray());
        Assert.Equal(["NASG007"], providers[1].FixableDiagnosticIds.ToArray());
        foreach (var provider in providers)
        {
            Assert.Same(WellKnownFixAllProviders.BatchFixer, provider.GetFixAllProvider());
            // The ids must stay those of the generator's catalog.
            Assert.All(provider.FixableDiagnosticIds, id => Assert.Contains(DiagnosticDescriptors.All, d => d.Id == id));
            var export = provider.GetType().GetCustomAttributes(typeof(ExportCodeFixProviderAttribute), inherit: false);
            Assert.Equal([LanguageNames.CSharp], Assert.IsType<ExportCodeFixProviderAttribute>(Assert.Single(export)).Languages);
        }
    }

    /// <summary>Runs the generator on <paramref name="source"/>, applies the one fix offered for the <paramref name="id"/> diagnostic and returns the new text.</summary>
    private static async Task<string> ApplyFixAsync(CodeFixProvider provider, string id, string source)
    {
        using var workspace = new AdhocWorkspace();
        var project = workspace.AddProject(ProjectInfo.Create(ProjectId.CreateNewId(), VersionStamp.Create(), "TestSpaces", "TestSpaces",
            LanguageNames.CSharp, parseOptions: TestCompilation.ParseOptions));
        var document = workspace.AddDocument(DocumentInfo.Create(DocumentId.CreateNewId(project.Id), "Space.cs",
            loader: TextLoader.From(TextAndVersion.Create(SourceText.From(TestCompilation.Usings + source), VersionStamp.Create())),
            filePath: "/src/Space.cs"));

        // The diagnostic comes from the generator, run on the document's own tree. Generator diagnostics carry a
        // file path and span rather than the tree (they are rebuilt from plain data), as the IDE receives them too.
        var tree = await document.GetSyntaxTreeAsync();
        var run = GeneratorDriverRunner.Run(TestCompilation.Create(tree!));
        var diagnostic = Assert.Single(run.Diagnostics(id));
        Assert.Equal(document.FilePath, diagnostic.Location.GetLineSpan().Path);

        CodeAction? action = null;
        var context = new CodeFixContext(document, diagnostic, (a, d) => action = action is null ? a : throw new InvalidOperationException("Two fixes offered."), CancellationToken.None);
        Assert.Contains(id, provider.FixableDiagnosticIds);
        await provider.RegisterCodeFixesAsync(context);
        Assert.NotNull(action);
        Assert.Equal(provider.GetType().Name, action.EquivalenceKey);

        ImmutableArray<CodeActionOperation> operations = await action.GetOperationsAsync(CancellationToken.None);
        foreach (var operation in operations) operation.Apply(workspace, CancellationToken.None);
        var text = await workspace.CurrentSolution.GetDocument(document.Id)!.GetTextAsync();
        return text.ToString();
    }

    private static void AssertNoLongerReported(string fixedText, string id)
    {
        var run = GeneratorDriverRunner.Run(TestCompilation.Create(TestCompilation.Parse(fixedText)));
        Assert.Empty(run.Diagnostics(id));
        run.AssertClean();
    }

    private static string StripUsings(string text)
    {
        Assert.StartsWith(TestCompilation.Usings, text, StringComparison.Ordinal);
        return text[TestCompilation.Usings.Length..];
    }
}
