using System.Collections.Immutable;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;

namespace NasGen.CodeFixes;

/// <summary>
/// A fix for one diagnostic id that replaces one syntax node: finds the node at the diagnostic, offers one code
/// action (equivalence key: the provider's type name, so fix-all batches them) and swaps in the rewritten node.
/// </summary>
/// <typeparam name="TNode">The node the fix rewrites.</typeparam>
public abstract class SyntaxCodeFix<TNode> : CodeFixProvider
    where TNode : SyntaxNode
{
    private readonly string _title;

    /// <summary>Creates a fix for <paramref name="diagnosticId"/> whose code action is called <paramref name="title"/>.</summary>
    private protected SyntaxCodeFix(string diagnosticId, string title)
    {
        FixableDiagnosticIds = ImmutableArray.Create(diagnosticId);
        _title = title;
    }

    /// <inheritdoc />
    public sealed override ImmutableArray<string> FixableDiagnosticIds { get; }

    /// <inheritdoc />
    public sealed override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc />
    public sealed override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        if (root is null) return;
        foreach (var diagnostic in context.Diagnostics)
        {
            // Generator diagnostics carry a file path and span, not a tree: find the node by span.
            if (FindNode(root, diagnostic.Location.SourceSpan) is not { } node) continue;
            string key = GetType().Name;
            context.RegisterCodeFix(CodeAction.Create(_title, token => ReplaceAsync(context.Document, node, token), equivalenceKey: key), diagnostic);
        }
    }

    /// <summary>The node to rewrite for a diagnostic at <paramref name="span"/>, or null when the fix does not apply.</summary>
    private protected abstract TNode? FindNode(SyntaxNode root, Microsoft.CodeAnalysis.Text.TextSpan span);

    /// <summary>The node to replace (<paramref name="node"/> or an ancestor) and its replacement.</summary>
    private protected abstract (SyntaxNode Old, SyntaxNode New) Rewrite(TNode node);

    private async Task<Document> ReplaceAsync(Document document, TNode node, CancellationToken cancellationToken)
    {
        var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        if (root is null) return document;
        var (oldNode, newNode) = Rewrite(node);
        return document.WithSyntaxRoot(root.ReplaceNode(oldNode, newNode));
    }
}
