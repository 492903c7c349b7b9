using System.Numerics;
using NasGen.Export;

namespace NasGen.Generators;

/// <summary>Turns a <c>[SearchSpace]</c> class into a <see cref="SpaceModel"/> and diagnostics.</summary>
internal sealed partial class Parser
{
    private static readonly SymbolDisplayFormat TypeFormat = SymbolDisplayFormat.FullyQualifiedFormat
        .AddMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier);

    private static readonly string[] ChoiceAttributeNames =
    [
        KnownTypeNames.ChoiceAttribute, KnownTypeNames.LayerChoiceAttribute, KnownTypeNames.InputChoiceAttribute,
        KnownTypeNames.RepeatAttribute, KnownTypeNames.SubSpaceAttribute, KnownTypeNames.CellAttribute, KnownTypeNames.RangeAttribute,
    ];

    private readonly INamedTypeSymbol _space;
    private readonly Compilation _compilation;
    private readonly CancellationToken _cancellationToken;
    private SemanticModel? _semanticModel;
    private readonly List<DiagnosticInfo> _diagnostics = [];
    private bool _hasErrors;
    private INamedTypeSymbol? _tensorModule;
    private bool _tensorModuleResolved;

    private Parser(INamedTypeSymbol space, Compilation compilation, CancellationToken cancellationToken)
    {
        _space = space;
        _compilation = compilation;
        _cancellationToken = cancellationToken;
    }

    public static SpaceParseResult Parse(ParseInput input, CancellationToken cancellationToken)
    {
        // The driver hands an input over once, when it changed; a second time would be a driver we do not know.
        if (input.Take() is not { Context: var context })
            return new SpaceParseResult(null, new[] { DiagnosticInfo.Create(DiagnosticDescriptors.InternalError, null, input.Identity, "the space was handed to the parser twice") }.ToEquatableArray());
        if (context.TargetSymbol is not INamedTypeSymbol space || context.TargetNode is not TypeDeclarationSyntax declaration)
            return new SpaceParseResult(null, EquatableArray<DiagnosticInfo>.Empty);
        var parser = new Parser(space, context.SemanticModel.Compilation, cancellationToken) { _semanticModel = context.SemanticModel };
        try
        {
            var model = parser.ParseSpace(declaration, context.Attributes.FirstOrDefault());
            var diagnostics = parser._diagnostics.ToEquatableArray();
            var anchors = AnchorsOf(space, parser._diagnostics, cancellationToken);
            return parser._hasErrors
                ? new SpaceParseResult(null, diagnostics, parser.BuildStub(model), anchors)
                : new SpaceParseResult(model, diagnostics, Anchors: anchors);
        }
        catch (OperationCanceledException)
        {
            throw;
        }
        catch (Exception e)
        {
            // The generator must never throw: an unexpected input becomes a diagnostic, not a crash.
            var internalError = DiagnosticInfo.Create(DiagnosticDescriptors.InternalError, declaration.Identifier.GetLocation(),
                space.Name, e.GetType().Name + ": " + e.Message);
            return new SpaceParseResult(null, new[] { internalError }.ToEquatableArray(), Anchors: AnchorsOf(space, [internalError], cancellationToken));
        }
    }

    // Where the tokens of the space's declarations are, as far as its diagnostics point into them: what moves them along
    // when a body edit reuses this result (see DiagnosticPlacement).
    private static EquatableArray<DeclarationAnchors> AnchorsOf(INamedTypeSymbol space, IReadOnlyList<DiagnosticInfo> diagnostics,
        CancellationToken cancellationToken)
    {
        if (!diagnostics.Any(d => d.FilePath.Length > 0)) return EquatableArray<DeclarationAnchors>.Empty;
        return space.DeclaringSyntaxReferences.Select(r => r.GetSyntax(cancellationToken)).Select(part =>
        {
            int last = diagnostics.Where(d => d.FilePath == part.SyntaxTree.FilePath && part.FullSpan.Contains(d.Span.Start))
                .Select(d => d.Span.End).DefaultIfEmpty(-1).Max();
            return DeclarationShape.AnchorsThrough(part, last);
        }).ToEquatableArray();
    }

    /// <summary>A valid space's export template, built from its declarations in the compilation the input carries.</summary>
    public static ExportTemplateModel? BuildExportTemplate(TemplateInput input, CancellationToken cancellationToken)
    {
        if (input.Take() is not { Context: { TargetSymbol: INamedTypeSymbol space } context }) return null;
        var model = input.Model;
        return new ExportTemplateModel(model.Namespace, model.ContainingTypes, model.ClassName, model.FullyQualifiedName,
            new TemplateSource(TemplateBuilder.Build(space, context.SemanticModel.Compilation, context.SemanticModel, model, model.Constraints, cancellationToken), model.Choices));
    }

    // The one type argument of Cell<Op> or NasGen.Cell<Op> as written; null for any other type.
    private static string? SingleTypeArgument(TypeSyntax? type) => type switch
    {
        GenericNameSyntax { TypeArgumentList.Arguments.Count: 1 } generic => generic.TypeArgumentList.Arguments[0].ToString(),
        QualifiedNameSyntax { Right: GenericNameSyntax { TypeArgumentList.Arguments.Count: 1 } right } => right.TypeArgumentList.Arguments[0].ToString(),
        _ => null,
    };

    private void Report(DiagnosticDescriptor descriptor, Location? location, params string[] arguments)
    {
        if (descriptor.DefaultSeverity == DiagnosticSeverity.Error) _hasErrors = true;
        _diagnostics.Add(DiagnosticInfo.Create(descriptor, location, arguments));
    }

    private SpaceModel ParseSpace(TypeDeclarationSyntax declaration, AttributeData? spaceAttribute)
    {
        var identifier = declaration.Identifier.GetLocation();
        if (!declaration.Modifiers.Any(SyntaxKind.PartialKeyword))
            Report(DiagnosticDescriptors.SpaceNotPartial, identifier, _space.Name);
        // IsGenericType is also true inside a generic containing type, which is reported on its own below.
        if (_space.TypeParameters.Length > 0) Report(DiagnosticDescriptors.UnsupportedSpaceForm, identifier, _space.Name, "generic");
        if (_space.IsRecord) Report(DiagnosticDescriptors.UnsupportedSpaceForm, identifier, _space.Name, "a record");
        if (_space.IsStatic) Report(DiagnosticDescriptors.UnsupportedSpaceForm, identifier, _space.Name, "static");
        if (_space.IsAbstract && !_space.IsStatic) Report(DiagnosticDescriptors.UnsupportedSpaceForm, identifier, _space.Name, "abstract");

        var containingTypes = new List<string>();
        for (var outer = _space.ContainingType; outer is not null; outer = outer.ContainingType)
        {
            bool partial = outer.DeclaringSyntaxReferences.Any(r =>
                r.GetSyntax(_cancellationToken) is TypeDeclarationSyntax t && t.Modifiers.Any(SyntaxKind.PartialKeyword));
            if (!partial) Report(DiagnosticDescriptors.ContainingTypeNotPartial, identifier, _space.Name, outer.Name);
            if (outer.IsGenericType) Report(DiagnosticDescriptors.UnsupportedSpaceForm, identifier, _space.Name, "nested in a generic type");
            string keyword = outer.TypeKind switch
            {
                TypeKind.Struct => outer.IsRecord ? "record struct" : "struct",
                TypeKind.Interface => "interface",
                _ => outer.IsRecord ? "record" : "class",
            };
            containingTypes.Insert(0, $"partial {keyword} {outer.Name}");
        }

        string spaceName = _space.Name;
        foreach (var named in spaceAttribute?.NamedArguments ?? [])
            if (named.Key == "Name" && named.Value.Value is string name && name.Length > 0) spaceName = name;

        CheckReservedNames();

        var choices = new List<ChoiceModel>();
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        var subSpaceOwners = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var member in _space.GetMembers())
        {
            _cancellationToken.ThrowIfCancellationRequested();
            if (member is not IPropertySymbol property) continue;
            var choiceAttributes = property.GetAttributes()
                .Where(a => KnownTypeNames.Which(a.AttributeClass, ChoiceAttributeNames) is not null)
                .ToList();
            if (choiceAttributes.Count == 0) continue;
            var location = PropertyLocation(property);
            if (choiceAttributes.Count > 1)
            {
                Report(DiagnosticDescriptors.MultipleChoiceAttributes, location, property.Name,
                    string.Join(", ", choiceAttributes.Select(a => a.AttributeClass!.Name)));
                continue;
            }
            var choice = ParseChoice(property, choiceAttributes[0], location);
            if (choice is null) continue;
            if (labels.TryGetValue(choice.Label, out var owner))
            {
                Report(DiagnosticDescriptors.DuplicateLabel, LabelLocation(choiceAttributes[0]) ?? location, property.Name, choice.Label, owner);
                continue;
            }
            labels.Add(choice.Label, property.Name);
            choices.Add(choice);
            if (choice.Kind == ChoiceModelKind.SubSpace) CheckSharedSubSpace(choice, choiceAttributes[0], location, subSpaceOwners);
        }

        CheckGeneratedMemberNames(choices);
        choices = WithDescriptorStems(choices);

        var constraints = new List<string>();
        foreach (var method in _space.GetMembers().OfType<IMethodSymbol>())
        {
            if (!method.GetAttributes().Any(a => KnownTypeNames.Is(a.AttributeClass, KnownTypeNames.ConstraintAttribute))) continue;
            string? problem =
                !method.IsStatic ? "it is not static" :
                method.ReturnType.SpecialType != SpecialType.System_Boolean ? "it does not return bool" :
                method.IsGenericMethod ? "it is generic" :
                method.Parameters.Length != 1 ? $"it takes {method.Parameters.Length} parameters" :
                method.Parameters[0].RefKind is not (RefKind.None or RefKind.In) ? "its parameter is passed by reference" :
                !IsArchitectureOf(method.Parameters[0], _space) ? $"its parameter is a '{ParameterTypeText(method.Parameters[0])}', not this space's Architecture" :
                null;
            if (problem is not null)
                Report(DiagnosticDescriptors.InvalidConstraint, method.Locations.FirstOrDefault(), method.Name, problem);
            else
                constraints.Add(method.Name);
        }

        // Code still being typed (a syntax error in the class) is the compiler's to report, not a space without choices.
        if (choices.Count == 0 && !_hasErrors && !declaration.ContainsDiagnostics)
            Report(DiagnosticDescriptors.NoChoices, identifier, _space.Name);

        var ownCardinality = BigInteger.One;
        foreach (var choice in choices)
        {
            ownCardinality *= choice.Kind switch
            {
                ChoiceModelKind.Input => Binomial(choice.InputCandidates, choice.InputChosen),
                ChoiceModelKind.Repeat => choice.Max - choice.Min + 1,
                ChoiceModelKind.SubSpace => BigInteger.One,
                ChoiceModelKind.Cell => choice.CellArchitectures,
                ChoiceModelKind.LayerList => BigInteger.Pow(choice.Candidates.Count, choice.LayerCount),
                _ => choice.Candidates.Count,
            };
        }
        if (ownCardinality > long.MaxValue)
            Report(DiagnosticDescriptors.HugeSpace, identifier, _space.Name, ownCardinality.ToString(CultureInfo.InvariantCulture));

        string supernetProblem = "";
        foreach (var choice in choices)
        {
            string? problem = choice.Kind switch
            {
                ChoiceModelKind.SubSpace => $"the nested space '{choice.PropertyName}' is not mixed (nested spaces have no supernet yet)",
                ChoiceModelKind.Input when choice.Reduction == "Concat" => $"the input choice '{choice.PropertyName}' concatenates its inputs, and concatenations of different inputs cannot be mixed; use Sum or Mean",
                _ => null,
            };
            if (problem is null || supernetProblem.Length > 0) continue;
            supernetProblem = problem;
            var property = _space.GetMembers(choice.PropertyName).OfType<IPropertySymbol>().FirstOrDefault();
            Report(DiagnosticDescriptors.NoSupernet, property is null ? identifier : PropertyLocation(property), _space.Name, problem);
        }
        if (supernetProblem.Length == 0 && !IsModule(_space)) supernetProblem = "it is not a TorchSharp module";
        bool hasArchitectureConstructor = _space.InstanceConstructors.Any(c => c.Parameters.Length >= 1
            && IsArchitectureOf(c.Parameters[0], _space) && c.Parameters.Skip(1).All(p => p.IsOptional)
            && c.DeclaredAccessibility != Microsoft.CodeAnalysis.Accessibility.Private);

        var model = new SpaceModel(
            Namespace: _space.ContainingNamespace.IsGlobalNamespace ? "" : _space.ContainingNamespace.ToDisplayString(),
            ClassName: _space.Name,
            FullyQualifiedName: _space.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat),
            SpaceName: spaceName,
            ContainingTypes: containingTypes.ToEquatableArray(),
            Choices: choices.ToEquatableArray(),
            Constraints: constraints.ToEquatableArray(),
            IsModule: IsModule(_space),
            SupernetProblem: supernetProblem,
            HasArchitectureConstructor: hasArchitectureConstructor);
        return model;
    }

    private void CheckReservedNames()
    {
        string[] reserved = ["Architecture", "Space", "SpaceDescriptor", "CurrentArchitecture", "InitializeChoices", "EmitSource", "_architecture",
            "Supernet", "CreateSupernet", "ArchitectureOnPath", "DeriveArchitecture", "RequireSupernet", "_supernet"];
        foreach (var member in _space.GetMembers())
        {
            // The generator's own output is never part of its input compilation, so any such member is the user's.
            if (member.IsImplicitlyDeclared || !reserved.Contains(member.Name)) continue;
            Report(DiagnosticDescriptors.GeneratedNameConflict, member.Locations.FirstOrDefault(), _space.Name, member.Name);
        }
    }

    // Each module-valued choice gets a private field (named like its state_dict key), each layer choice an enum and each
    // cell a New{Cell} method; every value is a member of the generated Architecture record.
    private void CheckGeneratedMemberNames(List<ChoiceModel> choices)
    {
        foreach (var choice in choices)
        {
            var property = _space.GetMembers(choice.PropertyName).OfType<IPropertySymbol>().FirstOrDefault();
            var location = property is null ? null : PropertyLocation(property);
            if (Array.IndexOf(ArchitectureMembers, choice.PropertyName) >= 0)
            {
                Report(DiagnosticDescriptors.ChoiceNameClash, location, choice.PropertyName, "Architecture." + choice.PropertyName,
                    $"the Architecture record's own '{choice.PropertyName}'");
                continue;
            }
            // A property X reserves the names get_X and set_X, so a choice of either name beside X is the compiler's CS0102 in
            // the user's class; generating the space would repeat it in the Architecture record. The stub leaves it out.
            if (AccessorOwner(choice.PropertyName, name => choices.Any(c => c.PropertyName == name)) is not null)
            {
                _hasErrors = true;
                continue;
            }
            var names = new List<string>();
            if (choice.Kind != ChoiceModelKind.Value) names.Add(FieldName(choice.PropertyName));
            if (choice.Kind is ChoiceModelKind.Layer or ChoiceModelKind.LayerList) names.Add(choice.PropertyName + "Choice");
            if (choice.Kind == ChoiceModelKind.Cell) names.Add("New" + choice.PropertyName);
            foreach (string name in names)
            {
                foreach (var member in _space.GetMembers(name))
                    Report(DiagnosticDescriptors.GeneratedNameConflict, member.Locations.FirstOrDefault(), _space.Name, name);
                // Hiding an inherited member (Module.training, Module.eval ...) is a warning, an error under warnings-as-errors.
                var inherited = InheritedMember(name);
                if (inherited is not null)
                    Report(DiagnosticDescriptors.ChoiceNameClash, location, choice.PropertyName, name,
                        $"the inherited '{inherited.ContainingType.Name}.{inherited.Name}'");
            }
        }
    }

    // The exporter writes one nested class per architecture of a nested space type, named after the type for the first
    // property that nests it; a later property built through a factory cannot get a class of its own (the factory returns
    // the shared type), so EmitSource refuses such a space whenever the two architectures differ. Known here, so said here.
    private void CheckSharedSubSpace(ChoiceModel choice, AttributeData attribute, Location? location, Dictionary<string, string> owners)
    {
        if (!owners.TryGetValue(choice.SubSpaceType, out var first))
        {
            owners.Add(choice.SubSpaceType, choice.PropertyName);
            return;
        }
        if (choice.Factory is null) return;
        string type = choice.SubSpaceType.Substring(choice.SubSpaceType.LastIndexOf('.') + 1);
        Report(DiagnosticDescriptors.SharedSubSpaceFactory, LabelLocation(attribute, "Factory") ?? location, choice.PropertyName, type, first, choice.Factory);
    }

    /// <summary>X when <paramref name="name"/> is get_X or set_X, the names a property X reserves, and X is a choice.</summary>
    private static string? AccessorOwner(string name, Func<string, bool> isArchitectureMember)
    {
        if (!name.StartsWith("get_", StringComparison.Ordinal) && !name.StartsWith("set_", StringComparison.Ordinal)) return null;
        string owner = name.Substring(4);
        return owner.Length > 0 && isArchitectureMember(owner) ? owner : null;
    }

    // The members of the generated Architecture record struct (its own and those every struct has).
    private static readonly string[] ArchitectureMembers =
        ["ToString", "ToJson", "StableHash", "Validate", "Parse", "FromJson", "Equals", "GetHashCode", "GetType", "Deconstruct",
         "PrintMembers", "MemberwiseClone", "ReferenceEquals", "Finalize"];

    private ISymbol? InheritedMember(string name)
    {
        for (var type = _space.BaseType; type is not null; type = type.BaseType)
            foreach (var member in type.GetMembers(name))
                if (!member.IsImplicitlyDeclared && _compilation.IsSymbolAccessibleWithin(member, _space)) return member;
        return null;
    }

    // The descriptor's private tables are named after their choice ({Stem}Candidates, {Stem}At ...); where such a name
    // is already a member of NasGen.SearchSpace (a choice 'Describe' and DescribeCandidates), the stem gets a suffix.
    private List<ChoiceModel> WithDescriptorStems(List<ChoiceModel> choices)
    {
        var baseType = _compilation.GetTypeByMetadataName("NasGen.SearchSpace`1");
        if (baseType is null) return choices;
        var taken = new HashSet<string>(StringComparer.Ordinal);
        for (var type = baseType; type is not null; type = type.BaseType)
            foreach (string name in type.MemberNames) taken.Add(name);
        string[] suffixes = ["Candidates", "At", "Length", "Shape"];
        var stems = new HashSet<string>(choices.Select(c => c.PropertyName), StringComparer.Ordinal);
        return choices.Select(choice =>
        {
            if (!suffixes.Any(s => taken.Contains(choice.PropertyName + s))) return choice;
            string stem = choice.PropertyName + "Choice";
            while (stems.Contains(stem) || suffixes.Any(s => taken.Contains(stem + s))) stem += "_";
            stems.Add(stem);
            return choice with { DescriptorStem = stem };
        }).ToList();
    }

    /// <summary>The private field that holds a choice's module; its name is the module's state_dict key.</summary>
    public static string FieldName(string propertyName) => ToCamelCase(propertyName);

    private ChoiceModel? ParseChoice(IPropertySymbol property, AttributeData attribute, Location? location)
    {
        // An attribute that did not bind (missing arguments, an ambiguous name) is already a compiler error;
        // its arguments are defaults or error values, and reading them would add a second, misleading diagnostic.
        if (attribute.AttributeConstructor is null
            || attribute.ConstructorArguments.Any(HasError)
            || attribute.NamedArguments.Any(a => HasError(a.Value)))
        {
            _hasErrors = true;
            return null;
        }

        string? problem =
            property.IsStatic ? "it is static" :
            !IsPartialDefinition(property) ? "it is not a partial property declaration" :
            property.SetMethod is not null ? "it has a setter" :
            property.IsIndexer ? "it is an indexer" :
            null;
        if (problem is not null)
        {
            Report(DiagnosticDescriptors.ChoiceNotPartialProperty, location, property.Name, problem);
            return null;
        }

        string label = ToCamelCase(property.Name);
        foreach (var named in attribute.NamedArguments)
        {
            if (named.Key != "Label") continue;
            label = named.Value.Value as string ?? "";
            string? labelProblem = CheckLabel(label);
            if (labelProblem is not null)
            {
                Report(DiagnosticDescriptors.InvalidLabel, LabelLocation(attribute) ?? location, property.Name, label, labelProblem);
                return null;
            }
        }

        string? attributeName = KnownTypeNames.Which(attribute.AttributeClass, ChoiceAttributeNames);
        var written = property.DeclaringSyntaxReferences.Select(r => r.GetSyntax(_cancellationToken)).OfType<PropertyDeclarationSyntax>().FirstOrDefault()?.Type;
        var builder = new ChoiceModel(ChoiceModelKind.Value, property.Name, Accessibility(property), TypeName(property.Type),
            label, "", false, EquatableArray<CandidateModel>.Empty, 0, 0, "", 0, 0, null, "",
            WrittenType: written?.ToString() ?? "", WrittenOpType: SingleTypeArgument(written) ?? "");
        return attributeName switch
        {
            KnownTypeNames.ChoiceAttribute => ParseValueChoice(property, attribute, location, builder),
            KnownTypeNames.LayerChoiceAttribute => ParseLayerChoice(property, attribute, location, builder),
            KnownTypeNames.InputChoiceAttribute => ParseInputChoice(property, attribute, location, builder),
            KnownTypeNames.RepeatAttribute => ParseRepeat(property, attribute, location, builder),
            KnownTypeNames.CellAttribute => ParseCell(property, attribute, location, builder),
            KnownTypeNames.RangeAttribute => ParseRange(property, attribute, location, builder),
            _ => ParseSubSpace(property, attribute, location, builder),
        };
    }
}
