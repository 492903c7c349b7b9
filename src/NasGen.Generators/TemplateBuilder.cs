using System.Text;
using Microsoft.CodeAnalysis.Text;
using NasGen.Export;

namespace NasGen.Generators;

/// <summary>
/// Captures what the exporter needs from a valid space's syntax: its members as text with holes where a choice's
/// value, the chosen operations or a decided condition go (see <see cref="NetworkTemplate"/>).
/// </summary>
internal sealed partial class TemplateBuilder
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
        _ownMembers = OwnMembers(space, cancellationToken);
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
    private readonly Dictionary<string, List<MemberDeclarationSyntax>> _ownMembers;
    private readonly HashSet<string> _namespaceTypeNames;
    private readonly HashSet<string> _subSpaceNames;
    private readonly HashSet<string> _outerNames;
    private readonly HashSet<string> _helperNames = new(StringComparer.Ordinal); // classes beside the space that the export nests
    // The current member's locals, parameters, range variables ... (any name it declares), and its Architecture parameters.
    private HashSet<string> _declaredNames = new(StringComparer.Ordinal);
    private HashSet<string> _redeclaredNames = new(StringComparer.Ordinal);
    private HashSet<string> _architectureParameters = new(StringComparer.Ordinal);

    public static NetworkTemplate Build(INamedTypeSymbol space, Compilation compilation, SemanticModel? semanticModel, SpaceModel model,
        IReadOnlyList<string> constraints, CancellationToken cancellationToken)
    {
        var builder = new TemplateBuilder(space, compilation, model.Choices, cancellationToken) { _givenModel = semanticModel };
        try
        {
            return builder.BuildTemplate(model, constraints);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Exporting is optional: a syntax the builder does not handle makes the space unexportable, not invalid.
            var failed = new NetworkTemplate { SpaceName = model.SpaceName, ClassName = space.Name, FullName = StripGlobal(model.FullyQualifiedName) };
            failed.Problems.Add($"the exporter could not read the class ({e.GetType().Name}: {e.Message})");
            return failed;
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
        foreach (string text in PortableGlobalUsings())
            if (!_template.Usings.Any(u => UsingKey(u) == UsingKey(text))) _template.Usings.Add(text);

        foreach (var choice in _choices) _template.Choices.Add(ToChoice(choice));
        var helpers = Helpers(declarations);
        foreach (var helper in helpers) _helperNames.Add(helper.Identifier.ValueText);

        foreach (var declaration in declarations)
        {
            EnterTree(declaration.SyntaxTree);
            foreach (var member in declaration.Members)
            {
                _cancellationToken.ThrowIfCancellationRequested();
                if (IsChoiceProperty(member) || IsConstraint(member, constraints)) continue;
                _template.Members.Add(BuildMember(member));
            }
        }

        foreach (var helper in helpers)
        {
            EnterTree(helper.SyntaxTree);
            _template.Members.Add(BuildMember(helper));
        }
        return _template;
    }

    /// <summary>
    /// The classes declared beside the space in its own files that its members use, directly or through another of
    /// them (modules two spaces of a file share, say), in file order: the export nests them, so that it still needs
    /// nothing but TorchSharp. Classes in other files are not copied (and their edits would not rebuild this
    /// template); nor are partial or file-local classes, which cannot be moved whole, other spaces, classes named
    /// like a member of the space, or classes named only as candidates of a choice attribute (candidates are written
    /// with their full names).
    /// </summary>
    private List<ClassDeclarationSyntax> Helpers(List<TypeDeclarationSyntax> declarations)
    {
        var candidates = declarations.Select(d => d.SyntaxTree).Distinct()
            .SelectMany(tree => tree.GetCompilationUnitRoot(_cancellationToken)
                .DescendantNodes(n => n is CompilationUnitSyntax or BaseNamespaceDeclarationSyntax).OfType<ClassDeclarationSyntax>())
            .Where(c => !c.Modifiers.Any(SyntaxKind.PartialKeyword) && !c.Modifiers.Any(SyntaxKind.FileKeyword) && !IsSearchSpace(c)
                && !_memberNames.Contains(c.Identifier.ValueText)) // nested beside a member of its name, it would clash
            .ToList();
        // Breadth first from the space's declarations; only names spelled like a candidate are bound.
        var bySymbol = new Dictionary<ISymbol, ClassDeclarationSyntax>(SymbolEqualityComparer.Default);
        foreach (var candidate in candidates)
            // A duplicate declaration (CS0101) is the compiler's to report: the first one stands.
            if (ModelOf(candidate.SyntaxTree).GetDeclaredSymbol(candidate, _cancellationToken) is { } declared && !bySymbol.ContainsKey(declared))
                bySymbol.Add(declared, candidate);
        var names = new HashSet<string>(candidates.Select(c => c.Identifier.ValueText), StringComparer.Ordinal);
        var used = new HashSet<ClassDeclarationSyntax>();
        var scopes = new Queue<SyntaxNode>(declarations);
        while (scopes.Count > 0 && used.Count < candidates.Count)
        {
            var scope = scopes.Dequeue();
            var model = ModelOf(scope.SyntaxTree);
            foreach (var simpleName in scope.DescendantNodes(n => n is not AttributeListSyntax).OfType<SimpleNameSyntax>())
            {
                if (!names.Contains(simpleName.Identifier.ValueText)) continue;
                var symbol = model.GetSymbolInfo(simpleName, _cancellationToken).Symbol;
                if ((symbol as INamedTypeSymbol ?? symbol?.ContainingType)?.OriginalDefinition is { } type
                    && bySymbol.TryGetValue(type, out var helper) && used.Add(helper))
                    scopes.Enqueue(helper);
            }
        }
        return candidates.Where(used.Contains).ToList();

        static bool IsSearchSpace(ClassDeclarationSyntax c) => c.AttributeLists.SelectMany(l => l.Attributes)
            .Any(a => a.Name.ToString().Split('.').Last() is "SearchSpace" or "SearchSpaceAttribute");
    }

    // Reuse the pipeline's model for its tree: a fresh one would bind every method body again.
    private SemanticModel ModelOf(SyntaxTree tree) => _givenModel?.SyntaxTree == tree ? _givenModel : _compilation.GetSemanticModel(tree);

    private void EnterTree(SyntaxTree tree)
    {
        _model = ModelOf(tree);
        _text = tree.GetText(_cancellationToken);
    }

    /// <summary>
    /// The project's global usings of .NET's and TorchSharp's namespaces, as plain usings. They apply to the space's
    /// file as if written in it (ImplicitUsings' <c>System</c> namespaces, a project-wide
    /// <c>global using static TorchSharp.torch;</c>), so the export needs them; other global usings (a test
    /// framework's, the project's own namespaces) would tie the exported file to this project.
    /// </summary>
    private IEnumerable<string> PortableGlobalUsings()
    {
        foreach (var tree in _compilation.SyntaxTrees)
        {
            // Global usings precede every other using of their file (CS8915).
            foreach (var directive in tree.GetCompilationUnitRoot(_cancellationToken).Usings)
            {
                if (!directive.GlobalKeyword.IsKind(SyntaxKind.GlobalKeyword)) break;
                // An alias may not be declared twice in one compilation (CS1537), so a [FixedArchitecture] class in the
                // same project could not repeat it: aliases stay where they are (write one in the space's file to export it).
                if (directive.Alias is not null) continue;
                string target = StripGlobal(directive.NamespaceOrType.ToString());
                if (target.Split('.')[0] is not ("System" or "TorchSharp")) continue;
                yield return "using " + (directive.StaticKeyword.IsKind(SyntaxKind.StaticKeyword) ? "static " : "") + target + ";";
            }
        }
    }

    // `using global::System;` and `using System;` import the same namespace: one of them is enough.
    private static string UsingKey(string usingText) =>
        string.Join(" ", usingText.Replace("global::", "").Split([' '], StringSplitOptions.RemoveEmptyEntries));

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

    /// <summary>A choice as the export template holds it: from the model alone (X.ExportChoices.g.cs writes these).</summary>
    internal static ChoiceTemplate ToChoice(ChoiceModel choice)
    {
        var template = new ChoiceTemplate
        {
            Kind = choice.Kind,
            Property = choice.PropertyName,
            Field = Parser.FieldName(choice.PropertyName),
            Label = choice.Label,
            Accessibility = choice.PropertyAccessibility,
            // Value choices' types are written fully qualified: the export may live in another namespace.
            TypeText = choice.Kind == ChoiceModelKind.Value ? choice.ValueType : choice.WrittenType.Length > 0 ? choice.WrittenType : choice.PropertyType,
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
            FillCell(template, choice);
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
    private static void FillCell(ChoiceTemplate template, ChoiceModel choice)
    {
        template.EveryEdge = choice.CellChosen == 0;
        template.InputNodes = choice.CellInputNodes;
        template.IntermediateNodes = choice.CellIntermediateNodes;
        template.Chosen = choice.CellChosen;
        template.CellRepetition = choice.CellRepetition;
        template.CellLooseEnds = choice.CellLooseEnds;
        template.OpType = choice.WrittenOpType.Length > 0 ? choice.WrittenOpType : choice.OpsType;
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
}
