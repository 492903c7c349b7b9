using System.Text;
using Microsoft.CodeAnalysis.Text;
using NasGen.Export;

namespace NasGen.Generators;

internal sealed partial class TemplateBuilder
{
    // ---- Members -------------------------------------------------------------------------------------------------

    private MemberTemplate BuildMember(MemberDeclarationSyntax member)
    {
        _member = MemberName(member);
        (_declaredNames, _redeclaredNames, _architectureParameters) = DeclaredNames(member);
        // The member's text starts at its doc comment (or its first token) and includes that line's indentation.
        int start = member.SpanStart;
        bool blankLineBefore = false;
        bool seenContent = false;
        foreach (var trivia in member.GetLeadingTrivia())
        {
            if (trivia.IsKind(SyntaxKind.EndOfLineTrivia) && !seenContent) blankLineBefore = true;
            if (!trivia.IsKind(SyntaxKind.WhitespaceTrivia) && !trivia.IsKind(SyntaxKind.EndOfLineTrivia) && !seenContent)
            {
                seenContent = true;
                // The full span: a doc comment's span starts after its first `///`, which would count as indentation.
                start = trivia.FullSpan.Start;
            }
        }
        int lineStart = _text.Lines.GetLineFromPosition(start).Start;
        var template = new MemberTemplate
        {
            Name = _member,
            Droppable = member is MethodDeclarationSyntax method && IsPrivate(method.Modifiers) && !method.Modifiers.Any(SyntaxKind.OverrideKeyword),
            BlankLineBefore = blankLineBefore,
            Indent = start - lineStart,
        };
        template.Parts = BuildRange(member, lineStart, member.Span.End);
        foreach (var identifier in member.DescendantNodes().OfType<SimpleNameSyntax>())
        {
            // Binding is the expensive part: only names that can be a member of the space or a type beside it.
            if (!_memberNames.Contains(identifier.Identifier.ValueText) && !_namespaceTypeNames.Contains(identifier.Identifier.ValueText)) continue;
            var (own, symbol) = Resolve(identifier);
            string? reference = own is not null ? identifier.Identifier.ValueText
                : symbol is not null && SymbolEqualityComparer.Default.Equals(symbol.ContainingType, _space) ? symbol.Name : null;
            if (reference is not null && !template.References.Contains(reference)) template.References.Add(reference);
            if (symbol is INamedTypeSymbol type && UsesOwnNamespace(type))
                _template.OwnNamespace = type.ContainingNamespace.ToDisplayString();
        }
        return template;
    }

    // A type declared beside the space (not the space, not nested in it, not a class the export nests), named
    // without its namespace.
    private bool UsesOwnNamespace(INamedTypeSymbol type)
    {
        if (_space.ContainingNamespace.IsGlobalNamespace || !SymbolEqualityComparer.Default.Equals(type.ContainingNamespace, _space.ContainingNamespace)
            || (type.ContainingType is null && _helperNames.Contains(type.Name)))
            return false;
        for (var t = type; t is not null; t = t.ContainingType)
            if (SymbolEqualityComparer.Default.Equals(t, _space)) return false;
        return true;
    }

    private static string MemberName(MemberDeclarationSyntax member) => member switch
    {
        MethodDeclarationSyntax m => m.Identifier.ValueText,
        PropertyDeclarationSyntax p => p.Identifier.ValueText,
        FieldDeclarationSyntax f => f.Declaration.Variables.First().Identifier.ValueText,
        BaseTypeDeclarationSyntax t => t.Identifier.ValueText,
        ConstructorDeclarationSyntax => ".ctor",
        _ => member.Kind().ToString(),
    };

    private static bool IsPrivate(SyntaxTokenList modifiers) =>
        !modifiers.Any(m => m.IsKind(SyntaxKind.PublicKeyword) || m.IsKind(SyntaxKind.InternalKeyword) || m.IsKind(SyntaxKind.ProtectedKeyword));

    private List<Part> BuildRange(SyntaxNode scope, int start, int end)
    {
        var parts = new List<Part>();
        int cursor = start;
        Walk(scope, parts, ref cursor, end);
        AddText(parts, cursor, end);
        return parts;
    }

    private void AddText(List<Part> parts, int from, int to)
    {
        if (to <= from) return;
        string text = _text.ToString(TextSpan.FromBounds(from, to)).Replace("\r\n", "\n");
        if (parts.Count > 0 && parts[parts.Count - 1].Kind == PartKind.Text) parts[parts.Count - 1].Text += text;
        else parts.Add(Part.OfText(text));
    }

    private void Walk(SyntaxNode node, List<Part> parts, ref int cursor, int end)
    {
        foreach (var child in node.ChildNodesAndTokens())
        {
            if (child.Span.End <= cursor) continue;
            if (child.SpanStart >= end) break;
            if (child.IsToken)
            {
                // The space's constructors are named after the exported class; a nested type's keep their own name.
                if (child.Parent is ConstructorDeclarationSyntax { Parent: TypeDeclarationSyntax owner } constructor
                    && child.AsToken() == constructor.Identifier
                    && SymbolEqualityComparer.Default.Equals(_model.GetDeclaredSymbol(owner, _cancellationToken), _space))
                    Replace(parts, ref cursor, child.Span, new Part { Kind = PartKind.ClassName });
                continue;
            }
            var childNode = child.AsNode()!;
            if (childNode is ArgumentListSyntax arguments && arguments.Arguments.Any(IsArchitectureArgument))
            {
                // `new Head(architecture, 8)` in a factory: the exported Head takes no architecture.
                AddText(parts, cursor, arguments.SpanStart);
                parts.AddRange(ArgumentsWithoutArchitecture(arguments));
                cursor = arguments.Span.End;
                continue;
            }
            var replacement = TryReplace(childNode);
            if (replacement is not null) Replace(parts, ref cursor, replacement.Value.Span, replacement.Value.Part);
            else Walk(childNode, parts, ref cursor, end);
        }
    }

    private void Replace(List<Part> parts, ref int cursor, TextSpan span, Part part)
    {
        AddText(parts, cursor, span.Start);
        parts.Add(part);
        cursor = span.End;
    }

    private (TextSpan Span, Part Part)? TryReplace(SyntaxNode node)
    {
        switch (node)
        {
            case ExpressionStatementSyntax { Expression: InvocationExpressionSyntax call } statement when IsInitializeChoices(call):
                return (statement.Span, new Part { Kind = PartKind.InitializeChoices, Indent = Column(statement.SpanStart) });

            // `X(Architecture a) => InitializeChoices(a);`: the exported constructor gets a block body.
            case ArrowExpressionClauseSyntax { Parent: ConstructorDeclarationSyntax constructor, Expression: InvocationExpressionSyntax call } arrow
                when IsInitializeChoices(call):
                var declarationStart = constructor.Modifiers.Count > 0 ? constructor.Modifiers[0].SpanStart : constructor.Identifier.SpanStart;
                return (TextSpan.FromBounds(arrow.SpanStart, constructor.SemicolonToken.Span.End),
                    new Part { Kind = PartKind.InitializeChoices, Indent = Column(declarationStart), Flag = true });

            case IdentifierNameSyntax identifier:
                return ReplaceIdentifier(identifier);

            case InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax { Name.Identifier.ValueText: "Select" } access } invocation
                when InputChoiceOf(access.Expression) is int input:
                return ReplaceSelect(invocation, input);

            case IfStatementSyntax statement when ToCondition(statement.Condition) is Condition condition:
                return (statement.Span, IfPart(statement, condition));

            case ConditionalExpressionSyntax conditional when ToCondition(conditional.Condition) is Condition condition:
                var part = new Part { Kind = PartKind.Conditional, Condition = condition, Flag = NeedsParentheses(conditional) };
                AddBranch(part, conditional.WhenTrue);
                AddBranch(part, conditional.WhenFalse);
                return (conditional.Span, part);

            case SwitchExpressionSyntax switchExpression when SwitchPart(switchExpression) is Part switchPart:
                return (switchExpression.Span, switchPart);

            case ParameterListSyntax parameters when parameters.Parameters.Any(IsArchitectureParameter):
                return (parameters.Span, Part.OfText("(" + string.Join(", ", parameters.Parameters.Where(p => !IsArchitectureParameter(p)).Select(p => p.ToString().Trim())) + ")"));

            default:
                return null;
        }
    }

    private List<Part> ArgumentsWithoutArchitecture(ArgumentListSyntax arguments)
    {
        var list = new List<Part> { Part.OfText("(") };
        foreach (var argument in arguments.Arguments.Where(a => !IsArchitectureArgument(a)))
        {
            if (list.Count > 1) list.Add(Part.OfText(", "));
            list.AddRange(BuildRange(argument, argument.SpanStart, argument.Span.End));
        }
        list.Add(Part.OfText(")"));
        return list;
    }

    private (TextSpan, Part)? ReplaceIdentifier(IdentifierNameSyntax identifier)
    {
        string name = identifier.Identifier.ValueText;
        // Only these names can need a hole; binding every identifier would double the generator's cost.
        if (!_choiceIndex.ContainsKey(name) && name != _space.Name && !_subSpaceNames.Contains(name)
            && name != "Architecture" && Array.IndexOf(GeneratedOnly, name) < 0) return null;
        var named = Resolve(identifier);
        if (named.IsOwnProperty(_space) && _choiceIndex.TryGetValue(name, out int index) && !IsInNameof(identifier))
        {
            var choice = _choices[index];
            // Value and module choices stay properties of the exported class (a constant, a field), so uses keep
            // their meaning: a literal in their place could change overload resolution (a constant 0 converts to
            // any enum). Input choices have no exported counterpart: only their Select calls are inlined.
            if (choice.Kind == ChoiceModelKind.Input)
                Problem($"'{_member}' uses the input choice {name} other than as {name}.Select(...)");
            return null;
        }
        var symbol = named.Symbol;
        if (symbol is INamedTypeSymbol type && SymbolEqualityComparer.Default.Equals(type, _space))
            return (identifier.Span, new Part { Kind = PartKind.ClassName });
        if (symbol is INamedTypeSymbol subSpace && !(identifier.Parent is QualifiedNameSyntax q && q.Left == identifier)
            && _choices.Any(c => c.Kind == ChoiceModelKind.SubSpace && c.SubSpaceType == subSpace.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat)))
            return (identifier.Span, new Part { Kind = PartKind.SubSpaceClass, Text = StripGlobal(subSpace.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat)) });
        if (named.Own is null && symbol is null && (Array.IndexOf(GeneratedOnly, name) >= 0 || name == "Architecture"))
            Problem($"'{_member}' uses {name}, which only the searchable class has");
        return null;
    }

    private static bool IsInitializeChoices(InvocationExpressionSyntax call) => call.Expression is
        IdentifierNameSyntax { Identifier.ValueText: "InitializeChoices" }
        or MemberAccessExpressionSyntax { Expression: ThisExpressionSyntax, Name.Identifier.ValueText: "InitializeChoices" };

    private static bool IsInNameof(SyntaxNode node) =>
        node.Ancestors().OfType<InvocationExpressionSyntax>().Any(i => i.Expression is IdentifierNameSyntax { Identifier.ValueText: "nameof" });

    private int? InputChoiceOf(ExpressionSyntax expression) => ChoiceOf(expression, ChoiceModelKind.Input);

    // The index of the space's own choice of this kind that the expression names (`X` or `this.X`), or null.
    private int? ChoiceOf(ExpressionSyntax expression, ChoiceModelKind kind)
    {
        var name = expression switch
        {
            IdentifierNameSyntax id => id,
            MemberAccessExpressionSyntax { Expression: ThisExpressionSyntax, Name: IdentifierNameSyntax id } => id,
            _ => null,
        };
        if (name is null || !_choiceIndex.TryGetValue(name.Identifier.ValueText, out int index) || _choices[index].Kind != kind) return null;
        return Resolve(name).IsOwnProperty(_space) ? index : null;
    }

    private (TextSpan, Part)? ReplaceSelect(InvocationExpressionSyntax invocation, int input)
    {
        var arguments = invocation.ArgumentList.Arguments;
        if (arguments.Count != _choices[input].InputCandidates || arguments.Any(a => a.NameColon is not null || !a.RefKindKeyword.IsKind(SyntaxKind.None)))
        {
            Problem($"'{_member}' calls {_choices[input].PropertyName}.Select with {arguments.Count} arguments; the export inlines a call with one positional argument per candidate ({_choices[input].InputCandidates})");
            return null;
        }
        var part = new Part { Kind = PartKind.Select, Choice = input, Flag = NeedsParentheses(invocation) };
        foreach (var argument in arguments) AddBranch(part, argument.Expression);
        return (invocation.Span, part);
    }

    private void AddBranch(Part part, ExpressionSyntax expression)
    {
        part.Branches.Add(BuildRange(expression, expression.SpanStart, expression.Span.End));
        part.BranchIsCompound.Add(!IsPrimary(expression));
    }

    private Part IfPart(IfStatementSyntax statement, Condition condition)
    {
        var part = new Part { Kind = PartKind.Conditional, Condition = condition };
        int column = Column(statement.SpanStart);
        part.Branches.Add(StatementBranch(statement.Statement, column, out int dedent));
        part.Indent = dedent;
        part.BranchIsCompound.Add(false);
        if (statement.Else is not null)
        {
            // The else branch is dedented by the same amount: both sit one level inside the if.
            part.Branches.Add(StatementBranch(statement.Else.Statement, column, out _));
            part.BranchIsCompound.Add(false);
        }
        return part;
    }

    private List<Part> StatementBranch(StatementSyntax statement, int ifColumn, out int dedent)
    {
        dedent = 0;
        if (statement is BlockSyntax block)
        {
            if (block.Statements.Count == 0) return new List<Part>();
            int first = block.Statements[0].SpanStart;
            dedent = Math.Max(0, Column(first) - ifColumn);
            return BuildRange(block, first, block.Statements.Last().Span.End);
        }
        if (statement is IfStatementSyntax) return BuildRange(statement, statement.SpanStart, statement.Span.End);
        dedent = Math.Max(0, Column(statement.SpanStart) - ifColumn);
        return BuildRange(statement, statement.SpanStart, statement.Span.End);
    }

    private Part? SwitchPart(SwitchExpressionSyntax switchExpression)
    {
        int? choice = ValueChoiceOf(switchExpression.GoverningExpression);
        if (choice is null) return null;
        var model = _choices[choice.Value];
        var remaining = Enumerable.Range(0, model.Candidates.Count).ToList();
        var arms = new List<(List<int> Codes, SwitchExpressionArmSyntax Arm)>();
        foreach (var arm in switchExpression.Arms)
        {
            if (arm.WhenClause is not null) return null;
            List<int>? codes = arm.Pattern switch
            {
                DiscardPatternSyntax => remaining.ToList(),
                ConstantPatternSyntax constant => Matching(choice.Value, constant.Expression, SyntaxKind.EqualsEqualsToken),
                _ => null,
            };
            if (codes is null) return null;
            codes = codes.Where(remaining.Contains).ToList();
            remaining.RemoveAll(codes.Contains);
            arms.Add((codes, arm));
        }
        if (remaining.Count > 0) return null; // a candidate no arm handles: leave the switch as it is

        // arm1 ? e1 : (arm2 ? e2 : ...), each a Conditional part; the last arm needs no condition.
        Part? result = null;
        for (int i = arms.Count - 1; i >= 0; i--)
        {
            var expression = arms[i].Arm.Expression;
            var branch = BuildRange(expression, expression.SpanStart, expression.Span.End);
            if (result is null)
            {
                result = new Part { Kind = PartKind.Conditional, Condition = Always(), Flag = NeedsParentheses(switchExpression) };
                result.Branches.Add(branch);
                result.BranchIsCompound.Add(!IsPrimary(expression));
                continue;
            }
            var next = new Part { Kind = PartKind.Conditional, Condition = Atom(choice.Value, arms[i].Codes), Flag = NeedsParentheses(switchExpression) };
            next.Branches.Add(branch);
            next.BranchIsCompound.Add(!IsPrimary(expression));
            next.Branches.Add(new List<Part> { result });
            next.BranchIsCompound.Add(false);
            result = next;
        }
        return result;
    }
}
