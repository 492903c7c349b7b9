using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using NasGen.Generators.Tests.Infrastructure;
using Xunit.Abstractions;

namespace NasGen.Generators.Tests;

/// <summary>
/// One set of architecture-JSON rules: every input of a generated corpus goes through the build-time reader (a
/// [FixedArchitecture] file in a real Roslyn compilation) and the run-time reader (Architecture.FromJson of the same
/// space, compiled and loaded), and both reach the same verdict, the same line and the same message.
/// </summary>
public sealed partial class ArchitectureJsonCorpusTests(ITestOutputHelper output)
{
    private static readonly string Space = $$"""
        namespace Demo;

        public enum Act { Relu, Tanh }

        [SearchSpace(Name = "net")]
        public sealed partial class Net : Module<Tensor, Tensor>
        {
            [Choice(8, 16)] public partial int Width { get; }
            [Choice(1L, 3000000000L)] public partial long Seed { get; }
            [Choice(0.5f, 0.1f)] public partial float Rate { get; }
            [Choice(0.0, 0.25)] public partial double Dropout { get; }
            [Choice] public partial bool Bias { get; }
            [Choice("relu", "gelu \"x\" é")] public partial string Activation { get; }
            [Choice] public partial Act Act { get; }
            [LayerChoice(nameof(Small), nameof(Large))] public partial Module<Tensor, Tensor> Block { get; }
            [Repeat(0, 2, nameof(Extra))] public partial Sequential Stack { get; }
            [InputChoice(3, 2)] public partial InputChoice Skip { get; }
            [InputChoice(40, 20)] public partial InputChoice Taps { get; }
            [SubSpace] public partial Head Head { get; }
            [Range(1e-5, 0.1, Log = true)] public partial double LearningRate { get; }
            [Range(0.5, 2.0)] public partial float Scale { get; }
            [Range(0.0, 0.5, Step = 0.1)] public partial double Keep { get; }

            public Net(Architecture architecture) : base(nameof(Net))
            {
                InitializeChoices(architecture);
                RegisterComponents();
            }

            private Module<Tensor, Tensor> Small() => Linear(Width, Width, hasBias: Bias);
            private Module<Tensor, Tensor> Large() => Sequential(Linear(Width, Width), Dropout(Dropout));
            private Module<Tensor, Tensor> Extra(int index) => Act == Act.Relu ? ReLU() : Tanh();

            public override Tensor forward(Tensor input)
            {
                var y = Stack.call(Block.call(input));
                var t = Taps.Select({{string.Join(", ", Enumerable.Range(1, 40).Select(i => $"y * {i}"))}});
                return Head.call(Skip.Select(input, t, input + t) * Rate * Scale * LearningRate * Keep + Seed + Activation.Length);
            }
        }
        """ + "\n\n" + FixedArchitectureTests.HeadSpace;

    private const string Fixed = "\n\n[FixedArchitecture(typeof(Net), \"best.arch.json\")]\npublic partial class BestNet\n{\n}\n";

    // A valid architecture, key by key (values as JSON text); "$fingerprint" is filled in from the compiled space.
    private static readonly (string Key, string Value)[] Valid =
    [
        ("$space", "\"net\""),
        ("$fingerprint", "FINGERPRINT"),
        ("width", "16"),
        ("seed", "3000000000"),
        ("rate", "0.1"),
        ("dropout", "0.25"),
        ("bias", "true"),
        ("activation", "\"gelu \\\"x\\\" \\u00e9\""),
        ("act", "\"Tanh\""),
        ("block", "\"Large\""),
        ("stack", "2"),
        ("skip", "[2, 0]"),
        // A wide input choice (C(40, 20) selections): its selection travels beside the codes.
        ("taps", "[39, 0, 21, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19]"),
        ("head", "{ \"dropout\": 0.5 }"),
        ("learningRate", "0.00031622776601683794"),
        ("scale", "1.1"),
        ("keep", "0.3"),
    ];

    private static readonly string Huge = new('w', 1_000_000);

    // Values every key is set to in turn: each JSON type, numbers at the extremes, bad escapes, surrogates, huge text.
    private static readonly string[] Retyped =
    [
        "null", "true", "false", "0", "-0", "-1", "1.5", "16.0", "1.6e1", "1e400", "-1e400", "9223372036854775808",
        "-9223372036854775809", "3000000000", "0.10000000149011612", "1e-5", "9.999999999999999e-6", "0.1", "0.30000000000000004",
        "2.0000001", "1e-320", "5e-324", "\"\"", "\"x\"", "\"Large\"", "\"16\"", "\"relu\"",
        "[]", "[0]", "[0, 0]", "[0, 1, 2]", "[0, -1]", "[0, 64]", "[0, 1.0]", "[\"0\", 1]", "{}", "{ \"dropout\": 0.5 }",
        "\"\\ud800\"", "\"\\udc00x\"", "\"\\ud83d\\ude00\"", "\"\ud800\"", "\"a\\x\"", "\"\\u12\"", "\"\\u12G4\"", "\"\u0001\"",
        "016", "- 1", "+1", ".5", "1.", "1e", "tru", "nul", "'x'", "[0,]", "{\"a\":1,}", "\"" + Huge + "\"", Huge,
        "[" + string.Join(",", Enumerable.Range(0, 20_000)) + "]",
    ];

    // Selections of the wide choice (20 of 40 inputs): too few or too many inputs, one beyond the 40, one twice, one
    // negative or not an integer; and valid ones in any order.
    private static readonly string[] WideSelections = new[]
    {
        Enumerable.Range(0, 19), Enumerable.Range(0, 21), Enumerable.Range(0, 19).Append(40), Enumerable.Range(0, 19).Append(63),
        Enumerable.Range(0, 19).Append(64), Enumerable.Range(0, 19).Append(-1), Enumerable.Range(0, 19).Append(0),
        Enumerable.Range(0, 40), Enumerable.Range(20, 20).Reverse(), Enumerable.Range(0, 40).Where(i => i % 2 == 1),
    }.Select(inputs => "[" + string.Join(", ", inputs) + "]")
        .Concat(["[" + string.Join(", ", Enumerable.Range(0, 19)) + ", 19.0]", "[" + string.Join(", ", Enumerable.Range(0, 19)) + ", \"19\"]"]).ToArray();

    [Fact]
    public void Both_readers_reach_the_same_verdict_line_and_message_on_every_input_of_the_corpus()
    {
        var space = LoadRuntimeSpace();
        string fingerprint = (string)space.GetType().GetProperty("Fingerprint")!.GetValue(space)!;
        var corpus = Corpus(fingerprint).ToList();
        Assert.True(corpus.Count >= 500, $"only {corpus.Count} inputs");

        var tree = TestCompilation.Parse(TestCompilation.Usings + Space + Fixed);
        var compilation = TestCompilation.Create(tree);
        AdditionalText file = new InMemoryAdditionalText("/src/best.arch.json", "{}");
        var driver = GeneratorDriverRunner.CreateDriver(file);
        var verdicts = new Dictionary<string, int>();
        foreach (var (name, json) in corpus)
        {
            AdditionalText next = new InMemoryAdditionalText("/src/best.arch.json", json);
            driver = driver.ReplaceAdditionalText(file, next).RunGenerators(compilation);
            file = next;
            var (built, id) = BuildTime(driver);
            var run = RunTime(space, json);
            string context = $"input '{name}': {Shown(json)}";
            Assert.True(built.Equals(run), $"{context}\n  build time: {built}\n  run time:   {run}");
            Assert.True(built.Message.Length < 1_000, $"{context}: the message is {built.Message.Length} characters long");
            string verdict = built.Accepted ? "accepted" : id;
            verdicts[verdict] = verdicts.GetValueOrDefault(verdict) + 1;
        }
        output.WriteLine($"{corpus.Count} inputs: " + string.Join(", ", verdicts.OrderBy(v => v.Key).Select(v => $"{v.Key} {v.Value}")));
        // Every kind of verdict occurs, so the agreement above covers each rule.
        foreach (string id in new[] { "accepted", "NASG027", "NASG028", "NASG029", "NASG030", "NASG031", "NASG046" })
            Assert.True(verdicts.ContainsKey(id), $"no input got {id}");
    }

    [Theory]
    [InlineData("{ \"width\": 8, \"width\": 16 }", "malformed JSON: the key \"width\" appears twice in one object")]
    [InlineData("{ \"$space\": 42 }", "\"$space\" is 42, but this is search space \"net\"")]
    [InlineData("{ \"$space\": \"other\" }", "\"$space\" is \"other\", but this is search space \"net\"")]
    [InlineData("{ \"$fingerprint\": \"0000000000000000\" }", "the search space 'net' has changed since this architecture was exported (fingerprint \"0000000000000000\"")]
    [InlineData("{ \"activation\": \"\\ud800\" }", "malformed JSON: a string holds the lone surrogate \\uD800, which is not Unicode text")]
    public void The_rules_the_issue_names_hold_at_run_time(string json, string message)
    {
        var space = LoadRuntimeSpace();
        var outcome = RunTime(space, json);
        Assert.False(outcome.Accepted);
        Assert.StartsWith(message, outcome.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_10_MB_value_is_cut_in_the_message()
    {
        var outcome = RunTime(LoadRuntimeSpace(), "{ \"activation\": \"" + new string('w', 10_000_000) + "\" }");
        Assert.Equal("'activation' is \"" + new string('w', 60) + "…\", which is not among its candidates \"relu\", \"gelu \\u0022x\\u0022 \\u00E9\"", outcome.Message);
    }

    // A verdict: accepted with the architecture's canonical string, or refused with a line and a message.
    private sealed record Outcome(bool Accepted, int Line, string Message)
    {
        public override string ToString() => Accepted ? "accepted " + Message : $"line {Line}: {Message}";
    }

    // The generator's verdict: the architecture it rendered, or its one error (line and shared message) and its id.
    private static (Outcome Outcome, string Id) BuildTime(GeneratorDriver driver)
    {
        var result = driver.GetRunResult().Results.Single();
        Assert.Null(result.Exception);
        var errors = result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        if (errors.Count == 0)
        {
            string source = result.GeneratedSources.Single(s => s.HintName == "Demo.BestNet.Fixed.g.cs").SourceText.ToString();
            return (new Outcome(true, 0, ArchitectureComment().Match(source).Groups[1].Value), "");
        }
        var error = Assert.Single(errors);
        var match = DiagnosticMessage().Match(error.GetMessage());
        Assert.True(match.Success, error.GetMessage());
        return (new Outcome(false, int.Parse(match.Groups[1].Value), match.Groups[2].Value), error.Id);
    }

    // The runtime's verdict: the architecture's canonical string, or the InvalidArchitectureException's line and message.
    private static Outcome RunTime(object space, string json)
    {
        try
        {
            object architecture = space.GetType().GetMethod("FromJson")!.Invoke(space, [json])!;
            return new Outcome(true, 0, (string)space.GetType().GetMethod("ToCanonicalString")!.Invoke(space, [architecture])!);
        }
        catch (TargetInvocationException e)
        {
            var error = Assert.IsType<InvalidArchitectureException>(e.InnerException);
            var match = RuntimeMessage().Match(error.Message);
            Assert.True(match.Success, error.Message);
            return new Outcome(false, int.Parse(match.Groups[1].Value), match.Groups[2].Value);
        }
    }

    // The space compiled with its generated code and loaded, so FromJson is the generated space's own.
    private static object LoadRuntimeSpace()
    {
        var run = GeneratorDriverRunner.Run(TestCompilation.FromSource(Space)).AssertOutputCompiles();
        using var image = new MemoryStream();
        var emitted = run.OutputCompilation.WithAssemblyName("JsonCorpus" + Guid.NewGuid().ToString("N")).Emit(image);
        Assert.True(emitted.Success, string.Join("\n", emitted.Diagnostics));
        var assembly = Assembly.Load(image.ToArray());
        return assembly.GetType("Demo.Net")!.GetProperty("Space")!.GetValue(null)!;
    }

    private static IEnumerable<(string Name, string Json)> Corpus(string fingerprint)
    {
        var valid = Valid.Select(p => (p.Key, p.Key == "$fingerprint" ? "\"" + fingerprint + "\"" : p.Value)).ToList();
        string Write(IEnumerable<(string Key, string Value)> pairs) =>
            "{\n" + string.Join(",\n", pairs.Select(p => "  " + Quote(p.Key) + ": " + p.Value)) + "\n}\n";
        string text = Write(valid);

        yield return ("valid", text);
        yield return ("valid, compact", text.Replace("\n", "").Replace("  ", ""));
        yield return ("valid with a byte order mark", "\uFEFF" + text);
        yield return ("valid, head flattened", Write(valid.Where(p => p.Key != "head").Append(("head.dropout", "0"))));
        yield return ("valid with an unknown $ key", Write(valid.Append(("$comment", "\"exported by hand\""))));
        for (int i = 0; i < valid.Count; i++)
        {
            var (key, value) = valid[i];
            yield return ($"{key} removed", Write(valid.Where((_, j) => j != i)));
            yield return ($"{key} twice", Write(valid.Take(i + 1).Append((key, value)).Concat(valid.Skip(i + 1))));
            yield return ($"{key} twice, other value", Write(valid.Append((key, "0"))));
            foreach (string other in Retyped)
                yield return ($"{key} = {Shown(other)}", Write(valid.Select((p, j) => j == i ? (p.Key, other) : p)));
        }
        foreach (string key in new[] { "depth", "", "Width", "head.", "head.depth", "$", Huge, "\\ud800", "a\\u0000b" })
            yield return ($"unknown key {Shown(key)}", Write(valid.Append((key, "1"))));
        yield return ("unknown key in head", Write(valid.Select(p => p.Key == "head" ? (p.Key, "{ \"dropout\": 0.5, \"depth\": 1 }") : p)));
        yield return ("duplicate key in head", Write(valid.Select(p => p.Key == "head" ? (p.Key, "{ \"dropout\": 0.5, \"dropout\": 0 }") : p)));
        yield return ("head empty", Write(valid.Select(p => p.Key == "head" ? (p.Key, "{}") : p)));
        foreach (string taps in WideSelections)
            yield return ($"taps = {Shown(taps)}", Write(valid.Select(p => p.Key == "taps" ? (p.Key, taps) : p)));

        // Truncations at 60 places, and single characters replaced by ones that break the syntax.
        for (int n = 0; n < 60; n++)
        {
            int cut = n * text.Length / 60;
            yield return ($"truncated at {cut}", text.Substring(0, cut));
        }
        foreach (char bad in "{}[]:,\"\\\u0000\ud800x")
            for (int at = 7; at < text.Length; at += 37)
                yield return ($"'{Shown(bad.ToString())}' at {at}", text.Substring(0, at) + bad + text.Substring(at + 1));

        foreach (string root in new[] { "", " ", "null", "1", "\"net\"", "[]", "[" + text + "]", "{} {}", text + " x",
                     new string('[', 100) + new string(']', 100), "{ \"head\": " + new string('[', 70) + new string(']', 70) + " }", "// comment\n" + text })
            yield return ($"root {Shown(root)}", root);
    }

    private static string Quote(string key) => key.StartsWith('\\') || key.Contains("\\u") ? "\"" + key + "\"" : System.Text.Json.JsonSerializer.Serialize(key);

    private static string Shown(string text) => text.Length <= 40 ? text.Replace("\n", "\\n") : text.Substring(0, 40).Replace("\n", "\\n") + $"… ({text.Length} chars)";

    [GeneratedRegex(@"^// Architecture: (.*)$", RegexOptions.Multiline)]
    private static partial Regex ArchitectureComment();

    [GeneratedRegex(@"^\[FixedArchitecture\] on 'BestNet': best\.arch\.json\((\d+)\): (.*)$", RegexOptions.Singleline)]
    private static partial Regex DiagnosticMessage();

    [GeneratedRegex(@"^net, line (\d+): (.*)$", RegexOptions.Singleline)]
    private static partial Regex RuntimeMessage();
}
