using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;
using NasGen.Generators.Tests.Infrastructure;

namespace NasGen.Generators.Tests;

/// <summary>
/// Every NASG diagnostic fires on a bad form, exactly at the marked span (<c>{|…|}</c>), and not on the corrected
/// form; a space with a NASG error gets only stand-ins for the members its code uses, so the NASG error is its only one.
/// </summary>
public sealed class DiagnosticTests
{
    private const string SpaceHint = "T.S.Space.g.cs";
    private const string Header = "public partial class S : Module<Tensor, Tensor>";

    /// <summary>A file with helper types, two valid spaces (Leaf, LeafNoCtor) and the space S under test.</summary>
    private static string Space(string members, string header = Header, string extra = "", string? outer = null)
    {
        string space = $$"""
            [SearchSpace]
            {{header}}
            {
                public S() : base("s") { }
                public override Tensor forward(Tensor input) => input;
                private Module<Tensor, Tensor> Conv3() => ReLU();
                private Module<Tensor, Tensor> Conv5() => Tanh();
                private Module<Tensor, Tensor> Block(int index) => ReLU();
            {{members}}
            }
            """;
        if (outer is not null) space = outer + "\n{\n" + space + "\n}";
        return $$"""
            namespace T;

            public enum Color { Red, Green, Blue }

            public sealed class OpA : Module<Tensor, Tensor>
            {
                public OpA() : base("a") { }
                public override Tensor forward(Tensor input) => input;
            }

            public sealed class OpB : Module<Tensor, Tensor>
            {
                public OpB() : base("b") { }
                public override Tensor forward(Tensor input) => input;
            }

            public abstract class AbstractOp : Module<Tensor, Tensor>
            {
                protected AbstractOp() : base("abstract") { }
            }

            public sealed class NeedsWidth : Module<Tensor, Tensor>
            {
                public NeedsWidth(int width) : base("w" + width) { }
                public override Tensor forward(Tensor input) => input;
            }

            [SearchSpace]
            public partial class Leaf : Module<Tensor, Tensor>
            {
                [Choice(1, 2)] public partial int Size { get; }
                public Leaf(Architecture architecture) : base("leaf") { InitializeChoices(architecture); RegisterComponents(); }
                public override Tensor forward(Tensor input) => input;
            }

            [SearchSpace]
            public partial class LeafNoCtor
            {
                [Choice(1, 2)] public partial int Size { get; }
            }

            {{extra}}

            {{space}}
            """;
    }

    private static string Bools(int count) =>
        string.Join("\n", Enumerable.Range(0, count).Select(i => $"[Choice] public partial bool B{i} {{ get; }}"));

    private const string IntChoice = "[Choice(1, 2)] public partial int A { get; }";
    private static string Layer(string arguments) => $"[LayerChoice({arguments})] public partial Module<Tensor, Tensor> Op {{ get; }}";
    private static string Input(string arguments) => $"[InputChoice({arguments})] public partial InputChoice I {{ get; }}";
    private static string RepeatOf(string arguments) => $"[Repeat({arguments})] public partial Sequential R {{ get; }}";
    private static readonly string TwoOps = Layer("nameof(Conv3), nameof(Conv5)");
    private static readonly string TwoTypes = Layer("typeof(OpA), typeof(OpB)");
    private static readonly string ValidRepeat = RepeatOf("0, 2, nameof(Block)");
    private static string Blocks(string arguments, string type = "ModuleList<Module<Tensor, Tensor>>") =>
        $"[LayerChoice({arguments})] public partial {type} L {{ get; }}\nprivate Module<Tensor, Tensor> Wide(int block) => Tanh();";
    private static readonly string ValidBlocks = Blocks("nameof(Block), nameof(Wide), Count = 3");
    private const string ValidConstraint = "\n[Constraint] private static bool Check(Architecture architecture) => true;";

    public static TheoryData<string, string, string> Cases => new()
    {
        { "NASG001", Space(IntChoice, header: "public class {|S|} : Module<Tensor, Tensor>"), Space(IntChoice) },
        { "NASG002", Space(IntChoice, header: "public partial class {|S|} : Module<Tensor, Tensor>", outer: "public class Outer"),
            Space(IntChoice, outer: "public partial class Outer") },
        { "NASG003", Space(IntChoice, header: "public partial class {|S|}<TItem> : Module<Tensor, Tensor>"), Space(IntChoice) },
        { "NASG003", Space(IntChoice, header: "public abstract partial class {|S|} : Module<Tensor, Tensor>"), Space(IntChoice) },
        { "NASG003", Space(IntChoice, header: "public partial record {|S|} : Module<Tensor, Tensor>"), Space(IntChoice) },
        { "NASG003", Space(IntChoice, header: "public partial class {|S|} : Module<Tensor, Tensor>", outer: "public partial class Outer<TItem>"),
            Space(IntChoice, outer: "public partial class Outer") },
        { "NASG004", Space("[Choice(1, 2)] public int {|A|} { get; }"), Space(IntChoice) },
        { "NASG004", Space("[Choice(1, 2)] public partial int {|A|} { get; set; }"), Space(IntChoice) },
        { "NASG004", Space("[Choice(1, 2)] public static partial int {|A|} { get; }"), Space(IntChoice) },
        { "NASG005", Space("[{|Choice|}] public partial int A { get; }"), Space(IntChoice) },
        { "NASG005", Space("[{|LayerChoice(new string[0])|}] public partial Module<Tensor, Tensor> Op { get; }"), Space(TwoOps) },
        { "NASG006", Space("[{|Choice(1)|}] public partial int A { get; }"), Space(IntChoice) },
        { "NASG006", Space("[{|LayerChoice(nameof(Conv3))|}] public partial Module<Tensor, Tensor> Op { get; }"), Space(TwoOps) },
        { "NASG006", Space("[{|Repeat(2, 2, nameof(Block))|}] public partial Sequential R { get; }"),
            Space(RepeatOf("2, 3, nameof(Block)")) },
        { "NASG006", Space("[{|InputChoice(2, 2)|}] public partial InputChoice I { get; }"),
            Space(Input("2, 1")) },
        { "NASG007", Space("[Choice(1, 2, {|1|})] public partial int A { get; }"), Space(IntChoice) },
        { "NASG007", Space("[Choice(Color.Red, {|Color.Red|})] public partial Color A { get; }"),
            Space("[Choice(Color.Red, Color.Blue)] public partial Color A { get; }") },
        { "NASG007", Space(Layer("nameof(Conv3), {|nameof(Conv3)|}")), Space(TwoOps) },
        { "NASG007", Space(Layer("typeof(OpA), {|typeof(OpA)|}")),
            Space(TwoTypes) },
        { "NASG008", Space("[Choice(1, {|\"two\"|})] public partial int A { get; }"), Space(IntChoice) },
        { "NASG008", Space("[Choice(1, {|1.5|})] public partial int A { get; }"), Space(IntChoice) },
        { "NASG008", Space("[Choice(1, {|null|})] public partial int A { get; }"), Space(IntChoice) },
        { "NASG008", Space("[Choice({|null|})] public partial int A { get; }"), Space(IntChoice) },
        { "NASG008", Space("[Choice(Color.Red, {|(Color)7|})] public partial Color A { get; }"),
            Space("[Choice(Color.Red, (Color)2)] public partial Color A { get; }") },
        { "NASG008", Space("[Choice(\"a\", {|1|})] public partial string A { get; }"), Space("[Choice(\"a\", \"1\")] public partial string A { get; }") },
        { "NASG009", Space("[Choice] public partial Empty {|A|} { get; }", extra: "public enum Empty { }"),
            Space("[Choice] public partial Empty A { get; }", extra: "public enum Empty { One, Two }") },
        { "NASG010", Space(Layer("{|\"Missing\"|}, nameof(Conv3)")), Space(TwoOps) },
        { "NASG010", Space(Layer("nameof(Conv3), {|\"not a name\"|}")), Space(TwoOps) },
        { "NASG010", Space(Layer("nameof(Conv3), {|nameof(Block)|}")), Space(TwoOps) },
        { "NASG010", Space("[LayerChoice(nameof(Conv3), {|nameof(Count)|})] public partial Module<Tensor, Tensor> Op { get; }\nprivate int Count() => 0;"),
            Space(TwoOps + "\nprivate int Count() => 0;") },
        { "NASG045", Space(Blocks("nameof(Block), nameof(Wide), Count = {|0|}")), Space(ValidBlocks) },
        { "NASG045", Space(Blocks("nameof(Block), nameof(Wide), Count = {|-3|}")), Space(ValidBlocks) },
        { "NASG045", Space(Blocks("nameof(Block), nameof(Wide), Count = {|5000|}")), Space(ValidBlocks) },
        { "NASG010", Space(Blocks("nameof(Block), {|nameof(Conv3)|}, Count = 3")), Space(ValidBlocks) },
        { "NASG010", Space(Blocks("nameof(Block), {|nameof(Pick)|}, Count = 3") + "\nprivate Module<Tensor, Tensor> Pick(string name) => ReLU();"),
            Space(ValidBlocks) },
        { "NASG010", Space(Blocks("nameof(Block), {|nameof(Number)|}, Count = 3") + "\nprivate int Number(int block) => block;"), Space(ValidBlocks) },
        { "NASG011", Space(Blocks("{|typeof(OpA)|}, typeof(OpB), Count = 3")), Space(ValidBlocks) },
        { "NASG023", Space("[LayerChoice(nameof(Block), nameof(Wide), Count = 3)] public partial Module<Tensor, Tensor> {|L|} { get; }\nprivate Module<Tensor, Tensor> Wide(int block) => Tanh();"),
            Space(ValidBlocks) },
        { "NASG023", Space(Blocks("nameof(Block), nameof(Wide), Count = 3", "ModuleList<Linear>").Replace(" L ", " {|L|} ")), Space(ValidBlocks) },
        { "NASG011", Space(Layer("{|typeof(string)|}, typeof(OpA)")),
            Space(TwoTypes) },
        { "NASG011", Space(Layer("typeof(OpA), {|typeof(AbstractOp)|}")),
            Space(TwoTypes) },
        { "NASG011", Space(Layer("typeof(OpA), {|typeof(NeedsWidth)|}")),
            Space(TwoTypes) },
        { "NASG012", Space(Input("{|0|}")), Space(Input("2")) },
        { "NASG012", Space(Input("3, {|4|}")), Space(Input("3, 2, NasGen.InputReduction.Concat")) },
        { "NASG012", Space(Input("3, {|0|}")), Space(Input("3, 1")) },
        { "NASG035", Space(Input("{|65|}")), Space(Input("64")) },
        { "NASG035", Space(Input("{|100|}, 32")), Space(Input("64, 32")) },
        { "NASG012", Space(Input("3, 1, {|(NasGen.InputReduction)7|}")),
            Space(Input("3, 1, NasGen.InputReduction.Mean")) },
        { "NASG013", Space(RepeatOf("{|-1|}, 2, nameof(Block)")), Space(ValidRepeat) },
        { "NASG013", Space(RepeatOf("3, {|1|}, nameof(Block)")), Space(RepeatOf("1, 3, nameof(Block)")) },
        { "NASG013", Space(RepeatOf("0, {|1001|}, nameof(Block)")), Space(RepeatOf("0, 1000, nameof(Block)")) },
        { "NASG014", Space(RepeatOf("0, 2, {|\"Nope\"|}")), Space(ValidRepeat) },
        { "NASG014", Space(RepeatOf("0, 2, {|nameof(Conv3)|}")), Space(ValidRepeat) },
        { "NASG014", Space(RepeatOf("0, 2, {|nameof(Count)|}") + "\nprivate int Count(int index) => index;"),
            Space(ValidRepeat + "\nprivate int Count(int index) => index;") },
        { "NASG014", Space(RepeatOf("0, 2, {|\"\"|}")), Space(ValidRepeat) },
        { "NASG015", Space("[Choice(1, 2, Label = \"x\")] public partial int A { get; }\n[Choice(1, 2, Label = {|\"x\"|})] public partial int B { get; }"),
            Space("[Choice(1, 2, Label = \"x\")] public partial int A { get; }\n[Choice(1, 2, Label = \"y\")] public partial int B { get; }") },
        { "NASG015", Space("[Choice(1, 2)] public partial int Width { get; }\n[Choice(3, 4, Label = {|\"width\"|})] public partial int Other { get; }"),
            Space("[Choice(1, 2)] public partial int Width { get; }\n[Choice(3, 4, Label = \"width2\")] public partial int Other { get; }") },
        { "NASG015", Space("[Choice(1, 2, Label = \"b\")] public partial int A { get; }\n[Choice(1, 2)] public partial int {|B|} { get; }"),
            Space("[Choice(1, 2, Label = \"a\")] public partial int A { get; }\n[Choice(1, 2)] public partial int B { get; }") },
        { "NASG016", Space("[SubSpace] public partial OpA {|Sub|} { get; }"), Space("[SubSpace] public partial Leaf Sub { get; }") },
        { "NASG017", Space("[SubSpace] public partial S {|Self|} { get; }"), Space("[SubSpace] public partial Leaf Self { get; }") },
        { "NASG017", Space("[SubSpace] public partial Loop {|Sub|} { get; }",
                extra: "[SearchSpace] public partial class Loop { [SubSpace] public partial S Back { get; } }"),
            Space("[SubSpace] public partial Loop Sub { get; }",
                extra: "[SearchSpace] public partial class Loop { [SubSpace(Factory = nameof(Make))] public partial Leaf Back { get; } public Loop(Architecture architecture) => InitializeChoices(architecture); private Leaf Make(Leaf.Architecture a) => new(a); }") },
        { "NASG018", Space(IntChoice + "\n[Constraint] private bool {|Check|}(Architecture architecture) => true;"),
            Space(IntChoice + ValidConstraint) },
        { "NASG018", Space(IntChoice + "\n[Constraint] private static int {|Check|}(Architecture architecture) => 0;"),
            Space(IntChoice + ValidConstraint) },
        { "NASG018", Space(IntChoice + "\n[Constraint] private static bool {|Check|}(Architecture architecture, int extra) => true;"),
            Space(IntChoice + ValidConstraint) },
        { "NASG018", Space(IntChoice + "\n[Constraint] private static bool {|Check|}(int value) => true;"),
            Space(IntChoice + ValidConstraint) },
        { "NASG018", Space(IntChoice + "\n[Constraint] private static bool {|Check|}(ref Architecture architecture) => true;"),
            Space(IntChoice + "\n[Constraint] private static bool Check(in Architecture architecture) => true;") },
        { "NASG018", Space(IntChoice + "\n[Constraint] private static bool {|Check|}(Leaf.Architecture architecture) => true;"),
            Space(IntChoice + "\n[Constraint] private static bool Check(S.Architecture architecture) => true;") },
        { "NASG025", Space("[SubSpace(Factory = {|nameof(Make)|})] public partial Leaf Sub { get; }\nprivate Leaf Make(Architecture architecture) => null!;"),
            Space("[SubSpace(Factory = nameof(Make))] public partial Leaf Sub { get; }\nprivate Leaf Make(Leaf.Architecture architecture) => new(architecture);") },
        { "NASG019", Space("[Choice(1, 2)][Repeat(0, 2, nameof(Block))] public partial Sequential {|R|} { get; }"),
            Space(ValidRepeat) },
        { "NASG020", Space("", header: "public partial class {|S|} : Module<Tensor, Tensor>"), Space(IntChoice) },
        { "NASG021", Space(Bools(64), header: "public partial class {|S|} : Module<Tensor, Tensor>"), Space(Bools(62)) },
        { "NASG022", Space("[Choice(1, 2, Label = {|\"a b\"|})] public partial int A { get; }"), Space("[Choice(1, 2, Label = \"a_b-c\")] public partial int A { get; }") },
        { "NASG022", Space("[Choice(1, 2, Label = {|\"\"|})] public partial int A { get; }"), Space(IntChoice) },
        { "NASG022", Space("[Choice(1, 2, Label = {|\"$a\"|})] public partial int A { get; }"), Space(IntChoice) },
        { "NASG022", Space("[Choice(1, 2, Label = {|null|})] public partial int A { get; }"), Space(IntChoice) },
        { "NASG023", Space("[Choice(1, 2)] public partial decimal {|A|} { get; }"), Space(IntChoice) },
        { "NASG023", Space("[Choice(\"a\", \"b\")] public partial string? {|A|} { get; }"), Space("[Choice(\"a\", \"b\")] public partial string A { get; }") },
        { "NASG023", Space("[LayerChoice(nameof(Conv3), nameof(Conv5))] public partial int {|Op|} { get; }"), Space(TwoOps) },
        { "NASG023", Space("[InputChoice(2)] public partial int {|I|} { get; }"), Space(Input("2")) },
        { "NASG023", Space("[Repeat(0, 2, nameof(Block))] public partial int {|R|} { get; }"), Space(ValidRepeat) },
        { "NASG024", Space(IntChoice + "\npublic static int {|Space|} => 0;"), Space(IntChoice + "\npublic static int Spaces => 0;") },
        { "NASG024", Space(TwoOps + "\nprivate int {|op|} = 1;\npublic int Value => op;"), Space(TwoOps + "\nprivate int opCount = 1;\npublic int Value => opCount;") },
        { "NASG024", Space(TwoOps + "\npublic enum {|OpChoice|} { A }"), Space(TwoOps + "\npublic enum OpKind { A }") },
        { "NASG025", Space("[SubSpace(Factory = {|\"Missing\"|})] public partial Leaf Sub { get; }"),
            Space("[SubSpace(Factory = nameof(Make))] public partial Leaf Sub { get; }\nprivate Leaf Make(Leaf.Architecture architecture) => new(architecture);") },
        { "NASG025", Space("[SubSpace(Factory = {|nameof(Make)|})] public partial Leaf Sub { get; }\nprivate OpA Make(Leaf.Architecture architecture) => new();"),
            Space("[SubSpace(Factory = nameof(Make))] public partial Leaf Sub { get; }\nprivate Leaf Make(Leaf.Architecture architecture) => new(architecture);") },
        { "NASG039", Space("[SubSpace] public partial Leaf A { get; }\n[SubSpace(Factory = {|nameof(Make)|})] public partial Leaf B { get; }\nprivate Leaf Make(Leaf.Architecture architecture) => new(architecture);"),
            Space("[SubSpace] public partial Leaf A { get; }\n[SubSpace] public partial Leaf B { get; }") },
        { "NASG025", Space("[SubSpace] public partial LeafNoCtor {|Sub|} { get; }"),
            Space("[SubSpace(Factory = nameof(Make))] public partial LeafNoCtor Sub { get; }\nprivate LeafNoCtor Make(LeafNoCtor.Architecture architecture) => new();") },
        { "NASG040", Space("[LayerChoice(nameof(Conv3), nameof(Conv5))] public partial Module<Tensor, Tensor> {|Training|} { get; }"),
            Space("[LayerChoice(nameof(Conv3), nameof(Conv5))] public partial Module<Tensor, Tensor> TrainingOp { get; }") },
        { "NASG040", Space("[Repeat(0, 2, nameof(Block))] public partial Sequential {|Eval|} { get; }"), Space(ValidRepeat) },
        { "NASG040", Space("[Choice(1, 2)] public partial int {|Parse|} { get; }"), Space("[Choice(1, 2)] public partial int Parsed { get; }") },
        { "NASG033", Space(CellOf("{|nodes: 1|}", "nameof(Edge)")), Space(CellOf("nodes: 3", "nameof(Edge)")) },
        { "NASG033", Space(CellOf("nodes: 3", "nameof(Conv3)", markFactory: true)), Space(CellOf("nodes: 3", "nameof(Edge)")) },
        { "NASG033", Space(CellOf("inputNodes: 2, intermediateNodes: 2, chosen: 3", "nameof(Edge)", marked: true)),
            Space(CellOf("inputNodes: 2, intermediateNodes: 2, chosen: 2", "nameof(Edge)")) },
        { "NASG033", Space("[{|Cell(3, typeof(Color), nameof(Edge), Output = CellOutput.LooseEnds)|}] public partial Cell<Color> C { get; }" + EdgeFactory),
            Space("[Cell(2, 2, 2, typeof(Color), nameof(Edge), Inputs = CellInputs.WithRepetition, Output = CellOutput.LooseEnds)] public partial Cell<Color> C { get; }" + EdgeFactory) },
        { "NASG034", Space("[InputChoice(2, 1, InputReduction.Concat)] public partial InputChoice {|I|} { get; }"), Space(Input("2, 1, InputReduction.Sum")) },
        { "NASG023", Space("[Range(0, 1)] public partial bool {|A|} { get; }"), Space(LogRate) },
        { "NASG023", Space("[Range(0, 1)] public partial decimal {|A|} { get; }"), Space(LogRate) },
        { "NASG041", Space("[Range(1, {|0.5|})] public partial double A { get; }"), Space(LogRate) },
        { "NASG041", Space("[Range(0.5, {|0.5|})] public partial double A { get; }"), Space(LogRate) },
        { "NASG041", Space("[Range({|double.NaN|}, 1)] public partial double A { get; }"), Space(LogRate) },
        { "NASG041", Space("[Range(0, {|double.PositiveInfinity|})] public partial double A { get; }"), Space(LogRate) },
        { "NASG041", Space("[Range({|0.5|}, 4)] public partial int A { get; }"), Space("[Range(1, 4)] public partial int A { get; }") },
        { "NASG041", Space("[Range(0, {|1e10|})] public partial int A { get; }"), Space("[Range(0, 1e9, Step = 1e6)] public partial int A { get; }") },
        { "NASG042", Space("[Range(0, 0.1, Log = {|true|})] public partial double A { get; }"), Space(LogRate) },
        { "NASG043", Space("[Range(0, 1, Step = {|-0.1|})] public partial double A { get; }"), Space("[Range(0, 1, Step = 0.1)] public partial double A { get; }") },
        { "NASG043", Space("[Range(0, 10, Step = {|2.5|})] public partial int A { get; }"), Space("[Range(0, 10, Step = 2)] public partial int A { get; }") },
        { "NASG043", Space("[Range(1e-4, 1, Log = true, Step = {|0.1|})] public partial double A { get; }"), Space(LogRate) },
        { "NASG043", Space("[Range(0, 1e6, Step = {|1|})] public partial int A { get; }"), Space("[Range(0, 1e6, Step = 1000)] public partial int A { get; }") },
        { "NASG043", Space("[Range(0, 1, Step = {|2|})] public partial double A { get; }"), Space("[Range(0, 2, Step = 1)] public partial double A { get; }") },
        { "NASG044", Space("[Range(0, 1, Step = {|0.3|})] public partial double A { get; }"), Space("[Range(0, 0.9, Step = 0.3)] public partial double A { get; }") },
        { "NASG044", Space("[Range(16, 250, Step = {|16|})] public partial int A { get; }"), Space("[Range(16, 256, Step = 16)] public partial int A { get; }") },
    };

    private const string LogRate = "[Range(1e-4, 1e-1, Log = true)] public partial double A { get; }";

    private const string EdgeFactory = "\nprivate Module<Tensor, Tensor> Edge(Color op, CellEdge edge) => ReLU();";

    private static string CellOf(string shape, string factory, bool marked = false, bool markFactory = false) =>
        (marked ? "[{|" : "[") + $"Cell({shape}, ops: typeof(Color), " + (markFactory ? "{|" : "") + $"factory: {factory}"
        + (markFactory ? "|}" : "") + ")" + (marked ? "|}]" : "]")
        + " public partial Cell<Color> C { get; }\nprivate Module<Tensor, Tensor> Edge(Color op, CellEdge edge) => ReLU();";

    // Bad forms the compiler rejects on its own account too (NASG id, compiler id).
    private static readonly HashSet<(string, string)> CompilerReportsItToo =
    [
        // Generated members can only join a partial class; the generated part names the missing modifier.
        ("NASG001", "CS0260"), ("NASG002", "CS0260"),
        // A record cannot derive from Module (nor take its members as a record's).
        ("NASG003", "CS8864"), ("NASG003", "CS0115"), ("NASG003", "CS8867"),
    ];

    [Theory]
    [MemberData(nameof(Cases))]
    public void FiresAtTheMarkedSpanAndNotOnTheCorrectedForm(string id, string badMarkup, string good)
    {
        var (bad, expectedSpan) = ParseMarkup(badMarkup);
        var badRun = GeneratorDriverRunner.Run(TestCompilation.Create(TestCompilation.Parse(bad)));
        Assert.Null(badRun.Result.Exception);
        // Only diagnostics inside S count: a cycle is also reported on the other space in it.
        var spaceDeclaration = badRun.InputCompilation.SyntaxTrees.Single().GetRoot().DescendantNodes()
            .OfType<TypeDeclarationSyntax>().Single(c => c.Identifier.ValueText == "S");
        var found = badRun.Diagnostics(id).Where(d => spaceDeclaration.FullSpan.Contains(d.Location.SourceSpan)).ToList();
        Assert.True(found.Count == 1, $"Expected one {id} in S, got:\n{string.Join("\n", badRun.GeneratorDiagnostics)}");
        var diagnostic = found[0];
        Assert.Equal("/src/Space.cs", diagnostic.Location.GetLineSpan().Path);
        Assert.Equal(bad.Substring(expectedSpan.Start, expectedSpan.Length), TestCompilation.LocatedText(badRun.InputCompilation, diagnostic));
        Assert.Equal(expectedSpan, diagnostic.Location.SourceSpan);
        Assert.Equal(DiagnosticDescriptors.ById(id).DefaultSeverity, diagnostic.Severity);
        Assert.Equal($"https://github.com/nasgen/nasgen/blob/main/docs/diagnostics/{id}.md", diagnostic.Descriptor.HelpLinkUri);

        // One mistake, one error: the invalid space still gets the members its own code uses, so the compiler adds
        // nothing (apart from the forms it reports itself: a missing 'partial', a record deriving from a class ...).
        Assert.Contains(badRun.Sources.Keys, k => k.EndsWith(".S.Space.g.cs", StringComparison.Ordinal));
        var compilerErrors = badRun.OutputDiagnostics
            .Where(d => d.Severity == DiagnosticSeverity.Error && !CompilerReportsItToo.Contains((id, d.Id))).ToList();
        Assert.True(compilerErrors.Count == 0, "Compiler errors besides the NASG one:\n" + string.Join("\n", compilerErrors)
            + "\n\n" + string.Join("\n\n", badRun.Sources.Values));

        var goodRun = GeneratorDriverRunner.Run(good);
        Assert.Empty(goodRun.Diagnostics(id));
        goodRun.AssertClean();
        Assert.Contains(goodRun.Sources.Keys, k => k.EndsWith(".S.Space.g.cs", StringComparison.Ordinal));
    }

    [Fact]
    public void HalfTypedCodeGetsNoNoChoicesWarning()
    {
        var run = GeneratorDriverRunner.Run("namespace T; [SearchSpace] public partial class S { [Cho public partial int A { get; } }");
        Assert.Contains(run.OutputDiagnostics, d => d.Severity == DiagnosticSeverity.Error && d.Id.StartsWith("CS", StringComparison.Ordinal));
        Assert.Empty(run.Diagnostics("NASG020"));
    }

    [Fact]
    public void EveryParserDiagnosticHasACase()
    {
        var covered = Cases.Select(row => (string)row[0]).ToHashSet();
        // NASG000 reports an unexpected exception in the parser; no valid or invalid input should reach it.
        // NASG026-032 and NASG046 concern [FixedArchitecture] files and have their cases in FixedArchitectureTests and
        // FixedArchitectureRangeTests.
        string[] fixedArchitecture = ["NASG026", "NASG027", "NASG028", "NASG029", "NASG030", "NASG031", "NASG032", "NASG046"];
        var missing = DiagnosticDescriptors.All.Select(d => d.Id)
            .Where(id => id != "NASG000" && !fixedArchitecture.Contains(id) && !covered.Contains(id)).ToList();
        Assert.Empty(missing);
    }

    [Fact]
    public void DescriptorsFollowTheConventions()
    {
        foreach (var descriptor in DiagnosticDescriptors.All)
        {
            Assert.Matches("^NASG0[0-9]{2}$", descriptor.Id);
            Assert.Equal("NasGen", descriptor.Category);
            Assert.EndsWith($"/docs/diagnostics/{descriptor.Id}.md", descriptor.HelpLinkUri);
            Assert.True(descriptor.IsEnabledByDefault);
        }
        Assert.Equal(DiagnosticDescriptors.All.Count, DiagnosticDescriptors.All.Select(d => d.Id).Distinct().Count());
    }

    [Fact]
    public void AnAttributeThatDoesNotBindIsLeftToTheCompiler()
    {
        // TorchSharp's nn.Reduction where an InputReduction belongs: the compiler's CS1503, and no NASG noise.
        var run = GeneratorDriverRunner.Run(Space(Input("3, 2, Reduction.Mean")));
        Assert.Null(run.Result.Exception);
        Assert.DoesNotContain(run.GeneratorDiagnostics, d => d.Id.StartsWith("NASG", StringComparison.Ordinal));
        // The compiler's error is the only one: no cascade from the members the space's code uses.
        Assert.Equal(["CS1503"], ErrorIds(run));
        Assert.Contains(SpaceHint, run.Sources.Keys);
    }

    private static string[] ErrorIds(GeneratorRun run) =>
        run.OutputDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => d.Id).ToArray();

    [Theory]
    [InlineData("[Choice(1, Two)] public partial int A { get; }")]
    [InlineData("[Choice(1, 2, Label = Name)] public partial int A { get; }")]
    [InlineData("[LayerChoice(nameof(Conv3), Name)] public partial Module<Tensor, Tensor> Op { get; }")]
    [InlineData("[InputChoice(Two, 1)] public partial InputChoice I { get; }")]
    public void ANonConstantArgumentIsLeftToTheCompiler(string choice)
    {
        // Not "Candidate null of choice 'A'": the argument has no value because it is not a constant, as CS0182 says.
        var run = GeneratorDriverRunner.Run(Space("private static int Two = 2;\nprivate static string Name = \"n\";\n" + choice));
        Assert.Null(run.Result.Exception);
        Assert.DoesNotContain(run.GeneratorDiagnostics, d => d.Id.StartsWith("NASG", StringComparison.Ordinal));
        Assert.Equal(["CS0182"], ErrorIds(run));
    }

    // Found by the random-space fuzzer (seed 2676622): a property X reserves the method names get_X and set_X, so a choice
    // set_X beside a choice X is the compiler's CS0102 in the user's class, and must not be repeated in the generated record.
    [Theory]
    [InlineData("[Choice(1, 2)] public partial int Width { get; }\n[Choice(3, 4)] public partial int set_Width { get; }")]
    [InlineData("[Choice(1, 2)] public partial int get_Depth { get; }\n[Repeat(0, 2, nameof(Block))] public partial Sequential Depth { get; }")]
    public void AChoiceNamedLikeAnotherChoicesAccessorIsLeftToTheCompiler(string choices)
    {
        var run = GeneratorDriverRunner.Run(Space(choices));
        Assert.Null(run.Result.Exception);
        Assert.DoesNotContain(run.GeneratorDiagnostics, d => d.Id.StartsWith("NASG", StringComparison.Ordinal));
        var error = Assert.Single(run.OutputDiagnostics, d => d.Severity == DiagnosticSeverity.Error);
        Assert.Equal("CS0102", error.Id);
        Assert.Equal("/src/Space.cs", error.Location.SourceTree?.FilePath);
    }

    [Fact]
    public void ARepeatMissingArgumentsIsLeftToTheCompiler()
    {
        var run = GeneratorDriverRunner.Run(Space(RepeatOf("1, 2")));
        Assert.DoesNotContain(run.GeneratorDiagnostics, d => d.Id.StartsWith("NASG", StringComparison.Ordinal));
        Assert.Equal(["CS7036"], ErrorIds(run));
    }

    [Fact]
    public void AnInvalidSpaceDoesNotStopValidSpacesInTheSameCompilation()
    {
        var run = GeneratorDriverRunner.Run(Space("[Choice(1, 1)] public partial int A { get; }"));
        Assert.Single(run.Diagnostics("NASG007"));
        Assert.Equal(["T.Leaf.Export.g.cs", "T.Leaf.ExportChoices.g.cs", "T.Leaf.Space.g.cs", "T.LeafNoCtor.Export.g.cs", "T.LeafNoCtor.ExportChoices.g.cs",
                "T.LeafNoCtor.Space.g.cs", SpaceHint],
            run.Sources.Keys.Order().ToArray());
        Assert.Contains("NotSupportedException", run.Source(SpaceHint));
        Assert.DoesNotContain("NotSupportedException", run.Source("T.Leaf.Space.g.cs"));
    }

    [Fact]
    public void MessagesNameTheMemberInQuotes()
    {
        var run = GeneratorDriverRunner.Run(Space("[Choice(1, 2, 1)] public partial int Width { get; }"));
        string message = Assert.Single(run.Diagnostics("NASG007")).GetMessage(System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal("Choice 'Width' lists candidate 1 (Int32) more than once; remove the duplicate", message);
    }

    private static (string Source, TextSpan Span) ParseMarkup(string markup)
    {
        markup = TestCompilation.Usings + markup;
        int start = markup.IndexOf("{|", StringComparison.Ordinal);
        int end = markup.IndexOf("|}", start + 2, StringComparison.Ordinal);
        Assert.True(start >= 0 && end > start, "The bad form must mark the expected span with {| |}.");
        string source = markup[..start] + markup[(start + 2)..end] + markup[(end + 2)..];
        return (source, TextSpan.FromBounds(start, end - 2));
    }
}
