using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Basic.Reference.Assemblies;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace NasGen.Generators.Tests.Infrastructure;

/// <summary>Real compilations of test sources against .NET 10, NasGen and TorchSharp.</summary>
internal static class TestCompilation
{
    /// <summary>The usings every test space may rely on.</summary>
    public const string Usings = """
        using NasGen;
        using TorchSharp.Modules;
        using static TorchSharp.torch;
        using static TorchSharp.torch.nn;

        """;

    // Partial properties need C# 13; Preview is the newest language version this Roslyn knows.
    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Preview);

    private static readonly ImmutableArray<MetadataReference> References =
    [
        .. Net100.References.All,
        MetadataReference.CreateFromFile(typeof(SearchSpaceAttribute).Assembly.Location),
        MetadataReference.CreateFromFile(typeof(SearchSpace<>).Assembly.Location),
        MetadataReference.CreateFromFile(typeof(TorchSharp.torch).Assembly.Location),
    ];

    private static readonly CSharpCompilationOptions Options = new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary)
        .WithNullableContextOptions(NullableContextOptions.Enable)
        // The SDK silences these unification notes too: NasGen targets net8.0, the references are net10.0.
        .WithSpecificDiagnosticOptions(new Dictionary<string, ReportDiagnostic>
        {
            ["CS1701"] = ReportDiagnostic.Suppress,
            ["CS1702"] = ReportDiagnostic.Suppress,
        });

    /// <summary>Parses <paramref name="source"/> as <c>/src/{fileName}</c>.</summary>
    public static SyntaxTree Parse(string source, string fileName = "Space.cs") =>
        CSharpSyntaxTree.ParseText(source, ParseOptions, path: "/src/" + fileName);

    /// <summary>A compilation of sources, each given as (file name, text); the test usings are not added.</summary>
    public static CSharpCompilation Create(params SyntaxTree[] trees) =>
        CSharpCompilation.Create("TestSpaces", trees, References, Options);

    /// <summary>A compilation of one file that starts with <see cref="Usings"/>.</summary>
    public static CSharpCompilation FromSource(string source, string fileName = "Space.cs") =>
        Create(Parse(Usings + source, fileName));

    /// <summary>The text a diagnostic points at, looked up by its file path in the compilation.</summary>
    public static string LocatedText(Compilation compilation, Diagnostic diagnostic)
    {
        var location = diagnostic.Location;
        var path = location.GetLineSpan().Path;
        var tree = location.SourceTree ?? compilation.SyntaxTrees.FirstOrDefault(t => t.FilePath == path);
        return tree is null ? "<no location>" : tree.GetText().ToString(location.SourceSpan);
    }
}
