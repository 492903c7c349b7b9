using System.Text.Json;
using NasGen.Json;

namespace NasGen;

/// <summary>What kind of choice a <see cref="Dimension"/> comes from.</summary>
public enum ChoiceKind
{
    /// <summary>A typed constant (<c>[Choice]</c>).</summary>
    Value,
    /// <summary>A candidate operation (<c>[LayerChoice]</c>).</summary>
    Layer,
    /// <summary>k of n incoming tensors (<c>[InputChoice]</c>).</summary>
    Input,
    /// <summary>A number of blocks (<c>[Repeat]</c>).</summary>
    Repeat,
}

/// <summary>One candidate of a dimension: its typed value and its canonical text.</summary>
public sealed class Candidate
{
    internal Candidate(object value, string token, Action<Utf8JsonWriter> writeJson)
    {
        Value = value;
        Token = token;
        WriteJson = writeJson;
    }

    /// <summary>The typed value (an int, double, string, enum member, <see cref="ChosenInputs"/>, depth ...).</summary>
    public object Value { get; }

    /// <summary>Canonical text used in architecture strings: <c>32</c>, <c>0.25</c>, <c>"relu"</c>, <c>Conv3x3</c>, <c>[0,2]</c>.</summary>
    public string Token { get; }

    internal Action<Utf8JsonWriter> WriteJson { get; }

    /// <inheritdoc />
    public override string ToString() => Token;
}

/// <summary>
/// One categorical dimension of a search space: a choice with a stable label and its candidates, in order.
/// A space's architectures are exactly the tuples of candidate indices over its dimensions (nested spaces
/// contribute their dimensions with their label as a dotted prefix).
/// </summary>
public sealed class Dimension
{
    private Dimension(string label, ChoiceKind kind, IReadOnlyList<Candidate> candidates, JsonValueForm jsonForm, InputSelections? selections = null,
        NumericRange? range = null)
    {
        Label = label;
        Kind = kind;
        Candidates = candidates;
        JsonForm = jsonForm;
        Selections = selections;
        Range = range;
    }

    /// <summary>
    /// A <c>[Range]</c> dimension's bounds, step and scale; null for other choices. A stepped range lists its values
    /// as candidates; a continuous one has none (its values travel beside the codes: docs/guides/numeric-ranges.md).
    /// </summary>
    public NumericRange? Range { get; }

    /// <summary>Whether the dimension takes any value between its bounds (a float or double range without a step).</summary>
    public bool IsContinuous => Range is { IsContinuous: true };

    /// <summary>An input choice's selections (the candidates' values, numbered without listing); null for other kinds.</summary>
    internal InputSelections? Selections { get; }

    /// <summary>
    /// An input choice with more selections than an int candidate code can number (<c>[InputChoice(64, 32)]</c>): like a
    /// continuous range it has one code (0) and no listed candidates, and its selection travels in the numbers vector
    /// (docs/diagnostics/NASG035.md). Strategies that keep a number per candidate refuse it.
    /// </summary>
    public bool IsWide => Selections is { IsWide: true };

    /// <summary>Whether a mutation can change the dimension: it has more than one candidate, or is a continuous range or a wide input choice (which list none).</summary>
    internal bool IsMutable => Count > 1 || IsContinuous || IsWide;

    /// <summary>The number of candidates, exact also where <see cref="Count"/> cannot hold it (a wide input choice); 0 for a continuous range.</summary>
    public System.Numerics.BigInteger CandidateCount => IsWide ? Selections!.LongCount : Count;

    /// <summary>The stable key, dotted for nested spaces (<c>head.units</c>).</summary>
    public string Label { get; }

    /// <summary>The kind of choice.</summary>
    public ChoiceKind Kind { get; }

    /// <summary>The candidates in declaration order; a candidate's position is its code.</summary>
    public IReadOnlyList<Candidate> Candidates { get; }

    /// <summary>Number of listed candidates: 0 for a continuous range or a wide input choice (see <see cref="CandidateCount"/>).</summary>
    public int Count => Candidates.Count;

    /// <summary>How architecture JSON writes the candidates (the rules are shared with the generator: src/Shared/Json).</summary>
    internal JsonValueForm JsonForm { get; }

    /// <summary>The same dimension under <c>prefix.label</c>, for a space nested under <paramref name="prefix"/>.</summary>
    public Dimension WithPrefix(string prefix) => new(prefix + "." + Label, Kind, Candidates, JsonForm, Selections, Range);

    /// <summary>
    /// This value choice as a stepped <c>[Range]</c>: its candidates must be the range's values, in order. Strategies
    /// then treat it as ordered (perturbing mutations, nearby neighbours, a normalised encoding).
    /// </summary>
    public Dimension WithRange(NumericRange range)
    {
        ArgumentNullException.ThrowIfNull(range);
        if (Kind != ChoiceKind.Value || range.IsContinuous || range.ValueCount != Count)
            throw new ArgumentException($"'{Label}': a stepped range of {range.ValueCount} values needs a value choice with as many candidates (it has {Count}).", nameof(range));
        return new Dimension(Label, Kind, Candidates, JsonForm, Selections, range);
    }

    /// <summary>A continuous double range: any value between the bounds, no candidates.</summary>
    public static Dimension Continuous(string label, NumericRange range) => ContinuousOf(label, range, JsonValueForm.Double);

    /// <summary>A continuous float range: any float between the bounds, no candidates.</summary>
    /// <remarks>The bounds become the floats nearest to them, so that a float property can hold both.</remarks>
    public static Dimension ContinuousSingle(string label, NumericRange range) =>
        ContinuousOf(label, new NumericRange((float)range.Min, (float)range.Max, range.Step, range.Log), JsonValueForm.Float);

    private static Dimension ContinuousOf(string label, NumericRange range, JsonValueForm form)
    {
        ArgumentNullException.ThrowIfNull(range);
        if (!range.IsContinuous) throw new ArgumentException($"'{label}': a continuous dimension needs a range without a step.", nameof(range));
        return new Dimension(label, ChoiceKind.Value, Array.Empty<Candidate>(), form, range: range);
    }

    /// <summary>A continuous value's canonical text: the shortest text that reads back to the same bits.</summary>
    public string FormatNumber(double value) => JsonForm == JsonValueForm.Float
        ? ((float)value).ToString("R", CultureInfo.InvariantCulture)
        : value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>A continuous value read from its text, or null when the text is not a number in the range.</summary>
    public double? ParseNumber(string token) =>
        Range is not null && double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) ? ParseNumber(value) : null;

    private double? ParseNumber(double value)
    {
        if (JsonForm == JsonValueForm.Float) value = (float)value;
        return Range!.Contains(value) ? value : null;
    }

    /// <summary>The position of the candidate whose token is <paramref name="token"/>, or -1.</summary>
    public int IndexOfToken(string token)
    {
        if (Selections is not null)
            return Export.InputSubsets.ParseToken(token, Selections.Inputs) is ulong mask ? Selections.IndexOf(new ChosenInputs(Selections.Inputs, mask)) : -1;
        for (int i = 0; i < Candidates.Count; i++)
            if (Candidates[i].Token == token) return i;
        return -1;
    }

    /// <summary>The candidates' tokens, comma-separated (the first 20 of a longer list), for messages.</summary>
    public string DescribeCandidates() => IsContinuous ? "any value in " + Range
        : IsWide ? Export.InputSubsets.Describe(Selections!.Inputs, Selections.Chosen)
        : JsonText.List(Count, i => Candidates[i].Token);

    /// <summary>A wide input choice's selection as the numbers vector carries it, read from its token; null when the token names none.</summary>
    internal double? ParseSelection(string token) => Export.InputSubsets.SelectionNumber(token, Selections!.Inputs, Selections.Chosen);

    /// <summary>A wide input choice's selection from the number the numbers vector carries.</summary>
    internal ChosenInputs SelectionOf(double number) => Selections!.FromNumber(number);

    /// <summary>Why a value is refused, for messages that already named the label and the value.</summary>
    internal string WhyNotAllowed() =>
        IsWide ? $"which is not a selection of {Selections!.Chosen} of its {Selections.Inputs} inputs"
        : Range is not null ? JsonText.NotInRange(Range.ToString(), IsContinuous, DescribeCandidates)
        : $"which is not among its candidates {DescribeCandidates()}";

    /// <summary>The dimension as the shared architecture-JSON reader sees it.</summary>
    internal JsonDimension ToJsonDimension() => IsContinuous
        ? new(Label, JsonForm, 1, _ => Range!.ToString(), _ => -1, continuous: value => ParseNumber(value), range: Range!.ToString())
        : IsWide ? new(Label, JsonForm, 1, _ => DescribeCandidates(), _ => -1, selection: ParseSelection)
        : new(Label, JsonForm, Count, i => Candidates[i].Token, IndexOfToken, i => Candidates[i].Value as string ?? "", range: Range?.ToString());

    /// <inheritdoc />
    public override string ToString() => IsContinuous ? $"{Label} ∈ {Range}" : $"{Label} ∈ {{{DescribeCandidates()}}}";

    /// <summary>A wide input choice's selection from the number the numbers vector carries, as its JSON array.</summary>
    internal void WriteSelectionJson(Utf8JsonWriter writer, double number) => WriteSelection(writer, SelectionOf(number));

    private static void WriteSelection(Utf8JsonWriter writer, ChosenInputs selection)
    {
        writer.WriteStartArray();
        foreach (int i in selection.ToArray()) writer.WriteNumberValue(i);
        writer.WriteEndArray();
    }

    // ---- Factories used by generated code --------------------------------------------------------------

    /// <summary>A value choice over integers.</summary>
    public static Dimension Of(string label, int[] values) =>
        Create(label, ChoiceKind.Value, JsonValueForm.Integer, values, v => v.ToString(CultureInfo.InvariantCulture), (w, v) => w.WriteNumberValue(v));

    /// <summary>A value choice over longs.</summary>
    public static Dimension Of(string label, long[] values) =>
        Create(label, ChoiceKind.Value, JsonValueForm.Integer, values, v => v.ToString(CultureInfo.InvariantCulture), (w, v) => w.WriteNumberValue(v));

    /// <summary>A value choice over floats.</summary>
    public static Dimension Of(string label, float[] values) =>
        Create(label, ChoiceKind.Value, JsonValueForm.Float, values, v => v.ToString("R", CultureInfo.InvariantCulture), (w, v) => w.WriteNumberValue(v));

    /// <summary>A value choice over doubles.</summary>
    public static Dimension Of(string label, double[] values) =>
        Create(label, ChoiceKind.Value, JsonValueForm.Double, values, v => v.ToString("R", CultureInfo.InvariantCulture), (w, v) => w.WriteNumberValue(v));

    /// <summary>A value choice over booleans.</summary>
    public static Dimension Of(string label, bool[] values) =>
        Create(label, ChoiceKind.Value, JsonValueForm.Bool, values, v => v ? "true" : "false", (w, v) => w.WriteBooleanValue(v));

    /// <summary>A value choice over strings (quoted in architecture strings).</summary>
    public static Dimension Of(string label, string[] values) =>
        Create(label, ChoiceKind.Value, JsonValueForm.String, values, v => JsonSerializer.Serialize(v), (w, v) => w.WriteStringValue(v));

    /// <summary>An enum value choice or a layer choice: candidates named by <paramref name="names"/>.</summary>
    public static Dimension OfNamed<T>(string label, ChoiceKind kind, T[] values, string[] names) where T : notnull
    {
        if (names.Length != values.Length) throw new ArgumentException("One name per value is required.", nameof(names));
        var candidates = new Candidate[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            string name = names[i];
            candidates[i] = new Candidate(values[i], name, w => w.WriteStringValue(name));
        }
        return new Dimension(label, kind, candidates, JsonValueForm.Name);
    }

    /// <summary>
    /// An input choice over <paramref name="selections"/>; its candidates are made on access, never listed (a wide one
    /// has none: <see cref="IsWide"/>).
    /// </summary>
    public static Dimension Inputs(string label, InputSelections selections)
    {
        ArgumentNullException.ThrowIfNull(selections);
        if (selections.IsWide) return new Dimension(label, ChoiceKind.Input, Array.Empty<Candidate>(), JsonValueForm.Inputs, selections);
        var candidates = new ComputedList<Candidate>(selections.Count, code =>
        {
            var selection = selections[code];
            return new Candidate(selection, selection.ToString(), w => WriteSelection(w, selection));
        });
        return new Dimension(label, ChoiceKind.Input, candidates, JsonValueForm.Inputs, selections);
    }

    /// <summary>A repeat: between <paramref name="min"/> and <paramref name="max"/> blocks.</summary>
    public static Dimension Depth(string label, int min, int max) =>
        Create(label, ChoiceKind.Repeat, JsonValueForm.Integer, Enumerable.Range(min, max - min + 1).ToArray(),
            v => v.ToString(CultureInfo.InvariantCulture), (w, v) => w.WriteNumberValue(v));

    private static Dimension Create<T>(string label, ChoiceKind kind, JsonValueForm jsonForm, T[] values, Func<T, string> token,
        Action<Utf8JsonWriter, T> write) where T : notnull
    {
        var candidates = new Candidate[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            T value = values[i];
            candidates[i] = new Candidate(value, token(value), w => write(w, value));
        }
        return new Dimension(label, kind, candidates, jsonForm);
    }
}

/// <summary>A read-only list whose items are made on access.</summary>
internal sealed class ComputedList<T>(int count, Func<int, T> item) : IReadOnlyList<T>
{
    public int Count { get; } = count;

    public T this[int index] => (uint)index < (uint)Count ? item(index) : throw new ArgumentOutOfRangeException(nameof(index));

    public IEnumerator<T> GetEnumerator()
    {
        for (int i = 0; i < Count; i++) yield return item(i);
    }

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}
