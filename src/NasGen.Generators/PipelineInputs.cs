using System.Collections.Immutable;
using System.Text;
using Microsoft.CodeAnalysis.Text;

namespace NasGen.Generators;

// The inputs of the two expensive steps, the parse of a space's choices and the build of its export template. Each
// carries the space's declaration in the current compilation to the step, but compares by what the step's result
// depends on, so that the driver re-runs the step only when that changed: ForAttributeWithMetadataName itself hands
// every space over again after any edit anywhere (it combines the spaces with the compilation).

/// <summary>A <c>[SearchSpace]</c> declaration in the current compilation. Never equal to another: always fresh.</summary>
internal sealed class SpaceDeclaration(GeneratorAttributeSyntaxContext context)
{
    public GeneratorAttributeSyntaxContext Context { get; } = context;

    /// <summary>Where the declaration sits, without positions: its file and its index at each level of the tree.</summary>
    public string Identity { get; } = IdentityOf(context.TargetNode);

    public IEnumerable<SyntaxNode> Parts(CancellationToken cancellationToken) =>
        Context.TargetSymbol.DeclaringSyntaxReferences.Select(r => r.GetSyntax(cancellationToken));

    private static string IdentityOf(SyntaxNode node)
    {
        var identity = new StringBuilder(node.SyntaxTree.FilePath);
        for (; node.Parent is { } parent; node = parent)
        {
            int index = 0;
            foreach (var sibling in parent.ChildNodes())
            {
                if (sibling == node) break;
                index++;
            }
            identity.Append('/').Append(index);
        }
        return identity.ToString();
    }
}

/// <summary>
/// What the compilation adds to the files' shapes: the references (by identity: a host keeps them across edits),
/// the options and the assembly's name.
/// </summary>
internal sealed class CompilationFacts(Compilation compilation) : IEquatable<CompilationFacts>
{
    private readonly MetadataReference[] _references = compilation.References.ToArray();
    private readonly CompilationOptions _options = compilation.Options;
    private readonly string? _assemblyName = compilation.AssemblyName;

    public bool Equals(CompilationFacts? other)
    {
        if (other is null || _assemblyName != other._assemblyName || !_options.Equals(other._options)
            || _references.Length != other._references.Length)
            return false;
        for (int i = 0; i < _references.Length; i++)
            if (!ReferenceEquals(_references[i], other._references[i])) return false;
        return true;
    }

    public override bool Equals(object? obj) => Equals(obj as CompilationFacts);

    public override int GetHashCode() => _references.Length;
}

/// <summary>Everything a space's choices can depend on besides its own file: every file's shape and the compilation's facts.</summary>
internal sealed record DeclarationEnvironment(EquatableArray<DeclarationShape> Shapes, CompilationFacts Facts);

/// <summary>
/// The parse's input: equal while the space and every file keep their shape (an edit inside a method body), so the
/// parse, which binds every choice's attribute, runs only when a declaration changed.
/// </summary>
internal sealed class ParseInput(SpaceDeclaration declaration, DeclarationEnvironment environment) : IEquatable<ParseInput>
{
    private SpaceDeclaration? _declaration = declaration;

    public string Identity { get; } = declaration.Identity;

    // A syntax error, even inside a body, turns NASG001 ("no choices") off.
    public bool HasSyntaxErrors { get; } = declaration.Context.TargetNode.ContainsDiagnostics;

    public DeclarationEnvironment Environment { get; } = environment;

    /// <summary>
    /// The declaration, once: the step that parses it lets go of it, so that a cached input does not keep its
    /// compilation alive (the driver keeps the older of two equal inputs).
    /// </summary>
    public SpaceDeclaration? Take() => Interlocked.Exchange(ref _declaration, null);

    public bool Equals(ParseInput? other) =>
        other is not null && Identity == other.Identity && HasSyntaxErrors == other.HasSyntaxErrors && Environment.Equals(other.Environment);

    public override bool Equals(object? obj) => Equals(obj as ParseInput);

    public override int GetHashCode() => Identity.GetHashCode();
}

/// <summary>
/// The export template's input: equal while the space's model, its files' text and every file's shape are, so an edit
/// elsewhere builds no template again, and one inside the space's bodies builds only its own.
/// </summary>
internal sealed class TemplateInput : IEquatable<TemplateInput>
{
    private SpaceDeclaration? _declaration;
    private readonly ImmutableArray<SourceText> _texts;

    public TemplateInput(SpaceDeclaration declaration, SpaceModel model, DeclarationEnvironment environment, CancellationToken cancellationToken)
    {
        _declaration = declaration;
        Model = model;
        Environment = environment;
        _texts = declaration.Context.TargetSymbol.DeclaringSyntaxReferences.Select(r => r.SyntaxTree).Distinct()
            .Select(tree => tree.GetText(cancellationToken)).ToImmutableArray();
    }

    public SpaceModel Model { get; }

    public DeclarationEnvironment Environment { get; }

    /// <summary>The declaration, once (see <see cref="ParseInput.Take"/>).</summary>
    public SpaceDeclaration? Take() => Interlocked.Exchange(ref _declaration, null);

    public bool Equals(TemplateInput? other) =>
        other is not null && Model.Equals(other.Model) && Environment.Equals(other.Environment)
        && _texts.Length == other._texts.Length && _texts.Zip(other._texts, static (a, b) => a.ContentEquals(b)).All(static same => same);

    public override bool Equals(object? obj) => Equals(obj as TemplateInput);

    public override int GetHashCode() => Model.FullyQualifiedName.GetHashCode();
}
