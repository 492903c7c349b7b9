// Shared by NasGen.Generators ([FixedArchitecture]) and NasGen (EmitSource): both write the same source.
using System.Text;
using System.Text.RegularExpressions;

namespace NasGen.Export;

internal sealed partial class NetworkSourceRenderer
{
    // ---- Architecture text, fingerprint, dimension counts -----------------------------------------------------

    /// <summary>The canonical architecture string (<c>label=token;...</c>), as NasGen's runtime writes it.</summary>
    public string CanonicalString(NetworkTemplate template, IReadOnlyList<int> codes)
    {
        var text = new StringBuilder();
        var dimensions = Dimensions(template, "");
        for (int i = 0; i < dimensions.Count; i++) SpaceText.AppendAssignment(text, dimensions[i].Label, dimensions[i].Choice.ChosenToken(codes[i]));
        return text.ToString();
    }

    /// <summary>The space fingerprint, as NasGen's runtime computes it: FNV-1a over every dimension's label, kind and tokens.</summary>
    public string Fingerprint(NetworkTemplate template)
    {
        var fingerprint = new FingerprintWriter();
        foreach (var (label, choice) in Dimensions(template, ""))
        {
            // A continuous range is named by its bounds alone, as the runtime names it (even once a value is baked in).
            if (choice.IsContinuousRange) fingerprint.Add(label, choice.KindName, 0, choice.Token, choice.RangeText);
            else fingerprint.Add(label, choice.KindName, choice.CandidateCount, choice.Token);
        }
        return fingerprint.ToString();
    }

    /// <summary>Every dimension of a space, nested spaces flattened with dotted labels, in code order.</summary>
    public List<(string Label, ChoiceTemplate Choice)> Dimensions(NetworkTemplate template, string prefix)
    {
        var dimensions = new List<(string, ChoiceTemplate)>();
        foreach (var choice in template.Choices)
        {
            if (choice.Kind == TemplateChoiceKind.SubSpace)
                dimensions.AddRange(Dimensions(Resolve(choice.SubSpace), prefix + choice.Label + "."));
            else if (choice.Kind == TemplateChoiceKind.Cell)
                dimensions.AddRange(choice.CellDimensions().Select(d => (prefix + d.Label, d.Choice)));
            else if (choice.Kind == TemplateChoiceKind.LayerList)
                dimensions.AddRange(choice.PositionDimensions().Select(d => (prefix + d.Label, d.Choice)));
            else
                dimensions.Add((prefix + choice.Label, choice));
        }
        return dimensions;
    }

    private int DimensionCount(NetworkTemplate template) => Dimensions(template, "").Count;

    private NetworkTemplate Resolve(string fullName) =>
        _resolve(fullName) ?? throw new NotSupportedException($"The search space {fullName} has no export template (is it compiled by this NasGen version?).");

    /// <summary>Throws <see cref="NotSupportedException"/> with the reasons when the space cannot be exported.</summary>
    public static void CheckExportable(NetworkTemplate template)
    {
        if (template.Problems.Count > 0)
            throw new NotSupportedException($"{template.SpaceName} cannot be exported as source: {string.Join("; ", template.Problems)}.");
    }

    /// <summary>
    /// Gives every wide input choice the selection its number carries (<paramref name="numbers"/>: one per dimension,
    /// in the order of <see cref="Dimensions"/>; NasGen.InputSelections.ToNumber), so the exporter renders it as it
    /// renders a narrow choice's code. A nested space's template serves every property of its type, so two such
    /// properties whose selections differ are refused.
    /// </summary>
    /// <exception cref="ArgumentException">A number carries no selection of its choice.</exception>
    public void BakeSelections(NetworkTemplate template, IReadOnlyList<double> numbers)
    {
        var dimensions = Dimensions(template, "");
        for (int i = 0; i < dimensions.Count; i++)
        {
            var (label, choice) = dimensions[i];
            if (!choice.IsWideInput) continue;
            ulong mask = InputSubsets.FromNumber(numbers[i]);
            if (!InputSubsets.IsSelection(mask, choice.Inputs, choice.Chosen))
                throw new ArgumentException(
                    $"{template.SpaceName}: '{label}' holds the mask {mask.ToString("x16", CultureInfo.InvariantCulture)}, which is no selection of {choice.Chosen} of {choice.Inputs} inputs.", nameof(numbers));
            if (choice.BakedSelection is ulong baked && baked != mask)
                throw new NotSupportedException(
                    $"{template.SpaceName}: '{label}' selects {InputSubsets.Token(mask)}, but another property of the same nested space type selects {InputSubsets.Token(baked)}; " +
                    "the exporter cannot give one nested space type two selections of a wide input choice yet.");
            choice.BakedSelection = mask;
        }
    }

    // ---- Text helpers -------------------------------------------------------------------------------------------

    // Removes up to `columns` leading spaces from every line (but the first, when it continues a line).
    private static string Dedent(string text, int columns, bool skipFirstLine = false)
    {
        if (columns <= 0) return text;
        var lines = text.Split('\n');
        for (int i = skipFirstLine ? 1 : 0; i < lines.Length; i++)
        {
            int remove = 0;
            while (remove < columns && remove < lines[i].Length && lines[i][remove] == ' ') remove++;
            lines[i] = lines[i].Substring(remove);
        }
        return string.Join("\n", lines);
    }

    // Text from a space or an architecture that goes into a // comment: never a line break.
    private static string Comment(string text)
    {
        var clean = new StringBuilder(text.Length);
        foreach (char c in text) clean.Append(char.IsControl(c) || c == '\u2028' || c == '\u2029' || c == '\u0085' ? ' ' : c);
        return clean.ToString();
    }

    /// <summary>Throws unless <paramref name="name"/> is a plain C# identifier that is not a keyword.</summary>
    public static void CheckIdentifier(string name, string what)
    {
        if (!CSharpIdentifiers.IsValid(name))
            throw new ArgumentException($"'{name}' is not a valid C# {what}: use letters, digits and underscores, not starting with a digit, and not a keyword.");
    }

    private sealed class RenderContext
    {
        public RenderContext(NetworkTemplate template, int[] choiceCodes, Dictionary<int, (string Name, bool First)> subClassNames, bool hasStaticNn)
        {
            Template = template;
            ChoiceCodes = choiceCodes;
            SubClassNames = subClassNames;
            HasStaticNn = hasStaticNn;
        }

        public NetworkTemplate Template { get; }
        public int[] ChoiceCodes { get; }
        public Dictionary<int, (string Name, bool First)> SubClassNames { get; }
        public bool HasStaticNn { get; }
        public string ClassName { get; set; } = "";
        public Dictionary<int, int[]> CellCodes { get; set; } = new();

        // Indexed layer choices: the code of each position.
        public Dictionary<int, int[]> PositionCodes { get; set; } = new();
    }
}
