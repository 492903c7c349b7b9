using System.Numerics;
using NasGen.Export;

namespace NasGen.Generators;

internal sealed partial class Parser
{
    // ---- [Repeat] ----------------------------------------------------------------------------------------------

    private ChoiceModel? ParseRepeat(IPropertySymbol property, AttributeData attribute, Location? location, ChoiceModel builder)
    {
        if (!RequireType(property, property.Type.ToDisplayString() == KnownTypeNames.Sequential, location,
                "a [Repeat] property must have type TorchSharp.Modules.Sequential"))
            return null;
        int min = IntArgument(attribute, 0, fallback: -1);
        int max = IntArgument(attribute, 1, fallback: -1);
        string? factory = attribute.ConstructorArguments.Length > 2 ? attribute.ConstructorArguments[2].Value as string : null;
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
        var attributeLocation = AttributeLocation(attribute) ?? location;

        if (ops is null || ops.TypeKind != TypeKind.Enum || !ops.GetMembers().OfType<IFieldSymbol>().Any(f => f.HasConstantValue))
        {
            Report(DiagnosticDescriptors.InvalidCell, ArgumentLocation(attribute, everyEdge ? 1 : 3) ?? location, property.Name,
                $"takes its operations from '{ops?.ToDisplayString() ?? "null"}', which is not an enum with members; pass typeof(YourOpEnum)");
            return null;
        }
        if (!RequireType(property, property.Type is INamedTypeSymbol cellType && cellType.OriginalDefinition.ToDisplayString() == KnownTypeNames.Cell
                && SymbolEqualityComparer.Default.Equals(cellType.TypeArguments[0], ops), location, $"a [Cell] property must have type NasGen.Cell<{ops.Name}>"))
            return null;

        // The ops in NasGen's order: Enum.GetValues sorts by the values as unsigned numbers.
        var opMembers = ops.GetMembers().OfType<IFieldSymbol>().Where(f => f.HasConstantValue)
            .OrderBy(f => f.ConstantValue is ulong u ? u : unchecked((ulong)Convert.ToInt64(f.ConstantValue, CultureInfo.InvariantCulture)))
            .Select(f => new CandidateModel(f.Name, f.Name)).ToList();
        int opCount = opMembers.Count;
        int inputNodes, intermediateNodes, chosenInputs;
        BigInteger cardinality;
        // Named options (values of NasGen.CellInputs / CellOutput; 0 is the default of both).
        int Named(string name) => attribute.NamedArguments.FirstOrDefault(n => n.Key == name).Value.Value is int v ? v : 0;
        bool repetition = Named("Inputs") == 1, looseEnds = Named("Output") == 1;
        if (everyEdge && (repetition || looseEnds))
        {
            Report(DiagnosticDescriptors.InvalidCell, attributeLocation, property.Name,
                $"sets {(repetition ? "Inputs = CellInputs.WithRepetition" : "Output = CellOutput.LooseEnds")} on a NAS-Bench-201 cell, whose every edge exists and whose output is its last node; use the DARTS form [Cell(inputNodes, intermediateNodes, chosen, ops, factory)]");
            return null;
        }
        if (everyEdge)
        {
            int nodes = IntArgument(attribute, 0, fallback: -1);
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
            int inputs = IntArgument(attribute, 0, fallback: -1), intermediate = IntArgument(attribute, 1, fallback: -1),
                chosen = IntArgument(attribute, 2, fallback: -1);
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
            // Distinct: a set of `chosen` predecessors and an op each; with repetition `chosen` ordered (predecessor, op) slots.
            for (int m = 0; m < intermediate; m++)
                cardinality *= repetition ? BigInteger.Pow((inputs + m) * opCount, chosen) : Binomial(inputs + m, chosen) * BigInteger.Pow(opCount, chosen);
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
            CellRepetition = repetition,
            CellLooseEnds = looseEnds,
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
}
