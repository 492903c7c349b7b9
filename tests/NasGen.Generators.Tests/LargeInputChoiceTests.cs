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
/// choice whose selections cannot be numbered by an int is NASG035 at the 'chosen' argument.
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
        }
        """;

    [Fact]
    public void An_input_choice_of_32_of_64_inputs_is_NASG035_at_the_chosen_argument()
    {
        var run = GeneratorDriverRunner.Run(Space("[InputChoice(64, 32)]"));
        Assert.Null(run.Result.Exception);
        var diagnostic = Assert.Single(run.GeneratorDiagnostics, d => d.Severity == DiagnosticSeverity.Error);
        Assert.Equal("NASG035", diagnostic.Id);
        Assert.Equal("32", TestCompilation.LocatedText(run.InputCompilation, diagnostic));
        Assert.Contains("1832624140942590534 selections", diagnostic.GetMessage());
    }

    [Fact]
    public void Seven_million_selections_answer_every_operation_in_a_few_megabytes()
    {
        var run = GeneratorDriverRunner.Run(Space("[InputChoice(64, 5)]")).AssertClean();
        using var image = new MemoryStream();
        Assert.True(run.OutputCompilation.WithAssemblyName("Wide" + Guid.NewGuid().ToString("N")).Emit(image).Success);
        var type = Assembly.Load(image.ToArray()).GetType("Demo.Wide")!;
        var random = new Random(7);

        // From the first access to Space (which used to list every selection) to the last operation.
        long before = GC.GetAllocatedBytesForCurrentThread();
        object space = type.GetProperty("Space")!.GetValue(null)!;
        var call = (string name, object[] arguments) => space.GetType().GetMethod(name)!.Invoke(space, arguments)!;
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
