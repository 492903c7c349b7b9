using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;
using NasGen.Generators.Tests.Infrastructure;

namespace NasGen.Generators.Tests;

/// <summary>A random valid space with one mistake in it, and the NASG error the mistake must give.</summary>
internal sealed record MutatedSpace(RandomSpace Space, string Source, string ExpectedId, string Mistake);

/// <summary>
/// Injects one mistake into a random valid space (<see cref="RandomSpaceWriter"/>): each mistake a user makes with a
/// single edit that the NASG catalog has an error for, in any of the file's spaces (nested ones included).
/// </summary>
internal sealed class SpaceMutator(Random random)
{
    private delegate List<(TextSpan Span, string Text)>? Edit(ClassDeclarationSyntax space, bool isMain);

    private static readonly string[] ChoiceAttributes = ["Choice", "LayerChoice", "InputChoice", "Repeat", "SubSpace", "Cell"];

    /// <summary>Each kind of mistake: the error it must give and the edit (null where the space offers no place for it).</summary>
    public static readonly IReadOnlyList<(string Id, string Name)> Kinds =
    [
        ("NASG001", "space not partial"), ("NASG002", "containing type not partial"), ("NASG003", "abstract space"),
        ("NASG004", "choice not partial"), ("NASG004", "choice with a setter"), ("NASG005", "no candidates"),
        ("NASG007", "duplicate candidate"), ("NASG008", "candidate of another type"), ("NASG010", "unknown layer factory"),
        ("NASG011", "layer type that is no module"), ("NASG012", "more inputs chosen than offered"), ("NASG013", "repeat range reversed"),
        ("NASG014", "unknown repeat factory"), ("NASG015", "label taken twice"), ("NASG016", "sub-space type that is no space"),
        ("NASG018", "constraint not static"), ("NASG019", "two choice attributes"), ("NASG022", "label with a space"),
        ("NASG023", "choice of an unsupported type"), ("NASG024", "member named like a generated one"), ("NASG025", "unknown sub-space factory"),
        ("NASG033", "cell with too few nodes"), ("NASG035", "input choice with too many inputs"), ("NASG040", "choice named like an Architecture member"),
    ];

    /// <summary>
    /// The space with mistake number <paramref name="kind"/> (or the next kind that fits this space) in one of its
    /// search space classes; null when no kind fits. With <paramref name="exactKind"/>, only that kind or null.
    /// </summary>
    public MutatedSpace? Mutate(RandomSpace space, int kind, bool exactKind = false)
    {
        string text = TestCompilation.Usings + space.Source;
        var root = CSharpSyntaxTree.ParseText(text, TestCompilation.ParseOptions).GetRoot();
        var spaces = root.DescendantNodes().OfType<ClassDeclarationSyntax>()
            .Where(c => c.AttributeLists.SelectMany(l => l.Attributes).Any(a => a.Name.ToString() == "SearchSpace")).ToList();
        for (int attempt = 0; attempt < (exactKind ? 1 : Kinds.Count); attempt++)
        {
            int k = (kind + attempt) % Kinds.Count;
            foreach (var target in spaces.OrderBy(_ => random.Next()))
            {
                bool isMain = target.Identifier.ValueText == space.MainClass;
                var edits = EditFor(k)(target, isMain);
                if (edits is null) continue;
                string source = text;
                foreach (var (span, replacement) in edits.OrderByDescending(e => e.Span.Start))
                    source = source[..span.Start] + replacement + source[span.End..];
                return new MutatedSpace(space, source, Kinds[k].Id, $"{Kinds[k].Name} in {target.Identifier.ValueText}");
            }
        }
        return null;
    }

    private Edit EditFor(int kind) => Kinds[kind].Name switch
    {
        "space not partial" => (space, _) => [(Modifier(space, SyntaxKind.PartialKeyword), "")],
        "containing type not partial" => (space, _) => space.Parent is ClassDeclarationSyntax outer
            ? [(Modifier(outer, SyntaxKind.PartialKeyword), "")] : null,
        // Only the main space: a nested space is built by `new` in its parent's generated code.
        "abstract space" => (space, isMain) => !isMain ? null : space.Modifiers.Any(SyntaxKind.SealedKeyword)
            ? [(space.Modifiers.First(m => m.IsKind(SyntaxKind.SealedKeyword)).Span, "abstract")]
            : [(new TextSpan(Modifier(space, SyntaxKind.PartialKeyword).Start, 0), "abstract ")],
        "choice not partial" => (space, _) => Pick(Choices(space)) is { } p ? [(Modifier(p, SyntaxKind.PartialKeyword), "")] : null,
        "choice with a setter" => (space, _) => Pick(Choices(space)) is { } p ? [(new TextSpan(p.AccessorList!.CloseBraceToken.SpanStart, 0), "set; ")] : null,
        "no candidates" => (space, _) => Pick(Choices(space, "Choice").Where(p => Arguments(p).Count > 0 && !HasLabel(p)).ToList()) is { } p
            ? [(Attribute(p).ArgumentList!.Span, "()")] : null,
        "duplicate candidate" => (space, _) => Pick(Choices(space, "Choice", "LayerChoice").Where(p => Arguments(p).Count > 0).ToList()) is { } p
            ? [(new TextSpan(Arguments(p)[0].Span.End, 0), ", " + Arguments(p)[0])] : null,
        "candidate of another type" => (space, _) => Pick(Choices(space, "Choice").Where(p => Arguments(p).Count > 0).ToList()) is { } p
            ? [(new TextSpan(Arguments(p)[0].Span.End, 0), p.Type.ToString() == "string" ? ", 1" : ", \"text\"")] : null,
        "unknown layer factory" => (space, _) => Pick(Choices(space, "LayerChoice").Where(p => Arguments(p)[0].ToString().StartsWith("nameof", StringComparison.Ordinal)).ToList()) is { } p
            ? [(Arguments(p)[0].Span, "\"Missing\"")] : null,
        "layer type that is no module" => (space, _) => Pick(Choices(space, "LayerChoice").Where(p => Arguments(p)[0].ToString().StartsWith("typeof", StringComparison.Ordinal)).ToList()) is { } p
            ? [(Arguments(p)[0].Span, "typeof(string)")] : null,
        "more inputs chosen than offered" => (space, _) => Pick(Choices(space, "InputChoice")) is { } p
            ? [(Arguments(p)[1].Span, (int.Parse(Arguments(p)[0].ToString(), System.Globalization.CultureInfo.InvariantCulture) + 1).ToString(System.Globalization.CultureInfo.InvariantCulture))] : null,
        "repeat range reversed" => (space, _) => Pick(Choices(space, "Repeat")) is { } p ? [(Arguments(p)[0].Span, "5"), (Arguments(p)[1].Span, "4")] : null,
        "unknown repeat factory" => (space, _) => Pick(Choices(space, "Repeat")) is { } p ? [(Arguments(p)[2].Span, "\"Missing\"")] : null,
        "label taken twice" => (space, _) => LabelTakenTwice(space),
        "sub-space type that is no space" => (space, _) => Pick(Choices(space, "SubSpace")) is { } p ? [(p.Type.Span, "Sequential")] : null,
        "constraint not static" => (space, _) => Pick(space.Members.OfType<MethodDeclarationSyntax>()
            .Where(m => m.AttributeLists.SelectMany(l => l.Attributes).Any(a => a.Name.ToString() == "Constraint")).ToList()) is { } m
            ? [(Modifier(m, SyntaxKind.StaticKeyword), "")] : null,
        "two choice attributes" => (space, _) => Pick(Choices(space, "LayerChoice", "Repeat", "InputChoice", "Cell")) is { } p
            ? [(new TextSpan(p.AttributeLists[0].SpanStart, 0), "[Choice(1, 2)] ")] : null,
        "label with a space" => (space, _) => Pick(Choices(space)) is { } p ? SetLabel(p, "a b") : null,
        "choice of an unsupported type" => (space, _) => Pick(Choices(space, "Choice").Where(p => p.Type.ToString() is "int" or "double").ToList()) is { } p
            ? [(p.Type.Span, "decimal")] : null,
        // `Space` only in the main space: a parent's generated code reads a nested space's Space.
        "member named like a generated one" => (space, isMain) =>
            [(new TextSpan(space.CloseBraceToken.SpanStart, 0), isMain && random.Next(2) == 0 ? "public static int Space => 0;\n" : "public int CurrentArchitecture => 0;\n")],
        "unknown sub-space factory" => (space, _) => Pick(Choices(space, "SubSpace").Where(p => Attribute(p).ArgumentList?.Arguments.Any(a => a.NameEquals?.Name.ToString() == "Factory") == true).ToList()) is { } p
            ? [(Attribute(p).ArgumentList!.Arguments.First(a => a.NameEquals?.Name.ToString() == "Factory").Expression.Span, "\"Missing\"")] : null,
        "cell with too few nodes" => (space, _) => Pick(Choices(space, "Cell")) is { } p
            ? [(Arguments(p)[0].Span, Arguments(p).Count == 3 ? "1" : "5")] : null,
        "input choice with too many inputs" => (space, _) => Pick(Choices(space, "InputChoice")) is { } p
            ? [(Arguments(p)[0].Span, "65")] : null,
        _ => (space, _) =>
            [(new TextSpan(space.CloseBraceToken.SpanStart, 0),
                $"[Choice(1, 2, Label = \"clash\")] public partial int {Pick(new[] { "Parse", "ToJson", "StableHash", "Validate", "FromJson" })} {{ get; }}\n")],
    };

    private T? Pick<T>(IReadOnlyList<T> items) where T : class => items.Count == 0 ? null : items[random.Next(items.Count)];

    private static TextSpan Modifier(MemberDeclarationSyntax member, SyntaxKind kind)
    {
        var token = member.Modifiers.First(m => m.IsKind(kind));
        return TextSpan.FromBounds(token.SpanStart, token.GetNextToken().SpanStart);
    }

    private static List<PropertyDeclarationSyntax> Choices(ClassDeclarationSyntax space, params string[] attributes) =>
        space.Members.OfType<PropertyDeclarationSyntax>()
            .Where(p => p.AttributeLists.SelectMany(l => l.Attributes).Any(a => (attributes.Length == 0 ? ChoiceAttributes : attributes).Contains(a.Name.ToString())))
            .ToList();

    private static AttributeSyntax Attribute(PropertyDeclarationSyntax property) =>
        property.AttributeLists.SelectMany(l => l.Attributes).First(a => ChoiceAttributes.Contains(a.Name.ToString()));

    // The positional arguments (candidates, shapes, factories).
    private static List<AttributeArgumentSyntax> Arguments(PropertyDeclarationSyntax property) =>
        Attribute(property).ArgumentList?.Arguments.Where(a => a.NameEquals is null).ToList() ?? [];

    private static AttributeArgumentSyntax? Label(PropertyDeclarationSyntax property) =>
        Attribute(property).ArgumentList?.Arguments.FirstOrDefault(a => a.NameEquals?.Name.ToString() == "Label");

    private static bool HasLabel(PropertyDeclarationSyntax property) => Label(property) is not null;

    // The label a choice goes by: its Label argument, or its name in camelCase.
    private static string EffectiveLabel(PropertyDeclarationSyntax property)
    {
        if (Label(property) is { Expression: LiteralExpressionSyntax literal }) return literal.Token.ValueText;
        string name = property.Identifier.ValueText;
        return char.IsLower(name[0]) ? name : char.ToLowerInvariant(name[0]) + name[1..];
    }

    private static List<(TextSpan, string)> SetLabel(PropertyDeclarationSyntax property, string label)
    {
        string literal = SymbolDisplay.FormatLiteral(label, quote: true);
        if (Label(property) is { } existing) return [(existing.Expression.Span, literal)];
        var attribute = Attribute(property);
        return attribute.ArgumentList switch
        {
            { Arguments.Count: > 0 } list => [(new TextSpan(list.Arguments.Last().Span.End, 0), $", Label = {literal}")],
            { } empty => [(empty.Span, $"(Label = {literal})")],
            null => [(new TextSpan(attribute.Span.End, 0), $"(Label = {literal})")],
        };
    }

    private List<(TextSpan, string)>? LabelTakenTwice(ClassDeclarationSyntax space)
    {
        var choices = Choices(space);
        if (choices.Count < 2) return null;
        var pair = choices.OrderBy(_ => random.Next()).Take(2).ToList();
        return SetLabel(pair[1], EffectiveLabel(pair[0]));
    }
}
