// A choice's kind is the exporter's (shared with the runtime): one enum, not a copy kept in step by hand.
global using ChoiceModelKind = NasGen.CodeGeneration.TemplateChoiceKind;


namespace NasGen.Generators;

// The pipeline's models: plain, equatable data (no symbols, no syntax), so the generator caches well.

/// <summary>One candidate: the C# expression that builds or denotes it, and its stable name.</summary>
internal sealed record CandidateModel(string Expression, string Name);

/// <summary>One choice property of a space.</summary>
internal sealed record ChoiceModel(
    ChoiceModelKind Kind,
    string PropertyName,
    string PropertyAccessibility,
    string PropertyType,
    string Label,
    // Value choices: the element type of the candidate array (int, double, an enum ...) and whether the
    // candidates are named (enums) rather than literal values.
    string ValueType,
    bool NamedValues,
    EquatableArray<CandidateModel> Candidates,
    // Input choices.
    int InputCandidates,
    int InputChosen,
    string Reduction,
    // Repeats.
    int Min,
    int Max,
    // Repeats, sub-spaces: the factory method (null: the sub-space's own constructor).
    string? Factory,
    // Sub-spaces: the nested space's type.
    string SubSpaceType,
    // Cells: the operations' enum (Candidates: its members in NasGen's order) and the shape; CellChosen 0 is the
    // every-edge (NAS-Bench-201) form.
    string OpsType = "",
    int CellInputNodes = 0,
    int CellIntermediateNodes = 0,
    int CellChosen = 0,
    // Cells: how many architectures the cell alone has (for the size check; saturates at long.MaxValue).
    long CellArchitectures = 0,
    // The name the space descriptor's tables for this choice start with ("" = the property name).
    string DescriptorStem = "",
    // [Range] choices (Kind Value): the NumericRange constructor's arguments as C# ("0.0001, 0.1, 0.0, true"), and
    // whether the range is continuous (no candidates: the value travels beside the codes).
    string RangeArguments = "",
    bool Continuous = false,
    // Indexed layer choices (Kind LayerList): the number of positions.
    int LayerCount = 0,
    // Cells, DARTS form: NasGen.CellInputs.WithRepetition (slots may repeat a predecessor) and NasGen.CellOutput.LooseEnds.
    bool CellRepetition = false,
    bool CellLooseEnds = false,
    // The property's type as the user wrote it (the export writes it so), and a cell's op enum as written in Cell<...>.
    string WrittenType = "",
    string WrittenOpType = "")
{
    public string Stem => DescriptorStem.Length > 0 ? DescriptorStem : PropertyName;
}

/// <summary>A search space class, ready to emit.</summary>
internal sealed record SpaceModel(
    string Namespace,
    string ClassName,
    string FullyQualifiedName,
    string SpaceName,
    EquatableArray<string> ContainingTypes,
    EquatableArray<ChoiceModel> Choices,
    EquatableArray<string> Constraints,
    bool IsModule,
    // Why the space has no CreateSupernet ("" when it has one), and whether `new T(architecture)` builds it.
    string SupernetProblem = "",
    bool HasArchitectureConstructor = false);

/// <summary>
/// What EmitSource and [FixedArchitecture] need of a valid space: its members with holes for the choices (a
/// NasGen.CodeGeneration.NetworkTemplate and the C# that builds it). Apart from <see cref="SpaceModel"/> because it holds method bodies: an edit inside
/// one re-emits this alone.
/// </summary>
/// <summary>A valid space's choices as the export template holds them (X.ExportChoices.g.cs): from the model alone, so a body edit leaves them cached.</summary>
internal sealed record ExportChoicesModel(
    string Namespace,
    EquatableArray<string> ContainingTypes,
    string ClassName,
    string FullyQualifiedName,
    EquatableArray<ChoiceModel> Choices);

internal sealed record ExportTemplateModel(
    string Namespace,
    EquatableArray<string> ContainingTypes,
    string ClassName,
    string FullyQualifiedName,
    TemplateSource Template);

/// <summary>
/// What the parser found: a model to emit (null when the space is invalid), the stand-in members of an invalid space
/// (null when it is valid) and diagnostics, with where the tokens of the space's declarations were when it parsed
/// (empty when no diagnostic points into them), to move the diagnostics along when a later body edit reuses the result.
/// </summary>
internal sealed record SpaceParseResult(
    SpaceModel? Model,
    EquatableArray<DiagnosticInfo> Diagnostics,
    SpaceStubModel? Stub = null,
    EquatableArray<DeclarationAnchors> Anchors = default);

/// <summary>
/// An invalid space's members that the user's code refers to, emitted as stand-ins that throw so that one mistake gives
/// one error (the NASG one) rather than an error at every use of <c>Architecture</c>, <c>InitializeChoices</c> or a
/// choice property.
/// </summary>
internal sealed record SpaceStubModel(
    string Namespace,
    // The space's own declaration ("partial class S<T>") and its containing types', outermost first.
    string Declaration,
    EquatableArray<string> ContainingTypes,
    string ClassName,
    string FullyQualifiedName,
    // Why the members throw: names the errors' ids.
    string Reason,
    EquatableArray<StubProperty> Properties,
    // Layer choices that parsed: their enums (candidate names), as a valid space would have them.
    EquatableArray<StubEnum> Enums,
    // Generated names the user's class declares itself, which the stub must not declare again.
    EquatableArray<string> TakenNames);

/// <summary>
/// A choice property: the implementation part to write (Accessors empty: the user wrote one, or it cannot be written)
/// and its member of <c>Architecture</c> (ArchitectureType empty: none).
/// </summary>
internal sealed record StubProperty(string Name, string Modifiers, string Type, EquatableArray<string> Accessors, string ArchitectureType);

/// <summary>A layer choice's enum of candidate names.</summary>
internal sealed record StubEnum(string Name, EquatableArray<string> Members);
