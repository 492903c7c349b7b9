using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using NasGen.Generators.Tests.Infrastructure;

namespace NasGen.Generators.Tests;

/// <summary>
/// Mangled spaces never crash the generator, and an invalid space generates only stand-ins; random valid spaces compile
/// clean; random valid spaces with one mistake give exactly that mistake's error.
/// </summary>
[Collection(LibTorchCollection.Name)]
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

    // Found by NASGEN_FUZZ_SEED=2660784: properties `Width` and `width` (each with its own label) both became
    // CreateSupernet's parameter `width` (CS0100 in generated code).
    [Fact]
    public void ValueChoicesWhoseNamesDifferOnlyInCaseGetDistinctSupernetParameters() => GeneratorDriverRunner.Run("""
        namespace Fuzz;

        [SearchSpace]
        public partial class Net : Module<Tensor, Tensor>
        {
            [Choice(4, 8)] public partial int Width { get; }
            [Choice(0.5, 0.25, Label = "other")] public partial double width { get; }
            [Choice(1, 2)] public partial int Context { get; }
            [Choice(1, 2, Label = "c2")] public partial int contextValue { get; }

            public Net() : base("net") { }
            public override Tensor forward(Tensor input) => input;
        }
        """).AssertClean();

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
                // An invalid space gets only the stand-ins for the members its own code uses.
                bool emitted = run.Sources.TryGetValue($"Fuzz.{space}.Space.g.cs", out string? code) && !IsStub(code);
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

    private const int RandomSpaceCount = 500;
    private const int SpacesPerCompilation = 50;
    private const int ExportEvery = 25;

    // NASGEN_FUZZ_SEED replays a failing run; otherwise each day's CI run tries other spaces.
    private static int FuzzSeed() =>
        int.TryParse(Environment.GetEnvironmentVariable("NASGEN_FUZZ_SEED"), out int seed) ? seed : DateTime.UtcNow.DayOfYear * 7919;

    [Fact]
    public void RandomValidSpacesCompileCleanAndExport()
    {
        int seed = FuzzSeed();
        var writer = new RandomSpaceWriter(new Random(seed));
        var failures = new List<string>();
        int exported = 0;
        for (int batch = 0; batch < RandomSpaceCount / SpacesPerCompilation && failures.Count == 0; batch++)
        {
            var spaces = Enumerable.Range(batch * SpacesPerCompilation, SpacesPerCompilation).Select(writer.Write).ToList();
            var trees = spaces.Select(s => TestCompilation.Parse(TestCompilation.Usings + s.Source, $"Space{s.Index}.cs"))
                .Prepend(TestCompilation.Parse(TestCompilation.Usings + RandomSpaceWriter.OpsSource, "Ops.cs")).ToArray();
            var run = GeneratorDriverRunner.Run(TestCompilation.Create(trees));
            if (run.Result.Exception is not null) failures.Add($"generator threw {run.Result.Exception}");
            // Infos that say what a space lacks (no supernet for nested spaces) are expected; nothing else is.
            var problems = run.GeneratorDiagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning || d.Id != "NASG034")
                .Concat(run.OutputErrorsAndWarnings).ToList();
            foreach (var problem in problems.Take(5))
                failures.Add($"{problem}\n{SourceOf(spaces, problem)}");
            if (problems.Count > 0) break;

            using var image = new System.IO.MemoryStream();
            var emit = run.OutputCompilation.Emit(image);
            Assert.True(emit.Success, string.Join("\n", emit.Diagnostics));
            var context = new System.Runtime.Loader.AssemblyLoadContext("fuzz" + batch, isCollectible: true);
            try
            {
                image.Position = 0;
                var assembly = context.LoadFromStream(image);
                var reference = MetadataReference.CreateFromImage(image.ToArray());
                foreach (var space in spaces.Where(s => s.Index % ExportEvery == 0))
                {
                    string? problem = ExportProblem(assembly, reference, space, seed);
                    if (problem is not null) failures.Add($"space #{space.Index}: {problem}\n{space.Source}");
                    exported++;
                }
            }
            finally
            {
                context.Unload();
            }
        }
        Assert.True(failures.Count == 0, $"NASGEN_FUZZ_SEED={seed}:\n" + string.Join("\n\n", failures.Take(3)));
        Assert.Equal(RandomSpaceCount / ExportEvery, exported);
    }

    private const int MutatedRounds = 13;

    [Fact]
    public void RandomSpacesWithOneMistakeGetExactlyThatError()
    {
        int seed = FuzzSeed();
        var writer = new RandomSpaceWriter(new Random(seed));
        var mutator = new SpaceMutator(new Random(seed + 1));
        var failures = new List<string>();
        var made = new HashSet<string>();
        int count = 0;
        // One compilation per round: a mistake of every kind, each in its own file and namespace.
        for (int round = 0; round < MutatedRounds && failures.Count == 0; round++)
        {
            var mutated = new List<MutatedSpace>();
            for (int kind = 0; kind < SpaceMutator.Kinds.Count; kind++)
            {
                // Some mistakes need a shape a random space has only sometimes (a containing type): try a few spaces
                // for this kind before taking the next kind that fits.
                int index = round * SpaceMutator.Kinds.Count + kind;
                MutatedSpace? mutation = null;
                for (int attempt = 1; attempt <= 8 && mutation is null; attempt++)
                    mutation = mutator.Mutate(writer.Write(index), kind, exactKind: attempt < 8);
                if (mutation is null) continue;
                mutated.Add(mutation);
                made.Add(mutation.Mistake.Split(" in ")[0]);
            }
            count += mutated.Count;
            var trees = mutated.Select(m => TestCompilation.Parse(m.Source, $"Space{m.Space.Index}.cs"))
                .Prepend(TestCompilation.Parse(TestCompilation.Usings + RandomSpaceWriter.OpsSource, "Ops.cs")).ToArray();
            var run = GeneratorDriverRunner.Run(TestCompilation.Create(trees));
            if (run.Result.Exception is not null) failures.Add($"generator threw {run.Result.Exception}");
            var errors = run.GeneratorDiagnostics.Concat(run.OutputDiagnostics).Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
            foreach (var error in errors.Where(e => !(e.Location.GetLineSpan().Path ?? "").StartsWith("/src/Space", StringComparison.Ordinal)).Take(3))
                failures.Add($"an error outside the user's spaces: {error}\n{SourceOf(mutated.Select(m => m.Space).ToList(), error)}");
            foreach (var mutation in mutated)
            {
                var own = errors.Where(e => e.Location.GetLineSpan().Path == $"/src/Space{mutation.Space.Index}.cs").ToList();
                // A class without 'partial' cannot take generated members: the compiler says so too, at the same declaration.
                string[] expected = mutation.ExpectedId is "NASG001" or "NASG002" ? [mutation.ExpectedId, "CS0260"] : [mutation.ExpectedId];
                if (!own.Select(e => e.Id).Order().SequenceEqual(expected.Order()))
                    failures.Add($"space #{mutation.Space.Index}, {mutation.Mistake}: expected {string.Join(" + ", expected)}, got\n"
                        + string.Join("\n", own) + "\n" + mutation.Source);
            }
        }
        Assert.True(failures.Count == 0, $"NASGEN_FUZZ_SEED={seed}, {failures.Count} failures:\n"
            + string.Join("\n", failures.Select(f => f.Split('\n')[0])) + "\n\n" + string.Join("\n\n", failures.Take(3)));
        Assert.True(count >= 300, $"only {count} mutated spaces");
        // Every kind of mistake must have found a place in some space, or the test proves less than it says.
        Assert.Equal(SpaceMutator.Kinds.Select(k => k.Name).Order(), made.Order());
    }

    private static string SourceOf(List<RandomSpace> spaces, Diagnostic diagnostic)
    {
        string path = diagnostic.Location.GetLineSpan().Path ?? "";
        var space = spaces.FirstOrDefault(s => path.EndsWith($"/Space{s.Index}.cs", StringComparison.Ordinal)
            || path.Contains($"/{s.Namespace}.", StringComparison.Ordinal));
        var tree = diagnostic.Location.SourceTree;
        string line = tree is null ? "" : "at: " + tree.GetText().Lines.GetLineFromPosition(diagnostic.Location.SourceSpan.Start) + "\n";
        return line + (space is null ? $"(in {path})" : space.Source);
    }

    // A random architecture of the space's main class through its generated EmitSource, compiled on its own.
    private static string? ExportProblem(System.Reflection.Assembly assembly, MetadataReference reference, RandomSpace space, int seed)
    {
        var type = assembly.GetType(space.MetadataName) ?? throw new InvalidOperationException($"no type {space.MetadataName}");
        object descriptor = type.GetProperty("Space")!.GetValue(null)!;
        object architecture = descriptor.GetType().GetMethod("Sample", [typeof(Random)])!.Invoke(descriptor, [new Random(seed + space.Index)])!;
        string source;
        try
        {
            source = (string)type.GetMethod("EmitSource")!.Invoke(null, [architecture, "Exported", "Out"])!;
        }
        catch (System.Reflection.TargetInvocationException e)
        {
            return "EmitSource threw " + e.InnerException;
        }
        var compilation = TestCompilation.Create(TestCompilation.Parse(source, "Exported.cs")).AddReferences(reference);
        var errors = compilation.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
        return errors.Count == 0 ? FixedNetworkProblem(type, architecture) : "the exported source does not compile:\n" + string.Join("\n", errors) + "\n" + source;
    }

    // Builds the space's fixed network for the architecture through the user's own constructor (whatever its form: internal,
    // optional parameters) and runs it: every random op keeps the input's shape.
    private static string? FixedNetworkProblem(Type type, object architecture)
    {
        const System.Reflection.BindingFlags Instance = System.Reflection.BindingFlags.Instance
            | System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.NonPublic;
        var constructor = type.GetConstructors(Instance).First(c => c.GetParameters() is { Length: > 0 } p && p[0].ParameterType == architecture.GetType());
        var arguments = constructor.GetParameters().Select((p, i) => i == 0 ? architecture : p.DefaultValue).ToArray();
        TorchSharp.torch.nn.Module<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor> network;
        try
        {
            network = (TorchSharp.torch.nn.Module<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor>)constructor.Invoke(arguments);
        }
        catch (System.Reflection.TargetInvocationException e)
        {
            return "building the fixed network threw " + e.InnerException;
        }
        using (network)
        {
            object? built = type.GetProperty("CurrentArchitecture")!.GetValue(network);
            if (!architecture.Equals(built)) return $"the fixed network was built for {built}, not {architecture}";
            using var scope = TorchSharp.torch.NewDisposeScope();
            var output = network.call(TorchSharp.torch.ones(2, 3));
            return output.shape.SequenceEqual(new long[] { 2, 3 }) ? null : $"the fixed network's output has shape [{string.Join(", ", output.shape)}]";
        }
    }

    private static bool IsStub(string generated) => generated.Contains("which has errors:", StringComparison.Ordinal);

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
