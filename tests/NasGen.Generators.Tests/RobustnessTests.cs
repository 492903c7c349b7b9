using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using NasGen.Generators.Tests.Infrastructure;

namespace NasGen.Generators.Tests;

/// <summary>Mangled spaces never crash the generator, and an invalid space never generates code.</summary>
public sealed class RobustnessTests
{
    private const int Variants = 200;

    private static readonly string[] TypeNames =
        ["int", "long", "float", "double", "bool", "string", "string?", "decimal", "Color", "Sequential", "InputChoice", "Module<Tensor, Tensor>", "Leaf", "object"];

    private const string Seed = """
        namespace Fuzz;

        public enum Color { Red, Green }

        [SearchSpace]
        public partial class Leaf
        {
            [Choice(1, 2)] public partial int Size { get; }
            public Leaf(Architecture architecture) => InitializeChoices(architecture);
        }

        [SearchSpace(Name = "fuzz")]
        public partial class Net : Module<Tensor, Tensor>
        {
            [Choice(4, 8, Label = "w")] public partial int Width { get; }
            [Choice(0.1, 0.2)] public partial float Rate { get; }
            [Choice] public partial Color Color { get; }
            [Choice("a", "b")] public partial string Mode { get; }
            [LayerChoice(nameof(Conv3), nameof(Conv5))] public partial Module<Tensor, Tensor> Op { get; }
            [InputChoice(3, 2, NasGen.InputReduction.Sum)] public partial InputChoice Skip { get; }
            [Repeat(0, 2, nameof(Block))] public partial Sequential Extra { get; }
            [SubSpace] public partial Leaf Head { get; }

            [Constraint] private static bool Check(Architecture architecture) => architecture.Width > 0;

            public Net() : base("net") { }
            private Module<Tensor, Tensor> Conv3() => ReLU();
            private Module<Tensor, Tensor> Conv5() => Tanh();
            private Module<Tensor, Tensor> Block(int index) => ReLU();
            public override Tensor forward(Tensor input) => input;
        }
        """;

    [Fact]
    public void TheSeedIsAValidSpace() => GeneratorDriverRunner.Run(Seed).AssertClean();

    [Fact]
    public void MutatedSpacesNeverCrashTheGenerator()
    {
        var random = new Random(20261127);
        string baseText = TestCompilation.Usings + Seed;
        var tokens = CSharpSyntaxTree.ParseText(baseText, TestCompilation.ParseOptions).GetRoot().DescendantTokens().ToList();
        var failures = new List<string>();
        int withErrors = 0, generated = 0;

        for (int i = 0; i < Variants; i++)
        {
            string mutated = Mutate(baseText, tokens, random, i);
            var run = GeneratorDriverRunner.Run(TestCompilation.Create(TestCompilation.Parse(mutated)));
            if (run.Result.Exception is not null)
                failures.Add($"#{i}: generator threw {run.Result.Exception}");
            foreach (var d in run.GeneratorDiagnostics.Concat(run.OutputDiagnostics).Where(d => d.Id is "CS8785" or "AD0001" or "NASG000"))
                failures.Add($"#{i}: {d}");
            foreach (string space in new[] { "Net", "Leaf" })
            {
                bool hasError = run.GeneratorDiagnostics.Any(d => d.Severity == DiagnosticSeverity.Error
                    && d.Id.StartsWith("NASG", StringComparison.Ordinal)
                    && d.GetMessage(System.Globalization.CultureInfo.InvariantCulture).Contains($"'{space}'", StringComparison.Ordinal)
                    && IsInside(run, d, space));
                bool emitted = run.Sources.ContainsKey($"Fuzz.{space}.Space.g.cs");
                if (hasError) withErrors++;
                if (emitted) generated++;
                if (hasError && emitted) failures.Add($"#{i}: '{space}' has a NASG error but was generated\n{mutated}");
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n\n", failures.Take(5)));
        // The mutations must exercise both paths, or the test proves nothing.
        Assert.True(withErrors > 10, $"only {withErrors} variants had NASG errors");
        Assert.True(generated > 10, $"only {generated} spaces were generated");
    }

    // Whether a diagnostic lies inside the declaration of the named class.
    private static bool IsInside(GeneratorRun run, Diagnostic diagnostic, string className)
    {
        var tree = run.InputCompilation.SyntaxTrees.Single();
        return tree.GetRoot().DescendantNodes().OfType<Microsoft.CodeAnalysis.CSharp.Syntax.ClassDeclarationSyntax>()
            .Any(c => c.Identifier.ValueText == className && c.FullSpan.Contains(diagnostic.Location.SourceSpan));
    }

    private static string Mutate(string text, List<SyntaxToken> tokens, Random random, int index)
    {
        switch (index % 5)
        {
            case 0: // delete one to three random tokens
            {
                var chosen = Enumerable.Range(0, random.Next(1, 4)).Select(_ => tokens[random.Next(tokens.Count)])
                    .DistinctBy(t => t.SpanStart).OrderByDescending(t => t.SpanStart);
                var builder = new StringBuilder(text);
                foreach (var token in chosen) builder.Remove(token.SpanStart, token.Span.Length);
                return builder.ToString();
            }
            case 1: // truncate
                return text[..random.Next(text.Length)];
            case 2: // swap a property type
            {
                var types = tokens.Where(t => t.Parent?.Parent is Microsoft.CodeAnalysis.CSharp.Syntax.PropertyDeclarationSyntax p && p.Type.Span.Contains(t.Span))
                    .Select(t => ((Microsoft.CodeAnalysis.CSharp.Syntax.PropertyDeclarationSyntax)t.Parent!.Parent!).Type)
                    .DistinctBy(t => t.SpanStart).ToList();
                var type = types[random.Next(types.Count)];
                return text[..type.SpanStart] + TypeNames[random.Next(TypeNames.Length)] + text[type.Span.End..];
            }
            default: // replace one or two literals inside attributes with random constants
            {
                var literals = tokens.Where(t => t.Parent is Microsoft.CodeAnalysis.CSharp.Syntax.LiteralExpressionSyntax
                    && t.Parent.Ancestors().Any(a => a is Microsoft.CodeAnalysis.CSharp.Syntax.AttributeSyntax)).ToList();
                var chosen = Enumerable.Range(0, random.Next(1, 3)).Select(_ => literals[random.Next(literals.Count)])
                    .DistinctBy(t => t.SpanStart).OrderByDescending(t => t.SpanStart);
                var builder = new StringBuilder(text);
                foreach (var token in chosen)
                {
                    builder.Remove(token.SpanStart, token.Span.Length);
                    builder.Insert(token.SpanStart, RandomConstant(random));
                }
                return builder.ToString();
            }
        }
    }

    private static string RandomConstant(Random random) => random.Next(12) switch
    {
        0 => "-1",
        1 => "0",
        2 => "1",
        3 => "1001",
        4 => random.Next(100).ToString(System.Globalization.CultureInfo.InvariantCulture),
        5 => "\"\"",
        6 => "\"$x\"",
        7 => "\"Missing\"",
        8 => "null",
        9 => "1.5",
        10 => "true",
        _ => "\"w\"",
    };
}
