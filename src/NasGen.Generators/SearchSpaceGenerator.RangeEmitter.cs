namespace NasGen.Generators;

// What [Range] choices add to the space descriptor: the range, and for continuous ranges the numbers vector that
// carries their values beside the codes (NasGen.SearchSpace<T>.EncodeNumbers / Decode(codes, numbers)). A wide input
// choice (more selections than an int code numbers) carries its selection there too.
internal static partial class Emitter
{
    private static void WriteRangeField(SourceWriter w, ChoiceModel choice) =>
        w.Line($"private static readonly global::NasGen.NumericRange {choice.Stem}Range = new global::NasGen.NumericRange({RangeBounds(choice)});");

    // A float range's bounds are the floats nearest to the declared ones, so a float property can hold both.
    private static string RangeBounds(ChoiceModel choice)
    {
        if (!choice.Continuous || choice.ValueType != "float") return choice.RangeArguments;
        var parts = choice.RangeArguments.Split(',');
        return $"(float){parts[0]}, (float){parts[1].Trim()},{parts[2]},{parts[3]}";
    }

    private static string RangeDimension(ChoiceModel choice, string label) =>
        choice.Continuous
            ? $"dimensions.Add(global::NasGen.Dimension.{(choice.ValueType == "float" ? "ContinuousSingle" : "Continuous")}({label}, {choice.Stem}Range));"
            : $"dimensions.Add(global::NasGen.Dimension.Of({label}, {choice.Stem}Candidates).WithRange({choice.Stem}Range));";

    // A nested space may hold continuous ranges: its numbers pass through.
    private static bool CarriesNumbers(SpaceModel space) =>
        space.Choices.Any(c => c.Continuous || c.Kind == ChoiceModelKind.SubSpace || IsWideInput(c));

    private static bool IsWideInput(ChoiceModel choice) =>
        choice.Kind == ChoiceModelKind.Input && NasGen.Export.InputSubsets.Count(choice.InputCandidates, choice.InputChosen) > NasGen.Export.InputSubsets.MaxCodedCount;

    private static void WriteEncodeNumbers(SourceWriter w, SpaceModel space)
    {
        if (!CarriesNumbers(space)) return;
        w.Line("/// <inheritdoc />");
        w.Open("public override void EncodeNumbers(in Architecture architecture, global::System.Span<double> numbers)");
        foreach (var choice in space.Choices)
        {
            string value = "architecture." + Id(choice.PropertyName);
            if (choice.Continuous)
                w.Line($"numbers[{At(choice)}] = {value};");
            else if (IsWideInput(choice))
                w.Line($"numbers[{At(choice)}] = global::NasGen.InputSelections.ToNumber({value});");
            else if (choice.Kind == ChoiceModelKind.SubSpace)
                w.Line($"{choice.SubSpaceType}.Space.EncodeNumbers({value}, numbers.Slice({At(choice)}, {choice.Stem}Length));");
        }
        w.Close();
        w.Line();
    }

    private static void WriteDecodeWithNumbers(SourceWriter w, SpaceModel space)
    {
        w.Line("/// <inheritdoc />");
        w.Line("public override Architecture Decode(global::System.ReadOnlySpan<int> codes) => Decode(codes, LowerBounds);");
        w.Line();
        w.Line("/// <inheritdoc />");
        w.Line("public override Architecture Decode(global::System.ReadOnlySpan<int> codes, global::System.ReadOnlySpan<double> numbers) => new Architecture(");
        WriteDecodedValues(w, space, numbers: true);
    }
}
