using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace NasGen.Generators.Tests.Infrastructure;

/// <summary>What one generator run produced.</summary>
internal sealed record GeneratorRun(
    GeneratorDriver Driver,
    Compilation InputCompilation,
    Compilation OutputCompilation,
    GeneratorRunResult Result,
    IReadOnlyDictionary<string, string> Sources,
    ImmutableArray<Diagnostic> GeneratorDiagnostics,
    ImmutableArray<Diagnostic> OutputDiagnostics)
{
    /// <summary>The NasGen diagnostics with the given id.</summary>
    public IReadOnlyList<Diagnostic> Diagnostics(string id) => GeneratorDiagnostics.Where(d => d.Id == id).ToList();

    /// <summary>Errors and warnings of the compilation with the generated code added.</summary>
    public IReadOnlyList<Diagnostic> OutputErrorsAndWarnings =>
        OutputDiagnostics.Where(d => d.Severity is DiagnosticSeverity.Error or DiagnosticSeverity.Warning).ToList();

    /// <summary>The source of one generated file.</summary>
    public string Source(string hintName) =>
        Sources.TryGetValue(hintName, out var text) ? text
            : throw new Xunit.Sdk.XunitException($"No generated file '{hintName}'; generated: {string.Join(", ", Sources.Keys)}");

    /// <summary>Asserts the space is valid: no generator exception, no NASG error or warning, and the output compiles cleanly.</summary>
    public GeneratorRun AssertClean()
    {
        Assert.Null(Result.Exception);
        var nasg = GeneratorDiagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
        Assert.True(nasg.Count == 0, "Generator diagnostics:\n" + string.Join("\n", nasg));
        return AssertOutputCompiles();
    }

    /// <summary>Asserts the compilation with the generated code added has no errors and no warnings.</summary>
    public GeneratorRun AssertOutputCompiles()
    {
        var problems = OutputErrorsAndWarnings;
        Assert.True(problems.Count == 0, "Output compilation:\n" + string.Join("\n", problems) + "\n\n" + string.Join("\n\n", Sources.Values));
        return this;
    }
}

/// <summary>Runs <see cref="SearchSpaceGenerator"/> the way the compiler does, with step tracking on.</summary>
internal static class GeneratorDriverRunner
{
    public static GeneratorDriver CreateDriver(params AdditionalText[] additionalFiles) => CSharpGeneratorDriver.Create(
        [new SearchSpaceGenerator().AsSourceGenerator()],
        additionalTexts: additionalFiles,
        parseOptions: TestCompilation.ParseOptions,
        driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    /// <summary>Runs the generator on <paramref name="compilation"/>, continuing from <paramref name="driver"/> when given.</summary>
    public static GeneratorRun Run(Compilation compilation, GeneratorDriver? driver = null)
    {
        driver = (driver ?? CreateDriver()).RunGeneratorsAndUpdateCompilation(compilation, out var output, out var generatorDiagnostics);
        var result = driver.GetRunResult().Results.Single();
        var sources = result.GeneratedSources.ToDictionary(s => s.HintName, s => s.SourceText.ToString(), StringComparer.Ordinal);
        return new GeneratorRun(driver, compilation, output, result, sources,
            generatorDiagnostics.AddRange(result.Diagnostics).Distinct().ToImmutableArray(), output.GetDiagnostics());
    }

    /// <summary>Compiles one file (prefixed with the test usings) and runs the generator on it.</summary>
    public static GeneratorRun Run(string source) => Run(TestCompilation.FromSource(source));
}

/// <summary>An AdditionalFiles item held in memory (null text: a file that cannot be read).</summary>
internal sealed class InMemoryAdditionalText(string path, string? text) : AdditionalText
{
    public override string Path { get; } = path;

    public override Microsoft.CodeAnalysis.Text.SourceText? GetText(System.Threading.CancellationToken cancellationToken = default) =>
        text is null ? null : Microsoft.CodeAnalysis.Text.SourceText.From(text);
}
