using NasGen.Json;

namespace NasGen.Generators;

internal sealed partial class Parser
{
    /// <summary>A stepped range lists its values in the generated code: more than this is a diagnostic (use a coarser step).</summary>
    public const int MaxSteppedValues = 10_000;

    /// <summary>Integer bounds beyond this lose exactness as doubles (the attribute takes doubles).</summary>
    private const double MaxExactInteger = 1e15;

    // ---- [Range] ----------------------------------------------------------------------------------------------

    private ChoiceModel? ParseRange(IPropertySymbol property, AttributeData attribute, Location? location, ChoiceModel builder)
    {
        var type = property.Type;
        bool isInteger = type.SpecialType is SpecialType.System_Int32 or SpecialType.System_Int64;
        bool isFloat = type.SpecialType == SpecialType.System_Single;
        if (!isInteger && !isFloat && type.SpecialType != SpecialType.System_Double)
        {
            Report(DiagnosticDescriptors.WrongPropertyType, location, property.Name, type.ToDisplayString(),
                "a [Range] must be int, long, float or double (for other types use [Choice])");
            return null;
        }
        if (attribute.ConstructorArguments.Length != 2
            || attribute.ConstructorArguments[0].Value is not double min || attribute.ConstructorArguments[1].Value is not double max)
        {
            _hasErrors = true;
            return null;
        }
        double step = 0;
        bool log = false;
        foreach (var named in attribute.NamedArguments)
        {
            if (named.Key == "Step" && named.Value.Value is double s) step = s;
            if (named.Key == "Log" && named.Value.Value is bool l) log = l;
        }

        string? boundProblem = CheckBound(min, type.SpecialType, "Min") ?? CheckBound(max, type.SpecialType, "Max");
        if (boundProblem is not null || !(min < max))
        {
            bool minAtFault = boundProblem?.StartsWith("Min", StringComparison.Ordinal) ?? false;
            Report(DiagnosticDescriptors.InvalidRangeBounds, ArgumentLocation(attribute, minAtFault ? 0 : 1) ?? location, property.Name,
                Number(min), Number(max), boundProblem ?? (min == max ? "the range holds one value; make it a constant" : "Min is above Max; swap them"));
            return null;
        }
        if (log && min <= 0)
        {
            Report(DiagnosticDescriptors.LogRangeNotPositive, LabelLocation(attribute, "Log") ?? location, property.Name, Number(min), Number(max));
            return null;
        }

        var stepLocation = LabelLocation(attribute, "Step") ?? location;
        string? stepProblem =
            double.IsNaN(step) || double.IsInfinity(step) || step < 0 ? "it must be a positive finite number (or 0: continuous)" :
            isInteger && step != Math.Floor(step) ? "an integer range steps by whole numbers" :
            step > 0 && log && !isInteger ? "a log range is continuous; remove the Step (a log range of integers rounds to whole numbers)" :
            isInteger && log && step > 1 ? "a log range of integers steps by 1; remove the Step" :
            step > max - min ? "it is larger than the range, which would leave one value" :
            null;
        if (stepProblem is not null)
        {
            Report(DiagnosticDescriptors.InvalidRangeStep, stepLocation, property.Name, Number(step), stepProblem);
            return null;
        }
        if (isInteger && step == 0) step = 1;
        string arguments = $"{Parser.DoubleLiteral(min)}, {Parser.DoubleLiteral(max)}, {Parser.DoubleLiteral(step)}, {(log ? "true" : "false")}";
        string valueType = type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);
        if (step == 0)
            return builder with { Kind = ChoiceModelKind.Value, ValueType = valueType, RangeArguments = arguments, Continuous = true };

        double count = RangeValues.Count(min, max, step);
        if (count > MaxSteppedValues)
        {
            Report(DiagnosticDescriptors.InvalidRangeStep, stepLocation, property.Name, Number(step),
                $"it gives {count.ToString("R", CultureInfo.InvariantCulture)} values, more than the {MaxSteppedValues} a stepped range may list; use a larger step" +
                (isInteger ? "" : ", or no step (a continuous range)"));
            return null;
        }
        var candidates = new List<CandidateModel>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int k = 0; k < (int)count; k++)
        {
            double value = RangeValues.At(min, step, k);
            var candidate = RangeCandidate(value, type.SpecialType);
            if (!seen.Add(candidate.Name))
            {
                Report(DiagnosticDescriptors.InvalidRangeStep, stepLocation, property.Name, Number(step),
                    $"it is finer than a {type.ToDisplayString()} can tell apart ({candidate.Name} twice); use a larger step or a double");
                return null;
            }
            candidates.Add(candidate);
        }
        double last = RangeValues.At(min, step, (int)count - 1);
        if (last != max && !(isFloat && (float)last == (float)max))
            Report(DiagnosticDescriptors.StepDoesNotDivideRange, stepLocation, property.Name, Number(step), Number(min), Number(max), candidates[candidates.Count - 1].Name);
        return builder with
        {
            Kind = ChoiceModelKind.Value,
            ValueType = valueType,
            Candidates = candidates.ToEquatableArray(),
            RangeArguments = arguments,
        };
    }

    private static string? CheckBound(double value, SpecialType type, string name) =>
        double.IsNaN(value) || double.IsInfinity(value) ? $"{name} must be a finite number" :
        type is SpecialType.System_Int32 or SpecialType.System_Int64 && value != Math.Floor(value) ? $"{name} must be a whole number for an integer property" :
        type == SpecialType.System_Int32 && (value > int.MaxValue || value < int.MinValue) ? $"{name} does not fit an int" :
        type == SpecialType.System_Int64 && Math.Abs(value) > MaxExactInteger ? $"{name} must be within ±1e15 (the integers a double holds exactly)" :
        type == SpecialType.System_Single && Math.Abs(value) > float.MaxValue ? $"{name} does not fit a float" :
        null;

    private static CandidateModel RangeCandidate(double value, SpecialType type)
    {
        switch (type)
        {
            case SpecialType.System_Int32:
                string i = ((long)value).ToString(CultureInfo.InvariantCulture);
                return new CandidateModel(i, i);
            case SpecialType.System_Int64:
                string l = ((long)value).ToString(CultureInfo.InvariantCulture);
                return new CandidateModel(l + "L", l);
            case SpecialType.System_Single:
                float f = (float)value;
                return new CandidateModel(Parser.FloatLiteral(f), f.ToString("R", CultureInfo.InvariantCulture));
            default:
                return new CandidateModel(Parser.DoubleLiteral(value), value.ToString("R", CultureInfo.InvariantCulture));
        }
    }

    private static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
