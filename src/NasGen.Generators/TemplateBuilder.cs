using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;
using NasGen.Export;

namespace NasGen.Generators;

/// <summary>
/// Captures what the exporter needs from a valid space's syntax: its members as text with holes where a choice's
/// value, the chosen operations or a decided condition go (see <see cref="NetworkTemplate"/>).
/// </summary>
internal sealed class TemplateBuilder
{
    // Members the generator emits: user code that still refers to them cannot leave NasGen.
    private static readonly string[] GeneratedOnly = ["CurrentArchitecture", "Space", "SpaceDescriptor", "_architecture"];

    private readonly INamedTypeSymbol _space;
    private readonly Compilation _compilation;
    private readonly IReadOnlyList<ChoiceModel> _choices;
    private readonly Dictionary<string, int> _choiceIndex;
    private readonly CancellationToken _cancellationToken;
    private readonly NetworkTemplate _template = new();
    private SemanticModel _model = null!;
    private SemanticModel? _givenModel;
    private SourceText _text = null!;
    private string _member = "";

    private TemplateBuilder(INamedTypeSymbol space, Compilation compilation, IReadOnlyList<ChoiceModel> choices, CancellationToken cancellationToken)
    {
        _space = space;
        _compilation = compilation;
        _choices = choices;
        _cancellationToken = cancellationToken;
        _choiceIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < choices.Count; i++) _choiceIndex[choices[i].PropertyName] = i;
        _memberNames = new HashSet<string>(space.MemberNames, StringComparer.Ordinal);
        _namespaceTypeNames = new HashSet<string>(space.ContainingNamespace.GetTypeMembers().Select(t => t.Name), StringComparer.Ordinal);
        _subSpaceNames = new HashSet<string>(choices.Where(c => c.Kind == ChoiceModelKind.SubSpace)
            .Select(c => c.SubSpaceType.Substring(c.SubSpaceType.LastIndexOf('.') + 1)), StringComparer.Ordinal);
        _outerNames = OuterNames(space);
    }

    // Names a simple name in the space's members could also mean besides its own members and the types beside it:
    // inherited members, the containing types' members (and theirs), primary-constructor parameters.
    private static HashSet<string> OuterNames(INamedTypeSymbol space)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var type = space.BaseType; type is not null; type = type.BaseType) names.UnionWith(type.MemberNames);
        for (var outer = space.ContainingType; outer is not null; outer = outer.ContainingType)
            for (var type = outer; type is not null; type = type.BaseType) names.UnionWith(type.MemberNames);
        foreach (var reference in space.DeclaringSyntaxReferences)
            if (reference.GetSyntax() is TypeDeclarationSyntax { ParameterList: { } parameters })
                names.UnionWith(parameters.Parameters.Select(p => p.Identifier.ValueText));
        return names;
    }

    private readonly HashSet<string> _memberNames;
    private readonly HashSet<string> _namespaceTypeNames;
    private readonly HashSet<string> _subSpaceNames;
    private readonly HashSet<string> _outerNames;
    // The current member's locals, parameters, range variables ... (any name it declares), and its Architecture parameters.
    private HashSet<string> _declaredNames = new(StringComparer.Ordinal);
    private HashSet<string> _architectureParameters = new(StringComparer.Ordinal);

    public static string Build(INamedTypeSymbol space, Compilation compilation, SemanticModel? semanticModel, SpaceModel model,
        IReadOnlyList<string> constraints, CancellationToken cancellationToken)
    {
        var builder = new TemplateBuilder(space, compilation, model.Choices, cancellationToken) { _givenModel = semanticModel };
        try
        {
            return builder.BuildTemplate(model, constraints).Serialize();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Exporting is optional: a syntax the builder does not handle makes the space unexportable, not invalid.
            var failed = new NetworkTemplate { SpaceName = model.SpaceName, ClassName = space.Name, FullName = StripGlobal(model.FullyQualifiedName) };
            failed.Problems.Add($"the exporter could not read the class ({e.GetType().Name}: {e.Message})");
            return failed.Serialize();
        }
    }

    private NetworkTemplate BuildTemplate(SpaceModel model, IReadOnlyList<string> constraints)
    {
        _template.SpaceName = model.SpaceName;
        _template.ClassName = _space.Name;
        _template.FullName = StripGlobal(model.FullyQualifiedName);

        var declarations = _space.DeclaringSyntaxReferences
            .Select(r => r.GetSyntax(_cancellationToken)).OfType<TypeDeclarationSyntax>().ToList();
        var main = declarations.FirstOrDefault(d => d.BaseList is not null) ?? declarations[0];
        _template.Modifiers = Modifiers(main);
        _template.BaseList = main.BaseList is null ? "" : " " + main.BaseList.ToString().Trim();
        _template.Documentation = Documentation(main);

        foreach (var declaration in declarations)
        {
            foreach (var directive in declaration.SyntaxTree.GetCompilationUnitRoot(_cancellationToken).DescendantNodes(n => n is CompilationUnitSyntax or BaseNamespaceDeclarationSyntax).OfType<UsingDirectiveSyntax>())
            {
                string text = directive.ToString().Trim();
                bool nasGen = (directive.Name?.ToString() ?? "").Split('.')[0] == "NasGen" || directive.GlobalKeyword.IsKind(SyntaxKind.GlobalKeyword);
                if (!nasGen && !_template.Usings.Contains(text)) _template.Usings.Add(text);
            }
        }

        // First declaration wins, as a lookup by name over the members in order would.
        var properties = new Dictionary<string, PropertyDeclarationSyntax>(StringComparer.Ordinal);
        foreach (var property in declarations.SelectMany(d => d.Members).OfType<PropertyDeclarationSyntax>())
            if (!properties.ContainsKey(property.Identifier.ValueText)) properties.Add(property.Identifier.ValueText, property);
        foreach (var choice in _choices) _template.Choices.Add(ToChoice(choice, properties.TryGetValue(choice.PropertyName, out var declared) ? declared : null));

        foreach (var declaration in declarations)
        {
            // Reuse the pipeline's model for its tree: a fresh one would bind every method body again.
            _model = _givenModel?.SyntaxTree == declaration.SyntaxTree ? _givenModel : _compilation.GetSemanticModel(declaration.SyntaxTree);
            _text = declaration.SyntaxTree.GetText(_cancellationToken);
            foreach (var member in declaration.Members)
            {
                _cancellationToken.ThrowIfCancellationRequested();
                if (IsChoiceProperty(member) || IsConstraint(member, constraints)) continue;
                _template.Members.Add(BuildMember(member));
            }
        }
        return _template;
    }

    // ---- Declaration -----------------------------------------------------------------------------------------

    private static string Modifiers(TypeDeclarationSyntax declaration)
    {
        var kept = declaration.Modifiers
            .Where(m => !m.IsKind(SyntaxKind.PartialKeyword) && !m.IsKind(SyntaxKind.PrivateKeyword) && !m.IsKind(SyntaxKind.ProtectedKeyword)
                && !m.IsKind(SyntaxKind.FileKeyword))
            .Select(m => m.Text).ToList();
        if (!kept.Contains("public") && !kept.Contains("internal")) kept.Insert(0, "public");
        return string.Join(" ", kept);
    }

    private static string Documentation(SyntaxNode node)
    {
        var lines = new List<string>();
        foreach (var trivia in node.GetLeadingTrivia())
        {
            // Without documentation parsing (no GenerateDocumentationFile) a /// line is a plain comment.
            bool doc = trivia.IsKind(SyntaxKind.SingleLineDocumentationCommentTrivia)
                || (trivia.IsKind(SyntaxKind.SingleLineCommentTrivia) && trivia.ToString().StartsWith("///", StringComparison.Ordinal));
            if (!doc) continue;
            foreach (string line in trivia.ToFullString().Split('\n'))
            {
                string trimmed = line.Trim();
                if (trimmed.Length > 0) lines.Add(trimmed.StartsWith("///", StringComparison.Ordinal) ? trimmed : "/// " + trimmed);
            }
        }
        return string.Join("\n", lines);
    }

    private ChoiceTemplate ToChoice(ChoiceModel choice, PropertyDeclarationSyntax? property)
    {
        var template = new ChoiceTemplate
        {
            Kind = choice.Kind,
            Property = choice.PropertyName,
            Field = Parser.FieldName(choice.PropertyName),
            Label = choice.Label,
            Accessibility = choice.PropertyAccessibility,
            // Value choices' types are written fully qualified: the export may live in another namespace.
            TypeText = choice.Kind == ChoiceModelKind.Value ? choice.ValueType : property?.Type.ToString() ?? choice.PropertyType,
            ValueCategory = ValueCategory(choice),
            Factory = choice.Factory ?? "",
            Min = choice.Min,
            Max = choice.Kind == ChoiceModelKind.LayerList ? choice.LayerCount : choice.Max,
            Inputs = choice.InputCandidates,
            Chosen = choice.InputChosen,
            Reduction = choice.Reduction,
            SubSpace = StripGlobal(choice.SubSpaceType),
        };
        if (choice.Kind == ChoiceModelKind.Cell)
        {
            FillCell(template, choice, property);
            return template;
        }
        if (choice.RangeArguments.Length > 0) FillRange(template, choice);
        foreach (var candidate in choice.Candidates)
        {
            bool factory = choice.Kind == ChoiceModelKind.LayerList
                || (choice.Kind == ChoiceModelKind.Layer && !candidate.Expression.StartsWith("new ", StringComparison.Ordinal));
            bool isString = template.ValueCategory == "string";
            string raw = isString ? candidate.Name.Substring(2) : "";
            template.Candidates.Add(new CandidateTemplate
            {
                Token = isString ? JsonString(raw) : candidate.Name,
                Expression = candidate.Expression,
                Raw = raw,
                Requires = factory ? candidate.Name : "",
            });
        }
        return template;
    }

    // The bounds as the generated NumericRange holds them: a continuous float range's bounds rounded to floats.
    private static void FillRange(ChoiceTemplate template, ChoiceModel choice)
    {
        var arguments = choice.RangeArguments.Split(',').Select(a => a.Trim()).ToArray();
        bool toFloat = choice.Continuous && template.ValueCategory == "float";
        double Bound(string text) => toFloat ? (float)ChoiceTemplate.ParseRoundTrip(text) : ChoiceTemplate.ParseRoundTrip(text);
        template.HasRange = true;
        template.RangeMin = Bound(arguments[0]);
        template.RangeMax = Bound(arguments[1]);
        template.RangeStep = ChoiceTemplate.ParseRoundTrip(arguments[2]);
        template.RangeLog = arguments[3] == "true";
    }

    // A cell's shape and ops, as the parser read them; its op enum as the user wrote it in Cell<...>.
    private static void FillCell(ChoiceTemplate template, ChoiceModel choice, PropertyDeclarationSyntax? property)
    {
        template.EveryEdge = choice.CellChosen == 0;
        template.InputNodes = choice.CellInputNodes;
        template.IntermediateNodes = choice.CellIntermediateNodes;
        template.Chosen = choice.CellChosen;
        template.OpType = property?.Type is GenericNameSyntax { TypeArgumentList.Arguments.Count: 1 } generic ? generic.TypeArgumentList.Arguments[0].ToString()
            : property?.Type is QualifiedNameSyntax { Right: GenericNameSyntax { TypeArgumentList.Arguments.Count: 1 } right } ? right.TypeArgumentList.Arguments[0].ToString()
            : choice.OpsType;
        foreach (var op in choice.Candidates)
            template.Candidates.Add(new CandidateTemplate { Token = op.Name, Expression = template.OpType + "." + CSharpIdentifiers.Escape(op.Name) });
    }

    private static string ValueCategory(ChoiceModel choice)
    {
        if (choice.Kind != ChoiceModelKind.Value) return "";
        if (choice.NamedValues) return "enum";
        return choice.ValueType switch
        {
            "int" => "int",
            "long" => "long",
            "float" => "float",
            "double" => "double",
            "bool" => "bool",
            _ => "string",
        };
    }

    // The canonical token of a string candidate: System.Text.Json's default escaping, as the runtime writes it.
    internal static string JsonString(string value)
    {
        var text = new StringBuilder("\"");
        foreach (char c in value)
        {
            switch (c)
            {
                case '\\': text.Append("\\\\"); break;
                case '\n': text.Append("\\n"); break;
                case '\r': text.Append("\\r"); break;
                case '\t': text.Append("\\t"); break;
                case '\b': text.Append("\\b"); break;
                case '\f': text.Append("\\f"); break;
                default:
                    if (c < 0x20 || c > 0x7E || "\"&'+<>`".IndexOf(c) >= 0)
                        text.Append("\\u").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));
                    else
                        text.Append(c);
                    break;
            }
        }
        return text.Append('"').ToString();
    }

    private bool IsChoiceProperty(MemberDeclarationSyntax member) =>
        member is PropertyDeclarationSyntax property && _choiceIndex.ContainsKey(property.Identifier.ValueText)
        && property.Modifiers.Any(SyntaxKind.PartialKeyword);

    // The parser already validated the [Constraint] methods; they take the Architecture, so the export drops them.
    private static bool IsConstraint(MemberDeclarationSyntax member, IReadOnlyList<string> constraints) =>
        member is MethodDeclarationSyntax method && constraints.Contains(method.Identifier.ValueText);

    // ---- Members -------------------------------------------------------------------------------------------------

    private MemberTemplate BuildMember(MemberDeclarationSyntax member)
    {
        _member = MemberName(member);
        (_declaredNames, _architectureParameters) = DeclaredNames(member);
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
                start = trivia.SpanStart;
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
            var symbol = Resolve(identifier);
            if (symbol is not null && SymbolEqualityComparer.Default.Equals(symbol.ContainingType, _space) && !template.References.Contains(symbol.Name))
                template.References.Add(symbol.Name);
            if (symbol is INamedTypeSymbol type && UsesOwnNamespace(type))
                _template.OwnNamespace = type.ContainingNamespace.ToDisplayString();
        }
        return template;
    }

    // A type declared beside the space (not the space, not nested in it), named without its namespace.
    private bool UsesOwnNamespace(INamedTypeSymbol type)
    {
        if (_space.ContainingNamespace.IsGlobalNamespace || !SymbolEqualityComparer.Default.Equals(type.ContainingNamespace, _space.ContainingNamespace))
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
        var symbol = Resolve(identifier);
        if (symbol is IPropertySymbol property && SymbolEqualityComparer.Default.Equals(property.ContainingType, _space)
            && _choiceIndex.TryGetValue(property.Name, out int index) && !IsInNameof(identifier))
        {
            var choice = _choices[index];
            // Value and module choices stay properties of the exported class (a constant, a field), so uses keep
            // their meaning: a literal in their place could change overload resolution (a constant 0 converts to
            // any enum). Input choices have no exported counterpart: only their Select calls are inlined.
            if (choice.Kind == ChoiceModelKind.Input)
                Problem($"'{_member}' uses the input choice {name} other than as {name}.Select(...)");
            return null;
        }
        if (symbol is INamedTypeSymbol type && SymbolEqualityComparer.Default.Equals(type, _space))
            return (identifier.Span, new Part { Kind = PartKind.ClassName });
        if (symbol is INamedTypeSymbol subSpace && !(identifier.Parent is QualifiedNameSyntax q && q.Left == identifier)
            && _choices.Any(c => c.Kind == ChoiceModelKind.SubSpace && c.SubSpaceType == subSpace.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat)))
            return (identifier.Span, new Part { Kind = PartKind.SubSpaceClass, Text = StripGlobal(subSpace.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat)) });
        if (symbol is null && (Array.IndexOf(GeneratedOnly, name) >= 0 || name == "Architecture"))
            Problem($"'{_member}' uses {name}, which only the searchable class has");
        return null;
    }

    private static bool IsInitializeChoices(InvocationExpressionSyntax call) => call.Expression is
        IdentifierNameSyntax { Identifier.ValueText: "InitializeChoices" }
        or MemberAccessExpressionSyntax { Expression: ThisExpressionSyntax, Name.Identifier.ValueText: "InitializeChoices" };

    private static bool IsInNameof(SyntaxNode node) =>
        node.Ancestors().OfType<InvocationExpressionSyntax>().Any(i => i.Expression is IdentifierNameSyntax { Identifier.ValueText: "nameof" });

    private int? InputChoiceOf(ExpressionSyntax expression)
    {
        var name = expression switch
        {
            IdentifierNameSyntax id => id,
            MemberAccessExpressionSyntax { Expression: ThisExpressionSyntax, Name: IdentifierNameSyntax id } => id,
            _ => null,
        };
        if (name is null || !_choiceIndex.TryGetValue(name.Identifier.ValueText, out int index) || _choices[index].Kind != ChoiceModelKind.Input) return null;
        return Resolve(name) is IPropertySymbol p && SymbolEqualityComparer.Default.Equals(p.ContainingType, _space) ? index : null;
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

    // ---- Conditions on value choices -------------------------------------------------------------------------------

    private Condition? ToCondition(ExpressionSyntax expression)
    {
        switch (expression)
        {
            case ParenthesizedExpressionSyntax parenthesized:
                return ToCondition(parenthesized.Expression);
            case PrefixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.LogicalNotExpression } not:
                return ToCondition(not.Operand) is Condition operand ? new Condition { Kind = ConditionKind.Not, Operands = { operand } } : null;
            case BinaryExpressionSyntax { RawKind: (int)SyntaxKind.LogicalAndExpression or (int)SyntaxKind.LogicalOrExpression } logical:
                var left = ToCondition(logical.Left);
                var right = left is null ? null : ToCondition(logical.Right);
                if (right is null) return null;
                return new Condition { Kind = logical.IsKind(SyntaxKind.LogicalAndExpression) ? ConditionKind.And : ConditionKind.Or, Operands = { left!, right } };
            case BinaryExpressionSyntax comparison:
                if (ValueChoiceOf(comparison.Left) is int l)
                    return Matching(l, comparison.Right, comparison.OperatorToken.Kind()) is List<int> codes ? Atom(l, codes) : null;
                if (ValueChoiceOf(comparison.Right) is int r)
                    return Matching(r, comparison.Left, Flip(comparison.OperatorToken.Kind())) is List<int> flipped ? Atom(r, flipped) : null;
                return null;
            default:
                if (ValueChoiceOf(expression) is int b && _choices[b].ValueType == "bool")
                    return Atom(b, Enumerable.Range(0, _choices[b].Candidates.Count).Where(i => _choices[b].Candidates[i].Name == "true").ToList());
                return null;
        }
    }

    private int? ValueChoiceOf(ExpressionSyntax expression)
    {
        var name = expression switch
        {
            IdentifierNameSyntax id => id,
            MemberAccessExpressionSyntax { Expression: ThisExpressionSyntax, Name: IdentifierNameSyntax id } => id,
            _ => null,
        };
        if (name is null || !_choiceIndex.TryGetValue(name.Identifier.ValueText, out int index) || _choices[index].Kind != ChoiceModelKind.Value) return null;
        return Resolve(name) is IPropertySymbol p && SymbolEqualityComparer.Default.Equals(p.ContainingType, _space) ? index : null;
    }

    // The candidates of value choice `choice` for which `candidate <op> constant` holds; null when not decidable.
    private List<int>? Matching(int choice, ExpressionSyntax constantExpression, SyntaxKind op)
    {
        var model = _choices[choice];
        object? constant;
        if (model.NamedValues)
        {
            // An enum member: compare names (only == and != mean something without the underlying values).
            if (_model.GetSymbolInfo(constantExpression, _cancellationToken).Symbol is not IFieldSymbol { ContainingType.TypeKind: TypeKind.Enum } member
                || op is not (SyntaxKind.EqualsEqualsToken or SyntaxKind.ExclamationEqualsToken)) return null;
            constant = member.Name;
        }
        else
        {
            var value = _model.GetConstantValue(constantExpression, _cancellationToken);
            if (!value.HasValue) return null;
            constant = value.Value;
        }
        if (op is not (SyntaxKind.EqualsEqualsToken or SyntaxKind.ExclamationEqualsToken or SyntaxKind.LessThanToken
            or SyntaxKind.LessThanEqualsToken or SyntaxKind.GreaterThanToken or SyntaxKind.GreaterThanEqualsToken)) return null;
        var codes = new List<int>();
        for (int i = 0; i < model.Candidates.Count; i++)
        {
            int? comparison = Compare(model, model.Candidates[i], constant);
            if (comparison is null) return null;
            bool holds = op switch
            {
                SyntaxKind.EqualsEqualsToken => comparison == 0,
                SyntaxKind.ExclamationEqualsToken => comparison != 0,
                SyntaxKind.LessThanToken => comparison < 0,
                SyntaxKind.LessThanEqualsToken => comparison <= 0,
                SyntaxKind.GreaterThanToken => comparison > 0,
                _ => comparison >= 0, // >=, the only operator left
            };
            if (holds) codes.Add(i);
        }
        return codes;
    }

    private static int? Compare(ChoiceModel model, CandidateModel candidate, object? constant)
    {
        if (model.NamedValues) return constant is string name ? (candidate.Name == name ? 0 : 1) : null;
        switch (model.ValueType)
        {
            case "bool":
                return constant is bool b ? ((candidate.Name == "true") == b ? 0 : 1) : null;
            case "string":
                return constant is string s ? string.CompareOrdinal(candidate.Name.Substring(2), s) : null;
            default:
                if (constant is null or bool or string or char) return null;
                double value = Convert.ToDouble(constant, CultureInfo.InvariantCulture);
                double own = double.Parse(candidate.Name, NumberStyles.Float, CultureInfo.InvariantCulture);
                return own.CompareTo(value);
        }
    }

    private static SyntaxKind Flip(SyntaxKind op) => op switch
    {
        SyntaxKind.LessThanToken => SyntaxKind.GreaterThanToken,
        SyntaxKind.LessThanEqualsToken => SyntaxKind.GreaterThanEqualsToken,
        SyntaxKind.GreaterThanToken => SyntaxKind.LessThanToken,
        SyntaxKind.GreaterThanEqualsToken => SyntaxKind.LessThanEqualsToken,
        _ => op,
    };

    private static Condition Atom(int choice, List<int> codes) => new() { Kind = ConditionKind.Atom, Choice = choice, Codes = codes };

    private static Condition Always() => new() { Kind = ConditionKind.And };

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
