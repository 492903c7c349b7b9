namespace NasGen.Generators;

// The stand-in members of an invalid space (SpaceStubModel): what the user's own code refers to, so that the only
// errors are the diagnostics that say what is wrong.
internal sealed partial class Parser
{
    // The generated members a stub declares; a user member of the same name is already a NASG024, and a second
    // declaration would add a CS0102.
    private static readonly string[] StubMemberNames =
        ["Architecture", "Space", "SpaceDescriptor", "CurrentArchitecture", "InitializeChoices", "EmitSource", "_architecture"];

    private SpaceStubModel BuildStub(SpaceModel valid)
    {
        var errors = _diagnostics.Where(d => DiagnosticDescriptors.ById(d.Id).DefaultSeverity == DiagnosticSeverity.Error)
            .Select(d => d.Id).Distinct().ToList();
        string reason = errors.Count == 0
            ? $"The search space '{_space.Name}' has compile errors; fix them to generate its code."
            : $"The search space '{_space.Name}' has errors ({string.Join(", ", errors)}); fix them to generate its code.";

        var parsed = valid.Choices.ToDictionary(c => c.PropertyName, StringComparer.Ordinal);
        var properties = new List<StubProperty>();
        foreach (var property in _space.GetMembers().OfType<IPropertySymbol>())
        {
            _cancellationToken.ThrowIfCancellationRequested();
            var attributes = property.GetAttributes()
                .Where(a => a.AttributeClass is not null && ChoiceAttributeNames.Contains(a.AttributeClass.ToDisplayString())).ToList();
            if (attributes.Count == 0) continue;
            string architectureType = parsed.TryGetValue(property.Name, out var choice)
                ? Emitter.ArchitectureType(valid, choice)
                : attributes.Count == 1 ? GuessArchitectureType(property, attributes[0]) : "";
            if (Array.IndexOf(ArchitectureMembers, property.Name) >= 0) architectureType = "";
            properties.Add(new StubProperty(property.Name, StubModifiers(property), property.Type.ToDisplayString(TypeFormat),
                StubAccessors(property), architectureType));
        }

        // A member get_X/set_X beside X is the compiler's CS0102 in the user's class; the stub's record must not repeat it.
        var members = new HashSet<string>(properties.Where(p => p.ArchitectureType.Length > 0).Select(p => p.Name), StringComparer.Ordinal);
        for (int i = 0; i < properties.Count; i++)
            if (AccessorOwner(properties[i].Name, members.Contains) is not null)
                properties[i] = properties[i] with { ArchitectureType = "" };

        var enums = valid.Choices.Where(c => c.Kind is ChoiceModelKind.Layer or ChoiceModelKind.LayerList)
            .Select(c => new StubEnum(c.PropertyName + "Choice", c.Candidates.Select(candidate => candidate.Name).ToEquatableArray()))
            .ToList();
        var taken = StubMemberNames.Concat(enums.Select(e => e.Name)).Where(name => !_space.GetMembers(name).IsEmpty).ToList();

        var containing = new List<string>();
        for (var outer = _space.ContainingType; outer is not null; outer = outer.ContainingType)
            containing.Insert(0, StubDeclaration(outer));
        return new SpaceStubModel(
            Namespace: valid.Namespace,
            Declaration: StubDeclaration(_space),
            ContainingTypes: containing.ToEquatableArray(),
            ClassName: _space.Name,
            FullyQualifiedName: valid.FullyQualifiedName,
            Reason: reason,
            Properties: properties.ToEquatableArray(),
            Enums: enums.ToEquatableArray(),
            TakenNames: taken.ToEquatableArray());
    }

    // "partial class S<T>", "partial record R", "static partial class Outer": the same kind of declaration as the
    // user's, so that the parts merge (a generic space's Architecture is still S<T>.Architecture to its own code).
    private static string StubDeclaration(INamedTypeSymbol type)
    {
        string keyword = type.TypeKind switch
        {
            TypeKind.Struct => type.IsRecord ? "record struct" : "struct",
            TypeKind.Interface => "interface",
            _ => type.IsRecord ? "record" : "class",
        };
        string name = NasGen.Export.CSharpIdentifiers.Escape(type.Name);
        if (type.TypeParameters.Length > 0)
            name += "<" + string.Join(", ", type.TypeParameters.Select(p => NasGen.Export.CSharpIdentifiers.Escape(p.Name))) + ">";
        return $"{(type.IsStatic ? "static " : "")}partial {keyword} {name}";
    }

    private static string StubModifiers(IPropertySymbol property) =>
        Accessibility(property) + (property.IsStatic ? " static" : "");

    // The accessors of the implementation part, as the declaration lists them ("get", "private set"); none when the
    // declaration is not a bodiless partial property (the compiler or a NASG004 says so) or already has its part.
    private EquatableArray<string> StubAccessors(IPropertySymbol property)
    {
        if (!IsPartialDefinition(property) || property.PartialImplementationPart is not null || property.IsIndexer
            || ContainsErrorType(property.Type))
            return EquatableArray<string>.Empty;
        var syntax = (PropertyDeclarationSyntax)property.DeclaringSyntaxReferences[0].GetSyntax(_cancellationToken);
        return syntax.AccessorList!.Accessors
            .Select(a => string.Concat(a.Modifiers.Select(m => m.ValueText + " ")) + a.Keyword.ValueText)
            .ToEquatableArray();
    }

    // The Architecture member a valid choice of this kind would have, where the declaration says enough.
    private string GuessArchitectureType(IPropertySymbol property, AttributeData attribute)
    {
        var type = property.Type;
        if (ContainsErrorType(type)) return "";
        switch (attribute.AttributeClass!.ToDisplayString())
        {
            case KnownTypeNames.ChoiceAttribute:
                return type.WithNullableAnnotation(NullableAnnotation.NotAnnotated).ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);
            case KnownTypeNames.InputChoiceAttribute:
                return "global::NasGen.ChosenInputs";
            case KnownTypeNames.RepeatAttribute:
                return "int";
            case KnownTypeNames.SubSpaceAttribute:
                // Not inside a cycle of nested spaces: Architecture records nesting each other are CS0523.
                return type is INamedTypeSymbol subSpace && IsSearchSpace(subSpace) && FindCycle(subSpace, [_space.Name]) is null
                    ? subSpace.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat) + ".Architecture"
                    : "";
            case KnownTypeNames.CellAttribute:
                return type is INamedTypeSymbol { TypeArguments.Length: 1 } cell && cell.OriginalDefinition.ToDisplayString() == KnownTypeNames.Cell
                    ? $"global::NasGen.CellArchitecture<{cell.TypeArguments[0].ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat)}>"
                    : "";
            default:
                // A layer choice's enum is made from its candidates, which did not parse.
                return "";
        }
    }

    private static bool ContainsErrorType(ITypeSymbol type) => type switch
    {
        { TypeKind: TypeKind.Error } => true,
        IArrayTypeSymbol array => ContainsErrorType(array.ElementType),
        INamedTypeSymbol named => named.TypeArguments.Any(ContainsErrorType),
        _ => false,
    };
}
