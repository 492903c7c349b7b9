using System.Linq;
using System.Text.RegularExpressions;
using NasGen.Generators.Tests.Infrastructure;

namespace NasGen.Generators.Tests;

/// <summary>Small, targeted checks of what the generator emits.</summary>
public sealed class BehaviourTests
{
    private static string Generate(string source, string hintName) =>
        GeneratorDriverRunner.Run(source).AssertClean().Source(hintName);

    private static string Space(string members, string name = "S") => $$"""
        namespace T;
        public enum Color { Red, Green, Blue }
        public enum Shade { Light, Dark, Default = Light }
        [SearchSpace]
        public partial class {{name}}
        {
        {{members}}
        }
        """;

    // Generates the one-choice space S and checks the line the choice should produce.
    private static void AssertEmits(string member, string expected) =>
        Assert.Contains(expected, Generate(Space(member), "T.S.Space.g.cs"));

    [Fact]
    public void LabelsDefaultToCamelCase() => AssertEmits(
        "[Choice(1, 2)] public partial int HiddenWidth { get; }", "global::NasGen.Dimension.Of(\"hiddenWidth\", HiddenWidthCandidates)");

    [Fact]
    public void LabelOverrideReplacesTheDefault()
    {
        string code = Generate(Space("[Choice(1, 2, Label = \"width-v2\")] public partial int HiddenWidth { get; }"), "T.S.Space.g.cs");
        Assert.Contains("global::NasGen.Dimension.Of(\"width-v2\", HiddenWidthCandidates)", code);
        Assert.DoesNotContain("\"hiddenWidth\"", code);
    }

    [Fact]
    public void CellOptionsTravelInTheShape()
    {
        const string source = """
            namespace T;
            public enum Color { Red, Green }
            [SearchSpace]
            public partial class S : Module<Tensor, Tensor>
            {
                [Cell(2, 3, 2, typeof(Color), nameof(Edge), Inputs = CellInputs.WithRepetition, Output = CellOutput.LooseEnds)] public partial Cell<Color> A { get; }
                [Cell(2, 3, 2, typeof(Color), nameof(Edge), Output = CellOutput.LooseEnds)] public partial Cell<Color> B { get; }
                [Cell(2, 3, 2, typeof(Color), nameof(Edge))] public partial Cell<Color> C { get; }
                public S(Architecture architecture) : base("s") => InitializeChoices(architecture);
                public override Tensor forward(Tensor input) => A.Forward(input, input);
                private Module<Tensor, Tensor> Edge(Color op, CellEdge edge) => ReLU();
            }
            """;
        string code = Generate(source, "T.S.Space.g.cs");
        Assert.Contains("AShape = global::NasGen.CellShape.ChosenInputs(2, 3, 2).WithOptions(global::NasGen.CellInputs.WithRepetition, global::NasGen.CellOutput.LooseEnds);", code);
        Assert.Contains("BShape = global::NasGen.CellShape.ChosenInputs(2, 3, 2).WithOptions(global::NasGen.CellInputs.Distinct, global::NasGen.CellOutput.LooseEnds);", code);
        Assert.Contains("CShape = global::NasGen.CellShape.ChosenInputs(2, 3, 2);", code);
    }

    [Fact]
    public void SubSpaceLabelsPrefixTheNestedDimensions()
    {
        var run = GeneratorDriverRunner.Run(Sources.Nested).AssertClean();
        string code = run.Source("Demo.Nested.Body.Space.g.cs");
        Assert.Contains("dimensions.Add(dimension.WithPrefix(\"head\"));", code);
        Assert.Contains("dimensions.Add(dimension.WithPrefix(\"aux\"));", code);
    }

    [Fact]
    public void SteppedRangeListsItsValuesAndKeepsTheRange()
    {
        string code = Generate(Space("[Range(0, 0.5, Step = 0.1)] public partial double Dropout { get; }"), "T.S.Space.g.cs");
        Assert.Contains("DropoutCandidates = { 0.0, 0.1, 0.2, 0.3, 0.4, 0.5 };", code);
        Assert.Contains("DropoutRange = new global::NasGen.NumericRange(0.0, 0.5, 0.1, false);", code);
        Assert.Contains("global::NasGen.Dimension.Of(\"dropout\", DropoutCandidates).WithRange(DropoutRange)", code);
        Assert.DoesNotContain("EncodeNumbers", code); // a finite space needs no numbers vector
    }

    [Fact]
    public void ContinuousRangeCarriesItsValueBesideTheCodes()
    {
        string code = Generate(Space("[Range(1e-4, 0.1, Log = true)] public partial float Rate { get; }\n[Range(1, 8)] public partial long Batch { get; }"),
            "T.S.Space.g.cs");
        Assert.Contains("RateRange = new global::NasGen.NumericRange((float)0.0001, (float)0.1, 0.0, true);", code);
        Assert.Contains("global::NasGen.Dimension.ContinuousSingle(\"rate\", RateRange)", code);
        Assert.Contains("codes[RateAt] = RateRange.Contains(architecture.Rate) ? 0 : -1;", code);
        Assert.Contains("numbers[RateAt] = architecture.Rate;", code);
        Assert.Contains("(float)numbers[RateAt],", code);
        Assert.Contains("BatchCandidates = { 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L };", code); // an integer range steps by 1
    }

    [Fact]
    public void EnumChoiceWithoutArgumentsCoversAllMembersInOrder()
    {
        string code = Generate(Space("[Choice] public partial Color Color { get; }"), "T.S.Space.g.cs");
        Assert.Contains("private static readonly global::T.Color[] ColorCandidates = { global::T.Color.Red, global::T.Color.Green, global::T.Color.Blue };", code);
        Assert.Contains("new[] { \"Red\", \"Green\", \"Blue\" }", code);
    }

    [Fact]
    public void EnumChoiceWithoutArgumentsSkipsAliases() => AssertEmits(
        "[Choice] public partial Shade Shade { get; }", "ShadeCandidates = { global::T.Shade.Light, global::T.Shade.Dark };");

    [Fact]
    public void EnumChoiceWithArgumentsKeepsOnlyThoseMembers() => AssertEmits(
        "[Choice(Color.Blue, Color.Red)] public partial Color Color { get; }", "ColorCandidates = { global::T.Color.Blue, global::T.Color.Red };");

    [Fact]
    public void BoolChoiceWithoutArgumentsIsFalseThenTrue() => AssertEmits(
        "[Choice] public partial bool UseBias { get; }", "private static readonly bool[] UseBiasCandidates = { false, true };");

    [Fact]
    public void FloatCandidatesGivenAsDoublesBecomeFloatLiterals() => AssertEmits(
        "[Choice(0.1, 0.001, 1)] public partial float Rate { get; }", "private static readonly float[] RateCandidates = { 0.1f, 0.001f, 1f };");

    [Fact]
    public void DoubleCandidatesGivenAsIntegersBecomeDoubleLiterals() => AssertEmits(
        "[Choice(1, 2.5)] public partial double Scale { get; }", "private static readonly double[] ScaleCandidates = { 1.0, 2.5 };");

    [Fact]
    public void LongCandidatesGetTheLSuffix() => AssertEmits(
        "[Choice(1, 2L)] public partial long Seed { get; }", "private static readonly long[] SeedCandidates = { 1L, 2L };");

    [Fact]
    public void StringCandidatesAreEscaped() => AssertEmits(
        "[Choice(\"a\\\"b\", \"c\\\\d\")] public partial string Name { get; }", "private static readonly string[] NameCandidates = { \"a\\\"b\", \"c\\\\d\" };");

    [Fact]
    public void ArchitectureHasOnePositionalMemberPerChoiceInDeclarationOrder()
    {
        string code = Generate(Sources.Modules, "Demo.Nets.Cell.Space.g.cs");
        var match = Regex.Match(code, @"public readonly record struct Architecture\((?<members>[^)]*)\)");
        Assert.True(match.Success, code);
        var members = match.Groups["members"].Value.Split(',').Select(m => m.Trim()).ToArray();
        Assert.Equal(
        [
            "int Width",
            "global::Demo.Nets.Cell.OpChoice Op",
            "global::Demo.Nets.Cell.ShortcutChoice Shortcut",
            "global::NasGen.ChosenInputs Skip",
            "int Blocks",
        ], members);
    }

    [Fact]
    public void SubSpaceMembersAreTheNestedArchitecture()
    {
        string code = Generate(Sources.Nested, "Demo.Nested.Body.Space.g.cs");
        Assert.Contains("global::Demo.Nested.Head.Architecture Head,", code);
        Assert.Contains("global::Demo.Nested.Head.Architecture Auxiliary)", code);
    }

    [Theory]
    [InlineData(Sources.ValueOnly, "Demo.Hyper.Space.g.cs")]
    [InlineData(Sources.GlobalNamespace, "GlobalSpace.Space.g.cs")]
    [InlineData(Sources.NestedInContainingType, "Demo.Outer.Catalog.Holder.Inner.Space.g.cs")]
    public void HintNameIsNamespaceTypeSpace(string source, string hintName)
    {
        var run = GeneratorDriverRunner.Run(source).AssertClean();
        // The export template has two files beside the space's: its members (with method bodies) and its choices.
        Assert.Equal([hintName.Replace(".Space.g.cs", ".Export.g.cs"), hintName.Replace(".Space.g.cs", ".ExportChoices.g.cs"), hintName],
            run.Sources.Keys.Order().ToArray());
    }

    [Fact]
    public void EachSpaceGetsItsOwnFile()
    {
        var run = GeneratorDriverRunner.Run(Sources.Nested).AssertClean();
        Assert.Equal(["Demo.Nested.Body.Export.g.cs", "Demo.Nested.Body.ExportChoices.g.cs", "Demo.Nested.Body.Space.g.cs",
                "Demo.Nested.Head.Export.g.cs", "Demo.Nested.Head.ExportChoices.g.cs", "Demo.Nested.Head.Space.g.cs"],
            run.Sources.Keys.Order().ToArray());
    }

    [Fact]
    public void SpaceNameDefaultsToClassNameAndHonoursName()
    {
        Assert.Contains("base(\"Hyper\",", Generate(Sources.ValueOnly, "Demo.Hyper.Space.g.cs"));
        Assert.Contains("base(\"cell\",", Generate(Sources.Modules, "Demo.Nets.Cell.Space.g.cs"));
    }

    [Fact]
    public void ConstraintsAndNestedConstraintsAreChecked()
    {
        string code = Generate(Sources.Nested, "Demo.Nested.Body.Space.g.cs");
        Assert.Contains("hasConstraints: true", code);
        Assert.Contains("global::Demo.Nested.Body.NarrowBodyNarrowHead(architecture)", code);
        Assert.Contains("&& global::Demo.Nested.Head.Space.SatisfiesConstraints(architecture.Head)", code);
    }

    [Fact]
    public void GeneratedFilesCarryTheHeaderAndGeneratedCodeAttribute()
    {
        string code = Generate(Sources.ValueOnly, "Demo.Hyper.Space.g.cs");
        Assert.StartsWith("// <auto-generated/>\n", code);
        Assert.Contains("#nullable enable", code);
        Assert.Contains($"[global::System.CodeDom.Compiler.GeneratedCode(\"NasGen.Generators\", \"{Emitter.GeneratorVersion}\")]", code);
    }

    [Fact]
    public void PropertyAccessibilityIsKept()
    {
        string code = Generate(Sources.NestedInContainingType, "Demo.Outer.Catalog.Holder.Inner.Space.g.cs");
        Assert.Contains("internal partial bool Flag => _architecture.Flag;", code);
        Assert.Contains("partial record struct Holder", code);
        Assert.Contains("partial class Catalog", code);
    }

    [Fact]
    public void ModuleChoicesAreBackedByFieldsNamedLikeStateDictKeys()
    {
        string code = Generate(Sources.Modules, "Demo.Nets.Cell.Space.g.cs");
        Assert.Contains("private global::TorchSharp.Modules.Sequential blocks = null!;", code);
        Assert.Contains("public partial global::TorchSharp.Modules.Sequential Blocks => blocks;", code);
        Assert.Contains("OpChoice.Conv3x3 => Conv3x3(),", code);
        Assert.Contains("ShortcutChoice.Identity => new global::Demo.Nets.Identity(),", code);
        Assert.Contains("blocks = global::NasGen.CodeGeneration.RepeatBlocks.Build(architecture.Blocks, MakeBlock);", code);
        Assert.Contains("dimensions.Add(global::NasGen.Dimension.Depth(\"depth\", 1, 3));", code);
        Assert.Contains("skip = new global::NasGen.InputChoice(architecture.Skip, global::NasGen.InputReduction.Mean);", code);
    }
}
