using System.Numerics;
using NasGen.Export;

namespace NasGen.Generators;

internal sealed partial class Parser
{
    // ---- Helpers -------------------------------------------------------------------------------------------------

    // Whether a parameter is `space`'s generated Architecture, taken by value or `in`. A space compiled in this project
    // has no Architecture yet (generated code is not part of the generator's input), so its parameters are read as
    // written: `Architecture` inside the space itself, or qualified by the space (`Leaf.Architecture`).
    private bool IsArchitectureOf(IParameterSymbol parameter, INamedTypeSymbol space)
    {
        if (parameter.RefKind is not (RefKind.None or RefKind.In)) return false;
        if (parameter.Type.TypeKind != TypeKind.Error)
            return parameter.Type.Name == "Architecture" && SymbolEqualityComparer.Default.Equals(parameter.Type.ContainingType, space);
        if (parameter.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(_cancellationToken) is not ParameterSyntax { Type: { } type })
            return false;
        switch (type)
        {
            case IdentifierNameSyntax { Identifier.ValueText: "Architecture" }:
                return SymbolEqualityComparer.Default.Equals(parameter.ContainingSymbol.ContainingType, space);
            case QualifiedNameSyntax { Right.Identifier.ValueText: "Architecture" } qualified:
                var model = _semanticModel?.SyntaxTree == qualified.SyntaxTree ? _semanticModel : _compilation.GetSemanticModel(qualified.SyntaxTree);
                return SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(qualified.Left, _cancellationToken).Symbol, space);
            default:
                return false;
        }
    }

    private string ParameterTypeText(IParameterSymbol parameter) =>
        parameter.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(_cancellationToken) is ParameterSyntax { Type: { } type }
            ? type.ToString()
            : parameter.Type.ToDisplayString();

    private static bool IsSearchSpace(INamedTypeSymbol type) =>
        type.GetAttributes().Any(a => KnownTypeNames.Is(a.AttributeClass, KnownTypeNames.SearchSpaceAttribute));

    private static bool IsModule(ITypeSymbol type)
    {
        for (var t = type as INamedTypeSymbol; t is not null; t = t.BaseType)
            if (KnownTypeNames.Is(t.OriginalDefinition, "TorchSharp.torch.nn.Module")) return true;
        return false;
    }

    // Looked up once per space: GetTypeByMetadataName searches every referenced assembly.
    private INamedTypeSymbol? TensorModuleType()
    {
        if (!_tensorModuleResolved)
        {
            var module = _compilation.GetTypeByMetadataName("TorchSharp.torch+nn+Module`2");
            var tensor = _compilation.GetTypeByMetadataName("TorchSharp.torch+Tensor");
            _tensorModule = module is null || tensor is null ? null : module.Construct(tensor, tensor);
            _tensorModuleResolved = true;
        }
        return _tensorModule;
    }

    // Most choices of a large space share a handful of types; formatting a type's name each time was a measurable cost.
    private readonly Dictionary<ITypeSymbol, string> _typeNames = new(SymbolEqualityComparer.IncludeNullability);
    private readonly Dictionary<ITypeSymbol, string> _qualifiedNames = new(SymbolEqualityComparer.IncludeNullability);

    private string TypeName(ITypeSymbol type) => FormatOnce(_typeNames, type, TypeFormat);

    private string QualifiedName(ITypeSymbol type) => FormatOnce(_qualifiedNames, type, SymbolDisplayFormat.FullyQualifiedFormat);

    private static string FormatOnce(Dictionary<ITypeSymbol, string> names, ITypeSymbol type, SymbolDisplayFormat format)
    {
        if (!names.TryGetValue(type, out var name)) names.Add(type, name = type.ToDisplayString(format));
        return name;
    }

    private bool IsAssignable(ITypeSymbol from, ITypeSymbol to) =>
        from.TypeKind != TypeKind.Error && _compilation.ClassifyConversion(from, to) is { IsImplicit: true } conversion
        && (conversion.IsIdentity || conversion.IsReference);

    private static bool IsPartialDefinition(IPropertySymbol property) =>
        property.DeclaringSyntaxReferences.Length > 0
        && property.DeclaringSyntaxReferences.All(r => r.GetSyntax() is PropertyDeclarationSyntax p
            && p.Modifiers.Any(SyntaxKind.PartialKeyword)
            && p.ExpressionBody is null
            && p.AccessorList is not null
            && p.AccessorList.Accessors.All(a => a.Body is null && a.ExpressionBody is null));

    private static string Accessibility(ISymbol symbol) => symbol.DeclaredAccessibility switch
    {
        Microsoft.CodeAnalysis.Accessibility.Public => "public",
        Microsoft.CodeAnalysis.Accessibility.Internal => "internal",
        Microsoft.CodeAnalysis.Accessibility.Protected => "protected",
        Microsoft.CodeAnalysis.Accessibility.ProtectedOrInternal => "protected internal",
        Microsoft.CodeAnalysis.Accessibility.ProtectedAndInternal => "private protected",
        _ => "private",
    };

    private static string? CheckLabel(string label)
    {
        if (label.Length == 0) return "it is empty";
        if (label[0] == '$') return "it starts with '$', which is reserved for metadata";
        foreach (char c in label)
            if (!(char.IsLetterOrDigit(c) || c is '_' or '-')) return $"it contains '{c}'; use letters, digits, '_' and '-'";
        return null;
    }

    private static string ToCamelCase(string name) =>
        name.Length == 0 || char.IsLower(name[0]) ? name : char.ToLowerInvariant(name[0]) + name.Substring(1);

    private static BigInteger Binomial(int n, int k)
    {
        BigInteger result = BigInteger.One;
        for (int i = 1; i <= k; i++) result = result * (n - k + i) / i;
        return result;
    }

    // An argument the compiler could not evaluate (not a constant, wrong type), also inside a params array.
    private static bool HasError(TypedConstant constant) =>
        constant.Kind == TypedConstantKind.Error || constant.Kind == TypedConstantKind.Array && !constant.IsNull && constant.Values.Any(HasError);

    private static string DescribeType(ITypeSymbol type) => type.TypeKind == TypeKind.Enum ? $"member of '{type.Name}'" : type.ToDisplayString();

    private static string DescribeConstant(TypedConstant constant) =>
        constant.IsNull ? "null" :
        constant.Kind == TypedConstantKind.Array ? "an array" :
        constant.Value is string s ? SymbolDisplay.FormatLiteral(s, quote: true) :
        constant.Value is IFormattable f ? f.ToString(null, CultureInfo.InvariantCulture) + (constant.Type is null ? "" : $" ({constant.Type.Name})") :
        constant.Value?.ToString() ?? "null";

    private Location? PropertyLocation(IPropertySymbol property) =>
        property.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(_cancellationToken) is PropertyDeclarationSyntax p
            ? p.Identifier.GetLocation()
            : property.Locations.FirstOrDefault();

    private Location? AttributeLocation(AttributeData attribute) =>
        attribute.ApplicationSyntaxReference?.GetSyntax(_cancellationToken).GetLocation();

    // NASG023 at the property unless its type fits what the attribute needs (`requirement` says what that is).
    private bool RequireType(IPropertySymbol property, bool fits, Location? location, string requirement)
    {
        if (!fits) Report(DiagnosticDescriptors.WrongPropertyType, location, property.Name, property.Type.ToDisplayString(), requirement);
        return fits;
    }

    // The attribute's constructor argument at `index` when it is an int, else `fallback` (a compile error the
    // compiler reports already).
    private static int IntArgument(AttributeData attribute, int index, int fallback) =>
        attribute.ConstructorArguments.Length > index && attribute.ConstructorArguments[index].Value is int value ? value : fallback;

    private Location? ArgumentLocation(AttributeData attribute, int index)
    {
        if (attribute.ApplicationSyntaxReference?.GetSyntax(_cancellationToken) is not AttributeSyntax syntax || syntax.ArgumentList is null) return null;
        var positional = syntax.ArgumentList.Arguments.Where(a => a.NameEquals is null).ToList();
        return index < positional.Count ? positional[index].GetLocation() : null;
    }

    private Location? LabelLocation(AttributeData attribute, string name = "Label")
    {
        if (attribute.ApplicationSyntaxReference?.GetSyntax(_cancellationToken) is not AttributeSyntax syntax || syntax.ArgumentList is null) return null;
        return syntax.ArgumentList.Arguments.FirstOrDefault(a => a.NameEquals?.Name.Identifier.ValueText == name)?.Expression.GetLocation();
    }
}
