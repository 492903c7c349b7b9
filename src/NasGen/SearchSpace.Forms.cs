using System.Buffers;
using System.Numerics;
using System.Text;
using System.Text.Json;
using NasGen.Json;

namespace NasGen;

// The forms of an architecture: codes, one-hot and normalised vectors, indices, canonical text, JSON and the stable hash.
public abstract partial class SearchSpace<TArchitecture>
    where TArchitecture : struct, IEquatable<TArchitecture>
{
    // ---- Encodings and indices --------------------------------------------------------------------------------

    /// <summary>The candidate codes and the numbers vector (continuous values, wide selections): what every form below is written from.</summary>
    private void EncodeWithNumbers(in TArchitecture architecture, Span<int> codes, Span<double> numbers)
    {
        Encode(architecture, codes);
        EncodeNumbers(architecture, numbers);
    }

    /// <inheritdoc />
    /// <exception cref="NotSupportedException">A dimension is a wide input choice, whose selection an int cannot number.</exception>
    public int[] EncodeCategorical(in TArchitecture architecture)
    {
        if (FirstWideDimension is { } wide)
            throw new NotSupportedException(
                $"{Name}: '{wide.Label}' has {wide.CandidateCount} selections, more than an int candidate code numbers, so the space has no categorical encoding; " +
                "use EncodeNormalised, or a strategy that samples and mutates (random, evolution, local, Hyperband).");
        var codes = new int[Radix.Length];
        Encode(architecture, codes);
        return codes;
    }

    /// <inheritdoc />
    public float[] EncodeOneHot(in TArchitecture architecture)
    {
        if (_oneHotLength > MaxOneHotLength)
        {
            var largest = Dimensions.MaxBy(d => d.CandidateCount)!;
            throw new NotSupportedException(
                $"{Name}: its one-hot encoding would hold {_oneHotLength} entries (one per candidate, and an input choice has one per selection; '{largest.Label}' has {largest.CandidateCount}), " +
                $"more than {MaxOneHotLength}; use {(_wide.Contains(true) ? "EncodeNormalised" : "EncodeCategorical")}.");
        }
        Span<int> codes = stackalloc int[Radix.Length];
        Span<double> numbers = stackalloc double[Radix.Length];
        EncodeWithNumbers(architecture, codes, numbers);
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
        EncodeWithNumbers(architecture, codes, numbers);
        var encoded = new double[codes.Length];
        for (int i = 0; i < codes.Length; i++)
        {
            var range = Dimensions[i].Range;
            encoded[i] = _wide[i] ? WidePosition(i, numbers[i]) / (double)(Dimensions[i].Selections!.LongCount - 1)
                : range is null ? (Radix[i] > 1 ? codes[i] / (double)(Radix[i] - 1) : 0)
                : range.Normalise(_continuous[i] ? numbers[i] : range.ValueAt(codes[i]));
        }
        return encoded;
    }

    /// <summary>Each dimension's value as a number where it has one: a range's value, NaN for other choices.</summary>
    public double[] NumericValues(in TArchitecture architecture)
    {
        var codes = new int[Radix.Length];
        Encode(architecture, codes);
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
        Span<double> numbers = stackalloc double[Radix.Length];
        EncodeWithNumbers(architecture, codes, numbers);
        BigInteger index = BigInteger.Zero;
        for (int i = 0; i < codes.Length; i++) index += _strides[i] * (_wide[i] ? WidePosition(i, numbers[i]) : codes[i]);
        return index;
    }

    /// <inheritdoc />
    public TArchitecture FromIndex(BigInteger index)
    {
        if (!IsFinite) throw Infinite("has no grid indices");
        if (index < 0 || index >= Cardinality)
            throw new ArgumentOutOfRangeException(nameof(index), index, $"{Name} has {Cardinality} architectures; indices run from 0 to {Cardinality - 1}.");
        Span<int> codes = stackalloc int[Radix.Length];
        Span<double> numbers = stackalloc double[Radix.Length];
        _lowerBounds.CopyTo(numbers);
        for (int i = 0; i < codes.Length; i++)
        {
            var quotient = BigInteger.DivRem(index, _strides[i], out var remainder);
            if (_wide[i]) numbers[i] = InputSelections.ToNumber(Dimensions[i].Selections!.ElementAt((long)quotient));
            else codes[i] = (int)quotient;
            index = remainder;
        }
        return Decode(codes, numbers);
    }

    // ---- Text, JSON and hashing -------------------------------------------------------------------------------

    /// <inheritdoc />
    public string ToCanonicalString(in TArchitecture architecture)
    {
        Span<int> codes = stackalloc int[Radix.Length];
        Span<double> numbers = stackalloc double[Radix.Length];
        EncodeWithNumbers(architecture, codes, numbers);
        var text = new StringBuilder();
        for (int i = 0; i < codes.Length; i++)
            Export.SpaceText.AppendAssignment(text, Dimensions[i].Label,
                _continuous[i] ? Dimensions[i].FormatNumber(numbers[i])
                : _wide[i] ? Dimensions[i].SelectionOf(numbers[i]).ToString()
                : Dimensions[i].Candidates[codes[i]].Token);
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
            if ((_continuous[d] ? Dimensions[d].ParseNumber(token) : _wide[d] ? Dimensions[d].ParseSelection(token) : null) is double value)
            {
                codes[d] = 0;
                numbers[d] = value;
            }
            else codes[d] = _continuous[d] || _wide[d] ? -1 : Dimensions[d].IndexOfToken(token);
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
        EncodeWithNumbers(architecture, codes, numbers);
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
                else if (_wide[i]) Dimensions[i].WriteSelectionJson(writer, numbers[i]);
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
}
