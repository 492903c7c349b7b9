using System;
using System.IO;
using System.Linq;
using System.Numerics;
using System.Reflection;
using Microsoft.CodeAnalysis;
using NasGen.Generators.Tests.Infrastructure;

namespace NasGen.Generators.Tests;

/// <summary>
/// Input choices with many candidates: every operation ranks or unranks selections instead of listing them, and a
/// choice of more selections than an int numbers (wide) carries its selection beside the codes, and [FixedArchitecture]
/// bakes the file's selection into the class; more than 64 inputs is NASG035 at the 'inputs' argument.
/// </summary>
public sealed class LargeInputChoiceTests
{
    private static string Space(string inputChoice) => $$"""
        namespace Demo;

        [SearchSpace(Name = "wide")]
        public partial class Wide
        {
            {{inputChoice}} public partial InputChoice Skips { get; }
            [Choice(1, 2)] public partial int Width { get; }

            public Wide(Architecture architecture)
            {
                InitializeChoices(architecture);
            }
        }
        """;

    [Fact]
    public void An_input_choice_of_65_inputs_is_NASG035_at_the_inputs_argument()
    {
        var run = GeneratorDriverRunner.Run(Space("[InputChoice(65, 2)]"));
        Assert.Null(run.Result.Exception);
        var diagnostic = Assert.Single(run.GeneratorDiagnostics, d => d.Severity == DiagnosticSeverity.Error);
        Assert.Equal("NASG035", diagnostic.Id);
        Assert.Equal("65", TestCompilation.LocatedText(run.InputCompilation, diagnostic));
        Assert.Contains("offers 65 inputs, more than the 64", diagnostic.GetMessage());
    }

    [Fact]
    public void An_input_choice_of_32_of_64_inputs_compiles_clean_and_carries_its_selection_beside_the_codes()
    {
        // Nested in another space, its numbers pass through the outer space's numbers vector.
        const string outer = """

            [SearchSpace(Name = "outer")]
            public partial class Outer
            {
                [Choice(3, 5)] public partial int Depth { get; }
                [SubSpace] public partial Wide Inner { get; }
            }
            """;
        var run = GeneratorDriverRunner.Run(Space("[InputChoice(64, 32)]") + outer).AssertClean();
        string space = string.Join("\n", run.Sources.Values);
        Assert.Contains("codes[SkipsAt] = SkipsCandidates.Contains(architecture.Skips) ? 0 : -1;", space);
        Assert.Contains("numbers[SkipsAt] = global::NasGen.InputSelections.ToNumber(architecture.Skips);", space);
        Assert.Contains("SkipsCandidates.FromNumber(numbers[SkipsAt])", space);
        var (call, random) = (Load(run, "Demo.Wide"), new Random(9));

        long before = GC.GetAllocatedBytesForCurrentThread();
        var cardinality = (BigInteger)call("get_Cardinality", []);
        Assert.Equal(BigInteger.Parse("1832624140942590534") * 2, cardinality);
        for (int i = 0; i < 100; i++)
        {
            object mutated = call("Mutate", [call("Sample", [random]), random, 1]);
            Assert.Equal(mutated, call("FromIndex", [call("IndexOf", [mutated])]));
            Assert.Equal(mutated, call("FromJson", [call("ToJson", [mutated])]));
        }
        Assert.Equal("skips=[" + string.Join(",", Enumerable.Range(32, 32)) + "];width=2", call("ToCanonicalString", [call("FromIndex", [cardinality - 1])]));

        var outerCall = Load(run, "Demo.Outer");
        Assert.Equal(cardinality * 2, (BigInteger)outerCall("get_Cardinality", []));
        for (int i = 0; i < 100; i++)
        {
            object mutated = outerCall("Mutate", [outerCall("Sample", [random]), random, 2]);
            Assert.Equal(mutated, outerCall("FromIndex", [outerCall("IndexOf", [mutated])]));
            Assert.Equal(mutated, outerCall("FromJson", [outerCall("ToJson", [mutated])]));
            Assert.Equal(mutated, outerCall("Parse", [outerCall("ToCanonicalString", [mutated])]));
        }
        Assert.Equal("depth=5;inner.skips=[" + string.Join(",", Enumerable.Range(32, 32)) + "];inner.width=2",
            outerCall("ToCanonicalString", [outerCall("FromIndex", [cardinality * 2 - 1])]));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated < 8_000_000, $"{allocated:N0} bytes allocated");
    }

    // Two wide input choices used through Select with one argument per input, in a space nested in another.
    private static readonly string WideSelectSpaces = $$"""
        namespace Demo;

        [SearchSpace(Name = "wide")]
        public partial class Net : Module<Tensor, Tensor>
        {
            [InputChoice(64, 32, InputReduction.Mean)] public partial InputChoice Skips { get; }
            [InputChoice(40, 20)] public partial InputChoice Taps { get; }

            public Net(Architecture architecture) : base(nameof(Net))
            {
                InitializeChoices(architecture);
                RegisterComponents();
            }

            public override Tensor forward(Tensor input)
            {
                var x = Skips.Select({{string.Join(", ", Enumerable.Range(1, 64).Select(i => $"input * {i}"))}});
                return Taps.Select({{string.Join(", ", Enumerable.Range(1, 40).Select(i => $"x * {i}"))}});
            }
        }

        [SearchSpace(Name = "outer")]
        public partial class Outer : Module<Tensor, Tensor>
        {
            [Choice(1, 2)] public partial int Depth { get; }
            [SubSpace] public partial Net Inner { get; }

            public Outer(Architecture architecture) : base(nameof(Outer))
            {
                InitializeChoices(architecture);
                RegisterComponents();
            }

            public override Tensor forward(Tensor input) => Inner.call(input) * Depth;
        }

        [FixedArchitecture(typeof(Outer), "best.arch.json")]
        public partial class BestOuter
        {
        }
        """;

    private static GeneratorRun RunFixedWide(string skips, string taps) =>
        GeneratorDriverRunner.Run(TestCompilation.Create(TestCompilation.Parse(TestCompilation.Usings + WideSelectSpaces)),
            GeneratorDriverRunner.CreateDriver([new InMemoryAdditionalText("/src/best.arch.json",
                $$"""{ "$space": "outer", "depth": 2, "inner": { "skips": [{{skips}}], "taps": [{{taps}}] } }""")]));

    [Fact]
    public void A_fixed_architecture_of_wide_input_choices_writes_the_selected_inputs_arguments()
    {
        // Unsorted in the file; the selections are sets.
        int[] skips = Enumerable.Range(0, 32).Select(i => (i * 37 + 5) % 64).ToArray();
        int[] taps = Enumerable.Range(0, 20).Select(i => 39 - 2 * i).ToArray();
        var run = RunFixedWide(string.Join(", ", skips), string.Join(", ", taps)).AssertClean();
        string source = run.Source("Demo.BestOuter.Fixed.g.cs");
        Assert.Contains($"// Architecture: depth=2;inner.skips=[{string.Join(",", skips.Order())}];inner.taps=[{string.Join(",", taps.Order())}]\n", source);
        string skipsMean = "((" + string.Join(") + (", skips.Order().Select(i => $"input * {i + 1}")) + ")) / 32";
        Assert.Contains($"var x = {skipsMean};", source);
        Assert.Contains("return (" + string.Join(") + (", taps.Order().Select(i => $"x * {i + 1}")) + ");", source);
    }

    // Selections of 32 of 64 (skips) and 20 of 40 (taps) inputs, one of them wrong.
    public static TheoryData<string, int[], int[], string> WrongSelections => new()
    {
        { "31 inputs", [.. Enumerable.Range(0, 31)], [.. Enumerable.Range(0, 20)], "'inner.skips' is [0,1,2," },
        { "33 inputs", [.. Enumerable.Range(0, 33)], [.. Enumerable.Range(0, 20)], "'inner.skips' is [0,1,2," },
        { "an input beyond the 40", [.. Enumerable.Range(0, 32)], [.. Enumerable.Range(0, 19), 45], "'inner.taps' is [0,1,2," },
        { "an input twice", [.. Enumerable.Range(0, 32)], [.. Enumerable.Range(0, 19), 3], "'inner.taps' is [0,1,2," },
    };

    [Theory]
    [MemberData(nameof(WrongSelections))]
    public void A_wrong_selection_of_a_wide_input_choice_is_NASG029_naming_what_it_takes(string what, int[] skips, int[] taps, string message)
    {
        var run = RunFixedWide(string.Join(", ", skips), string.Join(", ", taps));
        Assert.Null(run.Result.Exception);
        var diagnostic = Assert.Single(run.GeneratorDiagnostics, d => d.Severity == DiagnosticSeverity.Error);
        Assert.True(diagnostic.Id == "NASG029", what);
        Assert.True(diagnostic.GetMessage().Contains(message, StringComparison.Ordinal), diagnostic.GetMessage());
        Assert.EndsWith(message.Contains("skips") ? "which is not any 32 of the inputs 0..63" : "which is not any 20 of the inputs 0..39", diagnostic.GetMessage());
    }

    // The generated assembly loaded, and a call on its Space by method name.
    private static Func<string, object[], object> Load(GeneratorRun run, string type)
    {
        using var image = new MemoryStream();
        Assert.True(run.OutputCompilation.WithAssemblyName("Wide" + Guid.NewGuid().ToString("N")).Emit(image).Success);
        object space = Assembly.Load(image.ToArray()).GetType(type)!.GetProperty("Space")!.GetValue(null)!;
        return (name, arguments) => space.GetType().GetMethod(name)!.Invoke(space, arguments)!;
    }

    [Fact]
    public void Seven_million_selections_answer_every_operation_in_a_few_megabytes()
    {
        var run = GeneratorDriverRunner.Run(Space("[InputChoice(64, 5)]")).AssertClean();
        var random = new Random(7);

        // From the first access to Space (which used to list every selection) to the last operation.
        long before = GC.GetAllocatedBytesForCurrentThread();
        var call = Load(run, "Demo.Wide");
        Assert.Equal(new BigInteger(7_624_512) * 2, (BigInteger)call("get_Cardinality", []));
        for (int i = 0; i < 200; i++)
        {
            object sampled = call("Sample", [random]);
            object mutated = call("Mutate", [sampled, random, 1]);
            Assert.NotEqual(sampled, mutated);
            var index = (BigInteger)call("IndexOf", [mutated]);
            Assert.Equal(mutated, call("FromIndex", [index]));
            Assert.Equal(mutated, call("FromJson", [call("ToJson", [mutated])]));
            Assert.Equal(mutated, call("Parse", [call("ToCanonicalString", [mutated])]));
        }
        object last = call("FromIndex", [(BigInteger)call("get_Cardinality", []) - 1]);
        Assert.Equal("skips=[59,60,61,62,63];width=2", call("ToCanonicalString", [last]));
        Assert.Equal(16, ((string)call("get_Fingerprint", [])).Length);
        // Neighbours swap one of the 5 chosen inputs for one of the 59 others, and change the width.
        Assert.Equal(5 * 59 + 1, ((System.Collections.IEnumerable)call("Neighbours", [last])).Cast<object>().Count());
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        // Listing the selections took over 120 MB (16 bytes each, before their candidates); computing them, a few MB.
        Assert.True(allocated < 8_000_000, $"{allocated:N0} bytes allocated");
    }
}
