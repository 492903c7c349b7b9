namespace NasGen.Generators;

/// <summary>
/// A file as the declarations in it are bound: equal to another version of it when the compiler calls the two
/// top-level equivalent (<see cref="SyntaxTree.IsEquivalentTo"/>: the same tokens outside method bodies and non-const
/// field initializers, the same <c>#nullable</c> directives) and their path and parse options agree. An edit inside a
/// body keeps the shape, so whatever was bound from the declarations still holds. Keeps the tree it was made from (an
/// older, equal one while the driver caches it), not a compilation.
/// </summary>
internal sealed class DeclarationShape(SyntaxTree tree) : IEquatable<DeclarationShape>
{
    private readonly SyntaxTree _tree = tree;

    public bool Equals(DeclarationShape? other) =>
        other is not null && (ReferenceEquals(_tree, other._tree)
            || (_tree.FilePath == other._tree.FilePath && _tree.Options.Equals(other._tree.Options) && _tree.IsEquivalentTo(other._tree, topLevel: true)));

    public override bool Equals(object? obj) => Equals(obj as DeclarationShape);

    public override int GetHashCode() => _tree.FilePath.GetHashCode();

    /// <summary>
    /// Where the first <paramref name="count"/> (all: -1) tokens of <paramref name="declaration"/> that top-level
    /// equivalence compares start. Two equivalent declarations have the same such tokens, so a position in one of them
    /// maps to the other by token (see <see cref="Move"/>).
    /// </summary>
    public static DeclarationAnchors Anchors(SyntaxNode declaration, int count = -1)
    {
        var tokens = declaration.DescendantTokens(static node => !IsIgnored(node)).Select(static token => token.SpanStart);
        return new(declaration.SyntaxTree.FilePath, (count < 0 ? tokens : tokens.Take(count)).ToEquatableArray());
    }

    /// <summary>The anchors of <paramref name="declaration"/> up to the token that holds <paramref name="position"/>.</summary>
    public static DeclarationAnchors AnchorsThrough(SyntaxNode declaration, int position) =>
        new(declaration.SyntaxTree.FilePath, declaration.DescendantTokens(static node => !IsIgnored(node))
            .TakeWhile(token => token.SpanStart <= position).Select(static token => token.SpanStart).ToEquatableArray());

    /// <summary>
    /// <paramref name="position"/> (inside a token that equivalence compares, where every diagnostic of a space points),
    /// moved from the declaration <paramref name="from"/> describes to the one <paramref name="to"/> describes; null when
    /// it lies before <paramref name="from"/>'s first token or past its last.
    /// </summary>
    public static int? Move(int position, DeclarationAnchors from, DeclarationAnchors to)
    {
        var starts = from.TokenStarts.AsSpan();
        if (starts.Length == 0 || position < starts[0] || starts.Length > to.TokenStarts.Count) return null;
        int low = 0, high = starts.Length - 1;
        while (low < high)
        {
            int middle = (low + high + 1) / 2;
            if (starts[middle] <= position) low = middle;
            else high = middle - 1;
        }
        return to.TokenStarts[low] + (position - starts[low]);
    }

    // What top-level equivalence skips: every block and expression body, and the initializers of fields that are not const.
    private static bool IsIgnored(SyntaxNode node) => node is BlockSyntax or ArrowExpressionClauseSyntax
        || node is EqualsValueClauseSyntax { Parent: VariableDeclaratorSyntax { Parent.Parent: FieldDeclarationSyntax field } }
            && !field.Modifiers.Any(SyntaxKind.ConstKeyword);
}

/// <summary>The starts of a declaration's tokens outside what top-level equivalence skips (or the first of them), and its file.</summary>
internal sealed record DeclarationAnchors(string FilePath, EquatableArray<int> TokenStarts);
