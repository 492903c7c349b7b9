using System.Composition;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace NasGen.CodeFixes;

/// <summary>NASG001: adds the <c>partial</c> modifier to a search space class.</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(AddPartialModifierCodeFix)), Shared]
public sealed class AddPartialModifierCodeFix : SyntaxCodeFix<TypeDeclarationSyntax>
{
    /// <summary>The title of the code action, also shown in the light bulb.</summary>
    public const string Title = "Add 'partial'";

    /// <summary>Creates the fix.</summary>
    public AddPartialModifierCodeFix() : base(DiagnosticIds.SpaceNotPartial, Title) { }

    // NASG001 is reported on the class identifier.
    private protected override TypeDeclarationSyntax? FindNode(SyntaxNode root, TextSpan span) =>
        root.FindToken(span.Start).Parent?.FirstAncestorOrSelf<TypeDeclarationSyntax>() is { } declaration
        && !declaration.Modifiers.Any(SyntaxKind.PartialKeyword) ? declaration : null;

    private protected override (SyntaxNode Old, SyntaxNode New) Rewrite(TypeDeclarationSyntax declaration) => (declaration, WithPartial(declaration));

    /// <summary>The declaration with <c>partial</c> as its last modifier, where C# requires it.</summary>
    internal static TypeDeclarationSyntax WithPartial(TypeDeclarationSyntax declaration)
    {
        var partial = SyntaxFactory.Token(SyntaxKind.PartialKeyword).WithTrailingTrivia(SyntaxFactory.Space);
        if (declaration.Modifiers.Count > 0) return declaration.AddModifiers(partial);
        // No modifiers: the keyword carries the leading trivia (indentation, comments), which must move to 'partial'.
        var keyword = declaration.Keyword;
        return declaration
            .WithKeyword(keyword.WithLeadingTrivia())
            .WithModifiers(SyntaxFactory.TokenList(partial.WithLeadingTrivia(keyword.LeadingTrivia)));
    }
}
