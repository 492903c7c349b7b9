using System.Linq;
using Microsoft.CodeAnalysis;
using NasGen.Generators.Tests.Infrastructure;

namespace NasGen.Generators.Tests;

/// <summary>
/// [FixedArchitecture]: a JSON that fits the space becomes the class body (which compiles cleanly); every kind of
/// mismatch is a compile error at the attribute that names the file, the line and the label.
/// </summary>
public sealed class FixedArchitectureTests
{
    private const string Space = """
        namespace Demo;

        public enum Act { Relu, Tanh }

        [SearchSpace(Name = "net")]
        public sealed partial class Net : Module<Tensor, Tensor>
        {
            [Choice(8, 16)] public partial int Width { get; }
            [Choice] public partial Act Act { get; }
            [LayerChoice(nameof(Small), nameof(Large))] public partial Module<Tensor, Tensor> Block { get; }
            [Repeat(0, 2, nameof(Extra))] public partial Sequential Stack { get; }
            [InputChoice(2, 1)] public partial InputChoice Skip { get; }
            [SubSpace] public partial Head Head { get; }

            private readonly Module<Tensor, Tensor> stem;

            public Net(Architecture architecture) : base(nameof(Net))
            {
                InitializeChoices(architecture);
                stem = Conv2d(1, Width, 3, padding: 1);
                RegisterComponents();
            }

            private Module<Tensor, Tensor> Small() => Conv2d(Width, Width, 1);
            private Module<Tensor, Tensor> Large() => Conv2d(Width, Width, 3, padding: 1);
            private Module<Tensor, Tensor> Extra(int index) => Act == Act.Relu ? ReLU() : Tanh();

            public override Tensor forward(Tensor input)
            {
                var x = stem.call(input);
                var y = Stack.call(Block.call(x));
                return Head.call(Skip.Select(x, x + y).mean([2, 3]));
            }
        }
        """ + "\n\n" + HeadSpace;

    // A one-choice space other tests nest too.
    internal const string HeadSpace = """
        [SearchSpace(Name = "head")]
        public sealed partial class Head : Module<Tensor, Tensor>
        {
            [Choice(0.0, 0.5)] public partial double Dropout { get; }
            private readonly Module<Tensor, Tensor> drop;

            public Head(Architecture architecture) : base(nameof(Head))
            {
                InitializeChoices(architecture);
                drop = Dropout(Dropout);
                RegisterComponents();
            }

            public override Tensor forward(Tensor input) => drop.call(input);
        }
        """;

    private const string Valid = """
        {
          "$space": "net",
          "width": 16,
          "act": "Tanh",
          "block": "Large",
          "stack": 2,
          "skip": [1],
          "head": {
            "dropout": 0.5
          }
        }
        """;

    // The space nests Head, so it also gets NASG034 (an Info: no supernet); only errors matter here.
    private static System.Collections.Generic.List<Diagnostic> Errors(GeneratorRun run) =>
        run.GeneratorDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToList();

    private static GeneratorRun Run(string? json, string attribute = "[FixedArchitecture(typeof(Net), \"best.arch.json\")]",
        string declaration = "public partial class BestNet", string path = "/src/best.arch.json")
    {
        var tree = TestCompilation.Parse(TestCompilation.Usings + Space + "\n\n" + attribute + "\n" + declaration + "\n{\n}\n");
        var files = json is null ? [] : new AdditionalText[] { new InMemoryAdditionalText(path, json) };
        return GeneratorDriverRunner.Run(TestCompilation.Create(tree), GeneratorDriverRunner.CreateDriver(files));
    }

    // A run over `trees` whose best.arch.json holds `json`.
    private static GeneratorRun RunFixed(string json, params SyntaxTree[] trees) =>
        GeneratorDriverRunner.Run(TestCompilation.Create(trees), GeneratorDriverRunner.CreateDriver([new InMemoryAdditionalText("/src/best.arch.json", json)]));

    // The generated App.BestNet compiles with nothing but its empty declaration: no space, no global usings.
    private static void AssertCompilesAlone(string fixedSource)
    {
        var alone = TestCompilation.Create(TestCompilation.Parse(fixedSource, "BestNet.cs"),
            TestCompilation.Parse("namespace App { public partial class BestNet { } }", "Declaration.cs"));
        var errors = alone.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        Assert.True(errors.Count == 0, string.Join("\n", errors) + "\n\n" + fixedSource);
    }

    [Fact]
    public void A_fitting_architecture_becomes_the_class_body()
    {
        var run = Run(Valid).AssertClean();
        string source = run.Source("Demo.BestNet.Fixed.g.cs");
        Assert.Contains("// Architecture: width=16;act=Tanh;block=Large;stack=2;skip=[1];head.dropout=0.5", source);
        Assert.Contains("partial class BestNet : Module<Tensor, Tensor>", source);
        Assert.Contains("public BestNet() : base(nameof(BestNet))", source);
        Assert.Contains("block = Large();", source);
        Assert.DoesNotContain("Small()", source);
        Assert.Contains("stack = Sequential((\"0\", Extra(0)), (\"1\", Extra(1)));", source);
        Assert.Contains("private Module<Tensor, Tensor> Extra(int index) => Tanh();", source);
        Assert.Contains("return Head.call((x + y).mean([2, 3]));", source);
        Assert.Contains("public sealed class HeadNetwork : Module<Tensor, Tensor>", source);
        Assert.Contains("public HeadNetwork Head => head;", source);
        Assert.Contains("public double Dropout => 0.5;", source);
        Assert.DoesNotContain("InitializeChoices", source);
    }

    [Fact]
    public void An_indexed_layer_choice_builds_the_chosen_module_at_each_position()
    {
        static GeneratorRun RunStack(string json)
        {
            var tree = TestCompilation.Parse(TestCompilation.Usings + Sources.IndexedLayers
                + "\n\n[FixedArchitecture(typeof(Stack), \"best.arch.json\")]\npublic partial class BestStack\n{\n}\n");
            return RunFixed(json, tree);
        }

        var run = RunStack("""{ "$space": "stack", "width": 8, "blocks": { "0": "Wide", "1": "Skip", "2": "Wide" } }""").AssertClean();
        string source = run.Source("Demo.Stacks.BestStack.Fixed.g.cs");
        Assert.Contains("// Architecture: width=8;blocks.0=Wide;blocks.1=Skip;blocks.2=Wide", source);
        Assert.Contains("blocks = new ModuleList<Module<Tensor, Tensor>>(Wide(0), Skip(1), Wide(2));", source);
        Assert.DoesNotContain("Narrow", source);

        var wrong = RunStack("""{ "$space": "stack", "width": 8, "blocks": { "0": "Wide", "1": "Huge", "2": "Wide" } }""");
        var diagnostic = Assert.Single(Errors(wrong));
        Assert.Equal("NASG029", diagnostic.Id);
        Assert.Contains("'blocks.1' is", diagnostic.GetMessage());
        Assert.Contains("Huge", diagnostic.GetMessage());
        Assert.Contains("Narrow, Wide, Skip", diagnostic.GetMessage());
    }

    [Fact]
    public void A_long_list_of_chosen_modules_continues_on_lines_of_up_to_100_characters()
    {
        const string source = """
            namespace Demo
            {
                [SearchSpace(Name = "deep")]
                public sealed partial class Deep : Module<Tensor, Tensor>
                {
                    [LayerChoice(nameof(Narrow), nameof(Wide), Count = 40)] public partial ModuleList<Module<Tensor, Tensor>> Blocks { get; }

                    public Deep(Architecture architecture) : base(nameof(Deep))
                    {
                        InitializeChoices(architecture);
                        RegisterComponents();
                    }

                    private Module<Tensor, Tensor> Narrow(int position) => Identity();

                    private Module<Tensor, Tensor> Wide(int position) => Identity();

                    public override Tensor forward(Tensor input)
                    {
                        var x = input;
                        for (int i = 0; i < Blocks.Count; i++) x = Blocks[i].call(x);
                        return x;
                    }
                }
            }

            namespace App
            {
                [FixedArchitecture(typeof(Demo.Deep), "best.arch.json")]
                public partial class BestDeep
                {
                }
            }
            """;
        string positions = string.Join(", ", Enumerable.Range(0, 40).Select(i => $"\"{i}\": \"{(i % 3 == 0 ? "Wide" : "Narrow")}\""));
        var run = RunFixed($$"""{ "$space": "deep", "blocks": { {{positions}} } }""", TestCompilation.Parse(TestCompilation.Usings + source));
        run.AssertClean();

        var lines = run.Source("App.BestDeep.Fixed.g.cs").ReplaceLineEndings("\n").Split('\n');
        int start = System.Array.IndexOf(lines, "        blocks = new ModuleList<Module<Tensor, Tensor>>(");
        Assert.True(start > 0, string.Join("\n", lines));
        Assert.StartsWith("            Wide(0), Narrow(1), Narrow(2), Wide(3),", lines[start + 1]);
        int end = System.Array.FindIndex(lines, start, l => l.EndsWith("Narrow(38), Wide(39));", System.StringComparison.Ordinal));
        Assert.True(end > start + 1, string.Join("\n", lines));
        Assert.All(lines[(start + 1)..(end + 1)], l => Assert.True(l.StartsWith("            ", System.StringComparison.Ordinal) && l.Length <= 12 + 100, l));
    }

    [Fact]
    public void A_space_type_named_like_a_torch_member_keeps_its_meaning_in_another_namespace()
    {
        // `using static TorchSharp.torch;` brings in the method `where`; in the space's own namespace the enum wins,
        // and the exported class must see it the same way (found by NASGEN_FUZZ_SEED=2684541: CS0119).
        const string source = """
            namespace Ops
            {
                public enum @where { Skip, Conv }

                [SearchSpace(Name = "net")]
                public sealed partial class Net : Module<Tensor, Tensor>
                {
                    [Choice] public partial @where Kind { get; }

                    public Net(Architecture architecture) : base(nameof(Net)) => InitializeChoices(architecture);

                    public override Tensor forward(Tensor input) => Scale(Kind) * input;

                    private static double Scale(@where kind) => kind == @where.Skip ? 1.0 : 2.0;
                }
            }

            namespace App
            {
                [FixedArchitecture(typeof(Ops.Net), "best.arch.json")]
                public partial class BestNet
                {
                }
            }
            """;
        var tree = TestCompilation.Parse(TestCompilation.Usings + source);
        var run = RunFixed("""{ "$space": "net", "kind": "Conv" }""", tree);
        run.AssertClean();
        string fixedSource = run.Source("App.BestNet.Fixed.g.cs");
        Assert.Contains("namespace App;\n\nusing Ops;\n", fixedSource.ReplaceLineEndings("\n"));
        Assert.Contains("public global::Ops.where Kind => global::Ops.where.Conv;", fixedSource);
        Assert.Contains("private static double Scale(@where kind) => kind == @where.Skip ? 1.0 : 2.0;", fixedSource);
    }

    [Fact]
    public void The_projects_global_usings_of_dotnet_and_TorchSharp_go_into_the_export_and_no_others()
    {
        // A project with ImplicitUsings and global usings of its own: the space's file has no using directive, and
        // the exported class must still compile on its own (the space uses Math and LINQ).
        var globals = TestCompilation.Parse("""
            global using System;
            global using global::System.Linq;
            global using TorchSharp.Modules;
            global using static TorchSharp.torch;
            global using static TorchSharp.torch.nn;
            global using NasGen;
            global using Helpers;
            global using Numbers = System.Collections.Generic.List<int>;
            """, "GlobalUsings.cs");
        var space = TestCompilation.Parse("""
            namespace Helpers { public static class Unused { } }

            namespace Demo
            {
                [SearchSpace(Name = "net")]
                public sealed partial class Net : Module<Tensor, Tensor>
                {
                    [Choice(1, 2)] public partial int Scale { get; }

                    private readonly Linear linear;

                    public Net(Architecture architecture) : base(nameof(Net))
                    {
                        InitializeChoices(architecture);
                        linear = Linear(4, Math.Max(2, Scale));
                        RegisterComponents();
                    }

                    public override Tensor forward(Tensor input) => linear.call(input) * new[] { 1, 2, 3 }.Count(x => x > Scale);
                }
            }

            namespace App
            {
                [FixedArchitecture(typeof(Demo.Net), "best.arch.json")]
                public partial class BestNet
                {
                }
            }
            """);
        var run = RunFixed("""{ "$space": "net", "scale": 2 }""", globals, space);
        run.AssertClean();

        string fixedSource = run.Source("App.BestNet.Fixed.g.cs").ReplaceLineEndings("\n");
        foreach (string kept in new[] { "using System;", "using System.Linq;", "using TorchSharp.Modules;", "using static TorchSharp.torch;",
                     "using static TorchSharp.torch.nn;" })
            Assert.Contains(kept + "\n", fixedSource);
        Assert.DoesNotContain("using Helpers;", fixedSource);
        Assert.DoesNotContain("using Numbers", fixedSource); // an alias cannot be declared twice in the project
        Assert.DoesNotContain("using NasGen;", fixedSource);

        // Alone: without the global usings, the space and NasGen's generated code.
        AssertCompilesAlone(fixedSource);
    }

    [Fact]
    public void Classes_beside_the_space_in_its_file_that_it_uses_are_nested_in_the_export()
    {
        // ConvBn is used by the space, Padding only through ConvBn, Unused by nothing: the export nests the first two.
        const string source = Sources.BesideClasses + """

            namespace App
            {
                [FixedArchitecture(typeof(Demo.Net), "best.arch.json")]
                public partial class BestNet
                {
                }
            }
            """;
        var run = RunFixed("""{ "$space": "net", "kernel": 5 }""", TestCompilation.Parse(TestCompilation.Usings + source));
        run.AssertClean();

        string fixedSource = run.Source("App.BestNet.Fixed.g.cs").ReplaceLineEndings("\n");
        Assert.Contains("\n    internal sealed class ConvBn : Module<Tensor, Tensor>\n", fixedSource);
        Assert.Contains("\n    internal static class Padding\n", fixedSource);
        Assert.DoesNotContain("Unused", fixedSource);

        // Alone, the export's ConvBn and Padding are the only ones: the space's file is not there.
        AssertCompilesAlone(fixedSource);
    }

    [Fact]
    public void A_documented_member_keeps_its_indentation()
    {
        // A doc comment's span starts after its `///`: taken for the member's indentation, the body lost three columns.
        const string source = """
            namespace Demo
            {
                [SearchSpace(Name = "net")]
                public sealed partial class Net : Module<Tensor, Tensor>
                {
                    [Choice(2, 4)] public partial int Width { get; }

                    private readonly Linear linear;

                    /// <summary>The network.</summary>
                    public Net(Architecture architecture) : base(nameof(Net))
                    {
                        InitializeChoices(architecture);
                        linear = Linear(Width, Width);
                        RegisterComponents();
                    }

                    /// <inheritdoc />
                    public override Tensor forward(Tensor input)
                    {
                        return linear.call(input);
                    }
                }
            }

            namespace App
            {
                [FixedArchitecture(typeof(Demo.Net), "best.arch.json")]
                public partial class BestNet
                {
                }
            }
            """;
        var run = RunFixed("""{ "$space": "net", "width": 4 }""", TestCompilation.Parse(TestCompilation.Usings + source));
        run.AssertClean();
        string fixedSource = run.Source("App.BestNet.Fixed.g.cs").ReplaceLineEndings("\n");
        Assert.True(fixedSource.Contains("""

                /// <summary>The network.</summary>
                public BestNet() : base(nameof(BestNet))
                {
                    linear = Linear(Width, Width);
                    RegisterComponents();
                }

                /// <inheritdoc />
                public override Tensor forward(Tensor input)
                {
                    return linear.call(input);
                }

            """.ReplaceLineEndings("\n")), fixedSource);
    }

    [Fact]
    public void A_path_that_matches_the_end_of_an_additional_file_is_found()
    {
        Run(Valid, path: "/elsewhere/models/best.arch.json").AssertClean();
    }

    [Theory]
    [InlineData("{ \"width\": 16, \"act\": \"Tanh\", \"block\": \"Large\", \"stack\": 2, \"skip\": [1], \"head\": { \"dropout\": 0.5 }, \"depth\": 3 }",
        "NASG028", "best.arch.json(1): \"depth\" is not a label of search space 'net'")]
    [InlineData("{\n \"width\": 12,\n \"act\": \"Tanh\", \"block\": \"Large\", \"stack\": 2, \"skip\": [1], \"head\": { \"dropout\": 0.5 } }",
        "NASG029", "best.arch.json(2): 'width' is 12, which is not among its candidates 8, 16")]
    [InlineData("{ \"width\": 16, \"act\": \"Tanh\", \"block\": \"Large\", \"stack\": 2, \"skip\": [1],\n \"head\": {\n \"dropout\": 0.25 } }",
        "NASG029", "best.arch.json(3): 'head.dropout' is 0.25, which is not among its candidates 0, 0.5")]
    [InlineData("{ \"width\": 16, \"act\": \"Tanh\", \"block\": \"Large\", \"stack\": 2, \"head\": { \"dropout\": 0.5 } }",
        "NASG030", "best.arch.json(1): label 'skip' is missing; its candidates are [0], [1]")]
    [InlineData("{ \"width\": 16,\n\n \"act\": \"Tanh\" \"block\": \"Large\" }",
        "NASG027", "best.arch.json(3): malformed JSON: expected '}', found '\"'")]
    [InlineData("[1, 2]", "NASG027", "best.arch.json(1): an architecture is one JSON object, not an array")]
    [InlineData("{ \"$fingerprint\": \"0000000000000000\", \"width\": 16, \"act\": \"Tanh\", \"block\": \"Large\", \"stack\": 2, \"skip\": [1], \"head\": { \"dropout\": 0.5 } }",
        "NASG031", "best.arch.json(1): the search space 'net' has changed since this architecture was exported (fingerprint \"0000000000000000\", now")]
    public void A_mismatch_is_an_error_at_the_attribute_naming_the_file_line_and_label(string json, string id, string message)
    {
        var run = Run(json);
        var diagnostic = Assert.Single(Errors(run));
        Assert.Equal(id, diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        Assert.Contains("[FixedArchitecture] on 'BestNet': " + message, diagnostic.GetMessage());
        Assert.Equal("FixedArchitecture(typeof(Net), \"best.arch.json\")", TestCompilation.LocatedText(run.InputCompilation, diagnostic));
        Assert.DoesNotContain("Demo.BestNet.Fixed.g.cs", run.Sources.Keys);
    }

    [Fact]
    public void A_file_missing_from_AdditionalFiles_is_an_error()
    {
        var run = Run(null);
        var diagnostic = Assert.Single(Errors(run));
        Assert.Equal("NASG026", diagnostic.Id);
        Assert.Contains("'best.arch.json' is not among the project's AdditionalFiles", diagnostic.GetMessage());
    }

    [Theory]
    [InlineData("[FixedArchitecture(typeof(Net), \"best.arch.json\")]", "public class BestNet", "declare 'BestNet' partial")]
    [InlineData("[FixedArchitecture(typeof(Act), \"best.arch.json\")]", "public partial class BestNet", "'Demo.Act' is not a [SearchSpace] class")]
    [InlineData("[FixedArchitecture(typeof(Net), \"best.arch.json\")]", "public partial class Width", "'Width' names a member of the space")]
    public void A_class_that_cannot_take_the_body_is_an_error(string attribute, string declaration, string message)
    {
        var run = Run(Valid, attribute, declaration);
        var diagnostic = Assert.Single(Errors(run));
        Assert.Equal("NASG032", diagnostic.Id);
        Assert.Contains(message, diagnostic.GetMessage());
    }

    [Fact]
    public void Nothing_from_the_json_reaches_the_code()
    {
        // Values are matched to candidates; only the candidates' own text (from the space's source) is written.
        string crafted = Valid.Replace("\"Large\"", "\"Large\\n}\\nclass Evil { }\"");
        var run = Run(crafted);
        Assert.Equal("NASG029", Assert.Single(Errors(run)).Id);
        Assert.Empty(run.Sources.Keys.Where(k => k.Contains("Fixed")));
    }
}
