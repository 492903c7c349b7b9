using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.Loader;
using Basic.Reference.Assemblies;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using TorchSharp;
using static TorchSharp.torch;

namespace NasGen.IntegrationTests.Export;

/// <summary>Compiles exported network sources the way a user's project would, without NasGen.</summary>
internal static class ExportCompiler
{
    // One in-memory compilation of every emitted file, against the .NET reference assemblies, TorchSharp and the
    // user's own project (this one: it declares the enums some spaces use) but not NasGen: any use of NasGen fails.
    public static Assembly Compile(IEnumerable<string> sources)
    {
        // Documentation comments are parsed, so a reference the export left dangling (CS1574, CS1734) fails the compilation.
        var parse = new CSharpParseOptions(LanguageVersion.Preview, DocumentationMode.Diagnose);
        var trees = sources.Select((s, i) => CSharpSyntaxTree.ParseText(s, parse, path: $"Exported{i}.cs")).ToList();
        var references = Net100.References.All
            .Append(MetadataReference.CreateFromFile(typeof(torch).Assembly.Location))
            .Append(MetadataReference.CreateFromFile(typeof(ExportCompiler).Assembly.Location));
        var compilation = CSharpCompilation.Create("Exported" + Guid.NewGuid().ToString("N"), trees, references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable,
                generalDiagnosticOption: ReportDiagnostic.Error,
                // As the .NET SDK does: TorchSharp targets net8.0, these reference-unification notices are not problems.
                specificDiagnosticOptions: [new("CS1701", ReportDiagnostic.Suppress), new("CS1702", ReportDiagnostic.Suppress),
                    new("CS1591", ReportDiagnostic.Suppress)])); // an undocumented public member is the user's choice
        using var stream = new MemoryStream();
        var result = compilation.Emit(stream);
        var problems = result.Diagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
        Assert.True(result.Success && problems.Count == 0,
            string.Join("\n", problems.Take(20).Select(d => d + "\n    " + d.Location.SourceTree?.GetText().Lines[d.Location.GetLineSpan().StartLinePosition.Line])));
        stream.Position = 0;
        return AssemblyLoadContext.Default.LoadFromStream(stream);
    }

    /// <summary>
    /// Asserts that <paramref name="exported"/> has <paramref name="original"/>'s state_dict keys, takes its weights
    /// strictly and computes the same outputs on a random input; returns the weights.
    /// </summary>
    public static Dictionary<string, Tensor> AssertSameNetwork(nn.Module<Tensor, Tensor> original, nn.Module<Tensor, Tensor> exported,
        long[] inputShape, int seed, double rtol = 0, double atol = 1e-6, string context = "")
    {
        original.eval();
        exported.eval();
        var state = original.state_dict();
        Assert.Equal(state.Keys.Order(), exported.state_dict().Keys.Order());
        exported.load_state_dict(state, strict: true);

        using var scope = NewDisposeScope();
        torch.manual_seed(seed);
        var input = randn(inputShape);
        var (expected, actual) = (original.call(input), exported.call(input));
        Assert.True(expected.allclose(actual, rtol, atol), $"outputs differ by {(expected - actual).abs().max().item<float>()}; {context}");
        return state;
    }

    /// <summary>An instance of an exported network built with its constructor's default arguments.</summary>
    public static nn.Module<Tensor, Tensor> Create(Type type)
    {
        var constructor = type.GetConstructors().Single();
        var arguments = constructor.GetParameters().Select(p => p.DefaultValue).ToArray();
        return (nn.Module<Tensor, Tensor>)constructor.Invoke(arguments);
    }
}
