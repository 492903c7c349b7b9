using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Numerics;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
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

    public static SpaceParseResult Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        if (context.TargetSymbol is not INamedTypeSymbol space || context.TargetNode is not TypeDeclarationSyntax declaration)
            return new SpaceParseResult(null, EquatableArray<DiagnosticInfo>.Empty);
        var parser = new Parser(space, context.SemanticModel.Compilation, cancellationToken) { _semanticModel = context.SemanticModel };
        try
        {
            var model = parser.ParseSpace(declaration, context.Attributes.FirstOrDefault());
            if (!parser._hasErrors)
            {
                var template = new ExportTemplateModel(model.Namespace, model.ContainingTypes, model.ClassName, model.FullyQualifiedName,
                    TemplateBuilder.Build(space, parser._compilation, parser._semanticModel, model, model.Constraints, cancellationToken));
                return new SpaceParseResult(model, parser._diagnostics.ToEquatableArray(), Template: template);
            }
            return new SpaceParseResult(null, parser._diagnostics.ToEquatableArray(), parser.BuildStub(model));
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
            return new SpaceParseResult(null, new[] { internalError }.ToEquatableArray());
        }
    }

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
        var builder = new ChoiceModel(ChoiceModelKind.Value, property.Name, Accessibility(property), TypeName(property.Type),
            label, "", false, EquatableArray<CandidateModel>.Empty, 0, 0, "", 0, 0, null, "");
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
        if (count is not null && !IsModuleListOfTensorModules(property.Type))
        {
            Report(DiagnosticDescriptors.WrongPropertyType, location, property.Name, property.Type.ToDisplayString(),
                "an indexed [LayerChoice] (Count = n) must be a ModuleList<Module<Tensor, Tensor>>, one module per position");
            return null;
        }
        if (count is null && !IsModule(property.Type))
        {
            Report(DiagnosticDescriptors.WrongPropertyType, location, property.Name, property.Type.ToDisplayString(),
                "a [LayerChoice] property must be a TorchSharp module type such as Module<Tensor, Tensor>");
            return null;
        }
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
        if (property.Type.ToDisplayString() != KnownTypeNames.InputChoice)
        {
            Report(DiagnosticDescriptors.WrongPropertyType, location, property.Name, property.Type.ToDisplayString(),
                "an [InputChoice] property must have type NasGen.InputChoice");
            return null;
        }
        var args = attribute.ConstructorArguments;
        int candidates = args.Length > 0 && args[0].Value is int c ? c : 0;
        int chosen = args.Length > 1 && args[1].Value is int k ? k : 1;
        int reduction = args.Length > 2 && args[2].Value is int r ? r : 0;
        string[] reductions = ["Sum", "Mean", "Concat"];
        if (candidates is < 1 or > 64)
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
        if (NasGen.Export.InputSubsets.Count(candidates, chosen) is var selections && selections > NasGen.Export.InputSubsets.MaxCount)
        {
            Report(DiagnosticDescriptors.InputChoiceTooLarge, ArgumentLocation(attribute, 1) ?? location, property.Name,
                chosen.ToString(CultureInfo.InvariantCulture), candidates.ToString(CultureInfo.InvariantCulture), selections.ToString(CultureInfo.InvariantCulture));
            return null;
        }
        if (Binomial(candidates, chosen) == 1)
            Report(DiagnosticDescriptors.SingleCandidate, AttributeLocation(attribute) ?? location, property.Name);
        return builder with { Kind = ChoiceModelKind.Input, InputCandidates = candidates, InputChosen = chosen, Reduction = reductions[reduction] };
    }

    // ---- [Repeat] ----------------------------------------------------------------------------------------------

    private ChoiceModel? ParseRepeat(IPropertySymbol property, AttributeData attribute, Location? location, ChoiceModel builder)
    {
        if (property.Type.ToDisplayString() != KnownTypeNames.Sequential)
        {
            Report(DiagnosticDescriptors.WrongPropertyType, location, property.Name, property.Type.ToDisplayString(),
                "a [Repeat] property must have type TorchSharp.Modules.Sequential");
            return null;
        }
        var args = attribute.ConstructorArguments;
        int min = args.Length > 0 && args[0].Value is int a ? a : -1;
        int max = args.Length > 1 && args[1].Value is int b ? b : -1;
        string? factory = args.Length > 2 ? args[2].Value as string : null;
        if (min < 0 || min > max || max > 1000)
        {
            // Point at the bound that is wrong: a negative min, else the max (below min or above 1000).
            Report(DiagnosticDescriptors.InvalidRepeatRange, ArgumentLocation(attribute, min < 0 ? 0 : 1) ?? location, property.Name,
                min.ToString(CultureInfo.InvariantCulture), max.ToString(CultureInfo.InvariantCulture));
            return null;
        }
        var factoryLocation = ArgumentLocation(attribute, 2) ?? location;
        if (string.IsNullOrEmpty(factory) || !SyntaxFacts.IsValidIdentifier(factory))
        {
            Report(DiagnosticDescriptors.InvalidRepeatFactory, factoryLocation, property.Name, factory ?? "null", "is not a method name");
            return null;
        }
        var methods = _space.GetMembers(factory!).OfType<IMethodSymbol>().ToList();
        var moduleType = TensorModuleType();
        var method = methods.FirstOrDefault(m => !m.IsGenericMethod && m.Parameters.Length >= 1
            && m.Parameters[0].Type.SpecialType == SpecialType.System_Int32 && m.Parameters[0].RefKind == RefKind.None
            && m.Parameters.Skip(1).All(p => p.IsOptional));
        string? problem =
            methods.Count == 0 ? $"is not a method of '{_space.Name}'" :
            method is null ? "does not take the block index as its one int parameter" :
            moduleType is not null && !IsAssignable(method.ReturnType, moduleType) ? $"returns '{method.ReturnType.ToDisplayString()}', not a Module<Tensor, Tensor>" :
            null;
        if (problem is not null)
        {
            Report(DiagnosticDescriptors.InvalidRepeatFactory, factoryLocation, property.Name, factory!, problem);
            return null;
        }
        if (min == max)
            Report(DiagnosticDescriptors.SingleCandidate, AttributeLocation(attribute) ?? location, property.Name);
        return builder with { Kind = ChoiceModelKind.Repeat, Min = min, Max = max, Factory = factory };
    }

    // ---- [SubSpace] --------------------------------------------------------------------------------------------

    private ChoiceModel? ParseSubSpace(IPropertySymbol property, AttributeData attribute, Location? location, ChoiceModel builder)
    {
        if (property.Type is not INamedTypeSymbol subType || !IsSearchSpace(subType))
        {
            Report(DiagnosticDescriptors.NotASearchSpace, location, property.Name, property.Type.ToDisplayString());
            return null;
        }
        var cycle = FindCycle(subType, [_space.Name]);
        if (cycle is not null)
        {
            Report(DiagnosticDescriptors.SubSpaceCycle, location, property.Name, _space.Name, string.Join(" -> ", cycle));
            return null;
        }

        string? factory = attribute.NamedArguments.FirstOrDefault(n => n.Key == "Factory").Value.Value as string;
        if (factory is not null)
        {
            var methods = _space.GetMembers(factory).OfType<IMethodSymbol>().Where(m => m.Parameters.Length == 1 && !m.IsGenericMethod).ToList();
            var method = methods.FirstOrDefault(m => IsArchitectureOf(m.Parameters[0], subType));
            string? problem =
                methods.Count == 0 ? $"names factory '{factory}', which is not a method taking the nested architecture" :
                method is null ? $"names factory '{factory}', whose parameter is a '{ParameterTypeText(methods[0].Parameters[0])}', not '{subType.Name}.Architecture'" :
                !IsAssignable(method.ReturnType, subType) && method.ReturnType.TypeKind != TypeKind.Error ? $"names factory '{factory}', which does not return a '{subType.Name}'" :
                null;
            if (problem is not null)
            {
                Report(DiagnosticDescriptors.InvalidSubSpaceFactory, LabelLocation(attribute, "Factory") ?? location, property.Name, problem);
                return null;
            }
        }
        else if (!subType.InstanceConstructors.Any(c => c.Parameters.Length >= 1 && IsArchitectureOf(c.Parameters[0], subType)
                     && c.Parameters.Skip(1).All(p => p.IsOptional)
                     && c.DeclaredAccessibility != Microsoft.CodeAnalysis.Accessibility.Private))
        {
            Report(DiagnosticDescriptors.InvalidSubSpaceFactory, location, property.Name,
                $"needs a way to build '{subType.Name}': give it a constructor '{subType.Name}(Architecture architecture)' or set Factory");
            return null;
        }
        return builder with
        {
            Kind = ChoiceModelKind.SubSpace,
            SubSpaceType = subType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat),
            Factory = factory,
        };
    }

    // ---- [Cell] ----------------------------------------------------------------------------------------------------

    private ChoiceModel? ParseCell(IPropertySymbol property, AttributeData attribute, Location? location, ChoiceModel builder)
    {
        var args = attribute.ConstructorArguments;
        bool everyEdge = args.Length == 3;
        var ops = args[everyEdge ? 1 : 3].Value as INamedTypeSymbol;
        string? factory = args[everyEdge ? 2 : 4].Value as string;
        int Arg(int i) => args[i].Value is int v ? v : -1;
        var attributeLocation = AttributeLocation(attribute) ?? location;

        if (ops is null || ops.TypeKind != TypeKind.Enum || !ops.GetMembers().OfType<IFieldSymbol>().Any(f => f.HasConstantValue))
        {
            Report(DiagnosticDescriptors.InvalidCell, ArgumentLocation(attribute, everyEdge ? 1 : 3) ?? location, property.Name,
                $"takes its operations from '{ops?.ToDisplayString() ?? "null"}', which is not an enum with members; pass typeof(YourOpEnum)");
            return null;
        }
        if (property.Type is not INamedTypeSymbol cellType || cellType.OriginalDefinition.ToDisplayString() != KnownTypeNames.Cell
            || !SymbolEqualityComparer.Default.Equals(cellType.TypeArguments[0], ops))
        {
            Report(DiagnosticDescriptors.WrongPropertyType, location, property.Name, property.Type.ToDisplayString(),
                $"a [Cell] property must have type NasGen.Cell<{ops.Name}>");
            return null;
        }

        // The ops in NasGen's order: Enum.GetValues sorts by the values as unsigned numbers.
        var opMembers = ops.GetMembers().OfType<IFieldSymbol>().Where(f => f.HasConstantValue)
            .OrderBy(f => f.ConstantValue is ulong u ? u : unchecked((ulong)Convert.ToInt64(f.ConstantValue, CultureInfo.InvariantCulture)))
            .Select(f => new CandidateModel(f.Name, f.Name)).ToList();
        int opCount = opMembers.Count;
        int inputNodes, intermediateNodes, chosenInputs;
        BigInteger cardinality;
        if (everyEdge)
        {
            int nodes = Arg(0);
            if (nodes is < 2 or > 12)
            {
                Report(DiagnosticDescriptors.InvalidCell, ArgumentLocation(attribute, 0) ?? attributeLocation, property.Name,
                    $"has {nodes} nodes; a cell has between 2 and 12 nodes, the input included");
                return null;
            }
            (inputNodes, intermediateNodes, chosenInputs) = (1, nodes - 1, 0);
            cardinality = BigInteger.Pow(opCount, nodes * (nodes - 1) / 2);
        }
        else
        {
            int inputs = Arg(0), intermediate = Arg(1), chosen = Arg(2);
            string? problem =
                inputs is < 1 or > 4 ? $"has {inputs} input nodes; use 1 to 4" :
                intermediate is < 1 or > 12 ? $"has {intermediate} intermediate nodes; use 1 to 12" :
                chosen < 1 || chosen > inputs ? $"lets each node choose {chosen} inputs; choose between 1 and the {inputs} input nodes" :
                null;
            if (problem is not null)
            {
                Report(DiagnosticDescriptors.InvalidCell, attributeLocation, property.Name, problem);
                return null;
            }
            (inputNodes, intermediateNodes, chosenInputs) = (inputs, intermediate, chosen);
            cardinality = BigInteger.One;
            for (int m = 0; m < intermediate; m++) cardinality *= Binomial(inputs + m, chosen) * BigInteger.Pow(opCount, chosen);
        }

        var moduleType = TensorModuleType();
        var method = string.IsNullOrEmpty(factory) ? null : _space.GetMembers(factory!).OfType<IMethodSymbol>().FirstOrDefault(m =>
            !m.IsStatic && !m.IsGenericMethod && m.Parameters.Length == 2
            && SymbolEqualityComparer.Default.Equals(m.Parameters[0].Type, ops)
            && m.Parameters[1].Type.ToDisplayString() == KnownTypeNames.CellEdge
            && (moduleType is null || IsAssignable(m.ReturnType, moduleType)));
        if (method is null)
        {
            Report(DiagnosticDescriptors.InvalidCell, ArgumentLocation(attribute, everyEdge ? 2 : 4) ?? attributeLocation, property.Name,
                $"names factory '{factory ?? "null"}', which is not an instance method 'Module<Tensor, Tensor> {factory}({ops.Name} op, CellEdge edge)'");
            return null;
        }

        return builder with
        {
            Kind = ChoiceModelKind.Cell,
            Factory = factory,
            OpsType = ops.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat),
            Candidates = new EquatableArray<CandidateModel>(opMembers.ToArray()),
            CellInputNodes = inputNodes,
            CellIntermediateNodes = intermediateNodes,
            CellChosen = chosenInputs,
            CellArchitectures = cardinality > long.MaxValue ? long.MaxValue : (long)cardinality,
        };
    }

    private List<string>? FindCycle(INamedTypeSymbol type, List<string> path)
    {
        if (SymbolEqualityComparer.Default.Equals(type, _space)) return [.. path, type.Name];
        if (path.Count > 32) return null;
        foreach (var nested in type.GetMembers().OfType<IPropertySymbol>())
        {
            if (!nested.GetAttributes().Any(a => KnownTypeNames.Is(a.AttributeClass, KnownTypeNames.SubSpaceAttribute))) continue;
            if (nested.Type is not INamedTypeSymbol next || path.Contains(next.Name) && !SymbolEqualityComparer.Default.Equals(next, _space)) continue;
            var cycle = FindCycle(next, [.. path, type.Name]);
            if (cycle is not null) return cycle;
        }
        return null;
    }

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
