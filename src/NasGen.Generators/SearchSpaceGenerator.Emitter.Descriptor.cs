namespace NasGen.Generators;

internal static partial class Emitter
{
    private static void WriteSpace(SourceWriter w, SpaceModel space)
    {
        w.Line("/// <summary>The search space: its dimensions and size, enumeration, sampling, mutation, encodings and indices.</summary>");
        w.Line("public static SpaceDescriptor Space { get; } = new SpaceDescriptor();");
        w.Line();
        w.Line($"/// <summary>The {XmlText(space.SpaceName)} search space.</summary>");
        w.Line(GeneratedCode);
        w.Open("public sealed partial class SpaceDescriptor : global::NasGen.SearchSpace<Architecture>");

        // Candidate tables.
        foreach (var choice in space.Choices)
        {
            switch (choice.Kind)
            {
                case ChoiceModelKind.Value when choice.Continuous:
                    WriteRangeField(w, choice);
                    break;
                case ChoiceModelKind.Value:
                    w.Line($"private static readonly {choice.ValueType}[] {choice.Stem}Candidates = {{ {string.Join(", ", choice.Candidates.Select(c => c.Expression))} }};");
                    if (choice.RangeArguments.Length > 0) WriteRangeField(w, choice);
                    break;
                case ChoiceModelKind.LayerList:
                    w.Line($"internal static readonly {EnumName(choice)}[] {choice.Stem}Candidates = {{ {string.Join(", ", choice.Candidates.Select(c => EnumName(choice) + "." + Id(c.Name)))} }};");
                    break;
                case ChoiceModelKind.Layer:
                    w.Line($"private static readonly {EnumName(choice)}[] {choice.Stem}Candidates = {{ {string.Join(", ", choice.Candidates.Select(c => EnumName(choice) + "." + Id(c.Name)))} }};");
                    break;
                case ChoiceModelKind.Input:
                    w.Line($"private static readonly global::NasGen.InputSelections {choice.Stem}Candidates = new global::NasGen.InputSelections({choice.InputCandidates}, {choice.InputChosen});");
                    break;
                case ChoiceModelKind.Cell:
                    string shape = choice.CellChosen == 0
                        ? $"EveryEdge({choice.CellIntermediateNodes + 1})"
                        : $"ChosenInputs({choice.CellInputNodes}, {choice.CellIntermediateNodes}, {choice.CellChosen}){CellOptions(choice)}";
                    w.Line($"internal static readonly global::NasGen.CellShape {choice.Stem}Shape = global::NasGen.CellShape.{shape};");
                    break;
            }
        }
        w.Line();

        // Layout: where each choice's codes sit. Constant until the first nested space, whose size is known at run time.
        w.Line("// Where each choice's codes sit in the flattened code vector.");
        string? lastSubSpace = null;
        int offset = 0;
        foreach (var choice in space.Choices)
        {
            string at = At(choice);
            if (lastSubSpace is null)
                w.Line($"private const int {at} = {offset};");
            else
                w.Line($"private static readonly int {at} = {lastSubSpace}At + {lastSubSpace}Length{(offset > 0 ? " + " + offset : "")};");
            if (choice.Kind is ChoiceModelKind.SubSpace or ChoiceModelKind.Cell)
            {
                w.Line(choice.Kind == ChoiceModelKind.SubSpace
                    ? $"private static readonly int {choice.Stem}Length = {choice.SubSpaceType}.Space.Dimensions.Count;"
                    : $"private static readonly int {choice.Stem}Length = global::NasGen.CellArchitecture<{choice.OpsType}>.CodeCount({choice.Stem}Shape);");
                lastSubSpace = choice.Stem;
                offset = 0;
            }
            else if (choice.Kind == ChoiceModelKind.LayerList)
            {
                offset += choice.LayerCount;
            }
            else
            {
                offset++;
            }
        }
        w.Line();

        var subSpaces = space.Choices.Where(c => c.Kind == ChoiceModelKind.SubSpace).ToList();
        string hasConstraints = space.Constraints.Count > 0 ? "true"
            : subSpaces.Count == 0 ? "false"
            : string.Join(" || ", subSpaces.Select(s => $"{s.SubSpaceType}.Space.HasConstraints"));
        w.Line("internal SpaceDescriptor()");
        w.Line($"    : base({Quote(space.SpaceName)}, CreateDimensions(), hasConstraints: {hasConstraints})");
        w.Line("{");
        w.Line("}");
        w.Line();

        WriteCreateDimensions(w, space, subSpaces.Count > 0);
        WriteEncode(w, space);
        WriteDecode(w, space);
        WriteDescribeValue(w, space);
        WriteConstraints(w, space, subSpaces);
        WriteNestedSpaces(w, subSpaces);
        w.Close();
    }

    private static void WriteCreateDimensions(SourceWriter w, SpaceModel space, bool hasSubSpaces)
    {
        w.Open("private static global::NasGen.Dimension[] CreateDimensions()");
        w.Line("var dimensions = new global::System.Collections.Generic.List<global::NasGen.Dimension>();");
        foreach (var choice in space.Choices)
        {
            string label = Quote(choice.Label);
            string candidates = choice.Stem + "Candidates";
            switch (choice.Kind)
            {
                case ChoiceModelKind.Value when choice.NamedValues:
                    w.Line($"dimensions.Add(global::NasGen.Dimension.OfNamed({label}, global::NasGen.ChoiceKind.Value, {candidates}, {NameArray(choice)}));");
                    break;
                case ChoiceModelKind.Value when choice.RangeArguments.Length > 0:
                    w.Line(RangeDimension(choice, label));
                    break;
                case ChoiceModelKind.Value:
                    w.Line($"dimensions.Add(global::NasGen.Dimension.Of({label}, {candidates}));");
                    break;
                case ChoiceModelKind.Layer:
                    w.Line($"dimensions.Add(global::NasGen.Dimension.OfNamed({label}, global::NasGen.ChoiceKind.Layer, {candidates}, {NameArray(choice)}));");
                    break;
                case ChoiceModelKind.LayerList:
                    w.Line($"dimensions.AddRange(global::NasGen.CodeGeneration.LayerLists.Dimensions({label}, {choice.LayerCount}, {candidates}, {NameArray(choice)}));");
                    break;
                case ChoiceModelKind.Input:
                    w.Line($"dimensions.Add(global::NasGen.Dimension.Inputs({label}, {candidates}));");
                    break;
                case ChoiceModelKind.Repeat:
                    w.Line($"dimensions.Add(global::NasGen.Dimension.Depth({label}, {choice.Min}, {choice.Max}));");
                    break;
                case ChoiceModelKind.SubSpace:
                    w.Line($"foreach (var dimension in {choice.SubSpaceType}.Space.Dimensions)");
                    w.Line($"    dimensions.Add(dimension.WithPrefix({label}));");
                    break;
                case ChoiceModelKind.Cell:
                    w.Line($"dimensions.AddRange(global::NasGen.Cell<{choice.OpsType}>.Dimensions({choice.Stem}Shape, {label}));");
                    break;
            }
        }
        w.Line("return dimensions.ToArray();");
        w.Close();
        w.Line();
    }

    private static void WriteEncode(SourceWriter w, SpaceModel space)
    {
        w.Line("/// <inheritdoc />");
        w.Open("public override void EncodeCore(in Architecture architecture, global::System.Span<int> codes)");
        foreach (var choice in space.Choices)
        {
            string value = "architecture." + Id(choice.PropertyName);
            switch (choice.Kind)
            {
                case ChoiceModelKind.Repeat:
                    string code = choice.Min == 0 ? value : $"{value} - {choice.Min}";
                    w.Line($"codes[{At(choice)}] = {value} >= {choice.Min} && {value} <= {choice.Max} ? {code} : -1;");
                    break;
                case ChoiceModelKind.SubSpace:
                    w.Line($"{choice.SubSpaceType}.Space.EncodeCore({value}, codes.Slice({At(choice)}, {choice.Stem}Length));");
                    break;
                case ChoiceModelKind.Cell:
                    // A pattern variable per cell: an if's pattern variables stay in scope after it.
                    string cell = Parser.FieldName(choice.PropertyName) + "Cell";
                    w.Line($"if ({value} is {{ }} {cell} && {cell}.Shape.Equals({choice.Stem}Shape))");
                    w.Line($"    new global::System.ReadOnlySpan<int>({cell}.ToCodes()).CopyTo(codes.Slice({At(choice)}, {choice.Stem}Length));");
                    w.Line("else");
                    w.Line($"    codes.Slice({At(choice)}, {choice.Stem}Length).Fill(-1);");
                    break;
                case ChoiceModelKind.LayerList:
                    w.Line($"global::NasGen.CodeGeneration.LayerLists.Encode({value}, {choice.Stem}Candidates, codes.Slice({At(choice)}, {choice.LayerCount}));");
                    break;
                case ChoiceModelKind.Input when IsWideInput(choice):
                    w.Line($"codes[{At(choice)}] = {choice.Stem}Candidates.Contains({value}) ? 0 : -1;");
                    break;
                case ChoiceModelKind.Input:
                    w.Line($"codes[{At(choice)}] = {choice.Stem}Candidates.IndexOf({value});");
                    break;
                case ChoiceModelKind.Value when choice.Continuous:
                    w.Line($"codes[{At(choice)}] = {choice.Stem}Range.Contains({value}) ? 0 : -1;");
                    break;
                default:
                    w.Line($"codes[{At(choice)}] = global::System.Array.IndexOf({choice.Stem}Candidates, {value});");
                    break;
            }
        }
        w.Close();
        w.Line();
        WriteEncodeNumbers(w, space);
    }

    private static void WriteDecode(SourceWriter w, SpaceModel space)
    {
        if (CarriesNumbers(space))
        {
            WriteDecodeWithNumbers(w, space);
            return;
        }
        w.Line("/// <inheritdoc />");
        if (space.Choices.Count == 0)
        {
            w.Line("public override Architecture Decode(global::System.ReadOnlySpan<int> codes) => new Architecture();");
            w.Line();
            return;
        }
        w.Line("public override Architecture Decode(global::System.ReadOnlySpan<int> codes) => new Architecture(");
        WriteDecodedValues(w, space, numbers: false);
    }

    private static void WriteDecodedValues(SourceWriter w, SpaceModel space, bool numbers)
    {
        w.Indent();
        for (int i = 0; i < space.Choices.Count; i++)
        {
            var choice = space.Choices[i];
            string value = choice.Kind switch
            {
                ChoiceModelKind.Repeat => choice.Min == 0 ? $"codes[{At(choice)}]" : $"{choice.Min} + codes[{At(choice)}]",
                ChoiceModelKind.SubSpace when numbers =>
                    $"{choice.SubSpaceType}.Space.Decode(codes.Slice({At(choice)}, {choice.Stem}Length), numbers.Slice({At(choice)}, {choice.Stem}Length))",
                ChoiceModelKind.SubSpace => $"{choice.SubSpaceType}.Space.Decode(codes.Slice({At(choice)}, {choice.Stem}Length))",
                ChoiceModelKind.Cell => $"global::NasGen.CellArchitecture<{choice.OpsType}>.FromCodes({choice.Stem}Shape, codes.Slice({At(choice)}, {choice.Stem}Length))",
                ChoiceModelKind.LayerList => $"global::NasGen.CodeGeneration.LayerLists.Decode({choice.Stem}Candidates, codes.Slice({At(choice)}, {choice.LayerCount}))",
                ChoiceModelKind.Value when choice.Continuous => $"({choice.ValueType})numbers[{At(choice)}]",
                ChoiceModelKind.Input when IsWideInput(choice) => $"{choice.Stem}Candidates.FromNumber(numbers[{At(choice)}])",
                _ => $"{choice.Stem}Candidates[codes[{At(choice)}]]",
            };
            w.Line(value + (i < space.Choices.Count - 1 ? "," : ");"));
        }
        w.Outdent();
        w.Line();
    }

    private static void WriteDescribeValue(SourceWriter w, SpaceModel space)
    {
        w.Line("/// <inheritdoc />");
        w.Open("public override string DescribeValue(in Architecture architecture, int dimension)");
        foreach (var choice in space.Choices)
        {
            if (choice.Kind == ChoiceModelKind.SubSpace)
            {
                w.Line($"if (dimension >= {At(choice)} && dimension < {At(choice)} + {choice.Stem}Length)");
                w.Line($"    return {choice.SubSpaceType}.Space.DescribeValue(architecture.{Id(choice.PropertyName)}, dimension - {At(choice)});");
            }
            else if (choice.Kind == ChoiceModelKind.Cell)
            {
                w.Line($"if (dimension >= {At(choice)} && dimension < {At(choice)} + {choice.Stem}Length)");
                w.Line($"    return Dimensions[dimension].Candidates[architecture.{Id(choice.PropertyName)}.ToCodes()[dimension - {At(choice)}]].Token;");
            }
            else if (choice.Kind == ChoiceModelKind.LayerList)
            {
                w.Line($"if (dimension >= {At(choice)} && dimension < {At(choice)} + {choice.LayerCount})");
                w.Line($"    return global::NasGen.CodeGeneration.LayerLists.Describe(architecture.{Id(choice.PropertyName)}, dimension - {At(choice)}, {choice.LayerCount});");
            }
            else
            {
                w.Line($"if (dimension == {At(choice)}) return Format(architecture.{Id(choice.PropertyName)});");
            }
        }
        w.Line("throw new global::System.ArgumentOutOfRangeException(nameof(dimension));");
        w.Close();
    }

    private static void WriteConstraints(SourceWriter w, SpaceModel space, List<ChoiceModel> subSpaces)
    {
        var checks = space.Constraints.Select(c => $"{space.FullyQualifiedName}.{Id(c)}(architecture)")
            .Concat(subSpaces.Select(s => $"{s.SubSpaceType}.Space.SatisfiesConstraints(architecture.{Id(s.PropertyName)})"))
            .ToList();
        if (checks.Count == 0) return;
        w.Line();
        w.Line("/// <inheritdoc />");
        w.Line("public override bool SatisfiesConstraints(in Architecture architecture) =>");
        w.Indent();
        for (int i = 0; i < checks.Count; i++)
            w.Line((i == 0 ? "" : "&& ") + checks[i] + (i == checks.Count - 1 ? ";" : ""));
        w.Outdent();
    }

    private static void WriteNestedSpaces(SourceWriter w, List<ChoiceModel> subSpaces)
    {
        if (subSpaces.Count == 0) return;
        w.Line();
        w.Line("/// <inheritdoc />");
        w.Line("public override global::System.Collections.Generic.IReadOnlyList<global::NasGen.ISearchSpace> NestedSpaces =>");
        w.Line($"    new global::NasGen.ISearchSpace[] {{ {string.Join(", ", subSpaces.Select(s => s.SubSpaceType + ".Space").Distinct())} }};");
    }

    // The DARTS-form cell's options, when either differs from the default.
    private static string CellOptions(ChoiceModel cell) => cell.CellRepetition || cell.CellLooseEnds
        ? $".WithOptions(global::NasGen.CellInputs.{(cell.CellRepetition ? "WithRepetition" : "Distinct")}, global::NasGen.CellOutput.{(cell.CellLooseEnds ? "LooseEnds" : "AllNodes")})"
        : "";
}
