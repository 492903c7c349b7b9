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

    private bool IsArchitectureArgument(ArgumentSyntax argument) =>
        argument.Expression is IdentifierNameSyntax id
        && _architectureParameters.Contains(id.Identifier.ValueText)
        && _model.GetSymbolInfo(id, _cancellationToken).Symbol is IParameterSymbol parameter
        && parameter.DeclaringSyntaxReferences.Select(r => r.GetSyntax(_cancellationToken)).OfType<ParameterSyntax>().Any(IsArchitectureParameter);

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
    // outer). Everything else is bound as before.
    private ISymbol? Resolve(SimpleNameSyntax identifier)
    {
        string name = identifier.Identifier.ValueText;
        if (identifier is IdentifierNameSyntax plain && !_declaredNames.Contains(name) && !_outerNames.Contains(name) && IsPlainName(plain))
        {
            bool member = _memberNames.Contains(name);
            bool besideType = _namespaceTypeNames.Contains(name);
            if (member && !besideType && !SyntaxFacts.IsInNamespaceOrTypeContext(identifier))
            {
                var own = _space.GetMembers(name);
                // `Act.Relu` where a property Act has type Act may mean the type (the "Color Color" rule): bind that.
                bool colorColor = identifier.Parent is MemberAccessExpressionSyntax access && access.Expression == identifier
                    && own.Any(m => m is IPropertySymbol { Type.Name: var t } && t == name || m is IFieldSymbol { Type.Name: var f } && f == name);
                if (own.Length > 0 && !colorColor) return own[0];
            }
            else if (besideType && !member)
            {
                var types = _space.ContainingNamespace.GetTypeMembers(name);
                if (types.Length == 1 && types[0].Arity == 0) return types[0];
            }
        }
        return _model.GetSymbolInfo(identifier, _cancellationToken).Symbol;
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
    // functions, type and range variables), and the names of its parameters of an Architecture type.
    private (HashSet<string> Declared, HashSet<string> Architecture) DeclaredNames(SyntaxNode member)
    {
        var declared = new HashSet<string>(StringComparer.Ordinal);
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
            declared.Add(token.ValueText);
            if (node is ParameterSyntax parameter && IsArchitectureParameter(parameter)) architecture.Add(token.ValueText);
        }
        return (declared, architecture);
    }

    private int Column(int position) => position - _text.Lines.GetLineFromPosition(position).Start;

    private void Problem(string problem)
    {
        if (!_template.Problems.Contains(problem)) _template.Problems.Add(problem);
    }

    private static string StripGlobal(string name) => name.StartsWith("global::", StringComparison.Ordinal) ? name.Substring(8) : name;
}
