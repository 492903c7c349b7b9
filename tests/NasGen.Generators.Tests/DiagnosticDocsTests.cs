using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using NasGen.Generators.Tests.Infrastructure;

namespace NasGen.Generators.Tests;

/// <summary>
/// The pages in docs/diagnostics stay true: one per descriptor with its title and severity, the example that
/// reports the diagnostic does (with the message the page shows), and the fixed example compiles cleanly.
/// </summary>
public sealed partial class DiagnosticDocsTests
{
    [GeneratedRegex(@"```csharp\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex CSharpBlock();

    [GeneratedRegex(@"```text\n(.*?)\n```", RegexOptions.Singleline)]
    private static partial Regex TextBlock();

    private static string DocsDirectory([CallerFilePath] string callerFile = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(callerFile)!, "..", "..", "docs", "diagnostics"));

    private static string Page(string id) => File.ReadAllText(Path.Combine(DocsDirectory(), id + ".md")).Replace("\r\n", "\n");

    public static TheoryData<string> Ids => new(DiagnosticDescriptors.All.Select(d => d.Id));

    [Theory]
    [MemberData(nameof(Ids))]
    public void PageMatchesTheDescriptor(string id)
    {
        var descriptor = DiagnosticDescriptors.ById(id);
        string page = Page(id);
        Assert.StartsWith($"# {id}: {descriptor.Title}\n", page, StringComparison.Ordinal);
        Assert.Contains($"| Severity | {descriptor.DefaultSeverity} |", page, StringComparison.Ordinal);
        string format = descriptor.MessageFormat.ToString(CultureInfo.InvariantCulture).Replace("{{", "{").Replace("}}", "}");
        Assert.Equal(format, TextBlock().Matches(page)[0].Groups[1].Value);

        string index = Page("README");
        Assert.Contains($"| [{id}]({id}.md) | {descriptor.DefaultSeverity} | {descriptor.Title} |", index, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public void ExampleReportsTheDiagnosticAndTheFixedExampleIsClean(string id)
    {
        string page = Page(id);
        var blocks = CSharpBlock().Matches(page).Select(m => m.Groups[1].Value).ToList();
        if (id == "NASG000")
        {
            // No source is known to reach the internal error.
            Assert.Empty(blocks);
            return;
        }
        Assert.Equal(2, blocks.Count);
        Assert.True(page.IndexOf("### Reports " + id, StringComparison.Ordinal) < page.IndexOf("### Fixed", StringComparison.Ordinal));

        // [FixedArchitecture] pages show the example's best.arch.json in a json block after its code.
        int fixedAt = page.IndexOf("### Fixed", StringComparison.Ordinal);
        var badFiles = ArchitectureFiles(page[..fixedAt]);
        var goodFiles = ArchitectureFiles(page[fixedAt..]);
        var bad = GeneratorDriverRunner.Run(TestCompilation.Create(TestCompilation.Parse(blocks[0])), GeneratorDriverRunner.CreateDriver(badFiles));
        Assert.Null(bad.Result.Exception);
        var reported = bad.Diagnostics(id);
        Assert.True(reported.Count > 0, $"{id} example reports:\n{string.Join("\n", bad.GeneratorDiagnostics)}");
        // The other NASG diagnostics an example reports should only be ones it means to: none but NASG034, the info that
        // every space with a nested space gets (NASG039's example needs two).
        Assert.All(bad.GeneratorDiagnostics.Where(d => d.Id != "NASG034"), d => Assert.Equal(id, d.Id));
        string shownMessage = TextBlock().Matches(page)[1].Groups[1].Value;
        Assert.Contains(shownMessage, reported.Select(d => d.GetMessage(CultureInfo.InvariantCulture)));

        var good = GeneratorDriverRunner.Run(TestCompilation.Create(TestCompilation.Parse(blocks[1])), GeneratorDriverRunner.CreateDriver(goodFiles));
        good.AssertClean();
        Assert.NotEmpty(good.Sources);
    }

    private static AdditionalText[] ArchitectureFiles(string section) =>
        JsonBlock().Matches(section).Select(m => (AdditionalText)new InMemoryAdditionalText("/src/best.arch.json", m.Groups[1].Value)).ToArray();

    [GeneratedRegex(@"```json\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex JsonBlock();

    [Fact]
    public void EveryPageBelongsToADescriptor()
    {
        var ids = DiagnosticDescriptors.All.Select(d => d.Id).Append("README").ToHashSet();
        var pages = Directory.GetFiles(DocsDirectory(), "*.md").Select(Path.GetFileNameWithoutExtension).ToList();
        Assert.Equal(ids.Order(), pages.Order());
    }
}
