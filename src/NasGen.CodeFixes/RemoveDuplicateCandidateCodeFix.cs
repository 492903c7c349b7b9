using System.Composition;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace NasGen.CodeFixes;

/// <summary>NASG007: removes a candidate that a choice already lists.</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(RemoveDuplicateCandidateCodeFix)), Shared]
public sealed class RemoveDuplicateCandidateCodeFix : SyntaxCodeFix<AttributeArgumentSyntax>
{
    /// <summary>The title of the code action, also shown in the light bulb.</summary>
    public const string Title = "Remove the duplicate candidate";

    /// <summary>Creates the fix.</summary>
    public RemoveDuplicateCandidateCodeFix() : base(DiagnosticIds.DuplicateCandidate, Title) { }

    // NASG007 is reported on the positional attribute argument that repeats an earlier one.
    private protected override AttributeArgumentSyntax? FindNode(SyntaxNode root, TextSpan span) =>
        root.FindNode(span, getInnermostNodeForTie: true).FirstAncestorOrSelf<AttributeArgumentSyntax>() is { } argument
        && argument.NameEquals is null && argument.NameColon is null && argument.Parent is AttributeArgumentListSyntax ? argument : null;

    // SeparatedSyntaxList.Remove also drops the neighbouring comma, so "1, 2, 1" becomes "1, 2".
    private protected override (SyntaxNode Old, SyntaxNode New) Rewrite(AttributeArgumentSyntax argument)
    {
        var list = (AttributeArgumentListSyntax)argument.Parent!;
        return (list, list.WithArguments(list.Arguments.Remove(argument)));
    }
}
