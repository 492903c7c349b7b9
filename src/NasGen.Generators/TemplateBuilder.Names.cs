using System.Text;
using Microsoft.CodeAnalysis.Text;
using NasGen.Export;

namespace NasGen.Generators;

internal sealed partial class TemplateBuilder
{
    // ---- Helpers -----------------------------------------------------------------------------------------------------

    private bool IsArchitectureParameter(ParameterSyntax parameter) =>
        parameter.Type is not null && IsArchitectureType(parameter.Type);

    private static bool IsArchitectureType(TypeSyntax type) => type switch
    {
        IdentifierNameSyntax { Identifier.ValueText: "Architecture" } => true,
        QualifiedNameSyntax { Right.Identifier.ValueText: "Architecture" } => true,
        AliasQualifiedNameSyntax { Name.Identifier.ValueText: "Architecture" } => true,
        _ => false,
    };

    // Syntax decides where the member declares the name once, as its Architecture parameter: that is what it names (a
    // parameter hides any member); binding the argument would bind the whole body.
    private bool IsArchitectureArgument(ArgumentSyntax argument) =>
        argument.Expression is IdentifierNameSyntax id
        && _architectureParameters.Contains(id.Identifier.ValueText)
        && (!_redeclaredNames.Contains(id.Identifier.ValueText)
            || _model.GetSymbolInfo(id, _cancellationToken).Symbol is IParameterSymbol parameter
            && parameter.DeclaringSyntaxReferences.Select(r => r.GetSyntax(_cancellationToken)).OfType<ParameterSyntax>().Any(IsArchitectureParameter));

    private static bool IsPrimary(ExpressionSyntax expression) => expression is IdentifierNameSyntax or GenericNameSyntax
        or MemberAccessExpressionSyntax or InvocationExpressionSyntax or ElementAccessExpressionSyntax or LiteralExpressionSyntax
        or ParenthesizedExpressionSyntax or ObjectCreationExpressionSyntax or ImplicitObjectCreationExpressionSyntax
        or ThisExpressionSyntax or BaseExpressionSyntax or InterpolatedStringExpressionSyntax or TypeOfExpressionSyntax
        or DefaultExpressionSyntax or CollectionExpressionSyntax or ArrayCreationExpressionSyntax
        or ImplicitArrayCreationExpressionSyntax or PredefinedTypeSyntax;

    // Whether a compound expression put where `node` is would need parentheses to keep its meaning.
    private static bool NeedsParentheses(SyntaxNode node) => node.Parent is not (ArgumentSyntax or EqualsValueClauseSyntax
        or ArrowExpressionClauseSyntax or ReturnStatementSyntax or ParenthesizedExpressionSyntax or InitializerExpressionSyntax
        or ExpressionElementSyntax or SwitchExpressionArmSyntax or ExpressionStatementSyntax)
        && !(node.Parent is AssignmentExpressionSyntax assignment && assignment.Right == node);

    // ---- Name resolution ---------------------------------------------------------------------------------------------

    // Binding method bodies was most of the template's cost (a 200-choice space's forward: every call bound). A simple
    // name is resolved from syntax where syntax decides it: in an expression, no local or parameter of that name in the
    // member, not after a '.', and it names either a member of the space or a type beside it (and nothing inherited or
    // outer). Everything else is bound as before. An own member is named by its declaration, not its symbol: asking the
    // space for a member symbol makes the compiler create all of them, which cost a body edit more than the rest.
    private Named Resolve(SimpleNameSyntax identifier)
    {
        string name = identifier.Identifier.ValueText;
        if (identifier is IdentifierNameSyntax plain && !_declaredNames.Contains(name) && !_outerNames.Contains(name) && IsPlainName(plain))
        {
            bool member = _memberNames.Contains(name);
            bool besideType = _namespaceTypeNames.Contains(name);
            if (member && !besideType && !SyntaxFacts.IsInNamespaceOrTypeContext(identifier))
            {
                // `Act.Relu` where a property Act has type Act may mean the type (the "Color Color" rule): bind that.
                if (_ownMembers.TryGetValue(name, out var own) && !(identifier.Parent is MemberAccessExpressionSyntax access
                    && access.Expression == identifier && own.Any(m => HasTypeNamed(m, name))))
                    return new Named(own[0], null);
            }
            else if (besideType && !member)
            {
                var types = _space.ContainingNamespace.GetTypeMembers(name);
                if (types.Length == 1 && types[0].Arity == 0) return new Named(null, types[0]);
            }
        }
        return new Named(null, _model.GetSymbolInfo(identifier, _cancellationToken).Symbol);
    }

    // Whether a property or field's type is named `name`. Syntax decides for a generic or qualified name, which no alias
    // can rename; any other type is bound, once per file and text (binding is the cost here, and few types differ).
    private bool HasTypeNamed(MemberDeclarationSyntax member, string name)
    {
        var type = member switch
        {
            PropertyDeclarationSyntax property => property.Type,
            FieldDeclarationSyntax field => field.Declaration.Type,
            _ => null,
        };
        switch (type)
        {
            case null: return false;
            case GenericNameSyntax generic: return generic.Identifier.ValueText == name;
            case QualifiedNameSyntax qualified: return qualified.Right.Identifier.ValueText == name;
            case AliasQualifiedNameSyntax qualified: return qualified.Name.Identifier.ValueText == name;
        }
        var key = (type.SyntaxTree, type.ToString());
        if (!_boundTypeNames.TryGetValue(key, out var bound))
        {
            var model = type.SyntaxTree == _model.SyntaxTree ? _model : _compilation.GetSemanticModel(type.SyntaxTree);
            _boundTypeNames.Add(key, bound = model.GetTypeInfo(type, _cancellationToken).Type?.Name);
        }
        return bound == name;
    }

    private readonly Dictionary<(SyntaxTree, string), string?> _boundTypeNames = [];

    /// <summary>What a simple name in a member's code names: a member of the space (its first declaration), or a symbol.</summary>
    private readonly record struct Named(MemberDeclarationSyntax? Own, ISymbol? Symbol)
    {
        public bool IsOwnProperty(INamedTypeSymbol space) =>
            Own is PropertyDeclarationSyntax || Symbol is IPropertySymbol property && SymbolEqualityComparer.Default.Equals(property.ContainingType, space);
    }

    // The space's members by name, from its declarations, in declaration order (nested types are left to binding).
    private static Dictionary<string, List<MemberDeclarationSyntax>> OwnMembers(INamedTypeSymbol space, CancellationToken cancellationToken)
    {
        var members = new Dictionary<string, List<MemberDeclarationSyntax>>(StringComparer.Ordinal);
        foreach (var reference in space.DeclaringSyntaxReferences)
        {
            if (reference.GetSyntax(cancellationToken) is not TypeDeclarationSyntax declaration) continue;
            foreach (var member in declaration.Members)
            {
                var names = member switch
                {
                    PropertyDeclarationSyntax property => [property.Identifier],
                    MethodDeclarationSyntax method => [method.Identifier],
                    EventDeclarationSyntax @event => [@event.Identifier],
                    BaseFieldDeclarationSyntax field => field.Declaration.Variables.Select(v => v.Identifier).ToArray(),
                    _ => Array.Empty<SyntaxToken>(),
                };
                foreach (var name in names)
                {
                    if (!members.TryGetValue(name.ValueText, out var list)) members.Add(name.ValueText, list = []);
                    list.Add(member);
                }
            }
        }
        return members;
    }

    // Not a member name after '.', '?.' or '::', an argument or initializer name, or inside nameof or an attribute.
    private static bool IsPlainName(IdentifierNameSyntax identifier)
    {
        switch (identifier.Parent)
        {
            case MemberAccessExpressionSyntax access when access.Name == identifier:
            case MemberBindingExpressionSyntax:
            case QualifiedNameSyntax qualified when qualified.Right == identifier:
            case AliasQualifiedNameSyntax:
            case NameColonSyntax or NameEqualsSyntax or NameMemberCrefSyntax:
            case AssignmentExpressionSyntax { Parent: InitializerExpressionSyntax } assignment when assignment.Left == identifier:
                return false;
        }
        foreach (var ancestor in identifier.Ancestors())
        {
            if (ancestor is AttributeSyntax or MemberDeclarationSyntax) return ancestor is not AttributeSyntax;
            if (ancestor is InvocationExpressionSyntax { Expression: IdentifierNameSyntax { Identifier.ValueText: "nameof" } }) return false;
        }
        return true;
    }

    // Every name a member declares (parameters, locals, pattern and out variables, loop and catch variables, local
    // functions, type and range variables), the names it declares more than once (a lambda's parameter may hide the
    // member's), and the names of its parameters of an Architecture type.
    private (HashSet<string> Declared, HashSet<string> Redeclared, HashSet<string> Architecture) DeclaredNames(SyntaxNode member)
    {
        var declared = new HashSet<string>(StringComparer.Ordinal);
        var redeclared = new HashSet<string>(StringComparer.Ordinal);
        var architecture = new HashSet<string>(StringComparer.Ordinal);
        foreach (var node in member.DescendantNodesAndSelf())
        {
            var token = node switch
            {
                ParameterSyntax p => p.Identifier,
                VariableDeclaratorSyntax v => v.Identifier,
                SingleVariableDesignationSyntax d => d.Identifier,
                ForEachStatementSyntax f => f.Identifier,
                CatchDeclarationSyntax c => c.Identifier,
                LocalFunctionStatementSyntax l => l.Identifier,
                TypeParameterSyntax t => t.Identifier,
                FromClauseSyntax q => q.Identifier,
                LetClauseSyntax q => q.Identifier,
                JoinClauseSyntax q => q.Identifier,
                JoinIntoClauseSyntax q => q.Identifier,
                QueryContinuationSyntax q => q.Identifier,
                LabeledStatementSyntax l => l.Identifier,
                _ => default,
            };
            if (token.RawKind == 0) continue;
            if (!declared.Add(token.ValueText)) redeclared.Add(token.ValueText);
            if (node is ParameterSyntax parameter && IsArchitectureParameter(parameter)) architecture.Add(token.ValueText);
        }
        return (declared, redeclared, architecture);
    }

    private int Column(int position) => position - _text.Lines.GetLineFromPosition(position).Start;

    private void Problem(string problem)
    {
        if (!_template.Problems.Contains(problem)) _template.Problems.Add(problem);
    }

    private static string StripGlobal(string name) => name.StartsWith("global::", StringComparison.Ordinal) ? name.Substring(8) : name;
}
