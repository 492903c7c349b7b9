using System.Collections.Immutable;
using Microsoft.CodeAnalysis.Text;

namespace NasGen.Generators;

/// <summary>
/// Puts each space's diagnostics where their tokens are now. A parse reused after an edit inside a method body (see
/// <see cref="ParseInput"/>) points where the declaration was when it ran; every diagnostic of a space points at
/// tokens outside bodies, which the edit kept, so each moves by its token.
/// </summary>
internal static class DiagnosticPlacement
{
    public static EquatableArray<DiagnosticInfo> Place(ImmutableArray<SpaceDeclaration> declarations, ImmutableArray<SpaceParseResult> results,
        CancellationToken cancellationToken)
    {
        var placed = new List<DiagnosticInfo>();
        for (int i = 0; i < results.Length; i++)
        {
            var result = results[i];
            // One declaration per result, in the same order: both come from the same ForAttributeWithMetadataName run.
            if (result.Anchors.Count == 0 || declarations.Length != results.Length)
            {
                placed.AddRange(result.Diagnostics);
                continue;
            }
            var parts = declarations[i].Parts(cancellationToken).ToList();
            if (parts.Count != result.Anchors.Count)
            {
                placed.AddRange(result.Diagnostics);
                continue;
            }
            // As many tokens as the parse kept: up to the last one a diagnostic points into.
            var now = parts.Select((part, k) => DeclarationShape.Anchors(part, result.Anchors[k].TokenStarts.Count)).ToList();
            foreach (var diagnostic in result.Diagnostics)
                placed.Add(Moved(diagnostic, result.Anchors, now, parts) ?? diagnostic);
        }
        return placed.ToEquatableArray();
    }

    private static DiagnosticInfo? Moved(DiagnosticInfo diagnostic, EquatableArray<DeclarationAnchors> then, List<DeclarationAnchors> now, List<SyntaxNode> parts)
    {
        if (diagnostic.FilePath.Length == 0) return null;
        // The part of the declaration it points into: of those in its file, the last that starts before it.
        int part = -1;
        for (int i = 0; i < then.Count; i++)
        {
            var starts = then[i].TokenStarts;
            if (then[i].FilePath == diagnostic.FilePath && starts.Count > 0 && starts[0] <= diagnostic.Span.Start
                && (part < 0 || starts[0] > then[part].TokenStarts[0]))
                part = i;
        }
        if (part < 0) return null;
        int? start = DeclarationShape.Move(diagnostic.Span.Start, then[part], now[part]);
        int? end = diagnostic.Span.Length == 0 ? start : DeclarationShape.Move(diagnostic.Span.End - 1, then[part], now[part]) + 1;
        if (start is null || end is null) return null;
        if (start == diagnostic.Span.Start && end == diagnostic.Span.End) return diagnostic;
        var span = TextSpan.FromBounds(start.Value, end.Value);
        return diagnostic with { Span = span, LineSpan = parts[part].SyntaxTree.GetLineSpan(span).Span };
    }
}
