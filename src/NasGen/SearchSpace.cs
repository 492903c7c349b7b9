using System.Buffers;
using System.ComponentModel;
using System.Numerics;
using System.Text;
using System.Text.Json;
using NasGen.Json;

namespace NasGen;

/// <summary>
/// The space maths every generated space shares. A generated space supplies its dimensions and the typed
/// mapping between an architecture and its candidate indices (<see cref="EncodeCore"/>, <see cref="Decode(ReadOnlySpan{int})"/>);
/// everything else — enumeration, sampling, mutation, encodings, indices, text and JSON — works on those
/// indices here, once, for every space.
/// </summary>
public abstract class SearchSpace<TArchitecture> : ISearchSpace<TArchitecture>, IExportable
    where TArchitecture : struct, IEquatable<TArchitecture>
{
    private const int MaxRejections = 100_000;
    private readonly BigInteger[] _strides;
    private readonly int[] _mutableDimensions; // dimensions with more than one candidate, and continuous ones
    private readonly bool[] _continuous; // per dimension: a continuous range, whose value travels in the numbers vector
    private readonly BigInteger _cardinality;
    private JsonDimension[]? _jsonDimensions; // built on the first FromJson
    private readonly long _oneHotLength; // can pass int.MaxValue with large input choices

    /// <summary>The longest one-hot encoding <see cref="EncodeOneHot"/> writes (64 MB of floats).</summary>
    public const int MaxOneHotLength = 1 << 24;

    /// <summary>Creates the space from its flattened dimensions.</summary>
    protected SearchSpace(string name, IReadOnlyList<Dimension> dimensions, bool hasConstraints)
    {
        Name = name;
        Dimensions = dimensions;
        HasConstraints = hasConstraints;
        _continuous = dimensions.Select(d => d.IsContinuous).ToArray();
        IsFinite = !_continuous.Contains(true);
        _lowerBounds = dimensions.Select(d => d.IsContinuous ? d.Range!.Min : 0).ToArray();
        // A continuous dimension has one code (0): its value is in the numbers vector.
        Radix = dimensions.Select(d => d.IsContinuous ? 1 : d.Count).ToArray();
        _mutableDimensions = Enumerable.Range(0, Radix.Length).Where(i => Radix[i] > 1 || _continuous[i]).ToArray();
        _oneHotLength = Radix.Sum(r => (long)r);
        OneHotLength = (int)Math.Min(_oneHotLength, int.MaxValue);

        _strides = new BigInteger[Radix.Length];
        BigInteger stride = BigInteger.One;
        for (int i = Radix.Length - 1; i >= 0; i--)
        {
            _strides[i] = stride;
            stride *= Radix[i];
        }
        _cardinality = stride;
        Fingerprint = ComputeFingerprint(dimensions);
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public IReadOnlyList<Dimension> Dimensions { get; }

    /// <inheritdoc />
    public BigInteger Cardinality => IsFinite ? _cardinality : throw Infinite("has no cardinality");

    /// <inheritdoc />
    public bool IsFinite { get; }

    /// <inheritdoc />
    public bool HasConstraints { get; }

    /// <inheritdoc />
    public int OneHotLength { get; }

    /// <inheritdoc />
    public string Fingerprint { get; }

    /// <summary>Candidate count per dimension.</summary>
    internal int[] Radix { get; }

    /// <summary>A numbers vector with each continuous dimension at its lower bound (what <c>Decode(codes)</c> alone uses).</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    protected ReadOnlySpan<double> LowerBounds => _lowerBounds;

    private readonly double[] _lowerBounds;

    // ---- Export as source ---------------------------------------------------------------------------------

    /// <summary>What the generator captured of the space's class for <see cref="EmitSource"/>; null for a space written by hand.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public virtual string? ExportTemplate => null;

    /// <summary>The spaces nested in this one by <c>[SubSpace]</c>, whose templates <see cref="EmitSource"/> also needs.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public virtual IReadOnlyList<ISearchSpace> NestedSpaces => [];

    /// <summary>
    /// The fixed network of <paramref name="architecture"/> as standalone C# source: a class named
    /// <paramref name="className"/> in <paramref name="namespace"/> (empty: none) holding only the chosen
    /// operations, with the space's own members carried over and every choice replaced by its value. It needs
    /// TorchSharp and nothing from NasGen; its state_dict keys equal those of the space's fixed network.
    /// </summary>
    /// <exception cref="ArgumentException">A name is not a C# identifier, or the architecture is invalid.</exception>
    /// <exception cref="NotSupportedException">The space uses something the exporter cannot carry over (the message says what).</exception>
    public string EmitSource(in TArchitecture architecture, string className, string @namespace)
    {
        ArgumentNullException.ThrowIfNull(className);
        ArgumentNullException.ThrowIfNull(@namespace);
        Validate(architecture);
        var templates = new Dictionary<string, Export.NetworkTemplate>(StringComparer.Ordinal);
        var root = CollectTemplates(this, templates)
            ?? throw new NotSupportedException($"{Name}: this space has no export template (only generated spaces can be exported).");
        var codes = new int[Radix.Length];
        Encode(architecture, codes);
        BakeContinuousValues(architecture, root);
        var renderer = new Export.NetworkSourceRenderer(name => templates.TryGetValue(name, out var t) ? t : null);
        string version = typeof(SearchSpace<>).Assembly.GetName().Version?.ToString(3) ?? "";
        return renderer.RenderFile(root, codes, className, @namespace, $"NasGen {version} (EmitSource)");
    }

    // A continuous range has no candidates to render: its value becomes the one candidate of this export's template.
    private void BakeContinuousValues(in TArchitecture architecture, Export.NetworkTemplate root)
    {
        if (IsFinite) return;
        Span<double> numbers = stackalloc double[Radix.Length];
        EncodeNumbers(architecture, numbers);
        for (int i = 0; i < Radix.Length; i++)
        {
            if (!_continuous[i]) continue;
            var dimension = Dimensions[i];
            var choice = root.Choices.Find(c => c.Label == dimension.Label)
                ?? throw new NotSupportedException($"{Name}: '{dimension.Label}' is a continuous range in a nested space, which EmitSource cannot export yet; give it a Step.");
            string token = dimension.FormatNumber(numbers[i]);
            string literal = dimension.JsonForm == JsonValueForm.Float ? token + "f" : token.IndexOfAny(['.', 'E', 'e']) >= 0 ? token : token + ".0";
            choice.Candidates = [new Export.CandidateTemplate { Token = token, Expression = literal }];
        }
    }

    private static Export.NetworkTemplate? CollectTemplates(ISearchSpace space, Dictionary<string, Export.NetworkTemplate> templates)
    {
        if (space is not IExportable exportable || exportable.ExportTemplate is not string text) return null;
        var template = Export.NetworkTemplate.Deserialize(text);
        templates[template.FullName] = template;
        foreach (var nested in exportable.NestedSpaces) CollectTemplates(nested, templates);
        return template;
    }

    // ---- What the generated space supplies ---------------------------------------------------------------

    /// <summary>Writes each dimension's candidate index, or -1 where the value is not a candidate.</summary>
    public abstract void EncodeCore(in TArchitecture architecture, Span<int> codes);

    /// <inheritdoc />
    public abstract TArchitecture Decode(ReadOnlySpan<int> codes);

    /// <summary>Writes each continuous dimension's value to its slot (other slots are left alone); a space without continuous dimensions writes nothing.</summary>
    public virtual void EncodeNumbers(in TArchitecture architecture, Span<double> numbers)
    {
    }

    /// <summary>
    /// The architecture with these candidate indices and, for continuous dimensions, these values (one slot per
    /// dimension, read only at continuous dimensions). <see cref="Decode(ReadOnlySpan{int})"/> alone puts each
    /// continuous dimension at its range's lower bound.
    /// </summary>
    public virtual TArchitecture Decode(ReadOnlySpan<int> codes, ReadOnlySpan<double> numbers) => Decode(codes);

    /// <summary>The value of dimension <paramref name="dimension"/> as text, for error messages.</summary>
    public abstract string DescribeValue(in TArchitecture architecture, int dimension);

    /// <summary>Formats a choice's value for <see cref="DescribeValue"/>: strings quoted, numbers invariant.</summary>
    protected static string Format<T>(T value) => value switch
    {
        null => "null",
        string s => JsonSerializer.Serialize(s),
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        float f => f.ToString("R", CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    /// <summary>Whether the space's constraints (and those of nested spaces) hold for a valid architecture.</summary>
    public virtual bool SatisfiesConstraints(in TArchitecture architecture) => true;

    // ---- Validation -----------------------------------------------------------------------------------------

    /// <inheritdoc />
    public void Encode(in TArchitecture architecture, Span<int> codes)
    {
        if (codes.Length != Radix.Length)
            throw new ArgumentException($"Expected a span of {Radix.Length} codes, got {codes.Length}.", nameof(codes));
        EncodeCore(architecture, codes);
        for (int i = 0; i < codes.Length; i++)
        {
            if (codes[i] < 0)
            {
                var dimension = Dimensions[i];
                throw new InvalidArchitectureException(
                    $"{Name}: '{dimension.Label}' is {DescribeValue(architecture, i)}, {dimension.WhyNotAllowed()}.", dimension.Label);
            }
        }
    }

    /// <inheritdoc />
    public bool IsAllowed(in TArchitecture architecture)
    {
        Span<int> codes = stackalloc int[Radix.Length];
        EncodeCore(architecture, codes);
        foreach (int code in codes)
            if (code < 0) return false;
        return !HasConstraints || SatisfiesConstraints(architecture);
    }

    /// <inheritdoc />
    public void Validate(in TArchitecture architecture)
    {
        Span<int> codes = stackalloc int[Radix.Length];
        Encode(architecture, codes);
        if (HasConstraints && !SatisfiesConstraints(architecture))
            throw new InvalidArchitectureException($"{Name}: {ToCanonicalString(architecture)} breaks a constraint of the space.");
    }

    // ---- Enumeration, sampling and search moves -------------------------------------------------------------

    /// <inheritdoc />
    public ArchitectureEnumerable<TArchitecture> Enumerate() => IsFinite ? new(this) : throw Infinite("cannot be enumerated");

    /// <summary>Counts the architectures the constraints allow (enumerates the space when it has constraints).</summary>
    public BigInteger CountAllowed()
    {
        if (!HasConstraints) return Cardinality;
        long count = 0;
        foreach (var _ in Enumerate()) count++;
        return count;
    }

    /// <inheritdoc />
    public TArchitecture Sample(Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        Span<int> codes = stackalloc int[Radix.Length];
        Span<double> numbers = stackalloc double[Radix.Length];
        for (int attempt = 0; attempt < MaxRejections; attempt++)
        {
            for (int i = 0; i < codes.Length; i++)
            {
                var range = Dimensions[i].Range;
                if (_continuous[i]) numbers[i] = ToValue(i, random.NextDouble());
                else if (range is { Log: true }) codes[i] = SampleLogIndex(range, random);
                else codes[i] = random.Next(Radix[i]);
            }
            var candidate = Decode(codes, numbers);
            if (!HasConstraints || SatisfiesConstraints(candidate)) return candidate;
        }
        throw TooConstrained("sample");
    }

    /// <inheritdoc />
    public TArchitecture Mutate(in TArchitecture architecture, Random random, int choices = 1)
    {
        ArgumentNullException.ThrowIfNull(random);
        // A copy: the partial shuffle below reorders it, and Mutate may run on several threads.
        Span<int> mutable = stackalloc int[_mutableDimensions.Length];
        _mutableDimensions.CopyTo(mutable);
        if (choices < 1 || choices > mutable.Length)
            throw new ArgumentOutOfRangeException(nameof(choices), choices, $"{Name} has {mutable.Length} dimensions with more than one candidate.");

        Span<int> original = stackalloc int[Radix.Length];
        Span<int> codes = stackalloc int[Radix.Length];
        Span<double> numbers = stackalloc double[Radix.Length];
        Encode(architecture, original);
        EncodeNumbers(architecture, numbers);
        Span<double> originalNumbers = stackalloc double[Radix.Length];
        numbers.CopyTo(originalNumbers);
        for (int attempt = 0; attempt < MaxRejections; attempt++)
        {
            original.CopyTo(codes);
            originalNumbers.CopyTo(numbers);
            // Partial Fisher-Yates: the first `choices` entries become a uniform random subset.
            for (int i = 0; i < choices; i++)
            {
                int j = i + random.Next(mutable.Length - i);
                (mutable[i], mutable[j]) = (mutable[j], mutable[i]);
                int d = mutable[i];
                if (Dimensions[d].Range is { } range)
                {
                    if (_continuous[d]) numbers[d] = Perturb(d, numbers[d], random);
                    else codes[d] = PerturbIndex(range, original[d], random);
                    continue;
                }
                int other = random.Next(Radix[d] - 1);
                codes[d] = other >= original[d] ? other + 1 : other;
            }
            var candidate = Decode(codes, numbers);
            if (!HasConstraints || SatisfiesConstraints(candidate)) return candidate;
        }
        throw TooConstrained("mutate");
    }

    /// <inheritdoc />
    public TArchitecture Crossover(in TArchitecture first, in TArchitecture second, Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        Span<int> a = stackalloc int[Radix.Length];
        Span<int> b = stackalloc int[Radix.Length];
        Span<int> child = stackalloc int[Radix.Length];
        Span<double> numbersA = stackalloc double[Radix.Length];
        Span<double> numbersB = stackalloc double[Radix.Length];
        Span<double> childNumbers = stackalloc double[Radix.Length];
        Encode(first, a);
        Encode(second, b);
        EncodeNumbers(first, numbersA);
        EncodeNumbers(second, numbersB);
        for (int attempt = 0; attempt < 1_000; attempt++)
        {
            for (int i = 0; i < child.Length; i++)
            {
                bool fromFirst = random.Next(2) == 0;
                child[i] = fromFirst ? a[i] : b[i];
                childNumbers[i] = fromFirst ? numbersA[i] : numbersB[i];
            }
            var candidate = Decode(child, childNumbers);
            if (!HasConstraints || SatisfiesConstraints(candidate)) return candidate;
        }
        return first; // every mix broke a constraint: the first parent is a valid child of both
    }

    /// <summary>
    /// Above this many selections, an input choice's neighbours are the selections that swap one input
    /// (k·(n−k) of them) instead of every other selection.
    /// </summary>
    public const int MaxListedNeighbours = 4096;

    /// <inheritdoc />
    /// <remarks>
    /// A neighbour differs in one dimension, by any other candidate; in an input choice with more than
    /// <see cref="MaxListedNeighbours"/> selections, by a selection that swaps one chosen input for another.
    /// </remarks>
    public IEnumerable<TArchitecture> Neighbours(TArchitecture architecture)
    {
        int[] codes = EncodeCategorical(architecture);
        double[] numbers = new double[codes.Length];
        EncodeNumbers(architecture, numbers);
        for (int d = 0; d < codes.Length; d++)
        {
            var (originalCode, originalNumber) = (codes[d], numbers[d]);
            var moves = _continuous[d]
                ? NeighbourValues(d, originalNumber).Select(value => (Code: originalCode, Number: value))
                : NeighbourCodes(d, originalCode).Select(code => (Code: code, Number: originalNumber));
            foreach (var move in moves)
            {
                (codes[d], numbers[d]) = move;
                var neighbour = Decode(codes, numbers);
                (codes[d], numbers[d]) = (originalCode, originalNumber);
                if (!HasConstraints || SatisfiesConstraints(neighbour)) yield return neighbour;
            }
        }
    }

    private IEnumerable<int> NeighbourCodes(int dimension, int code)
    {
        if (Dimensions[dimension].Range is not null) return NumericMoves.SteppedNeighbours(code, Radix[dimension]);
        if (Dimensions[dimension].Selections is not { Count: > MaxListedNeighbours } selections)
            return Enumerable.Range(0, Radix[dimension]).Where(c => c != code);
        ulong mask = selections[code].Mask;
        var swaps = new List<int>();
        for (int selected = 0; selected < selections.Inputs; selected++)
        {
            if ((mask & (1UL << selected)) == 0) continue;
            for (int other = 0; other < selections.Inputs; other++)
                if ((mask & (1UL << other)) == 0)
                    swaps.Add(selections.IndexOf(new ChosenInputs(selections.Inputs, mask & ~(1UL << selected) | (1UL << other))));
        }
        swaps.Sort(); // in code order, like the other dimensions' neighbours
        return swaps;
    }

    // ---- Encodings and indices --------------------------------------------------------------------------------

    /// <inheritdoc />
    public int[] EncodeCategorical(in TArchitecture architecture)
    {
        var codes = new int[Radix.Length];
        Encode(architecture, codes);
        return codes;
    }

    /// <inheritdoc />
    public float[] EncodeOneHot(in TArchitecture architecture)
    {
        if (_oneHotLength > MaxOneHotLength)
            throw new NotSupportedException(
                $"{Name}: its one-hot encoding would hold {_oneHotLength} entries (one per candidate, and an input choice has one per selection), more than {MaxOneHotLength}; use EncodeCategorical.");
        Span<int> codes = stackalloc int[Radix.Length];
        Span<double> numbers = stackalloc double[Radix.Length];
        Encode(architecture, codes);
        EncodeNumbers(architecture, numbers);
        var oneHot = new float[OneHotLength];
        int offset = 0;
        for (int i = 0; i < codes.Length; i++)
        {
            // A continuous dimension has one slot: its value normalised to [0, 1].
            oneHot[offset + codes[i]] = _continuous[i] ? (float)Dimensions[i].Range!.Normalise(numbers[i]) : 1f;
            offset += Radix[i];
        }
        return oneHot;
    }

    /// <summary>
    /// One number in [0, 1] per dimension: a range's value normalised (in log space where <c>Log</c>), any other
    /// choice's candidate position divided by its last position (0 for a single candidate).
    /// </summary>
    public double[] EncodeNormalised(in TArchitecture architecture)
    {
        Span<int> codes = stackalloc int[Radix.Length];
        Span<double> numbers = stackalloc double[Radix.Length];
        Encode(architecture, codes);
        EncodeNumbers(architecture, numbers);
        var encoded = new double[codes.Length];
        for (int i = 0; i < codes.Length; i++)
        {
            var range = Dimensions[i].Range;
            encoded[i] = range is null ? (Radix[i] > 1 ? codes[i] / (double)(Radix[i] - 1) : 0)
                : range.Normalise(_continuous[i] ? numbers[i] : range.ValueAt(codes[i]));
        }
        return encoded;
    }

    /// <summary>Each dimension's value as a number where it has one: a range's value, NaN for other choices.</summary>
    public double[] NumericValues(in TArchitecture architecture)
    {
        var codes = EncodeCategorical(architecture);
        var numbers = new double[codes.Length];
        EncodeNumbers(architecture, numbers);
        for (int i = 0; i < codes.Length; i++)
            if (!_continuous[i]) numbers[i] = Dimensions[i].Range is { } range ? range.ValueAt(codes[i]) : double.NaN;
        return numbers;
    }

    /// <inheritdoc />
    public BigInteger IndexOf(in TArchitecture architecture)
    {
        if (!IsFinite) throw Infinite("has no grid indices");
        Span<int> codes = stackalloc int[Radix.Length];
        Encode(architecture, codes);
        BigInteger index = BigInteger.Zero;
        for (int i = 0; i < codes.Length; i++) index += _strides[i] * codes[i];
        return index;
    }

    /// <inheritdoc />
    public TArchitecture FromIndex(BigInteger index)
    {
        if (!IsFinite) throw Infinite("has no grid indices");
        if (index < 0 || index >= Cardinality)
            throw new ArgumentOutOfRangeException(nameof(index), index, $"{Name} has {Cardinality} architectures; indices run from 0 to {Cardinality - 1}.");
        Span<int> codes = stackalloc int[Radix.Length];
        for (int i = 0; i < codes.Length; i++)
        {
            var quotient = BigInteger.DivRem(index, _strides[i], out var remainder);
            codes[i] = (int)quotient;
            index = remainder;
        }
        return Decode(codes);
    }

    // ---- Text, JSON and hashing -------------------------------------------------------------------------------

    /// <inheritdoc />
    public string ToCanonicalString(in TArchitecture architecture)
    {
        Span<int> codes = stackalloc int[Radix.Length];
        Span<double> numbers = stackalloc double[Radix.Length];
        Encode(architecture, codes);
        EncodeNumbers(architecture, numbers);
        var text = new StringBuilder();
        for (int i = 0; i < codes.Length; i++)
            Export.SpaceText.AppendAssignment(text, Dimensions[i].Label,
                _continuous[i] ? Dimensions[i].FormatNumber(numbers[i]) : Dimensions[i].Candidates[codes[i]].Token);
        return text.ToString();
    }

    /// <inheritdoc />
    public TArchitecture Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var codes = Enumerable.Repeat(-1, Radix.Length).ToArray();
        var numbers = new double[Radix.Length];
        int position = 0;
        while (position < text.Length)
        {
            int equals = text.IndexOf('=', position);
            if (equals < 0)
                throw new InvalidArchitectureException($"{Name}: expected 'label=value' at position {position} of \"{JsonText.Cut(text)}\".");
            string label = text.Substring(position, equals - position).Trim();
            int end = EndOfToken(text, equals + 1);
            string token = text.Substring(equals + 1, end - equals - 1).Trim();
            position = end + 1;

            int d = IndexOfLabel(label);
            if (d < 0)
                throw new InvalidArchitectureException($"{Name}: unknown label '{JsonText.Cut(label)}'. Known labels: {JsonText.List(Dimensions.Count, i => Dimensions[i].Label)}.", label);
            if (codes[d] >= 0)
                throw new InvalidArchitectureException($"{Name}: label '{JsonText.Cut(label)}' appears twice.", label);
            if (_continuous[d] && Dimensions[d].ParseNumber(token) is double value)
            {
                codes[d] = 0;
                numbers[d] = value;
            }
            else codes[d] = _continuous[d] ? -1 : Dimensions[d].IndexOfToken(token);
            if (codes[d] < 0)
                throw new InvalidArchitectureException($"{Name}: '{label}' is {JsonText.Cut(token)}, {Dimensions[d].WhyNotAllowed()}.", label);
        }
        return FinishDecoding(codes, numbers);
    }

    /// <inheritdoc />
    public string ToJson(in TArchitecture architecture)
    {
        Span<int> codes = stackalloc int[Radix.Length];
        Span<double> numbers = stackalloc double[Radix.Length];
        Encode(architecture, codes);
        EncodeNumbers(architecture, numbers);
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartObject();
            writer.WriteString("$space", Name);
            writer.WriteString("$fingerprint", Fingerprint);
            string[] open = [];
            for (int i = 0; i < codes.Length; i++)
            {
                string[] path = Dimensions[i].Label.Split('.');
                int common = 0;
                while (common < open.Length && common < path.Length - 1 && open[common] == path[common]) common++;
                for (int k = open.Length; k > common; k--) writer.WriteEndObject();
                for (int k = common; k < path.Length - 1; k++) writer.WriteStartObject(path[k]);
                open = path[..^1];
                writer.WritePropertyName(path[^1]);
                // The canonical token is the shortest round-trip text: the JSON number is the same bits.
                if (_continuous[i]) writer.WriteRawValue(Dimensions[i].FormatNumber(numbers[i]));
                else Dimensions[i].Candidates[codes[i]].WriteJson(writer);
            }
            for (int k = open.Length; k > 0; k--) writer.WriteEndObject();
            writer.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <inheritdoc />
    /// <remarks>
    /// By the rules the generator applies to a <c>[FixedArchitecture]</c> file (src/Shared/Json), with the same
    /// message after <c>"{space}, line {n}: "</c>; only the constraints are checked here alone (the generator cannot run them).
    /// </remarks>
    public TArchitecture FromJson(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        _jsonDimensions ??= Dimensions.Select(d => d.ToJsonDimension()).ToArray();
        int[] codes;
        var numbers = new double[Radix.Length];
        try
        {
            codes = ArchitectureJsonReader.Read(json, Name, Fingerprint, _jsonDimensions, numbers);
        }
        catch (ArchitectureJsonException e)
        {
            throw new InvalidArchitectureException(string.Create(CultureInfo.InvariantCulture, $"{Name}, line {e.Line}: {e.Message}"), e.Label, e);
        }
        return FinishDecoding(codes, numbers);
    }

    /// <inheritdoc />
    public ulong StableHash(in TArchitecture architecture) => Fnv1a(ToCanonicalString(architecture));

    private TArchitecture FinishDecoding(int[] codes, double[] numbers)
    {
        int missing = Array.IndexOf(codes, -1);
        if (missing >= 0)
            throw new InvalidArchitectureException(
                $"{Name}: label '{Dimensions[missing].Label}' is missing; its candidates are {Dimensions[missing].DescribeCandidates()}.",
                Dimensions[missing].Label);
        var architecture = Decode(codes, numbers);
        if (HasConstraints && !SatisfiesConstraints(architecture))
            throw new InvalidArchitectureException($"{Name}: {ToCanonicalString(architecture)} breaks a constraint of the space.");
        return architecture;
    }

    private int IndexOfLabel(string label)
    {
        for (int i = 0; i < Dimensions.Count; i++)
            if (Dimensions[i].Label == label) return i;
        return -1;
    }

    // A token ends at the next ';' outside a quoted string or a bracketed list.
    private static int EndOfToken(string text, int start)
    {
        bool quoted = false;
        int depth = 0;
        for (int i = start; i < text.Length; i++)
        {
            char c = text[i];
            if (quoted)
            {
                if (c == '\\') i++;
                else if (c == '"') quoted = false;
            }
            else if (c == '"') quoted = true;
            else if (c == '[') depth++;
            else if (c == ']') depth--;
            else if (c == ';' && depth == 0) return i;
        }
        return text.Length;
    }

    private NotSupportedException Infinite(string what) =>
        new($"{Name} {what}: its continuous range{(_continuous.Count(c => c) > 1 ? "s" : "")} " +
            $"({string.Join(", ", Dimensions.Where(d => d.IsContinuous).Select(d => d.Label))}) make it infinite; give each a Step to make it finite, " +
            "or use a strategy that samples (random, evolution, local, tpe).");

    // ---- Numeric moves ------------------------------------------------------------------------------------------

    /// <summary>Standard deviation of a mutation's perturbation, as a fraction of the (log-)range.</summary>
    public const double MutationScale = 0.1;

    // The value at normalised position u of continuous dimension d, held exactly as the property's type holds it.
    private double ToValue(int d, double u)
    {
        double value = Dimensions[d].Range!.Denormalise(u);
        // A float range's bounds are floats, so the nearest float stays within them.
        return Dimensions[d].JsonForm == JsonValueForm.Float ? (float)value : value;
    }

    private double Perturb(int d, double value, Random random)
    {
        var range = Dimensions[d].Range!;
        for (int attempt = 0; attempt < 16; attempt++)
        {
            double moved = ToValue(d, NumericRange.Reflect(range.Normalise(value), MutationScale * NumericMoves.Gaussian(random)));
            if (!moved.Equals(value)) return moved;
        }
        return ToValue(d, random.NextDouble());
    }

    private static int SampleLogIndex(NumericRange range, Random random) => range.NearestIndex(random.NextDouble());

    // A stepped range's mutation: a perturbation of its normalised position, at least one step away.
    private static int PerturbIndex(NumericRange range, int code, Random random)
    {
        double delta = MutationScale * NumericMoves.Gaussian(random);
        int moved = range.NearestIndex(NumericRange.Reflect(range.Normalise(range.ValueAt(code)), delta));
        if (moved != code) return moved;
        int step = delta >= 0 ? 1 : -1;
        return code + step is var next && next >= 0 && next < range.ValueCount ? next : code - step;
    }

    private IEnumerable<double> NeighbourValues(int d, double value)
    {
        var range = Dimensions[d].Range!;
        double u = range.Normalise(value);
        var seen = new HashSet<double> { value };
        foreach (double move in NumericMoves.ContinuousNeighbourMoves)
        {
            double moved = ToValue(d, u + move);
            if (seen.Add(moved)) yield return moved;
        }
    }

    private InvalidOperationException TooConstrained(string what) =>
        new($"{Name}: could not {what} an architecture that satisfies the constraints in {MaxRejections} attempts; the constraints allow (almost) nothing.");

    // The exporter computes the same fingerprint from a template ([FixedArchitecture] and EmitSource compare the two).
    // A stepped range is named by its values; a continuous one by its range, before its (empty) token list.
    private static string ComputeFingerprint(IReadOnlyList<Dimension> dimensions)
    {
        var fingerprint = new Export.FingerprintWriter();
        foreach (var d in dimensions)
            fingerprint.Add(d.Label, d.Kind.ToString(), d.Count, i => d.Candidates[i].Token, d.IsContinuous ? d.Range!.ToString() : null);
        return fingerprint.ToString();
    }

    /// <summary>64-bit FNV-1a over the UTF-8 bytes of <paramref name="text"/>.</summary>
    public static ulong Fnv1a(string text) => Export.SpaceText.Fnv1a(text);
}

/// <summary>A space that carries an export template (every generated space).</summary>
internal interface IExportable
{
    string? ExportTemplate { get; }

    IReadOnlyList<ISearchSpace> NestedSpaces { get; }
}
