namespace NasGen.Generators;

/// <summary>
/// An export template and the C# expression that builds it (what X.Export.g.cs holds). Equal when the C# is: it writes
/// every field, so the pipeline caches on it as on a value. The template is shared with the pipeline's cache and must
/// not change (FixedArchitecture bakes values into a copy).
/// </summary>
internal sealed class TemplateSource : IEquatable<TemplateSource>
{
    public TemplateSource(NetworkTemplate template, EquatableArray<ChoiceModel> choices)
    {
        Template = template;
        Choices = choices;
        Code = Emitter.TemplateExpression(template, Emitter.ExportChoicesCall);
    }

    public NetworkTemplate Template { get; }

    // The choices the template's were built from (TemplateBuilder.ToChoice): the C# below calls ExportChoices() for them.
    public EquatableArray<ChoiceModel> Choices { get; }

    // Lines separated by '\n', indented from column 0.
    public string Code { get; }

    public bool Equals(TemplateSource? other) => other is not null && Code == other.Code && Choices.Equals(other.Choices);

    public override bool Equals(object? obj) => Equals(obj as TemplateSource);

    public override int GetHashCode() => Code.GetHashCode();
}

// The export template as C#: object initializers of NasGen.CodeGeneration's template classes that name only the fields
// that differ from their defaults, member texts as raw string literals, a comment naming each choice, member and hole.
// A new template field is one line in the writer of its class below.
internal static partial class Emitter
{
    private const string TemplateTypes = "global::NasGen.CodeGeneration.";

    // An initializer of several short entries stays on one line up to this length (not counting the indentation).
    private const int MaxInitializerLine = 100;

    /// <summary>What a space's ExportTemplate calls for its choices: the method X.ExportChoices.g.cs declares.</summary>
    public const string ExportChoicesCall = "ExportChoices()";

    /// <summary>
    /// The C# expression that builds <paramref name="template"/>: lines separated by '\n', indented from column 0. Its
    /// choices are written out, or are <paramref name="choicesExpression"/> (a call of the method that builds them).
    /// </summary>
    public static string TemplateExpression(NetworkTemplate template, string? choicesExpression = null) =>
        string.Join("\n", TemplateInitializer(template, choicesExpression).Lines("new()"));

    /// <summary>The C# expression that builds the list of <paramref name="choices"/>: lines separated by '\n', indented from column 0.</summary>
    public static string ChoicesExpression(List<ChoiceTemplate> choices) =>
        string.Join("\n", Initializer.List(choices, ChoiceInitializer, (c, index) => $"{index}: {c.Property}"));

    private static Initializer TemplateInitializer(NetworkTemplate t, string? choicesExpression)
    {
        var names = t.Choices.ConvertAll(c => c.Property);
        return new Initializer()
            .String(nameof(t.SpaceName), t.SpaceName)
            .String(nameof(t.ClassName), t.ClassName)
            .String(nameof(t.FullName), t.FullName)
            .String(nameof(t.Modifiers), t.Modifiers)
            .String(nameof(t.BaseList), t.BaseList)
            .String(nameof(t.Documentation), t.Documentation)
            .Strings(nameof(t.Usings), t.Usings)
            .String(nameof(t.OwnNamespace), t.OwnNamespace)
            .Objects(nameof(t.Choices), choicesExpression is null ? t.Choices : [], ChoiceInitializer, (_, index) => $"{index}: {names[index]}")
            .Expression(nameof(t.Choices), choicesExpression)
            .Objects(nameof(t.Members), t.Members, m => MemberInitializer(m, names), (m, _) => m.Name)
            .Strings(nameof(t.Problems), t.Problems);
    }

    private static Initializer ChoiceInitializer(ChoiceTemplate c) => new Initializer()
        .Enum(nameof(c.Kind), c.Kind)
        .String(nameof(c.Property), c.Property)
        .String(nameof(c.Field), c.Field)
        .String(nameof(c.Label), c.Label)
        .String(nameof(c.Accessibility), c.Accessibility)
        .String(nameof(c.TypeText), c.TypeText)
        .String(nameof(c.ValueCategory), c.ValueCategory)
        .Objects(nameof(c.Candidates), c.Candidates, CandidateInitializer)
        .String(nameof(c.Factory), c.Factory)
        .Int(nameof(c.Min), c.Min)
        .Int(nameof(c.Max), c.Max)
        .Int(nameof(c.Inputs), c.Inputs)
        .Int(nameof(c.Chosen), c.Chosen)
        .String(nameof(c.Reduction), c.Reduction)
        .String(nameof(c.SubSpace), c.SubSpace)
        .Bool(nameof(c.EveryEdge), c.EveryEdge)
        .Int(nameof(c.InputNodes), c.InputNodes)
        .Int(nameof(c.IntermediateNodes), c.IntermediateNodes)
        .String(nameof(c.OpType), c.OpType)
        .Bool(nameof(c.CellRepetition), c.CellRepetition)
        .Bool(nameof(c.CellLooseEnds), c.CellLooseEnds)
        .Bool(nameof(c.HasRange), c.HasRange)
        .Double(nameof(c.RangeMin), c.RangeMin)
        .Double(nameof(c.RangeMax), c.RangeMax)
        .Double(nameof(c.RangeStep), c.RangeStep)
        .Bool(nameof(c.RangeLog), c.RangeLog);

    private static Initializer CandidateInitializer(CandidateTemplate c) => new Initializer()
        .String(nameof(c.Token), c.Token)
        .String(nameof(c.Expression), c.Expression)
        .String(nameof(c.Raw), c.Raw)
        .String(nameof(c.Requires), c.Requires);

    private static Initializer MemberInitializer(MemberTemplate m, List<string> choiceNames) => new Initializer()
        .String(nameof(m.Name), m.Name)
        .Bool(nameof(m.Droppable), m.Droppable)
        .Bool(nameof(m.BlankLineBefore), m.BlankLineBefore)
        .Int(nameof(m.Indent), m.Indent)
        .Strings(nameof(m.References), m.References)
        .Objects(nameof(m.Parts), m.Parts, p => PartInitializer(p, choiceNames), (p, _) => HoleComment(p, choiceNames));

    private static Initializer PartInitializer(Part p, List<string> choiceNames) => new Initializer()
        .Enum(nameof(p.Kind), p.Kind)
        .String(nameof(p.Text), p.Text)
        .Int(nameof(p.Choice), p.Choice)
        .Bool(nameof(p.Flag), p.Flag)
        .Int(nameof(p.Indent), p.Indent)
        .Object(nameof(p.Condition), p.Condition, ConditionInitializer)
        .Lists(nameof(p.Branches), p.Branches, p => PartInitializer(p, choiceNames), (p, _) => HoleComment(p, choiceNames))
        .Bools(nameof(p.BranchIsCompound), p.BranchIsCompound);

    private static Initializer ConditionInitializer(Condition c) => new Initializer()
        .Enum(nameof(c.Kind), c.Kind)
        .Int(nameof(c.Choice), c.Choice)
        .Ints(nameof(c.Codes), c.Codes)
        .Objects(nameof(c.Operands), c.Operands, ConditionInitializer);

    // Where a choice goes in a member's text.
    private static string? HoleComment(Part part, List<string> choiceNames) => part.Kind switch
    {
        PartKind.Select when part.Choice >= 0 && part.Choice < choiceNames.Count => $"the inputs {choiceNames[part.Choice]} selects",
        PartKind.Conditional when part.Condition is not null => "decided by " + string.Join(", ", ConditionChoices(part.Condition)
            .Distinct().Where(i => i >= 0 && i < choiceNames.Count).Select(i => choiceNames[i])),
        _ => null,
    };

    private static IEnumerable<int> ConditionChoices(Condition condition) =>
        condition.Kind == ConditionKind.Atom ? [condition.Choice] : condition.Operands.SelectMany(ConditionChoices);

    /// <summary>The assignments of one object initializer; a field at its default is left out.</summary>
    private sealed class Initializer
    {
        private readonly List<Entry> _assignments = new();

        public Initializer String(string name, string value) => value.Length == 0 ? this : Add(name, StringLiteral(value));

        public Initializer Int(string name, int value) => value == 0 ? this : Add(name, [value.ToString(CultureInfo.InvariantCulture)]);

        public Initializer Bool(string name, bool value) => value ? Add(name, ["true"]) : this;

        // -0.0 is not the default: its bits differ.
        public Initializer Double(string name, double value) => BitConverter.DoubleToInt64Bits(value) == 0 ? this : Add(name, [DoubleLiteral(value)]);

        public Initializer Enum<T>(string name, T value) where T : struct, System.Enum
        {
            if (EqualityComparer<T>.Default.Equals(value, default)) return this;
            string type = TemplateTypes + typeof(T).Name;
            return Add(name, [System.Enum.IsDefined(typeof(T), value) ? type + "." + value : $"({type}){Convert.ToInt32(value, CultureInfo.InvariantCulture)}"]);
        }

        public Initializer Strings(string name, List<string> values) => Collection(name, values.ConvertAll(v => new Entry(StringLiteral(v))));

        // A field set to another expression (null: left out).
        public Initializer Expression(string name, string? expression) => expression is null ? this : Add(name, [expression]);

        /// <summary>A list of <paramref name="items"/> as a target-typed <c>new() { ... }</c>, as lines indented from column 0.</summary>
        public static List<string> List<T>(List<T> items, Func<T, Initializer> initializer, Func<T, int, string?> comment) =>
            Block("new()", Elements(items, initializer, comment));

        public Initializer Ints(string name, List<int> values) =>
            Collection(name, values.ConvertAll(v => new Entry([v.ToString(CultureInfo.InvariantCulture)])));

        public Initializer Bools(string name, List<bool> values) => Collection(name, values.ConvertAll(v => new Entry([v ? "true" : "false"])));

        public Initializer Object<T>(string name, T? value, Func<T, Initializer> initializer) where T : class =>
            value is null ? this : Add(name, initializer(value).Lines("new()"));

        public Initializer Objects<T>(string name, List<T> items, Func<T, Initializer> initializer, Func<T, int, string?>? comment = null) =>
            Collection(name, Elements(items, initializer, comment));

        // A list of lists: each inner list is a `new() { ... }` collection initializer.
        public Initializer Lists<T>(string name, List<List<T>> lists, Func<T, Initializer> initializer, Func<T, int, string?> comment) =>
            Collection(name, lists.ConvertAll(list => new Entry(Block("new()", Elements(list, initializer, comment)))));

        private static List<Entry> Elements<T>(List<T> items, Func<T, Initializer> initializer, Func<T, int, string?>? comment) =>
            items.Select((item, index) => new Entry(initializer(item).Lines("new()"), comment?.Invoke(item, index))).ToList();

        // `Name = { ... }` adds to the list the field already holds.
        private Initializer Collection(string name, List<Entry> elements)
        {
            if (elements.Count > 0) _assignments.Add(new Entry(Block(name + " =", elements)));
            return this;
        }

        private Initializer Add(string name, List<string> value)
        {
            var lines = new List<string>(value);
            lines[0] = name + " = " + lines[0];
            _assignments.Add(new Entry(lines));
            return this;
        }

        /// <summary>The initializer after <paramref name="prefix"/> (<c>new()</c>), as lines indented from column 0.</summary>
        public List<string> Lines(string prefix) => _assignments.Count == 0 ? [prefix] : Block(prefix, _assignments);
    }

    // One assignment or collection element: its lines (more than one for a raw string or a nested initializer) and a comment.
    private sealed class Entry(List<string> lines, string? comment = null)
    {
        public List<string> Lines { get; } = lines;

        public string? Comment { get; } = comment;
    }

    // `prefix { a, b }` when that is short or a single line; one raw string literal as `prefix { Text = """ ... """ }`; else an entry a line.
    private static List<string> Block(string prefix, List<Entry> entries)
    {
        if (entries.Count == 0) return [prefix];
        if (entries.TrueForAll(e => e.Lines.Count == 1 && e.Comment is null))
        {
            string line = prefix + " { " + string.Join(", ", entries.Select(e => e.Lines[0])) + " }";
            if (line.Length <= MaxInitializerLine || entries.Count == 1) return [line];
        }
        if (entries.Count == 1 && entries[0].Comment is null && IsRawLiteral(entries[0].Lines))
        {
            var lines = new List<string>(entries[0].Lines);
            lines[0] = prefix + " { " + lines[0];
            lines[lines.Count - 1] += " }";
            return lines;
        }
        var block = new List<string> { prefix, "{" };
        foreach (var entry in entries)
        {
            if (entry.Comment is { Length: > 0 } comment) block.Add("    // " + OneLine(comment));
            for (int i = 0; i < entry.Lines.Count; i++)
                block.Add((entry.Lines[i].Length == 0 ? "" : "    " + entry.Lines[i]) + (i == entry.Lines.Count - 1 ? "," : ""));
        }
        block.Add("}");
        return block;
    }

    // A comment ends at the first line break: any of them (and any other control character) becomes a space.
    private static string OneLine(string text) =>
        new(text.Select(c => char.IsControl(c) || c is '\u0085' or '\u2028' or '\u2029' ? ' ' : c).ToArray());

    // An assignment of a multi-line raw string literal: its last line is the closing delimiter.
    private static bool IsRawLiteral(List<string> lines) => lines.Count > 1 && lines[0].EndsWith("\"\"\"", StringComparison.Ordinal)
        && lines[lines.Count - 1].Trim('"').Length == 0;

    /// <summary>
    /// Multi-line text as a raw string literal (its delimiter longer than any run of quotes in it), so a member's
    /// source reads as it was written; other text as an escaped literal.
    /// </summary>
    private static List<string> StringLiteral(string text)
    {
        if (text.IndexOf('\n') < 0 || text.Any(c => char.IsControl(c) && c is not '\n' and not '\t' || c is '\u0085' or '\u2028' or '\u2029'))
            return [Quote(text)];
        int longestRun = 0;
        for (int i = 0, run = 0; i < text.Length; i++)
        {
            run = text[i] == '"' ? run + 1 : 0;
            longestRun = System.Math.Max(longestRun, run);
        }
        string delimiter = new('"', System.Math.Max(3, longestRun + 1));
        // The content lines sit at the closing delimiter's column, which the compiler removes from each of them.
        return [delimiter, .. text.Split('\n'), delimiter];
    }

    private static string DoubleLiteral(double value)
    {
        if (double.IsNaN(value)) return "double.NaN";
        if (double.IsInfinity(value)) return value > 0 ? "double.PositiveInfinity" : "double.NegativeInfinity";
        string text = ChoiceTemplate.RoundTrip(value);
        return text.IndexOfAny(['.', 'E', 'e']) >= 0 ? text : text + ".0";
    }
}
