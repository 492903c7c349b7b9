using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Reflection;
using System.Text;
using Microsoft.CodeAnalysis.CSharp;

namespace NasGen.Generators.Tests;

/// <summary>One random space: its namespace, the name of its outermost [SearchSpace] class and its source.</summary>
internal sealed record RandomSpace(int Index, string Namespace, string MainClass, string? Outer, string Source)
{
    /// <summary>The metadata name of the main class (for reflection on the compiled assembly).</summary>
    public string MetadataName => Namespace + "." + (Outer is null ? "" : Outer + "+") + MainClass;
}

/// <summary>
/// Writes random <em>valid</em> search spaces: names drawn from every C# keyword and contextual keyword, TorchSharp
/// Module members and unicode letters; every choice kind; nested spaces two deep; cells of both forms; constraints;
/// labels; constructors of every body form. What makes a name invalid (a module field hiding Module.training, a label
/// taken twice) is avoided here, the way a user who reads the diagnostics would.
/// </summary>
internal sealed class RandomSpaceWriter(Random random)
{
    /// <summary>Every reserved and contextual keyword the compiler knows, straight from Roslyn.</summary>
    public static readonly string[] Keywords = SyntaxFacts.GetKeywordKinds().Concat(SyntaxFacts.GetContextualKeywordKinds())
        .Select(SyntaxFacts.GetText).Where(t => t.Length > 0 && SyntaxFacts.IsValidIdentifier(t)).Distinct().Order(StringComparer.Ordinal).ToArray();

    /// <summary>The public and protected members a space that derives Module&lt;Tensor, Tensor&gt; inherits.</summary>
    public static readonly HashSet<string> ModuleMembers = typeof(TorchSharp.torch.nn.Module<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor>)
        .GetMembers(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.FlattenHierarchy)
        .Where(m => m switch
        {
            MethodBase method => (method.IsPublic || method.IsFamily || method.IsFamilyOrAssembly) && !method.IsSpecialName,
            FieldInfo field => field.IsPublic || field.IsFamily || field.IsFamilyOrAssembly,
            PropertyInfo property => property.GetMethod is { } get && (get.IsPublic || get.IsFamily || get.IsFamilyOrAssembly),
            EventInfo => true,
            Type nested => nested.IsNestedPublic || nested.IsNestedFamily,
            _ => false,
        })
        .Select(m => m.Name).Where(SyntaxFacts.IsValidIdentifier).ToHashSet(StringComparer.Ordinal);

    private static readonly string[] Unicode = ["Größe", "Ширина", "Δέλτα", "Ñandú", "Ärger", "Öffnung", "Łódź", "Été", "größe", "ширина", "δ", "ñu"];

    // Names the generator declares in every space, and members of the generated Architecture record.
    private static readonly string[] Generated =
        ["Architecture", "Space", "SpaceDescriptor", "CurrentArchitecture", "InitializeChoices", "EmitSource", "_architecture", "Supernet",
         "CreateSupernet", "ArchitectureOnPath", "DeriveArchitecture", "RequireSupernet", "_supernet", "ToString", "ToJson", "StableHash",
         "Validate", "Parse", "FromJson", "Equals", "GetHashCode", "GetType", "Deconstruct", "PrintMembers", "MemberwiseClone",
         "ReferenceEquals", "Finalize"];

    // Type and namespace names the spaces' own code uses unqualified.
    private static readonly string[] UsedTypes =
        ["Tensor", "Module", "Sequential", "InputChoice", "InputReduction", "Cell", "CellEdge", "NasGen", "TorchSharp", "Fuzz", "Ops", "SearchSpace",
         "Choice", "LayerChoice", "Repeat", "SubSpace", "Constraint", "Label", "Factory", "Name",
         // A method named nameof turns nameof(X) into a call.
         "nameof"];

    private enum Kind { Value, Layer, Input, Repeat, SubSpace, Cell }

    /// <summary>Shared module types used as typeof(...) layer candidates, named with keywords.</summary>
    public const string OpsSource = """
        namespace Fuzz.Ops
        {
            public sealed class @event : Module<Tensor, Tensor>
            {
                public @event() : base("event") { }
                public override Tensor forward(Tensor input) => input;
            }

            public sealed class Größe : Module<Tensor, Tensor>
            {
                public Größe() : base("größe") { }
                public override Tensor forward(Tensor input) => input;
            }

            public sealed class Training : Module<Tensor, Tensor>
            {
                public Training() : base("training") { }
                public override Tensor forward(Tensor input) => input;
            }
        }
        """;

    private static readonly string[] OpTypes = ["global::Fuzz.Ops.@event", "global::Fuzz.Ops.Größe", "global::Fuzz.Ops.Training"];

    /// <summary>C# for <paramref name="name"/> in any position: keywords get an '@'.</summary>
    public static string Escape(string name) =>
        SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None || SyntaxFacts.GetContextualKeywordKind(name) != SyntaxKind.None ? "@" + name : name;

    private static string Camel(string name) =>
        name.Length == 0 || char.IsLower(name[0]) ? name : char.ToLowerInvariant(name[0]) + name.Substring(1);

    private HashSet<string> _typeNames = [];

    private T Pick<T>(IReadOnlyList<T> items) => items[random.Next(items.Count)];

    // A raw name (no '@') from one of the pools.
    private string Draw() => random.Next(6) switch
    {
        0 => Pick(Keywords),
        1 => Capitalize(Pick(Keywords)),
        2 => Pick(ModuleMembers.Order(StringComparer.Ordinal).ToList()),
        3 => Capitalize(Pick(ModuleMembers.Order(StringComparer.Ordinal).ToList())),
        4 => Pick(Unicode),
        _ => Pick(Keywords) + "_" + Pick(Unicode),
    };

    private static string Capitalize(string name) => name.TrimStart('_') is { Length: > 0 } t
        ? char.ToUpperInvariant(t[0]) + t.Substring(1) : name;

    /// <summary>The names taken in one class (members and generated members), compared as C# does.</summary>
    private sealed class Scope
    {
        public readonly HashSet<string> Names = new(StringComparer.Ordinal);
        public readonly HashSet<string> Labels = new(StringComparer.Ordinal);
    }

    // A fresh member name for the class: not generated, not inherited, not a type the code uses, and for module-valued
    // choices a name whose camelCase field is new too.
    private string NewName(Scope scope, string className, bool moduleField = false, Kind kind = Kind.Value)
    {
        for (int attempt = 0; ; attempt++)
        {
            string name = attempt < 40 ? Draw() : "Name" + attempt.ToString(CultureInfo.InvariantCulture);
            if (!SyntaxFacts.IsValidIdentifier(name) || scope.Names.Contains(name) || name == className || Generated.Contains(name)
                || UsedTypes.Contains(name) || ModuleMembers.Contains(name)) continue;
            // A property X reserves the names get_X and set_X: a member of either name beside X is CS0102 in the space itself,
            // not a valid space (found by seed 2676622; DiagnosticTests.AChoiceNamedLikeAnotherChoicesAccessorIsLeftToTheCompiler).
            if (scope.Names.Contains("get_" + name) || scope.Names.Contains("set_" + name)) continue;
            if (moduleField)
            {
                string field = Camel(name);
                if (field == name || scope.Names.Contains(field) || ModuleMembers.Contains(field) || Generated.Contains(field)) continue;
                if (kind == Kind.Layer && (scope.Names.Contains(name + "Choice") || ModuleMembers.Contains(name + "Choice"))) continue;
                if (kind == Kind.Cell && (scope.Names.Contains("New" + name) || ModuleMembers.Contains("New" + name))) continue;
                scope.Names.Add(field);
                if (kind == Kind.Layer) scope.Names.Add(name + "Choice");
                if (kind == Kind.Cell) scope.Names.Add("New" + name);
            }
            scope.Names.Add(name);
            scope.Names.Add("get_" + name);
            scope.Names.Add("set_" + name);
            return name;
        }
    }

    private string NewLabel(Scope scope)
    {
        for (int attempt = 0; ; attempt++)
        {
            string label = Pick(Keywords) + (attempt == 0 ? "" : "-" + attempt.ToString(CultureInfo.InvariantCulture));
            if (scope.Labels.Add(label)) return label;
        }
    }

    /// <summary>A namespace with an enum, maybe a module class the main space uses, up to two nested spaces and the main space.</summary>
    public RandomSpace Write(int index)
    {
        string ns = "Fuzz.N" + index.ToString(CultureInfo.InvariantCulture) + (random.Next(4) == 0 ? "." + Escape(Pick(Keywords.Where(k => k != "nameof").ToList())) : "");
        var types = new Scope();
        _typeNames = types.Names;
        string enumName = NewName(types, "");
        var enumMembers = new Scope();
        var members = Enumerable.Range(0, random.Next(2, 5)).Select(_ => NewName(enumMembers, enumName)).ToList();
        var text = new StringBuilder();
        text.Append("namespace ").Append(ns).Append("\n{\n");
        text.Append($"public enum {Escape(enumName)} {{ {string.Join(", ", members.Select(Escape))} }}\n\n");

        var enumInfo = (Name: enumName, Members: members);
        // A module class beside the spaces that the main space uses. Internal, so that an export compiled against this
        // assembly could not use it: only the copy the export nests compiles.
        string? besideModule = random.Next(2) == 0 ? NewName(types, "") : null;
        if (besideModule is not null)
            text.Append($"internal sealed class {Escape(besideModule)} : Module<Tensor, Tensor>\n{{\n"
                + $"    public {Escape(besideModule)}() : base(\"{besideModule}\") {{ }}\n"
                + "    public override Tensor forward(Tensor input) => input;\n}\n\n");
        string? leaf = random.Next(3) > 0 ? NewName(types, "") : null;
        string? mid = leaf is not null && random.Next(2) == 0 ? NewName(types, "") : null;
        string main = NewName(types, "");
        string? outer = random.Next(4) == 0 ? NewName(types, "") : null;

        if (leaf is not null) text.Append(SpaceClass(leaf, enumInfo, [], spaceName: null)).Append('\n');
        if (mid is not null) text.Append(SpaceClass(mid, enumInfo, [leaf!], spaceName: null)).Append('\n');
        var nested = new List<string>();
        if (mid is not null) nested.Add(mid);
        else if (leaf is not null) nested.Add(leaf);
        string mainText = SpaceClass(main, enumInfo, nested, spaceName: random.Next(3) == 0 ? Pick(Unicode) + " \"space\" <&>" : null, besideModule);
        if (outer is not null)
        {
            string keyword = random.Next(2) == 0 ? "public static partial class" : "public partial class";
            mainText = $"{keyword} {Escape(outer)}\n{{\n{mainText}}}\n";
        }
        text.Append(mainText).Append("}\n");
        return new RandomSpace(index, ns.Replace("@", ""), main, outer, text.ToString());
    }

    // One [SearchSpace] module class with a random set of choices (at least one), its factories, a constraint and a constructor.
    private string SpaceClass(string name, (string Name, List<string> Members) enumInfo, List<string> subSpaces, string? spaceName,
        string? besideModule = null)
    {
        var scope = new Scope();
        scope.Names.Add(name);
        // A member named like a type the nested spaces use would shadow it in the export, where they become nested
        // classes (docs/guides/exporting.md).
        scope.Names.UnionWith(_typeNames);
        var choices = new List<string>();
        var helpers = new List<string>();
        var forward = new List<string>();
        string? intChoice = null;
        var kinds = new List<Kind>();
        foreach (string sub in subSpaces) kinds.Add(Kind.SubSpace);
        int count = random.Next(1, 6);
        for (int i = 0; i < count; i++) kinds.Add((Kind)random.Next(0, 6) is var k && k != Kind.SubSpace ? k : Kind.Value);
        int subIndex = 0;
        foreach (var kind in kinds.OrderBy(_ => random.Next()))
        {
            bool module = kind != Kind.Value;
            string property = NewName(scope, name, module, kind);
            string label = Camel(property);
            string labelArgument = "";
            if (!scope.Labels.Add(label) || random.Next(4) == 0)
            {
                label = NewLabel(scope);
                labelArgument = $"Label = {SymbolDisplay.FormatLiteral(label, quote: true)}";
            }
            string p = Escape(property);
            string Args(string args) => args.Length == 0 ? labelArgument : labelArgument.Length == 0 ? args : args + ", " + labelArgument;
            string access = Pick(new[] { "public", "internal", "private" });
            switch (kind)
            {
                case Kind.Value:
                    switch (random.Next(7))
                    {
                        case 0:
                            choices.Add($"[Choice({Args("1, 2, 3")})] {access} partial int {p} {{ get; }}");
                            intChoice ??= p;
                            break;
                        case 1: choices.Add($"[Choice({Args("2L, 4L")})] {access} partial long {p} {{ get; }}"); break;
                        case 2: choices.Add($"[Choice({Args("0.5, 0.25")})] {access} partial double {p} {{ get; }}"); break;
                        case 3: choices.Add($"[Choice({Args("0.5f, 1.5f")})] {access} partial float {p} {{ get; }}"); break;
                        case 4: choices.Add($"[Choice({Args("")})] {access} partial bool {p} {{ get; }}"); break;
                        case 5:
                            string strings = string.Join(", ", new[] { Pick(Keywords), Pick(Unicode) + "\"\\", "x" }.Distinct().Select(s => SymbolDisplay.FormatLiteral(s, quote: true)));
                            choices.Add($"[Choice({Args(strings)})] {access} partial string {p} {{ get; }}");
                            break;
                        default:
                            choices.Add($"[Choice({Args("")})] {access} partial {Escape(enumInfo.Name)} {p} {{ get; }}");
                            break;
                    }
                    break;
                case Kind.Layer:
                    if (random.Next(2) == 0)
                    {
                        var types = OpTypes.OrderBy(_ => random.Next()).Take(random.Next(2, 4)).Select(t => $"typeof({t})");
                        choices.Add($"[LayerChoice({Args(string.Join(", ", types))})] {access} partial Module<Tensor, Tensor> {p} {{ get; }}");
                    }
                    else
                    {
                        var factories = Enumerable.Range(0, random.Next(2, 4)).Select(_ => Escape(NewName(scope, name))).ToList();
                        choices.Add($"[LayerChoice({Args(string.Join(", ", factories.Select(f => $"nameof({f})")))})] {access} partial Module<Tensor, Tensor> {p} {{ get; }}");
                        foreach (string f in factories) helpers.Add($"private Module<Tensor, Tensor> {f}() => global::TorchSharp.torch.nn.Identity();");
                    }
                    forward.Add($"x = {p}.call(x);");
                    break;
                case Kind.Input:
                    int n = random.Next(2, 5), chosen = random.Next(1, n);
                    string reduction = Pick(new[] { "Sum", "Mean" });
                    choices.Add($"[InputChoice({Args($"{n}, {chosen}, InputReduction.{reduction}")})] {access} partial InputChoice {p} {{ get; }}");
                    forward.Add($"x = x + {p}.Select({string.Join(", ", Enumerable.Repeat("x", n))});");
                    break;
                case Kind.Repeat:
                    string block = Escape(NewName(scope, name));
                    string index = Escape(Pick(Keywords));
                    choices.Add($"[Repeat({Args($"{random.Next(0, 2)}, {random.Next(2, 4)}, nameof({block})")})] {access} partial Sequential {p} {{ get; }}");
                    helpers.Add($"private Module<Tensor, Tensor> {block}(int {index}) => global::TorchSharp.torch.nn.Identity();");
                    forward.Add($"x = {p}.call(x);");
                    break;
                case Kind.SubSpace:
                    string sub = Escape(subSpaces[subIndex++]);
                    if (random.Next(2) == 0)
                    {
                        choices.Add($"[SubSpace{(labelArgument.Length > 0 ? "(" + labelArgument + ")" : "")}] {access} partial {sub} {p} {{ get; }}");
                    }
                    else
                    {
                        string factory = Escape(NewName(scope, name));
                        choices.Add($"[SubSpace({Args($"Factory = nameof({factory})")})] {access} partial {sub} {p} {{ get; }}");
                        string parameter = Escape(Pick(Keywords));
                        helpers.Add($"private {sub} {factory}({sub}.Architecture {parameter}) => new({parameter});");
                    }
                    forward.Add($"x = {p}.call(x);");
                    break;
                case Kind.Cell:
                    string edge = Escape(NewName(scope, name));
                    string ops = Escape(enumInfo.Name);
                    bool everyEdge = random.Next(2) == 0;
                    string shape = everyEdge ? $"{random.Next(2, 4)}" : $"1, {random.Next(1, 3)}, 1";
                    // The DARTS form with none, either or both of ENAS's options.
                    string options = everyEdge ? "" : random.Next(4) switch
                    {
                        0 => "",
                        1 => ", Inputs = CellInputs.WithRepetition",
                        2 => ", Output = CellOutput.LooseEnds",
                        _ => ", Inputs = CellInputs.WithRepetition, Output = CellOutput.LooseEnds",
                    };
                    choices.Add($"[Cell({Args($"{shape}, typeof({ops}), nameof({edge}){options}")})] {access} partial Cell<{ops}> {p} {{ get; }}");
                    helpers.Add($"private Module<Tensor, Tensor> {edge}({ops} op, CellEdge edge) => global::TorchSharp.torch.nn.Identity();");
                    break;
            }
        }

        if (random.Next(2) == 0)
        {
            string constraint = Escape(NewName(scope, name));
            string parameter = random.Next(2) == 0 ? "Architecture" : Escape(name) + ".Architecture";
            string argument = Escape(Pick(Keywords));
            string body = intChoice is null ? "true" : $"{argument}.{intChoice} >= 1";
            choices.Add($"[Constraint] private static bool {constraint}({(random.Next(2) == 0 ? "in " : "")}{parameter} {argument}) => {body};");
        }

        string cls = Escape(name);
        string arch = random.Next(3) == 0 ? Escape(Pick(Keywords)) : "architecture";
        string constructor = random.Next(4) switch
        {
            0 => $"public {cls}(Architecture {arch}) : base(\"{name}\") => InitializeChoices({arch});",
            1 => $"public {cls}(Architecture {arch}, int width = 4) : base(\"{name}\")\n{{\n    this.InitializeChoices({arch});\n    RegisterComponents();\n}}",
            2 => $"internal {cls}(Architecture {arch}) : base(\"{name}\")\n{{\n    InitializeChoices({arch});\n    RegisterComponents();\n}}",
            _ => $"public {cls}(Architecture {arch}) : base(\"{name}\")\n{{\n    InitializeChoices({arch});\n}}",
        };
        if (besideModule is not null) forward.Add($"x = new {Escape(besideModule)}().call(x);");
        string forwardText = forward.Count == 0
            ? "public override Tensor forward(Tensor input) => input;"
            : "public override Tensor forward(Tensor input)\n{\n    var x = input;\n" + string.Concat(forward.Select(f => "    " + f + "\n")) + "    return x;\n}";

        var text = new StringBuilder();
        string attribute = spaceName is null ? "[SearchSpace]" : $"[SearchSpace(Name = {SymbolDisplay.FormatLiteral(spaceName, quote: true)})]";
        text.Append($"{attribute}\npublic {(random.Next(3) == 0 ? "sealed " : "")}partial class {cls} : Module<Tensor, Tensor>\n{{\n");
        foreach (string line in choices.Concat(new[] { "", constructor, "", forwardText, "" }).Concat(helpers))
            foreach (string part in line.Split('\n')) text.Append(part.Length == 0 ? "\n" : "    " + part + "\n");
        text.Append("}\n");
        return text.ToString();
    }
}
