using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis;
using NasGen.Generators.Tests.Infrastructure;

namespace NasGen.Generators.Tests;

/// <summary>
/// [FixedArchitecture] with [Range] labels: a number the range allows is baked into the class exactly (the same bits
/// Architecture.FromJson reads), anything else is NASG046 at the attribute naming the file, line, label, value and range.
/// </summary>
public sealed class FixedArchitectureRangeTests
{
    private const string Space = """
        namespace Demo;

        [SearchSpace(Name = "recipe")]
        public sealed partial class Recipe : Module<Tensor, Tensor>
        {
            [Range(1e-5, 0.1, Log = true)] public partial double LearningRate { get; }
            [Range(0.5, 2.0)] public partial float Scale { get; }
            [Range(0.0, 0.5, Step = 0.1)] public partial double Dropout { get; }
            [Range(8, 64, Step = 8)] public partial int Width { get; }
            private readonly Module<Tensor, Tensor> layer;

            public Recipe(Architecture architecture) : base(nameof(Recipe))
            {
                InitializeChoices(architecture);
                layer = Sequential(Linear(4, Width), Dropout(Dropout));
                RegisterComponents();
            }

            public override Tensor forward(Tensor input) => layer.call(input) * Scale * LearningRate;
        }

        [FixedArchitecture(typeof(Recipe), "best.arch.json")]
        public partial class BestRecipe
        {
        }
        """;

    private static GeneratorRun Run(string json) =>
        GeneratorDriverRunner.Run(TestCompilation.Create(TestCompilation.Parse(TestCompilation.Usings + Space)),
            GeneratorDriverRunner.CreateDriver([new InMemoryAdditionalText("/src/best.arch.json", json)]));

    private static string Json(string learningRate = "0.00031622776601683794", string scale = "1.25", string dropout = "0.3", string width = "24") =>
        $"{{\n  \"$space\": \"recipe\",\n  \"learningRate\": {learningRate},\n  \"scale\": {scale},\n  \"dropout\": {dropout},\n  \"width\": {width}\n}}\n";

    [Theory]
    [InlineData("0.00031622776601683794")]
    [InlineData("1e-5")]
    [InlineData("0.1")]
    [InlineData("0.012345678901234567")]
    [InlineData("3.1622776601683795E-4")]
    public void A_continuous_value_is_baked_in_bit_for_bit(string learningRate)
    {
        var run = Run(Json(learningRate)).AssertClean();
        string source = run.Source("Demo.BestRecipe.Fixed.g.cs");
        double expected = double.Parse(learningRate, NumberStyles.Float, CultureInfo.InvariantCulture);
        string baked = source.Split('\n').Single(l => l.Contains("double LearningRate =>")).Trim();
        string literal = baked.Substring(baked.IndexOf("=> ", System.StringComparison.Ordinal) + 3).TrimEnd(';');
        Assert.Equal(System.BitConverter.DoubleToInt64Bits(expected),
            System.BitConverter.DoubleToInt64Bits(double.Parse(literal, NumberStyles.Float, CultureInfo.InvariantCulture)));
        Assert.Contains("public float Scale => 1.25f;", source);
        Assert.Contains("public double Dropout => 0.3;", source);
        Assert.Contains("public int Width => 24;", source);
        Assert.Contains($"// Architecture: learningRate={expected.ToString("R", CultureInfo.InvariantCulture)};scale=1.25;dropout=0.3;width=24", source);
    }

    [Fact]
    public void A_float_range_holds_the_float_nearest_to_the_number()
    {
        string source = Run(Json(scale: "1.1")).AssertClean().Source("Demo.BestRecipe.Fixed.g.cs");
        Assert.Contains("public float Scale => 1.1f;", source);
        Assert.Contains(";scale=1.1;", source);
        // As Architecture.FromJson reads it: the nearest float to 2.0000001 is the bound itself.
        Assert.Contains("public float Scale => 2f;", Run(Json(scale: "2.0000001")).AssertClean().Source("Demo.BestRecipe.Fixed.g.cs"));
    }

    [Theory]
    [InlineData("learningRate", "1", "'learningRate' is 1, which is outside its range [1E-05, 0.1] log")]
    [InlineData("learningRate", "0.000009999", "'learningRate' is 0.000009999, which is outside its range [1E-05, 0.1] log")]
    [InlineData("learningRate", "1e400", "'learningRate' is 1e400, which is outside its range [1E-05, 0.1] log")]
    [InlineData("learningRate", "\"0.001\"", "'learningRate' is \"0.001\", which is not a number; its range is [1E-05, 0.1] log")]
    [InlineData("learningRate", "null", "'learningRate' is null, which is not a number; its range is [1E-05, 0.1] log")]
    [InlineData("scale", "2.001", "'scale' is 2.001, which is outside its range [0.5, 2]")]
    [InlineData("dropout", "0.25", "'dropout' is 0.25, which is not a value of its range [0, 0.5] step 0.1 (0, 0.1, 0.2, 0.3, 0.4, 0.5)")]
    [InlineData("dropout", "0.30000000000000004", "'dropout' is 0.30000000000000004, which is not a value of its range [0, 0.5] step 0.1")]
    [InlineData("width", "20", "'width' is 20, which is not a value of its range [8, 64] step 8 (8, 16, 24, 32, 40, 48, 56, 64)")]
    [InlineData("width", "true", "'width' is true, which is not a number; its range is [8, 64] step 8")]
    public void A_value_the_range_refuses_is_NASG046_naming_file_line_label_value_and_range(string label, string value, string message)
    {
        string json = label switch
        {
            "learningRate" => Json(learningRate: value),
            "scale" => Json(scale: value),
            "dropout" => Json(dropout: value),
            _ => Json(width: value),
        };
        int line = json.Split('\n').ToList().FindIndex(l => l.Contains($"\"{label}\"")) + 1;
        var run = Run(json);
        var diagnostic = Assert.Single(run.GeneratorDiagnostics, d => d.Severity == DiagnosticSeverity.Error);
        Assert.Equal("NASG046", diagnostic.Id);
        Assert.StartsWith($"[FixedArchitecture] on 'BestRecipe': best.arch.json({line}): {message}", diagnostic.GetMessage(CultureInfo.InvariantCulture));
        Assert.Equal("FixedArchitecture(typeof(Recipe), \"best.arch.json\")", TestCompilation.LocatedText(run.InputCompilation, diagnostic));
        Assert.DoesNotContain("Demo.BestRecipe.Fixed.g.cs", run.Sources.Keys);
    }

    [Fact]
    public void A_continuous_range_in_a_nested_space_is_refused_with_a_reason_not_a_crash()
    {
        // The head other tests nest, its dropout made a continuous range.
        string nested = "namespace Demo;\n\n" + FixedArchitectureTests.HeadSpace.Replace("[Choice(0.0, 0.5)]", "[Range(0.0, 0.5)]", System.StringComparison.Ordinal) + """


            [SearchSpace(Name = "net")]
            public sealed partial class Net : Module<Tensor, Tensor>
            {
                [SubSpace] public partial Head Head { get; }

                public Net(Architecture architecture) : base(nameof(Net))
                {
                    InitializeChoices(architecture);
                    RegisterComponents();
                }

                public override Tensor forward(Tensor input) => Head.call(input);
            }

            [FixedArchitecture(typeof(Net), "best.arch.json")]
            public partial class BestNet
            {
            }
            """;
        var run = GeneratorDriverRunner.Run(TestCompilation.Create(TestCompilation.Parse(TestCompilation.Usings + nested)),
            GeneratorDriverRunner.CreateDriver([new InMemoryAdditionalText("/src/best.arch.json", "{ \"head\": { \"dropout\": 0.25 } }")]));
        Assert.Null(run.Result.Exception);
        var diagnostic = Assert.Single(run.GeneratorDiagnostics, d => d.Severity == DiagnosticSeverity.Error);
        Assert.Equal("NASG032", diagnostic.Id);
        Assert.Contains("'head.dropout' is a continuous range in a nested space, which [FixedArchitecture] cannot bake in yet; give it a Step",
            diagnostic.GetMessage(CultureInfo.InvariantCulture));
    }

    [Fact]
    public void The_fingerprint_the_runtime_writes_for_a_range_is_accepted()
    {
        // The generated space's descriptor and the template name a continuous range the same way; a file exported with
        // "$fingerprint" must therefore be accepted at build time.
        var run = Run(Json()).AssertClean();
        string source = run.Source("Demo.BestRecipe.Fixed.g.cs");
        string fingerprint = source.Split('\n').Single(l => l.StartsWith("// Space fingerprint: ", System.StringComparison.Ordinal))
            .Substring("// Space fingerprint: ".Length).Trim();
        Run(Json().Replace("\"$space\": \"recipe\",", $"\"$space\": \"recipe\", \"$fingerprint\": \"{fingerprint}\",")).AssertClean();
        var other = Run(Json().Replace("\"$space\": \"recipe\",", "\"$space\": \"recipe\", \"$fingerprint\": \"0000000000000000\","));
        Assert.Equal("NASG031", Assert.Single(other.GeneratorDiagnostics, d => d.Severity == DiagnosticSeverity.Error).Id);
    }
}
