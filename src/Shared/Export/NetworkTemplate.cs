// Shared by NasGen.Generators (which builds templates at compile time and renders them for [FixedArchitecture])
// and NasGen (which renders them at run time for EmitSource). Keep it netstandard2.0 and dependency-free.
// Every generated space writes its template as object initializers of these classes (its X.Export.g.cs), so the
// runtime's copy is public (NASGEN_RUNTIME, set by src/NasGen) and hidden from IntelliSense; the generator's stays
// internal. The public fields are the format: a new one needs one line in the generator's TemplateEmitter.
using System.ComponentModel;
using NasGen.Export;
using NasGen.Json;

namespace NasGen.CodeGeneration;

/// <summary>The kind of a choice, for the exporter and in the generator's model (its ChoiceModelKind).</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
#if NASGEN_RUNTIME
public
#endif
enum TemplateChoiceKind
{
    /// <summary>A value choice.</summary>
    Value,

    /// <summary>A layer choice.</summary>
    Layer,

    /// <summary>An input choice.</summary>
    Input,

    /// <summary>A repeat choice.</summary>
    Repeat,

    /// <summary>A nested search space.</summary>
    SubSpace,

    /// <summary>A cell.</summary>
    Cell,

    /// <summary>An indexed layer choice: Max positions of the same candidates (factory method names, called with the position).</summary>
    LayerList,
}

/// <summary>
/// What the exporter needs to write a space's fixed network as standalone source: the space's own members with
/// holes where a choice's value goes, and the candidates of each choice. Built by the generator from the user's
/// syntax and written into the generated code as C# that builds it (the space's <c>ExportTemplate</c>).
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
#if NASGEN_RUNTIME
public
#endif
sealed class NetworkTemplate
{
    /// <summary>The space's name (its <c>[SearchSpace]</c> name).</summary>
    public string SpaceName = "";

    /// <summary>The space class's name.</summary>
    public string ClassName = "";

    /// <summary>The space class's full name, without <c>global::</c>.</summary>
    public string FullName = "";

    /// <summary>The class's modifiers as written.</summary>
    public string Modifiers = "";

    /// <summary>The class's base list as written (with its leading <c>" : "</c>), or empty.</summary>
    public string BaseList = "";

    /// <summary>The class's documentation comment as written.</summary>
    public string Documentation = "";

    /// <summary>The using directives of the space's files that the export keeps.</summary>
    public List<string> Usings = new();

    /// <summary>The space's namespace when its members use other types declared there (the export may live elsewhere).</summary>
    public string OwnNamespace = "";

    /// <summary>The choices, in the space's order; parts and conditions refer to them by index.</summary>
    public List<ChoiceTemplate> Choices = new();

    /// <summary>The class's members other than the choices and constraints, in source order.</summary>
    public List<MemberTemplate> Members = new();

    /// <summary>Why this space cannot be exported (empty: it can).</summary>
    public List<string> Problems = new();

    /// <summary>A copy whose choices can be baked (<see cref="ChoiceTemplate.BakeValue"/>) without changing this template.</summary>
    internal NetworkTemplate WithOwnChoices()
    {
        var copy = (NetworkTemplate)MemberwiseClone();
        copy.Choices = Choices.ConvertAll(choice => choice.Copy());
        return copy;
    }
}

/// <summary>One choice: how it is labelled and declared, and its candidates.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
#if NASGEN_RUNTIME
public
#endif
sealed class ChoiceTemplate
{
    /// <summary>The kind of choice.</summary>
    public TemplateChoiceKind Kind;

    /// <summary>The choice property's name.</summary>
    public string Property = "";

    /// <summary>The name of the field that holds the choice in the fixed network.</summary>
    public string Field = "";

    /// <summary>The choice's label (architecture strings, JSON).</summary>
    public string Label = "";

    /// <summary>The property's accessibility as written.</summary>
    public string Accessibility = "";

    /// <summary>The property's type as written.</summary>
    public string TypeText = "";

    /// <summary>Value choices: int, long, float, double, bool, string or enum (the JSON form of a candidate follows from it).</summary>
    public string ValueCategory = "";

    /// <summary>The candidates of a value, layer or cell choice (a cell's ops in NasGen's order, Expression <c>Op.Member</c>).</summary>
    public List<CandidateTemplate> Candidates = new();

    /// <summary>Repeats, sub-spaces and cells: the factory (empty: a sub-space's own constructor).</summary>
    public string Factory = "";

    /// <summary>Repeats: the fewest blocks.</summary>
    public int Min;

    /// <summary>Repeats: the most blocks; indexed layer choices: the positions.</summary>
    public int Max;

    /// <summary>Input choices: the candidate inputs.</summary>
    public int Inputs;

    /// <summary>Input choices: the inputs chosen; cells: inputs per node (0 in the every-edge form).</summary>
    public int Chosen;

    /// <summary>Input choices: how the chosen inputs are combined.</summary>
    public string Reduction = "";

    /// <summary>Sub-spaces: the nested space's full name (no <c>global::</c>).</summary>
    public string SubSpace = "";

    /// <summary>Cells: the every-edge form (an op on every edge) rather than chosen inputs per node.</summary>
    public bool EveryEdge;

    /// <summary>Cells: the input nodes.</summary>
    public int InputNodes;

    /// <summary>Cells: the intermediate nodes.</summary>
    public int IntermediateNodes;

    /// <summary>Cells: the op enum as the user wrote it in <c>Cell&lt;...&gt;</c>.</summary>
    public string OpType = "";

    // [Range] value choices: the bounds as NasGen.NumericRange holds them (a continuous float range's bounds are
    // floats), Step 0 when continuous. A continuous range has no candidates until BakeValue gives it one.

    /// <summary>Whether the choice is a <c>[Range]</c>.</summary>
    public bool HasRange;

    /// <summary>Cells, DARTS form: whether a node's slots may read one input twice (<c>CellInputs.WithRepetition</c>).</summary>
    public bool CellRepetition;

    /// <summary>Cells: whether the cell outputs only the nodes no other node reads (<c>CellOutput.LooseEnds</c>).</summary>
    public bool CellLooseEnds;

    /// <summary>The range's lower bound.</summary>
    public double RangeMin;

    /// <summary>The range's upper bound.</summary>
    public double RangeMax;

    /// <summary>The range's step; 0 when it is continuous.</summary>
    public double RangeStep;

    /// <summary>Whether the range is spaced logarithmically.</summary>
    public bool RangeLog;

    // Wide input choices: the selection (bit mask) of the architecture being rendered, baked in before rendering
    // (NetworkSourceRenderer.BakeSelections) as a continuous range's value is; it is not part of the generated template.
    internal ulong? BakedSelection;

    /// <summary>
    /// Whether this is an input choice of more selections than an int code numbers: its code is always 0 and its
    /// selection travels in the numbers vector (NasGen.InputSelections.IsWide).
    /// </summary>
    internal bool IsWideInput => Kind == TemplateChoiceKind.Input && InputSubsets.Count(Inputs, Chosen) > InputSubsets.MaxCodedCount;

    /// <summary>Whether this is a continuous range: any number between the bounds, no candidates to list.</summary>
    internal bool IsContinuousRange => HasRange && RangeStep == 0;

    /// <summary>The range as NasGen.NumericRange.ToString() writes it.</summary>
    internal string RangeText => RangeValues.Describe(RangeMin, RangeMax, RangeStep, RangeLog);

    /// <summary>
    /// A continuous range's value, read back from its number: a float range holds the nearest float; null when
    /// the number is outside the bounds (NaN and infinities are).
    /// </summary>
    internal double? ContinuousValue(double number)
    {
        if (ValueCategory == "float") number = (float)number;
        return number >= RangeMin && number <= RangeMax ? number : null;
    }

    /// <summary>Makes <paramref name="value"/> a continuous range's one candidate, so the exporter renders it like any chosen value.</summary>
    internal void BakeValue(double value)
    {
        string token = ValueCategory == "float" ? ((float)value).ToString("R", CultureInfo.InvariantCulture) : RoundTrip(value);
        string literal = ValueCategory == "float" ? token + "f" : token.IndexOfAny(['.', 'E', 'e']) >= 0 ? token : token + ".0";
        Candidates = [new CandidateTemplate { Token = token, Expression = literal }];
    }

    /// <summary>A shallow copy: BakeValue replaces its candidate list rather than changing the shared one.</summary>
    internal ChoiceTemplate Copy() => (ChoiceTemplate)MemberwiseClone();

    /// <summary>A double as the shortest text that reads back to the same bits.</summary>
    internal static string RoundTrip(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    internal static double ParseRoundTrip(string text) => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);

    /// <summary>
    /// A cell's dimensions as NasGen's Cell&lt;TOp&gt;.Dimensions lists them: one op choice per edge
    /// (<c>edge{to}-{from}</c>), or per intermediate node its inputs then one op per chosen input (with repetition: per
    /// slot its input, one of the node's predecessors, then its op).
    /// </summary>
    internal List<(string Label, ChoiceTemplate Choice)> CellDimensions()
    {
        var dimensions = new List<(string, ChoiceTemplate)>();
        ChoiceTemplate Ops() => new() { Kind = TemplateChoiceKind.Layer, Candidates = Candidates };
        if (EveryEdge)
        {
            foreach (var (from, to) in CellEdges())
                dimensions.Add((Label + ".edge" + Number(to) + "-" + Number(from), Ops()));
            return dimensions;
        }
        for (int m = 0; m < IntermediateNodes; m++)
        {
            string node = Label + ".node" + Number(m);
            if (!CellRepetition)
                dimensions.Add((node + ".inputs", new ChoiceTemplate { Kind = TemplateChoiceKind.Input, Inputs = InputNodes + m, Chosen = Chosen }));
            for (int t = 0; t < Chosen; t++)
            {
                if (CellRepetition)
                    dimensions.Add((node + ".input" + Number(t), new ChoiceTemplate { Kind = TemplateChoiceKind.Input, Inputs = InputNodes + m, Chosen = 1 }));
                dimensions.Add((node + ".op" + Number(t), Ops()));
            }
        }
        return dimensions;
    }

    /// <summary>An indexed layer choice's dimensions: one layer choice per position, <c>{label}.{i}</c>.</summary>
    internal List<(string Label, ChoiceTemplate Choice)> PositionDimensions()
    {
        var dimensions = new List<(string, ChoiceTemplate)>();
        for (int position = 0; position < Max; position++)
            dimensions.Add((Label + "." + Number(position), new ChoiceTemplate { Kind = TemplateChoiceKind.Layer, Candidates = Candidates }));
        return dimensions;
    }

    /// <summary>The edges of an every-edge cell in NasGen's order: by target node, sources ascending.</summary>
    internal List<(int From, int To)> CellEdges()
    {
        var edges = new List<(int, int)>();
        for (int to = 1; to <= IntermediateNodes; to++)
            for (int from = 0; from < to; from++) edges.Add((from, to));
        return edges;
    }

    internal static string Number(int n) => n.ToString(CultureInfo.InvariantCulture);

    /// <summary>The number of codes (dimensions) this choice holds.</summary>
    internal int CandidateCount => Kind switch
    {
        TemplateChoiceKind.Input => (int)Math.Min(InputSubsets.Count(Inputs, Chosen), InputSubsets.MaxCodedCount),
        TemplateChoiceKind.Repeat => Max - Min + 1,
        _ => Candidates.Count,
    };

    /// <summary>The selected inputs of an input choice's code, ascending (the order of NasGen.ChosenInputs.All).</summary>
    internal static int[] InputSelection(int inputs, int chosen, int code) => Indices(InputSubsets.Unrank(inputs, chosen, code));

    /// <summary>The inputs this input choice selects at <paramref name="code"/>; a wide choice's are its baked selection.</summary>
    internal int[] SelectedInputs(int code) => IsWideInput ? Indices(BakedMask) : InputSelection(Inputs, Chosen, code);

    /// <summary>
    /// The token of the chosen candidate in an architecture string: <see cref="Token"/>, but a wide input choice's is its
    /// baked selection (its code is always 0).
    /// </summary>
    internal string ChosenToken(int code) => IsWideInput ? InputSubsets.Token(BakedMask) : Token(code);

    // What is rendered is refused only when nothing is baked in.
    private ulong BakedMask => BakedSelection ?? throw new NotSupportedException(
        $"Input choice '{Label}' has {InputSubsets.Count(Inputs, Chosen)} selections, more than an int code numbers, and no selection was baked in (NetworkSourceRenderer.BakeSelections).");

    // The set bits of a mask, ascending.
    private static int[] Indices(ulong mask)
    {
        var indices = new List<int>();
        for (int i = 0; i < 64; i++)
            if ((mask & (1UL << i)) != 0) indices.Add(i);
        return indices.ToArray();
    }

    /// <summary>The canonical token of a candidate code (as in architecture strings).</summary>
    internal string Token(int code) => Kind switch
    {
        TemplateChoiceKind.Input => InputSubsets.Token(InputSubsets.Unrank(Inputs, Chosen, code)),
        TemplateChoiceKind.Repeat => (Min + code).ToString(CultureInfo.InvariantCulture),
        _ => Candidates[code].Token,
    };

    /// <summary>The code of a canonical token, or -1.</summary>
    internal int IndexOfToken(string token)
    {
        if (Kind == TemplateChoiceKind.Input)
            return InputSubsets.ParseSelection(token, Inputs, Chosen) is ulong mask ? (int)InputSubsets.Rank(mask) : -1;
        for (int code = 0; code < CandidateCount; code++)
            if (Token(code) == token) return code;
        return -1;
    }

    /// <summary>The dimension kind written into a space's fingerprint (NasGen.ChoiceKind's names).</summary>
    internal string KindName => Kind == TemplateChoiceKind.Layer ? "Layer" : Kind == TemplateChoiceKind.Input ? "Input"
        : Kind == TemplateChoiceKind.Repeat ? "Repeat" : "Value";
}

/// <summary>One candidate of a value or layer choice.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
#if NASGEN_RUNTIME
public
#endif
sealed class CandidateTemplate
{
    /// <summary>The canonical token (architecture strings, fingerprints).</summary>
    public string Token = "";

    /// <summary>Values: the C# literal; layers: the expression that builds the candidate.</summary>
    public string Expression = "";

    /// <summary>Strings: the raw value (JSON holds it unescaped).</summary>
    public string Raw = "";

    /// <summary>Layers built by a factory method: its name (kept in the exported class only when chosen).</summary>
    public string Requires = "";
}

/// <summary>A member of the space class, with holes.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
#if NASGEN_RUNTIME
public
#endif
sealed class MemberTemplate
{
    /// <summary>The member's name (<c>.ctor</c> for a constructor).</summary>
    public string Name = "";

    /// <summary>A private method that is left out when nothing kept refers to it (an unchosen candidate's factory, for example).</summary>
    public bool Droppable;

    /// <summary>Whether a blank line separates the member from the one before.</summary>
    public bool BlankLineBefore;

    /// <summary>Columns of indentation of the member's first line in the user's file.</summary>
    public int Indent;

    /// <summary>The names of the space's members and choices that this member refers to.</summary>
    public List<string> References = new();

    /// <summary>The member's text: verbatim pieces and holes.</summary>
    public List<Part> Parts = new();
}

/// <summary>What a <see cref="Part"/> of a member's text is.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
#if NASGEN_RUNTIME
public
#endif
enum PartKind
{
    /// <summary>Verbatim text.</summary>
    Text,

    /// <summary>The exported class's name.</summary>
    ClassName,

    /// <summary>
    /// The statements that build the chosen operations (the user's InitializeChoices call); Indent: its column; Flag: the
    /// call was an expression body (<c>=&gt; InitializeChoices(a);</c>), so the statements become a block body.
    /// </summary>
    InitializeChoices,

    /// <summary>The nested class of the sub-space whose full name is Text.</summary>
    SubSpaceClass,

    /// <summary>An input choice's <c>Select(...)</c>: Branches are the argument expressions; Flag: parenthesise a compound result.</summary>
    Select,

    /// <summary>
    /// A condition on value choices: Branches[0] when it holds, Branches[1] otherwise; Indent: columns to remove from
    /// the kept branch's lines (an if's block); Flag: parenthesise a compound expression.
    /// </summary>
    Conditional,
}

/// <summary>A piece of a member's text: verbatim text or a hole that the exporter fills from the architecture.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
#if NASGEN_RUNTIME
public
#endif
sealed class Part
{
    /// <summary>What the piece is.</summary>
    public PartKind Kind;

    /// <summary>Text: the text; SubSpaceClass: the sub-space's full name.</summary>
    public string Text = "";

    /// <summary>Select: the input choice's index.</summary>
    public int Choice;

    /// <summary>A kind's option (see <see cref="PartKind"/>).</summary>
    public bool Flag;

    /// <summary>A kind's column count (see <see cref="PartKind"/>).</summary>
    public int Indent;

    /// <summary>Conditional: the condition.</summary>
    public Condition? Condition;

    /// <summary>Select: the argument expressions; Conditional: the two arms.</summary>
    public List<List<Part>> Branches = new();

    /// <summary>Per branch: whether it is a compound expression (parenthesised in some contexts).</summary>
    public List<bool> BranchIsCompound = new();

    internal static Part OfText(string text) => new() { Kind = PartKind.Text, Text = text };
}

/// <summary>What a <see cref="Condition"/> tests.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
#if NASGEN_RUNTIME
public
#endif
enum ConditionKind
{
    /// <summary>Holds when choice Choice's code is in Codes.</summary>
    Atom,

    /// <summary>Holds when its one operand does not.</summary>
    Not,

    /// <summary>Holds when every operand does.</summary>
    And,

    /// <summary>Holds when some operand does.</summary>
    Or,
}

/// <summary>A condition over value choices, decided per candidate at compile time.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
#if NASGEN_RUNTIME
public
#endif
sealed class Condition
{
    /// <summary>What the condition tests.</summary>
    public ConditionKind Kind;

    /// <summary>Atom: the value choice's index.</summary>
    public int Choice;

    /// <summary>Atom: the candidate codes for which it holds.</summary>
    public List<int> Codes = new();

    /// <summary>Not, And, Or: the operands.</summary>
    public List<Condition> Operands = new();

    internal bool Holds(IReadOnlyList<int> codes) => Kind switch
    {
        ConditionKind.Atom => Codes.Contains(codes[Choice]),
        ConditionKind.Not => !Operands[0].Holds(codes),
        ConditionKind.And => Operands.TrueForAll(o => o.Holds(codes)),
        _ => Operands.Exists(o => o.Holds(codes)),
    };
}
