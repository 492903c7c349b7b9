// Shared by NasGen.Generators ([FixedArchitecture] files at build time) and NasGen (Architecture.FromJson at run
// time): one set of rules, one set of messages. Keep it netstandard2.0 and dependency-free.
using System.Text;

namespace NasGen.Json;

/// <summary>How a dimension's candidates are written in architecture JSON.</summary>
internal enum JsonValueForm
{
    /// <summary>An integer literal (int and long values, repeat depths).</summary>
    Integer,
    /// <summary>A number that rounds to the candidate as a float.</summary>
    Float,
    /// <summary>A number equal to the candidate as a double.</summary>
    Double,
    /// <summary><c>true</c> or <c>false</c>.</summary>
    Bool,
    /// <summary>A string equal to the candidate's raw value.</summary>
    String,
    /// <summary>A string equal to the candidate's name (enum members, layer candidates, cell ops).</summary>
    Name,
    /// <summary>An array of distinct input indices in any order.</summary>
    Inputs,
}

/// <summary>One dimension of a space as the JSON reader sees it; each side builds these from its own model.</summary>
internal sealed class JsonDimension(string label, JsonValueForm form, int count, Func<int, string> token, Func<string, int> indexOfToken,
    Func<int, string>? raw = null, Func<double, double?>? continuous = null, string? range = null, Func<string, double?>? selection = null)
{
    /// <summary>A <c>[Range]</c> dimension's range as NasGen.NumericRange writes it (<c>[1E-05, 0.1] log</c>), for messages; null otherwise.</summary>
    public string? Range { get; } = range;

    /// <summary>
    /// A wide input choice (Inputs form, one code 0): the number that carries the selection a token <c>[0,2]</c> names, or
    /// null when it names none; null for a dimension with candidates.
    /// </summary>
    public Func<string, double?>? Selection { get; } = selection;

    /// <summary>
    /// A continuous range (Float or Double form, one code 0): the value a number reads as, or null when it is
    /// outside the range; null for a dimension with candidates.
    /// </summary>
    public Func<double, double?>? Continuous { get; } = continuous;

    public string Label { get; } = label;

    public JsonValueForm Form { get; } = form;

    public int Count { get; } = count;

    /// <summary>The canonical token of a code (<c>16</c>, <c>Conv3x3</c>, <c>[0,2]</c>, <c>"relu"</c>).</summary>
    public Func<int, string> Token { get; } = token;

    /// <summary>The code of a canonical token, or -1.</summary>
    public Func<string, int> IndexOfToken { get; } = indexOfToken;

    /// <summary>String values: the unquoted value of a code.</summary>
    public Func<int, string>? Raw { get; } = raw;
}

/// <summary>What kind of problem an architecture JSON has (the generator maps each to its diagnostic).</summary>
internal enum ArchitectureJsonProblem
{
    Malformed,
    UnknownLabel,
    NotACandidate,
    // A [Range] dimension's value outside the bounds, off the step or not a number.
    OutOfRange,
    MissingLabel,
    OtherSpace,
}

/// <summary>Why an architecture JSON was refused: <see cref="Exception.Message"/> is the same at build and at run time.</summary>
internal sealed class ArchitectureJsonException(ArchitectureJsonProblem problem, string message, int line, string? label = null) : Exception(message)
{
    public ArchitectureJsonProblem Problem { get; } = problem;

    /// <summary>The 1-based line of the problem.</summary>
    public int Line { get; } = line;

    /// <summary>The label at fault, when there is one.</summary>
    public string? Label { get; } = label;
}

/// <summary>Text helpers for messages: user values are cut, long lists are shortened.</summary>
internal static class JsonText
{
    /// <summary>The most characters of a user's value a message repeats.</summary>
    public const int MaxShown = 60;

    private const int MaxListed = 20;

    public static string Cut(string text) => text.Length <= MaxShown ? text
        : text.Substring(0, char.IsHighSurrogate(text[MaxShown - 1]) ? MaxShown - 1 : MaxShown) + "…";

    /// <summary>A string as a JSON string literal (control characters escaped, so messages never carry them raw).</summary>
    public static string Quote(string text)
    {
        var quoted = new StringBuilder("\"");
        foreach (char c in text)
        {
            if (c == '"' || c == '\\') quoted.Append('\\').Append(c);
            else if (c < 0x20 || c == 0x7F) quoted.Append("\\u").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));
            else quoted.Append(c);
        }
        return quoted.Append('"').ToString();
    }

    /// <summary>Why a number is refused by a range, after "'label' is value, " (NasGen.Dimension.Validate words it the same way).</summary>
    public static string NotInRange(string range, bool continuous, Func<string> values) =>
        continuous ? $"which is outside its range {range}" : $"which is not a value of its range {range} ({values()})";

    /// <summary>The first items of a list, comma-separated, with how many there are in all when some are left out.</summary>
    public static string List(int count, Func<int, string> item)
    {
        var text = new StringBuilder();
        for (int i = 0; i < count && i < MaxListed; i++)
        {
            if (i > 0) text.Append(", ");
            text.Append(item(i));
        }
        if (count > MaxListed) text.Append(", … (").Append(count.ToString(CultureInfo.InvariantCulture)).Append(" in all)");
        return text.ToString();
    }
}

/// <summary>
/// Reads an architecture JSON into one candidate code per dimension, by the rules both readers share: one object;
/// no key twice; <c>"$space"</c>, when present, a string naming this space; <c>"$fingerprint"</c>, when present, a
/// string equal to the space's fingerprint; other <c>"$"</c> keys at the top are ignored; every other key a label
/// (a sub-space's labels may nest in an object under its label); every label once, with one of its candidates.
/// The first problem in that order is reported.
/// </summary>
internal static class ArchitectureJsonReader
{
    public static int[] Read(string json, string spaceName, string fingerprint, IReadOnlyList<JsonDimension> dimensions) =>
        Read(json, spaceName, fingerprint, dimensions, new double[dimensions.Count]);

    /// <summary>As <see cref="Read(string, string, string, IReadOnlyList{JsonDimension})"/>, writing continuous dimensions' values to <paramref name="numbers"/>.</summary>
    public static int[] Read(string json, string spaceName, string fingerprint, IReadOnlyList<JsonDimension> dimensions, double[] numbers)
    {
        JsonNode root;
        try
        {
            root = ArchitectureJson.Parse(json);
        }
        catch (JsonSyntaxException e)
        {
            throw new ArchitectureJsonException(ArchitectureJsonProblem.Malformed, "malformed JSON: " + e.Message, e.Line);
        }
        if (root.Kind != JsonKind.Object)
            throw new ArchitectureJsonException(ArchitectureJsonProblem.Malformed,
                $"an architecture is one JSON object, not {Describe(root.Kind)}", root.Line);

        CheckSpace(root, spaceName, fingerprint);
        var byLabel = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < dimensions.Count; i++) byLabel[dimensions[i].Label] = i;
        var codes = Enumerable.Repeat(-1, dimensions.Count).ToArray();
        ReadObject(root, "", spaceName, dimensions, byLabel, codes, numbers);

        int missing = Array.IndexOf(codes, -1);
        if (missing >= 0)
        {
            var dimension = dimensions[missing];
            throw new ArchitectureJsonException(ArchitectureJsonProblem.MissingLabel,
                $"label '{dimension.Label}' is missing; its candidates are {JsonText.List(dimension.Count, dimension.Token)}", root.Line, dimension.Label);
        }
        return codes;
    }

    private static void CheckSpace(JsonNode root, string spaceName, string fingerprint)
    {
        foreach (var property in root.Properties)
        {
            if (property.Key != "$space") continue;
            if (property.Value.Kind != JsonKind.String || property.Value.Text != spaceName)
                throw new ArchitectureJsonException(ArchitectureJsonProblem.OtherSpace,
                    $"\"$space\" is {property.Value}, but this is search space {JsonText.Quote(spaceName)}; read the file with the space it was exported from",
                    property.Value.Line);
        }
        foreach (var property in root.Properties)
        {
            if (property.Key != "$fingerprint") continue;
            if (property.Value.Kind != JsonKind.String)
                throw new ArchitectureJsonException(ArchitectureJsonProblem.OtherSpace,
                    $"\"$fingerprint\" is {property.Value}, not a string; write the fingerprint the space had when exported, or remove \"$fingerprint\"",
                    property.Value.Line);
            if (property.Value.Text != fingerprint)
                throw new ArchitectureJsonException(ArchitectureJsonProblem.OtherSpace,
                    $"the search space '{spaceName}' has changed since this architecture was exported (fingerprint {JsonText.Quote(JsonText.Cut(property.Value.Text))}, now \"{fingerprint}\"); " +
                    "check the architecture still means what you want and export it again, or remove \"$fingerprint\" to accept it as it is",
                    property.Value.Line);
        }
    }

    private static void ReadObject(JsonNode node, string prefix, string spaceName, IReadOnlyList<JsonDimension> dimensions,
        Dictionary<string, int> byLabel, int[] codes, double[] numbers)
    {
        foreach (var property in node.Properties)
        {
            if (prefix.Length == 0 && property.Key.StartsWith("$", StringComparison.Ordinal)) continue;
            string label = prefix + property.Key;
            if (!byLabel.TryGetValue(label, out int index))
            {
                if (property.Value.Kind == JsonKind.Object && dimensions.Any(d => d.Label.StartsWith(label + ".", StringComparison.Ordinal)))
                {
                    ReadObject(property.Value, label + ".", spaceName, dimensions, byLabel, codes, numbers);
                    continue;
                }
                throw new ArchitectureJsonException(ArchitectureJsonProblem.UnknownLabel,
                    $"{JsonText.Quote(JsonText.Cut(label))} is not a label of search space '{spaceName}'; its labels are {JsonText.List(dimensions.Count, i => dimensions[i].Label)}",
                    property.Value.Line, label);
            }
            var dimension = dimensions[index];
            codes[index] = Match(dimension, property.Value, out numbers[index]);
            if (codes[index] < 0)
                throw dimension.Range is not null
                    ? new ArchitectureJsonException(ArchitectureJsonProblem.OutOfRange, $"'{label}' is {property.Value}, {WhyNotInRange(dimension, property.Value)}",
                        property.Value.Line, label)
                    : new ArchitectureJsonException(ArchitectureJsonProblem.NotACandidate,
                        dimension.Selection is not null ? $"'{label}' is {property.Value}, which is not {dimension.Token(0)}"
                        : $"'{label}' is {property.Value}, which is not among its candidates {JsonText.List(dimension.Count, dimension.Token)}",
                        property.Value.Line, label);
        }
    }

    private static string WhyNotInRange(JsonDimension dimension, JsonNode value) =>
        value.Kind != JsonKind.Number ? $"which is not a number; its range is {dimension.Range}"
        : JsonText.NotInRange(dimension.Range!, dimension.Continuous is not null, () => JsonText.List(dimension.Count, dimension.Token));

    /// <summary>The code of the candidate <paramref name="value"/> names, or -1.</summary>
    private static int Match(JsonDimension dimension, JsonNode value, out double continuous)
    {
        continuous = 0;
        switch (dimension.Form)
        {
            case JsonValueForm.Integer:
                return Integer(value) is long integer ? dimension.IndexOfToken(integer.ToString(CultureInfo.InvariantCulture)) : -1;
            case JsonValueForm.Float:
            case JsonValueForm.Double:
                if (value.Kind != JsonKind.Number || !double.TryParse(value.Text, NumberStyles.Float, CultureInfo.InvariantCulture, out double number))
                    return -1;
                if (dimension.Continuous is not null)
                {
                    if (dimension.Continuous(number) is not double inRange) return -1;
                    continuous = inRange;
                    return 0;
                }
                for (int code = 0; code < dimension.Count; code++)
                {
                    double candidate = double.Parse(dimension.Token(code), NumberStyles.Float, CultureInfo.InvariantCulture);
                    if (dimension.Form == JsonValueForm.Float ? ((float)number).Equals((float)candidate) : number.Equals(candidate)) return code;
                }
                return -1;
            case JsonValueForm.Bool:
                return value.Kind is JsonKind.True or JsonKind.False ? dimension.IndexOfToken(value.Kind == JsonKind.True ? "true" : "false") : -1;
            case JsonValueForm.String:
                if (value.Kind != JsonKind.String) return -1;
                for (int code = 0; code < dimension.Count; code++)
                    if (dimension.Raw!(code) == value.Text) return code;
                return -1;
            case JsonValueForm.Name:
                return value.Kind == JsonKind.String ? dimension.IndexOfToken(value.Text) : -1;
            default:
                if (value.Kind != JsonKind.Array) return -1;
                var indices = new SortedSet<long>();
                foreach (var item in value.Items)
                    if (Integer(item) is not long index || !indices.Add(index)) return -1;
                string token = "[" + string.Join(",", indices) + "]";
                if (dimension.Selection is null) return dimension.IndexOfToken(token);
                if (dimension.Selection(token) is not double carried) return -1;
                continuous = carried;
                return 0;
        }
    }

    // An integer literal (no fraction, no exponent) that fits a long; null otherwise.
    private static long? Integer(JsonNode value) =>
        value.Kind == JsonKind.Number && value.Text.IndexOfAny(['.', 'e', 'E']) < 0
        && long.TryParse(value.Text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long integer) ? integer : null;

    private static string Describe(JsonKind kind) => kind switch
    {
        JsonKind.Array => "an array",
        JsonKind.String => "a string",
        JsonKind.Number => "a number",
        JsonKind.Null => "null",
        _ => "a boolean",
    };
}
