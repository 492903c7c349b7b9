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
public abstract partial class SearchSpace<TArchitecture> : ISearchSpace<TArchitecture>, IExportable
    where TArchitecture : struct, IEquatable<TArchitecture>
{
    private const int MaxRejections = 100_000;
    private readonly BigInteger[] _strides;
    private readonly int[] _mutableDimensions; // the dimensions a mutation can change (Dimension.IsMutable)
    private readonly bool[] _continuous; // per dimension: a continuous range, whose value travels in the numbers vector
    private readonly bool[] _wide; // per dimension: a wide input choice, whose selection travels in the numbers vector
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
        _wide = dimensions.Select(d => d.IsWide).ToArray();
        IsFinite = !_continuous.Contains(true);
        // Decode(codes) alone gives a wide input choice its first selection, as it gives a continuous range its lower bound.
        _lowerBounds = dimensions.Select(d => d.IsContinuous ? d.Range!.Min : d.IsWide ? InputSelections.ToNumber(d.Selections!.ElementAt(0)) : 0).ToArray();
        // A continuous dimension or a wide input choice has one code (0): its value is in the numbers vector.
        Radix = dimensions.Select(d => d.IsContinuous || d.IsWide ? 1 : d.Count).ToArray();
        _mutableDimensions = Enumerable.Range(0, Radix.Length).Where(i => dimensions[i].IsMutable).ToArray();
        var sizes = dimensions.Select(d => d.IsContinuous ? BigInteger.One : d.CandidateCount).ToArray();
        _oneHotLength = (long)BigInteger.Min(sizes.Aggregate(BigInteger.Zero, (sum, size) => sum + size), long.MaxValue);
        OneHotLength = (int)Math.Min(_oneHotLength, int.MaxValue);

        _strides = new BigInteger[Radix.Length];
        BigInteger stride = BigInteger.One;
        for (int i = Radix.Length - 1; i >= 0; i--)
        {
            _strides[i] = stride;
            stride *= sizes[i];
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

    /// <summary>
    /// What the generator captured of the space's class for <see cref="EmitSource"/>, a new instance on each call (the
    /// export bakes continuous values into it); null for a space written by hand.
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public virtual NetworkTemplate? ExportTemplate => null;

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
        var templates = new Dictionary<string, NetworkTemplate>(StringComparer.Ordinal);
        var root = CollectTemplates(this, templates)
            ?? throw new NotSupportedException($"{Name}: this space has no export template (only generated spaces can be exported).");
        var codes = new int[Radix.Length];
        Encode(architecture, codes);
        var renderer = new Export.NetworkSourceRenderer(name => templates.TryGetValue(name, out var t) ? t : null);
        BakeNumbers(architecture, root, renderer);
        string version = typeof(SearchSpace<>).Assembly.GetName().Version?.ToString(3) ?? "";
        return renderer.RenderFile(root, codes, className, @namespace, $"NasGen {version} (EmitSource)");
    }

    // A continuous range has no candidates to render: its value becomes the one candidate of this export's template.
    // A wide input choice's code does not say which inputs it selects: its selection is baked in beside its code.
    private void BakeNumbers(in TArchitecture architecture, NetworkTemplate root, Export.NetworkSourceRenderer renderer)
    {
        if (IsFinite && !HasWideDimensions) return;
        var numbers = new double[Radix.Length];
        EncodeNumbers(architecture, numbers);
        renderer.BakeSelections(root, numbers);
        for (int i = 0; i < Radix.Length; i++)
        {
            if (!_continuous[i]) continue;
            var dimension = Dimensions[i];
            var choice = root.Choices.Find(c => c.Label == dimension.Label)
                ?? throw new NotSupportedException($"{Name}: '{dimension.Label}' is a continuous range in a nested space, which EmitSource cannot export yet; give it a Step.");
            choice.BakeValue(numbers[i]);
        }
    }

    private static NetworkTemplate? CollectTemplates(ISearchSpace space, Dictionary<string, NetworkTemplate> templates)
    {
        if (space is not IExportable { ExportTemplate: { } template } exportable) return null;
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

    /// <summary>Whether a dimension is a wide input choice (its selection travels in the numbers vector).</summary>
    internal bool HasWideDimensions => FirstWideDimension is not null;

    private Dimension? FirstWideDimension => Array.IndexOf(_wide, true) is int d and >= 0 ? Dimensions[d] : null;

    /// <summary>Dimension <paramref name="d"/>'s selections where it is a wide input choice; null otherwise.</summary>
    internal InputSelections? WideSelections(int d) => _wide[d] ? Dimensions[d].Selections : null;

    /// <summary>The numbers vector of code 0 everywhere (continuous ranges at their lower bounds, wide input choices at their first selection).</summary>
    internal double[] FirstNumbers() => (double[])_lowerBounds.Clone();

    // A wide input choice's selection position, from the number that carries it.
    private long WidePosition(int d, double number) => Dimensions[d].Selections!.LongIndexOf(Dimensions[d].SelectionOf(number));

    private NotSupportedException Infinite(string what) =>
        new($"{Name} {what}: its continuous range{(_continuous.Count(c => c) > 1 ? "s" : "")} " +
            $"({string.Join(", ", Dimensions.Where(d => d.IsContinuous).Select(d => d.Label))}) make it infinite; give each a Step to make it finite, " +
            "or use a strategy that samples (random, evolution, local, tpe).");

    private InvalidOperationException TooConstrained(string what) =>
        new($"{Name}: could not {what} an architecture that satisfies the constraints in {MaxRejections} attempts; the constraints allow (almost) nothing.");

    // The exporter computes the same fingerprint from a template ([FixedArchitecture] and EmitSource compare the two).
    // A stepped range is named by its values; a continuous one by its range, before its (empty) token list.
    private static string ComputeFingerprint(IReadOnlyList<Dimension> dimensions)
    {
        var fingerprint = new Export.FingerprintWriter();
        foreach (var d in dimensions)
            if (d.IsWide) // named by its size, as the exporter names it (NetworkTemplate counts at most int.MaxValue selections)
                fingerprint.Add(d.Label, d.Kind.ToString(), int.MaxValue, i => d.Selections!.ElementAt(i).ToString());
            else
                fingerprint.Add(d.Label, d.Kind.ToString(), d.Count, i => d.Candidates[i].Token, d.IsContinuous ? d.Range!.ToString() : null);
        return fingerprint.ToString();
    }

    /// <summary>64-bit FNV-1a over the UTF-8 bytes of <paramref name="text"/>.</summary>
    public static ulong Fnv1a(string text) => Export.SpaceText.Fnv1a(text);
}

/// <summary>A space that carries an export template (every generated space).</summary>
internal interface IExportable
{
    NetworkTemplate? ExportTemplate { get; }

    IReadOnlyList<ISearchSpace> NestedSpaces { get; }
}
