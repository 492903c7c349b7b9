using System.Numerics;
using NasGen.Export;

namespace NasGen.Generators;

internal sealed partial class Parser
{
    // ---- [Choice] ---------------------------------------------------------------------------------------------

    private ChoiceModel? ParseValueChoice(IPropertySymbol property, AttributeData attribute, Location? location, ChoiceModel builder)
    {
        var type = property.Type;
        bool isEnum = type.TypeKind == TypeKind.Enum;
        string typeName = QualifiedName(type);
        if (!isEnum && type.SpecialType is not (SpecialType.System_Int32 or SpecialType.System_Int64 or SpecialType.System_Single
            or SpecialType.System_Double or SpecialType.System_Boolean or SpecialType.System_String))
        {
            Report(DiagnosticDescriptors.WrongPropertyType, location, property.Name, type.ToDisplayString(),
                "a [Choice] must be int, long, float, double, bool, string or an enum");
            return null;
        }
        if (type.SpecialType == SpecialType.System_String && type.NullableAnnotation == NullableAnnotation.Annotated)
        {
            Report(DiagnosticDescriptors.WrongPropertyType, location, property.Name, type.ToDisplayString(),
                "a string [Choice] cannot be nullable; remove the '?'");
            return null;
        }

        // [Choice(params object[])] binds to one array argument; anything else means the attribute itself
        // did not compile, and the compiler has already said why.
        if (attribute.ConstructorArguments.Length != 1 || attribute.ConstructorArguments[0].Kind != TypedConstantKind.Array)
        {
            _hasErrors = true;
            return null;
        }
        var values = attribute.ConstructorArguments[0].Values;

        var candidates = new List<CandidateModel>();
        if (values.IsDefault)
        {
            // [Choice(null)]: a null candidate list.
            Report(DiagnosticDescriptors.CandidateTypeMismatch, ArgumentLocation(attribute, 0) ?? location, property.Name, "null", DescribeType(type));
            return null;
        }
        if (values.Length == 0)
        {
            // No candidates: a bool takes both values, an enum all of its members.
            if (type.SpecialType == SpecialType.System_Boolean)
            {
                candidates.Add(new CandidateModel("false", "false"));
                candidates.Add(new CandidateModel("true", "true"));
            }
            else if (isEnum)
            {
                // An alias (B = A) is the same value, so it is the same candidate: keep the first name.
                foreach (var field in type.GetMembers().OfType<IFieldSymbol>().Where(f => f.HasConstantValue)
                             .GroupBy(f => f.ConstantValue).Select(g => g.First()))
                    candidates.Add(new CandidateModel($"{typeName}.{CSharpIdentifiers.Escape(field.Name)}", field.Name));
                if (candidates.Count == 0)
                {
                    Report(DiagnosticDescriptors.EmptyEnum, location, property.Name, type.ToDisplayString());
                    return null;
                }
            }
            else
            {
                Report(DiagnosticDescriptors.EmptyCandidates, AttributeLocation(attribute) ?? location, property.Name);
                return null;
            }
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < values.Length; i++)
        {
            var argumentLocation = ArgumentLocation(attribute, i) ?? location;
            var candidate = ToCandidate(values[i], type, typeName);
            if (candidate is null)
            {
                Report(DiagnosticDescriptors.CandidateTypeMismatch, argumentLocation, property.Name, DescribeConstant(values[i]), DescribeType(type));
                return null;
            }
            if (!seen.Add(candidate.Name))
            {
                Report(DiagnosticDescriptors.DuplicateCandidate, argumentLocation, property.Name, DescribeConstant(values[i]));
                return null;
            }
            candidates.Add(candidate);
        }
        if (candidates.Count == 1)
            Report(DiagnosticDescriptors.SingleCandidate, AttributeLocation(attribute) ?? location, property.Name);

        return builder with
        {
            Kind = ChoiceModelKind.Value,
            ValueType = QualifiedName(type.WithNullableAnnotation(NullableAnnotation.NotAnnotated)),
            NamedValues = isEnum,
            Candidates = candidates.ToEquatableArray(),
        };
    }

    // The C# expression for a constant converted to the property type, and its canonical name; null when it does not fit.
    private static CandidateModel? ToCandidate(TypedConstant constant, ITypeSymbol type, string typeName)
    {
        if (constant.IsNull || constant.Kind == TypedConstantKind.Array || constant.Kind == TypedConstantKind.Type) return null;
        object? value = constant.Value;
        if (type.TypeKind == TypeKind.Enum)
        {
            if (constant.Kind != TypedConstantKind.Enum || !SymbolEqualityComparer.Default.Equals(constant.Type, type)) return null;
            var member = type.GetMembers().OfType<IFieldSymbol>().FirstOrDefault(f => f.HasConstantValue && Equals(f.ConstantValue, value));
            if (member is null) return null; // a cast number that names no member
            return new CandidateModel($"{typeName}.{CSharpIdentifiers.Escape(member.Name)}", member.Name);
        }
        if (constant.Kind != TypedConstantKind.Primitive) return null;
        switch (type.SpecialType)
        {
            case SpecialType.System_Int32 when value is int or short or byte or sbyte or ushort:
                int i = Convert.ToInt32(value, CultureInfo.InvariantCulture);
                return new CandidateModel(i.ToString(CultureInfo.InvariantCulture), i.ToString(CultureInfo.InvariantCulture));
            case SpecialType.System_Int64 when value is int or long or short or byte or sbyte or ushort or uint:
                long l = Convert.ToInt64(value, CultureInfo.InvariantCulture);
                return new CandidateModel(l.ToString(CultureInfo.InvariantCulture) + "L", l.ToString(CultureInfo.InvariantCulture));
            case SpecialType.System_Single when value is int or long or float or double:
                double wide = Convert.ToDouble(value, CultureInfo.InvariantCulture);
                if (Math.Abs(wide) > float.MaxValue && !double.IsInfinity(wide)) return null;
                float f = (float)wide;
                string fs = f.ToString("R", CultureInfo.InvariantCulture);
                return new CandidateModel(FloatLiteral(f), fs);
            case SpecialType.System_Double when value is int or long or float or double:
                double d = value is float single ? double.Parse(single.ToString("R", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture)
                    : Convert.ToDouble(value, CultureInfo.InvariantCulture);
                return new CandidateModel(DoubleLiteral(d), d.ToString("R", CultureInfo.InvariantCulture));
            case SpecialType.System_Boolean when value is bool b:
                return new CandidateModel(b ? "true" : "false", b ? "true" : "false");
            case SpecialType.System_String when value is string s:
                string literal = SymbolDisplay.FormatLiteral(s, quote: true);
                return new CandidateModel(literal, "s:" + s);
            default:
                return null;
        }
    }

    internal static string FloatLiteral(float f) =>
        float.IsNaN(f) ? "float.NaN" :
        float.IsPositiveInfinity(f) ? "float.PositiveInfinity" :
        float.IsNegativeInfinity(f) ? "float.NegativeInfinity" :
        f.ToString("R", CultureInfo.InvariantCulture) + "f";

    internal static string DoubleLiteral(double d)
    {
        if (double.IsNaN(d)) return "double.NaN";
        if (double.IsPositiveInfinity(d)) return "double.PositiveInfinity";
        if (double.IsNegativeInfinity(d)) return "double.NegativeInfinity";
        string text = d.ToString("R", CultureInfo.InvariantCulture);
        return text.IndexOfAny(['.', 'E', 'e']) >= 0 ? text : text + ".0";
    }

    // ---- [LayerChoice] ----------------------------------------------------------------------------------------

    // An indexed layer choice (Count = n) holds n positions, each its own dimension; more would only make a space
    // nobody can train, and bounds the size arithmetic.
    private const int MaxLayerCount = 4096;

    private ChoiceModel? ParseLayerChoice(IPropertySymbol property, AttributeData attribute, Location? location, ChoiceModel builder)
    {
        int? count = attribute.NamedArguments.Where(a => a.Key == "Count").Select(a => a.Value.Value as int?).FirstOrDefault();
        if (count is not null && (count <= 0 || count > MaxLayerCount))
        {
            Report(DiagnosticDescriptors.InvalidLayerCount, LabelLocation(attribute, "Count") ?? location, property.Name,
                count.Value.ToString(CultureInfo.InvariantCulture), MaxLayerCount.ToString(CultureInfo.InvariantCulture));
            return null;
        }
        if (count is not null && !RequireType(property, IsModuleListOfTensorModules(property.Type), location,
                "an indexed [LayerChoice] (Count = n) must be a ModuleList<Module<Tensor, Tensor>>, one module per position"))
            return null;
        if (count is null && !RequireType(property, IsModule(property.Type), location,
                "a [LayerChoice] property must be a TorchSharp module type such as Module<Tensor, Tensor>"))
            return null;
        if (attribute.ConstructorArguments.Length != 1 || attribute.ConstructorArguments[0].Kind != TypedConstantKind.Array)
        {
            _hasErrors = true;
            return null;
        }
        var values = attribute.ConstructorArguments[0].IsNull ? default : attribute.ConstructorArguments[0].Values;
        if (values.IsDefaultOrEmpty)
        {
            Report(DiagnosticDescriptors.EmptyCandidates, AttributeLocation(attribute) ?? location, property.Name);
            return null;
        }

        var candidates = new List<CandidateModel>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < values.Length; i++)
        {
            var argumentLocation = ArgumentLocation(attribute, i) ?? location;
            CandidateModel? candidate =
                count is not null && values[i].Kind == TypedConstantKind.Type ? IndexedLayerTypeCandidate(property, values[i].Value as ITypeSymbol, argumentLocation)
                : count is not null ? IndexedLayerFactoryCandidate(property, values[i].Value as string, argumentLocation)
                : values[i].Kind == TypedConstantKind.Type ? LayerTypeCandidate(property, values[i].Value as ITypeSymbol, argumentLocation)
                : LayerFactoryCandidate(property, values[i].Value as string, argumentLocation);
            if (candidate is null) return null;
            if (!seen.Add(candidate.Name))
            {
                Report(DiagnosticDescriptors.DuplicateCandidate, argumentLocation, property.Name, candidate.Name);
                return null;
            }
            candidates.Add(candidate);
        }
        if (candidates.Count == 1)
            Report(DiagnosticDescriptors.SingleCandidate, AttributeLocation(attribute) ?? location, property.Name);

        return count is null
            ? builder with { Kind = ChoiceModelKind.Layer, Candidates = candidates.ToEquatableArray() }
            : builder with { Kind = ChoiceModelKind.LayerList, Candidates = candidates.ToEquatableArray(), LayerCount = count.Value };
    }

    private bool IsModuleListOfTensorModules(ITypeSymbol type) =>
        type is INamedTypeSymbol { Name: "ModuleList", TypeArguments.Length: 1 } list
        && list.ContainingNamespace.ToDisplayString() == "TorchSharp.Modules"
        && TensorModuleType() is { } module && SymbolEqualityComparer.Default.Equals(list.TypeArguments[0], module);

    // An indexed candidate is a method taking the position: Module<Tensor, Tensor> Shuffle3x3(int block). Its
    // expression is the method's name; the emitters add the argument.
    private CandidateModel? IndexedLayerFactoryCandidate(IPropertySymbol property, string? name, Location? location)
    {
        if (string.IsNullOrEmpty(name) || !SyntaxFacts.IsValidIdentifier(name))
        {
            Report(DiagnosticDescriptors.InvalidLayerFactory, location, property.Name, name ?? "null", "is not a method name; use nameof(Method)");
            return null;
        }
        var methods = _space.GetMembers(name!).OfType<IMethodSymbol>().Where(m => m.MethodKind == MethodKind.Ordinary).ToList();
        var moduleType = TensorModuleType();
        var method = methods.FirstOrDefault(m => !m.IsGenericMethod && !m.IsStatic && m.Parameters.Length >= 1
            && m.Parameters[0].Type.SpecialType == SpecialType.System_Int32 && m.Parameters[0].RefKind == RefKind.None
            && m.Parameters.Skip(1).All(p => p.IsOptional || p.IsParams));
        string? problem =
            methods.Count == 0 ? $"names no method of '{_space.Name}'; declare 'Module<Tensor, Tensor> {name}(int block)'" :
            method is null ? $"does not take the position as its one int parameter; declare 'Module<Tensor, Tensor> {name}(int block)'" :
            moduleType is not null && !IsAssignable(method.ReturnType, moduleType) ? $"returns '{method.ReturnType.ToDisplayString()}', which is not a Module<Tensor, Tensor>" :
            null;
        if (problem is not null)
        {
            Report(DiagnosticDescriptors.InvalidLayerFactory, location, property.Name, name!, problem);
            return null;
        }
        return new CandidateModel(CSharpIdentifiers.Escape(name!), name!);
    }

    private CandidateModel? IndexedLayerTypeCandidate(IPropertySymbol property, ITypeSymbol? type, Location? location)
    {
        Report(DiagnosticDescriptors.InvalidLayerType, location, property.Name, type?.ToDisplayString() ?? "null",
            "cannot be told its position; an indexed layer choice (Count = n) takes factory methods such as 'Module<Tensor, Tensor> Make(int block)'");
        return null;
    }

    private CandidateModel? LayerFactoryCandidate(IPropertySymbol property, string? name, Location? location)
    {
        if (string.IsNullOrEmpty(name) || !SyntaxFacts.IsValidIdentifier(name))
        {
            Report(DiagnosticDescriptors.InvalidLayerFactory, location, property.Name, name ?? "null", "is not a method name; use nameof(Method)");
            return null;
        }
        var methods = _space.GetMembers(name!).OfType<IMethodSymbol>().Where(m => m.MethodKind == MethodKind.Ordinary).ToList();
        if (methods.Count == 0)
        {
            Report(DiagnosticDescriptors.InvalidLayerFactory, location, property.Name, name!, $"names no method of '{_space.Name}'; declare 'Module<Tensor, Tensor> {name}()'");
            return null;
        }
        var method = methods.FirstOrDefault(m => m.Parameters.All(p => p.IsOptional || p.IsParams) && !m.IsGenericMethod);
        if (method is null)
        {
            Report(DiagnosticDescriptors.InvalidLayerFactory, location, property.Name, name!, "needs arguments NasGen cannot give; a layer factory takes no parameters");
            return null;
        }
        if (!IsAssignable(method.ReturnType, property.Type))
        {
            Report(DiagnosticDescriptors.InvalidLayerFactory, location, property.Name, name!,
                $"returns '{method.ReturnType.ToDisplayString()}', which is not a '{property.Type.ToDisplayString()}'");
            return null;
        }
        return new CandidateModel(CSharpIdentifiers.Escape(name!) + "()", name!);
    }

    private CandidateModel? LayerTypeCandidate(IPropertySymbol property, ITypeSymbol? type, Location? location)
    {
        if (type is not INamedTypeSymbol named || type.TypeKind == TypeKind.Error)
        {
            Report(DiagnosticDescriptors.InvalidLayerType, location, property.Name, type?.ToDisplayString() ?? "null", "is not a type that can be built");
            return null;
        }
        if (!IsAssignable(named, property.Type))
        {
            Report(DiagnosticDescriptors.InvalidLayerType, location, property.Name, named.ToDisplayString(),
                $"is not a '{property.Type.ToDisplayString()}'; candidates must be modules of the property's type");
            return null;
        }
        bool constructible = !named.IsAbstract && !named.IsUnboundGenericType && named.InstanceConstructors.Any(c =>
            c.DeclaredAccessibility is Microsoft.CodeAnalysis.Accessibility.Public or Microsoft.CodeAnalysis.Accessibility.Internal
            && c.Parameters.All(p => p.IsOptional || p.IsParams));
        if (!constructible)
        {
            Report(DiagnosticDescriptors.InvalidLayerType, location, property.Name, named.ToDisplayString(),
                "has no accessible parameterless constructor; add one or use a factory method");
            return null;
        }
        return new CandidateModel("new " + named.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat) + "()", named.Name);
    }

    // ---- [InputChoice] ----------------------------------------------------------------------------------------

    private ChoiceModel? ParseInputChoice(IPropertySymbol property, AttributeData attribute, Location? location, ChoiceModel builder)
    {
        if (!RequireType(property, property.Type.ToDisplayString() == KnownTypeNames.InputChoice, location,
                "an [InputChoice] property must have type NasGen.InputChoice"))
            return null;
        int candidates = IntArgument(attribute, 0, fallback: 0);
        int chosen = IntArgument(attribute, 1, fallback: 1);
        int reduction = IntArgument(attribute, 2, fallback: 0);
        string[] reductions = ["Sum", "Mean", "Concat"];
        if (candidates > 64)
        {
            Report(DiagnosticDescriptors.InputChoiceTooLarge, ArgumentLocation(attribute, 0) ?? location, property.Name,
                candidates.ToString(CultureInfo.InvariantCulture));
            return null;
        }
        if (candidates < 1)
        {
            Report(DiagnosticDescriptors.InvalidInputChoice, ArgumentLocation(attribute, 0) ?? location, property.Name,
                $"offers {candidates} candidates; offer between 1 and 64");
            return null;
        }
        if (chosen < 1 || chosen > candidates)
        {
            Report(DiagnosticDescriptors.InvalidInputChoice, ArgumentLocation(attribute, 1) ?? location, property.Name,
                $"chooses {chosen} of {candidates} inputs; choose between 1 and {candidates}");
            return null;
        }
        if (reduction < 0 || reduction >= reductions.Length)
        {
            Report(DiagnosticDescriptors.InvalidInputChoice, ArgumentLocation(attribute, 2) ?? location, property.Name,
                $"uses reduction {reduction}, which is not an InputReduction member; use InputReduction.Sum, InputReduction.Mean or InputReduction.Concat");
            return null;
        }
        if (Binomial(candidates, chosen) == 1)
            Report(DiagnosticDescriptors.SingleCandidate, AttributeLocation(attribute) ?? location, property.Name);
        return builder with { Kind = ChoiceModelKind.Input, InputCandidates = candidates, InputChosen = chosen, Reduction = reductions[reduction] };
    }
}
