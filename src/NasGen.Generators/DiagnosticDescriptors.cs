namespace NasGen.Generators;

/// <summary>Every diagnostic NasGen reports. Each has a page at docs/diagnostics/{Id}.md.</summary>
internal static class DiagnosticDescriptors
{
    private const string Category = "NasGen";
    private const string HelpBase = "https://github.com/nasgen/nasgen/blob/main/docs/diagnostics/";

    private static DiagnosticDescriptor Make(string id, string title, string message, DiagnosticSeverity severity = DiagnosticSeverity.Error) =>
        new(id, title, message, Category, severity, isEnabledByDefault: true, helpLinkUri: HelpBase + id + ".md");

    public static readonly DiagnosticDescriptor SpaceNotPartial = Make("NASG001",
        "Search space class is not partial",
        "Search space '{0}' must be declared 'partial' so NasGen can add its generated members; add the 'partial' modifier");

    public static readonly DiagnosticDescriptor ContainingTypeNotPartial = Make("NASG002",
        "Type containing a search space is not partial",
        "Search space '{0}' is nested in '{1}', which is not 'partial'; make '{1}' partial or move '{0}' out of it");

    public static readonly DiagnosticDescriptor UnsupportedSpaceForm = Make("NASG003",
        "Unsupported search space declaration",
        "Search space '{0}' cannot be {1}; declare it as a non-generic, non-static, non-abstract class");

    public static readonly DiagnosticDescriptor ChoiceNotPartialProperty = Make("NASG004",
        "Choice is not a partial get-only instance property",
        "Choice '{0}' must be declared as 'public partial T {0} {{ get; }}' ({1}); NasGen implements it");

    public static readonly DiagnosticDescriptor EmptyCandidates = Make("NASG005",
        "Choice has no candidates",
        "Choice '{0}' lists no candidates; give at least two");

    public static readonly DiagnosticDescriptor SingleCandidate = Make("NASG006",
        "Choice has a single candidate",
        "Choice '{0}' has only one candidate, so it is not a choice; add candidates or make it a constant",
        DiagnosticSeverity.Warning);

    public static readonly DiagnosticDescriptor DuplicateCandidate = Make("NASG007",
        "Duplicate candidate",
        "Choice '{0}' lists candidate {1} more than once; remove the duplicate");

    public static readonly DiagnosticDescriptor CandidateTypeMismatch = Make("NASG008",
        "Candidate does not fit the property type",
        "Candidate {1} of choice '{0}' is not a {2}; use constants of the property's type");

    public static readonly DiagnosticDescriptor EmptyEnum = Make("NASG009",
        "Enum choice over an enum without members",
        "Choice '{0}' ranges over enum '{1}', which has no members; add members to the enum");

    public static readonly DiagnosticDescriptor InvalidLayerFactory = Make("NASG010",
        "Invalid layer candidate",
        "Layer candidate '{1}' of choice '{0}' {2}");

    public static readonly DiagnosticDescriptor InvalidLayerType = Make("NASG011",
        "Invalid layer candidate type",
        "Layer candidate type '{1}' of choice '{0}' {2}");

    public static readonly DiagnosticDescriptor InvalidInputChoice = Make("NASG012",
        "Invalid input choice",
        "Input choice '{0}' {1}");

    public static readonly DiagnosticDescriptor InvalidRepeatRange = Make("NASG013",
        "Invalid repeat range",
        "Repeat '{0}' has min {1} and max {2}; use 0 <= min <= max <= 1000");

    public static readonly DiagnosticDescriptor InvalidRepeatFactory = Make("NASG014",
        "Invalid repeat block factory",
        "Repeat '{0}' names block factory '{1}', which {2}; declare 'Module<Tensor, Tensor> {1}(int index)'");

    public static readonly DiagnosticDescriptor DuplicateLabel = Make("NASG015",
        "Duplicate label",
        "Label '{1}' of choice '{0}' is already used by '{2}'; give one of them a different Label");

    public static readonly DiagnosticDescriptor NotASearchSpace = Make("NASG016",
        "Sub-space type is not a search space",
        "Sub-space '{0}' has type '{1}', which is not marked [SearchSpace]; mark it or use another choice kind");

    public static readonly DiagnosticDescriptor SubSpaceCycle = Make("NASG017",
        "Nested search spaces form a cycle",
        "Sub-space '{0}' makes '{1}' contain itself ({2}); a space cannot nest itself");

    public static readonly DiagnosticDescriptor InvalidConstraint = Make("NASG018",
        "Invalid constraint method",
        "Constraint '{0}' must be declared 'static bool {0}(Architecture architecture)' ({1})");

    public static readonly DiagnosticDescriptor MultipleChoiceAttributes = Make("NASG019",
        "Several choice attributes on one member",
        "Property '{0}' has more than one choice attribute ({1}); keep one");

    public static readonly DiagnosticDescriptor NoChoices = Make("NASG020",
        "Search space without choices",
        "Search space '{0}' declares no choices, so it holds a single architecture; add [Choice], [LayerChoice], [InputChoice], [Repeat] or [SubSpace] properties",
        DiagnosticSeverity.Warning);

    public static readonly DiagnosticDescriptor HugeSpace = Make("NASG021",
        "Search space too large to enumerate",
        "Search space '{0}' has {1} architectures, more than 2^63; indices use BigInteger and full enumeration is impractical, so prefer sampling strategies",
        DiagnosticSeverity.Info);

    public static readonly DiagnosticDescriptor InvalidLabel = Make("NASG022",
        "Invalid label",
        "Label '{1}' of choice '{0}' is not valid: {2}");

    public static readonly DiagnosticDescriptor WrongPropertyType = Make("NASG023",
        "Choice property has the wrong type",
        "Choice '{0}' has type '{1}', but {2}");

    public static readonly DiagnosticDescriptor GeneratedNameConflict = Make("NASG024",
        "Member name reserved by the generator",
        "Search space '{0}' declares '{1}', a name NasGen generates; rename the member");

    public static readonly DiagnosticDescriptor InvalidSubSpaceFactory = Make("NASG025",
        "Invalid sub-space factory",
        "Sub-space '{0}' {1}");

    // Only the export is affected, and only for architectures whose two nested parts differ; the space searches and
    // trains, and NasGen's own examples nest a type twice this way, so an info rather than a build break.
    public static readonly DiagnosticDescriptor SharedSubSpaceFactory = Make("NASG039",
        "Nested space type shared with a factory cannot be exported",
        "Sub-space '{0}' nests '{1}' as '{2}' does, through the factory '{3}'; EmitSource writes one class per nested architecture and cannot export this space when the two architectures differ; build '{0}' with the constructor (remove Factory)",
        DiagnosticSeverity.Info);

    public static readonly DiagnosticDescriptor ArchitectureFileNotFound = Make("NASG026",
        "Architecture file not found",
        "[FixedArchitecture] on '{0}': '{1}' is not among the project's AdditionalFiles; add <AdditionalFiles Include=\"{1}\" /> to the project file");

    public static readonly DiagnosticDescriptor MalformedArchitectureFile = Make("NASG027",
        "Malformed architecture file",
        "[FixedArchitecture] on '{0}': {1}({2}): {3}");

    public static readonly DiagnosticDescriptor UnknownArchitectureLabel = Make("NASG028",
        "Unknown label in an architecture file",
        "[FixedArchitecture] on '{0}': {1}({2}): {3}");

    public static readonly DiagnosticDescriptor ArchitectureValueNotACandidate = Make("NASG029",
        "Architecture value is not a candidate",
        "[FixedArchitecture] on '{0}': {1}({2}): {3}");

    public static readonly DiagnosticDescriptor MissingArchitectureLabel = Make("NASG030",
        "Label missing from an architecture file",
        "[FixedArchitecture] on '{0}': {1}({2}): {3}");

    public static readonly DiagnosticDescriptor ArchitectureFromAnotherSpace = Make("NASG031",
        "Architecture file belongs to another space or version of the space",
        "[FixedArchitecture] on '{0}': {1}({2}): {3}");

    public static readonly DiagnosticDescriptor CannotExportSpace = Make("NASG032",
        "Fixed architecture cannot be generated",
        "[FixedArchitecture] on '{0}': {1}");

    public static readonly DiagnosticDescriptor InvalidCell = Make("NASG033",
        "Invalid cell",
        "Cell '{0}' {1}");

    public static readonly DiagnosticDescriptor NoSupernet = Make("NASG034",
        "Search space has no supernet",
        "Search space '{0}' gets no CreateSupernet: {1}", DiagnosticSeverity.Info);

    public static readonly DiagnosticDescriptor InputChoiceTooLarge = Make("NASG035",
        "Input choice with too many inputs",
        "Input choice '{0}' offers {1} inputs, more than the 64 a selection (a 64-bit mask) can hold; offer at most 64, or split it into several input choices");

    public static readonly DiagnosticDescriptor ChoiceNameClash = Make("NASG040",
        "Choice name clashes with a member NasGen or a base class defines",
        "Choice '{0}' needs the generated member '{1}', which would clash with {2}; rename the property");

    public static readonly DiagnosticDescriptor InvalidRangeBounds = Make("NASG041",
        "Invalid range bounds",
        "Range '{0}' from {1} to {2} is invalid: {3}");

    public static readonly DiagnosticDescriptor LogRangeNotPositive = Make("NASG042",
        "Log range with a bound that is not positive",
        "Range '{0}' from {1} to {2} is on a log scale, which needs both bounds above 0; raise Min above 0 or remove 'Log = true'");

    public static readonly DiagnosticDescriptor InvalidRangeStep = Make("NASG043",
        "Invalid range step",
        "Range '{0}' has Step = {1}: {2}");

    public static readonly DiagnosticDescriptor StepDoesNotDivideRange = Make("NASG044",
        "Range step does not divide the range",
        "Range '{0}' steps by {1} from {2}, which does not reach {3}: its largest value is {4}; set Max to {4} or choose a step that divides the range",
        DiagnosticSeverity.Warning);

    public static readonly DiagnosticDescriptor InvalidLayerCount = Make("NASG045",
        "Invalid layer count",
        "Indexed layer choice '{0}' has Count = {1}; it needs between 1 and {2} positions");

    public static readonly DiagnosticDescriptor ArchitectureValueOutOfRange = Make("NASG046",
        "Architecture value outside its range",
        "[FixedArchitecture] on '{0}': {1}({2}): {3}");

    public static readonly DiagnosticDescriptor InternalError = Make("NASG000",
        "NasGen could not process a search space",
        "NasGen could not process search space '{0}': {1}; please report this with the space's source");

    public static IReadOnlyList<DiagnosticDescriptor> All { get; } = typeof(DiagnosticDescriptors)
        .GetFields()
        .Where(f => f.FieldType == typeof(DiagnosticDescriptor))
        .Select(f => (DiagnosticDescriptor)f.GetValue(null))
        .OrderBy(d => d.Id)
        .ToArray();

    private static readonly Dictionary<string, DiagnosticDescriptor> _byId = All.ToDictionary(d => d.Id);

    public static DiagnosticDescriptor ById(string id) => _byId[id];
}
