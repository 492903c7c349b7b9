// Shared by NasGen.Generators (which builds templates at compile time and renders them for [FixedArchitecture])
// and NasGen (which renders them at run time for EmitSource). Keep it netstandard2.0 and dependency-free.
using System.Text;
using NasGen.Json;

namespace NasGen.Export;

/// <summary>The kind of a choice, for the exporter and in the generator's model (its ChoiceModelKind).</summary>
internal enum TemplateChoiceKind
{
    Value,
    Layer,
    Input,
    Repeat,
    SubSpace,
    Cell,
    // An indexed layer choice: Max positions of the same candidates (factory method names, called with the position).
    LayerList,
}

/// <summary>
/// What the exporter needs to write a space's fixed network as standalone source: the space's own members with
/// holes where a choice's value goes, and the candidates of each choice. Built by the generator from the user's
/// syntax; serialized into the generated code as one string.
/// </summary>
internal sealed class NetworkTemplate
{
    public string SpaceName = "";
    public string ClassName = "";
    public string FullName = "";
    public string Modifiers = "";
    public string BaseList = "";
    public string Documentation = "";
    public List<string> Usings = new();

    // The space's namespace when its members use other types declared there (the export may live elsewhere).
    public string OwnNamespace = "";
    public List<ChoiceTemplate> Choices = new();
    public List<MemberTemplate> Members = new();

    // Why this space cannot be exported (empty: it can).
    public List<string> Problems = new();

    public string Serialize()
    {
        var w = new TemplateWriter();
        w.Write(SpaceName).Write(ClassName).Write(FullName).Write(Modifiers).Write(BaseList).Write(Documentation).Write(OwnNamespace);
        w.Write(Usings.Count);
        foreach (string u in Usings) w.Write(u);
        w.Write(Choices.Count);
        foreach (var c in Choices) c.Write(w);
        w.Write(Members.Count);
        foreach (var m in Members) m.Write(w);
        w.Write(Problems.Count);
        foreach (string p in Problems) w.Write(p);
        // [Range] bounds come last and only when the space has ranges, so the templates of other spaces are unchanged.
        var ranged = Choices.FindAll(c => c.HasRange);
        var optioned = Choices.FindAll(c => c.CellRepetition || c.CellLooseEnds);
        if (ranged.Count > 0 || optioned.Count > 0)
        {
            w.Write(ranged.Count);
            foreach (var c in ranged)
                w.Write(Choices.IndexOf(c)).Write(ChoiceTemplate.RoundTrip(c.RangeMin)).Write(ChoiceTemplate.RoundTrip(c.RangeMax))
                    .Write(ChoiceTemplate.RoundTrip(c.RangeStep)).Write(c.RangeLog ? 1 : 0);
        }
        // Then the cells' ENAS options, likewise only when a cell has one.
        if (optioned.Count > 0)
        {
            w.Write(optioned.Count);
            foreach (var c in optioned) w.Write(Choices.IndexOf(c)).Write(c.CellRepetition ? 1 : 0).Write(c.CellLooseEnds ? 1 : 0);
        }
        return w.ToString();
    }

    public static NetworkTemplate Deserialize(string text)
    {
        var r = new TemplateReader(text);
        var t = new NetworkTemplate
        {
            SpaceName = r.String(), ClassName = r.String(), FullName = r.String(), Modifiers = r.String(),
            BaseList = r.String(), Documentation = r.String(), OwnNamespace = r.String(),
        };
        for (int n = r.Int(); n > 0; n--) t.Usings.Add(r.String());
        for (int n = r.Int(); n > 0; n--) t.Choices.Add(ChoiceTemplate.Read(r));
        for (int n = r.Int(); n > 0; n--) t.Members.Add(MemberTemplate.Read(r));
        for (int n = r.Int(); n > 0; n--) t.Problems.Add(r.String());
        for (int n = r.AtEnd ? 0 : r.Int(); n > 0; n--)
        {
            var c = t.Choices[r.Int()];
            c.HasRange = true;
            c.RangeMin = ChoiceTemplate.ParseRoundTrip(r.String());
            c.RangeMax = ChoiceTemplate.ParseRoundTrip(r.String());
            c.RangeStep = ChoiceTemplate.ParseRoundTrip(r.String());
            c.RangeLog = r.Int() == 1;
        }
        for (int n = r.AtEnd ? 0 : r.Int(); n > 0; n--)
        {
            var c = t.Choices[r.Int()];
            c.CellRepetition = r.Int() == 1;
            c.CellLooseEnds = r.Int() == 1;
        }
        return t;
    }
}

/// <summary>One choice: how it is labelled and declared, and its candidates.</summary>
internal sealed class ChoiceTemplate
{
    public TemplateChoiceKind Kind;
    public string Property = "";
    public string Field = "";
    public string Label = "";
    public string Accessibility = "";
    public string TypeText = "";

    // Value choices: int, long, float, double, bool, string or enum (the JSON form of a candidate follows from it).
    public string ValueCategory = "";
    public List<CandidateTemplate> Candidates = new();

    // Repeats and sub-spaces: the factory (empty: a sub-space's own constructor).
    public string Factory = "";
    public int Min;
    public int Max;

    // Input choices.
    public int Inputs;
    public int Chosen;
    public string Reduction = "";

    // Sub-spaces: the nested space's full name (no global::).
    public string SubSpace = "";

    // Cells (Candidates: the ops in NasGen's order, Expression `Op.Member`; Factory: the op factory; Chosen: inputs
    // per node, 0 in the every-edge form). The op enum as the user wrote it in Cell<...>.
    public bool EveryEdge;
    public int InputNodes;
    public int IntermediateNodes;
    public string OpType = "";

    // [Range] value choices: the bounds as NasGen.NumericRange holds them (a continuous float range's bounds are
    // floats), Step 0 when continuous. A continuous range has no candidates until BakeValue gives it one.
    public bool HasRange;

    // Cells, DARTS form: NasGen.CellInputs.WithRepetition (a node's slots may read one input twice) and CellOutput.LooseEnds.
    public bool CellRepetition;
    public bool CellLooseEnds;
    public double RangeMin;
    public double RangeMax;
    public double RangeStep;
    public bool RangeLog;

    // Wide input choices: the selection (bit mask) of the architecture being rendered, baked in before rendering
    // (NetworkSourceRenderer.BakeSelections) as a continuous range's value is; it never travels in the serialized template.
    public ulong? BakedSelection;

    /// <summary>
    /// Whether this is an input choice of more selections than an int code numbers: its code is always 0 and its
    /// selection travels in the numbers vector (NasGen.InputSelections.IsWide).
    /// </summary>
    public bool IsWideInput => Kind == TemplateChoiceKind.Input && InputSubsets.Count(Inputs, Chosen) > InputSubsets.MaxCodedCount;

    /// <summary>Whether this is a continuous range: any number between the bounds, no candidates to list.</summary>
    public bool IsContinuousRange => HasRange && RangeStep == 0;

    /// <summary>The range as NasGen.NumericRange.ToString() writes it.</summary>
    public string RangeText => RangeValues.Describe(RangeMin, RangeMax, RangeStep, RangeLog);

    /// <summary>
    /// A continuous range's value, read back from its number: a float range holds the nearest float; null when
    /// the number is outside the bounds (NaN and infinities are).
    /// </summary>
    public double? ContinuousValue(double number)
    {
        if (ValueCategory == "float") number = (float)number;
        return number >= RangeMin && number <= RangeMax ? number : null;
    }

    /// <summary>Makes <paramref name="value"/> a continuous range's one candidate, so the exporter renders it like any chosen value.</summary>
    public void BakeValue(double value)
    {
        string token = ValueCategory == "float" ? ((float)value).ToString("R", CultureInfo.InvariantCulture) : RoundTrip(value);
        string literal = ValueCategory == "float" ? token + "f" : token.IndexOfAny(['.', 'E', 'e']) >= 0 ? token : token + ".0";
        Candidates = [new CandidateTemplate { Token = token, Expression = literal }];
    }

    /// <summary>A double as the shortest text that reads back to the same bits.</summary>
    public static string RoundTrip(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    public static double ParseRoundTrip(string text) => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);

    public void Write(TemplateWriter w)
    {
        w.Write((int)Kind).Write(Property).Write(Field).Write(Label).Write(Accessibility).Write(TypeText).Write(ValueCategory);
        w.Write(Candidates.Count);
        foreach (var c in Candidates) w.Write(c.Token).Write(c.Expression).Write(c.Raw).Write(c.Requires);
        w.Write(Factory).Write(Min).Write(Max).Write(Inputs).Write(Chosen).Write(Reduction).Write(SubSpace);
        w.Write(EveryEdge ? 1 : 0).Write(InputNodes).Write(IntermediateNodes).Write(OpType);
    }

    public static ChoiceTemplate Read(TemplateReader r)
    {
        var c = new ChoiceTemplate
        {
            Kind = (TemplateChoiceKind)r.Int(), Property = r.String(), Field = r.String(), Label = r.String(),
            Accessibility = r.String(), TypeText = r.String(), ValueCategory = r.String(),
        };
        for (int n = r.Int(); n > 0; n--)
            c.Candidates.Add(new CandidateTemplate { Token = r.String(), Expression = r.String(), Raw = r.String(), Requires = r.String() });
        c.Factory = r.String();
        c.Min = r.Int();
        c.Max = r.Int();
        c.Inputs = r.Int();
        c.Chosen = r.Int();
        c.Reduction = r.String();
        c.SubSpace = r.String();
        c.EveryEdge = r.Int() == 1;
        c.InputNodes = r.Int();
        c.IntermediateNodes = r.Int();
        c.OpType = r.String();
        return c;
    }

    /// <summary>
    /// A cell's dimensions as NasGen's Cell&lt;TOp&gt;.Dimensions lists them: one op choice per edge
    /// (<c>edge{to}-{from}</c>), or per intermediate node its inputs then one op per chosen input (with repetition: per
    /// slot its input, one of the node's predecessors, then its op).
    /// </summary>
    public List<(string Label, ChoiceTemplate Choice)> CellDimensions()
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
    public List<(string Label, ChoiceTemplate Choice)> PositionDimensions()
    {
        var dimensions = new List<(string, ChoiceTemplate)>();
        for (int position = 0; position < Max; position++)
            dimensions.Add((Label + "." + Number(position), new ChoiceTemplate { Kind = TemplateChoiceKind.Layer, Candidates = Candidates }));
        return dimensions;
    }

    /// <summary>The edges of an every-edge cell in NasGen's order: by target node, sources ascending.</summary>
    public List<(int From, int To)> CellEdges()
    {
        var edges = new List<(int, int)>();
        for (int to = 1; to <= IntermediateNodes; to++)
            for (int from = 0; from < to; from++) edges.Add((from, to));
        return edges;
    }

    public static string Number(int n) => n.ToString(CultureInfo.InvariantCulture);

    /// <summary>The number of codes (dimensions) this choice holds.</summary>
    public int CandidateCount => Kind switch
    {
        TemplateChoiceKind.Input => (int)Math.Min(InputSubsets.Count(Inputs, Chosen), InputSubsets.MaxCodedCount),
        TemplateChoiceKind.Repeat => Max - Min + 1,
        _ => Candidates.Count,
    };

    /// <summary>The selected inputs of an input choice's code, ascending (the order of NasGen.ChosenInputs.All).</summary>
    public static int[] InputSelection(int inputs, int chosen, int code) => Indices(InputSubsets.Unrank(inputs, chosen, code));

    /// <summary>The inputs this input choice selects at <paramref name="code"/>; a wide choice's are its baked selection.</summary>
    public int[] SelectedInputs(int code) => IsWideInput ? Indices(BakedMask) : InputSelection(Inputs, Chosen, code);

    /// <summary>
    /// The token of the chosen candidate in an architecture string: <see cref="Token"/>, but a wide input choice's is its
    /// baked selection (its code is always 0).
    /// </summary>
    public string ChosenToken(int code) => IsWideInput ? InputSubsets.Token(BakedMask) : Token(code);

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
    public string Token(int code) => Kind switch
    {
        TemplateChoiceKind.Input => InputSubsets.Token(InputSubsets.Unrank(Inputs, Chosen, code)),
        TemplateChoiceKind.Repeat => (Min + code).ToString(CultureInfo.InvariantCulture),
        _ => Candidates[code].Token,
    };

    /// <summary>The code of a canonical token, or -1.</summary>
    public int IndexOfToken(string token)
    {
        if (Kind == TemplateChoiceKind.Input)
            return InputSubsets.ParseSelection(token, Inputs, Chosen) is ulong mask ? (int)InputSubsets.Rank(mask) : -1;
        for (int code = 0; code < CandidateCount; code++)
            if (Token(code) == token) return code;
        return -1;
    }

    /// <summary>The dimension kind written into a space's fingerprint (NasGen.ChoiceKind's names).</summary>
    public string KindName => Kind == TemplateChoiceKind.Layer ? "Layer" : Kind == TemplateChoiceKind.Input ? "Input"
        : Kind == TemplateChoiceKind.Repeat ? "Repeat" : "Value";
}

/// <summary>One candidate of a value or layer choice.</summary>
internal sealed class CandidateTemplate
{
    // The canonical token (architecture strings, fingerprints).
    public string Token = "";

    // Values: the C# literal; layers: the expression that builds the candidate.
    public string Expression = "";

    // Strings: the raw value (JSON holds it unescaped).
    public string Raw = "";

    // Layers built by a factory method: its name (kept in the exported class only when chosen).
    public string Requires = "";
}

/// <summary>A member of the space class, with holes.</summary>
internal sealed class MemberTemplate
{
    public string Name = "";

    // Private methods that nothing kept refers to are left out (unchosen candidate factories, for example).
    public bool Droppable;
    public bool BlankLineBefore;

    // Columns of indentation of the member's first line in the user's file.
    public int Indent;
    public List<string> References = new();
    public List<Part> Parts = new();

    public void Write(TemplateWriter w)
    {
        w.Write(Name).Write(Droppable ? 1 : 0).Write(BlankLineBefore ? 1 : 0).Write(Indent);
        w.Write(References.Count);
        foreach (string r in References) w.Write(r);
        Part.WriteList(w, Parts);
    }

    public static MemberTemplate Read(TemplateReader r)
    {
        var m = new MemberTemplate { Name = r.String(), Droppable = r.Int() == 1, BlankLineBefore = r.Int() == 1, Indent = r.Int() };
        for (int n = r.Int(); n > 0; n--) m.References.Add(r.String());
        m.Parts = Part.ReadList(r);
        return m;
    }
}

internal enum PartKind
{
    // Verbatim text.
    Text,
    // The exported class's name.
    ClassName,
    // The statements that build the chosen operations (the user's InitializeChoices call); Indent = its column; Flag: the
    // call was an expression body (`=> InitializeChoices(a);`), so the statements become a block body.
    InitializeChoices,
    // The nested class of the sub-space whose full name is Text.
    SubSpaceClass,
    // An input choice's Select(...): Branches are the argument expressions; Flag: parenthesise a compound result.
    Select,
    // A condition on value choices: Branches[0] when it holds, Branches[1] otherwise; Indent: columns to remove from
    // the kept branch's lines (an if's block); Flag: parenthesise a compound expression.
    Conditional,
}

/// <summary>A piece of a member's text.</summary>
internal sealed class Part
{
    public PartKind Kind;
    public string Text = "";
    public int Choice;
    public bool Flag;
    public int Indent;
    public Condition? Condition;
    public List<List<Part>> Branches = new();

    // Compound expressions of each branch (Select arguments, Conditional arms) need parentheses in some contexts.
    public List<bool> BranchIsCompound = new();

    public static Part OfText(string text) => new() { Kind = PartKind.Text, Text = text };

    public static void WriteList(TemplateWriter w, List<Part> parts)
    {
        w.Write(parts.Count);
        foreach (var p in parts)
        {
            w.Write((int)p.Kind).Write(p.Text).Write(p.Choice).Write(p.Flag ? 1 : 0).Write(p.Indent);
            if (p.Condition is null) w.Write(0);
            else
            {
                w.Write(1);
                p.Condition.Write(w);
            }
            w.Write(p.Branches.Count);
            for (int i = 0; i < p.Branches.Count; i++)
            {
                w.Write(p.BranchIsCompound.Count > i && p.BranchIsCompound[i] ? 1 : 0);
                WriteList(w, p.Branches[i]);
            }
        }
    }

    public static List<Part> ReadList(TemplateReader r)
    {
        var parts = new List<Part>();
        for (int n = r.Int(); n > 0; n--)
        {
            var p = new Part { Kind = (PartKind)r.Int(), Text = r.String(), Choice = r.Int(), Flag = r.Int() == 1, Indent = r.Int() };
            if (r.Int() == 1) p.Condition = Condition.Read(r);
            for (int b = r.Int(); b > 0; b--)
            {
                p.BranchIsCompound.Add(r.Int() == 1);
                p.Branches.Add(ReadList(r));
            }
            parts.Add(p);
        }
        return parts;
    }
}

internal enum ConditionKind
{
    // Holds when choice Choice's code is in Codes.
    Atom,
    Not,
    And,
    Or,
}

/// <summary>A condition over value choices, decided per candidate at compile time.</summary>
internal sealed class Condition
{
    public ConditionKind Kind;
    public int Choice;
    public List<int> Codes = new();
    public List<Condition> Operands = new();

    public bool Holds(IReadOnlyList<int> codes) => Kind switch
    {
        ConditionKind.Atom => Codes.Contains(codes[Choice]),
        ConditionKind.Not => !Operands[0].Holds(codes),
        ConditionKind.And => Operands.TrueForAll(o => o.Holds(codes)),
        _ => Operands.Exists(o => o.Holds(codes)),
    };

    public void Write(TemplateWriter w)
    {
        w.Write((int)Kind).Write(Choice).Write(Codes.Count);
        foreach (int c in Codes) w.Write(c);
        w.Write(Operands.Count);
        foreach (var o in Operands) o.Write(w);
    }

    public static Condition Read(TemplateReader r)
    {
        var c = new Condition { Kind = (ConditionKind)r.Int(), Choice = r.Int() };
        for (int n = r.Int(); n > 0; n--) c.Codes.Add(r.Int());
        for (int n = r.Int(); n > 0; n--) c.Operands.Add(Read(r));
        return c;
    }
}

/// <summary>Writes length-prefixed fields, so that no text needs escaping.</summary>
internal sealed class TemplateWriter
{
    private readonly StringBuilder _text = new();

    public TemplateWriter Write(string value)
    {
        _text.Append(value.Length.ToString(CultureInfo.InvariantCulture)).Append(':').Append(value);
        return this;
    }

    public TemplateWriter Write(int value)
    {
        _text.Append(value.ToString(CultureInfo.InvariantCulture)).Append(';');
        return this;
    }

    public override string ToString() => _text.ToString();
}

/// <summary>Reads what <see cref="TemplateWriter"/> wrote.</summary>
internal sealed class TemplateReader
{
    private readonly string _text;
    private int _position;

    public TemplateReader(string text) => _text = text;

    public bool AtEnd => _position >= _text.Length;

    public string String()
    {
        int colon = _text.IndexOf(':', _position);
        if (colon < 0) throw new FormatException("Corrupt NasGen network template.");
        int length = int.Parse(_text.Substring(_position, colon - _position), CultureInfo.InvariantCulture);
        string value = _text.Substring(colon + 1, length);
        _position = colon + 1 + length;
        return value;
    }

    public int Int()
    {
        int semicolon = _text.IndexOf(';', _position);
        if (semicolon < 0) throw new FormatException("Corrupt NasGen network template.");
        int value = int.Parse(_text.Substring(_position, semicolon - _position), CultureInfo.InvariantCulture);
        _position = semicolon + 1;
        return value;
    }
}
