namespace NasGen.OneShot;

/// <summary>A supernet path as an architecture value: one code per choice of a <see cref="SupernetContext"/>.</summary>
public readonly struct SupernetPath : IEquatable<SupernetPath>
{
    private readonly int[] _codes;

    /// <summary>Wraps a copy of <paramref name="codes"/>.</summary>
    public SupernetPath(ReadOnlySpan<int> codes) => _codes = codes.ToArray();

    /// <summary>The codes.</summary>
    public IReadOnlyList<int> Codes => _codes ?? [];

    /// <inheritdoc />
    public bool Equals(SupernetPath other) => Codes.SequenceEqual(other.Codes);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is SupernetPath other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (int code in Codes) hash.Add(code);
        return hash.ToHashCode();
    }

    /// <inheritdoc />
    public override string ToString() => "[" + string.Join(",", Codes) + "]";
}

/// <summary>
/// The paths of a supernet as a search space (one dimension per registered choice), so the multi-trial strategies —
/// regularized evolution for SPOS, the REINFORCE controller for ENAS — can search them.
/// </summary>
internal sealed class PathSpace : SearchSpace<SupernetPath>
{
    private readonly SupernetContext _context;

    /// <summary>The space of <paramref name="context"/>'s paths (register every choice first).</summary>
    public PathSpace(SupernetContext context)
        : base("supernet-paths", (context ?? throw new ArgumentNullException(nameof(context))).PathDimensions(), hasConstraints: false)
    {
        if (context.Choices.Count == 0) throw new ArgumentException("The context has no registered choice.", nameof(context));
        _context = context;
    }

    /// <inheritdoc />
    public override void EncodeCore(in SupernetPath architecture, Span<int> codes)
    {
        var values = architecture.Codes;
        for (int i = 0; i < codes.Length; i++) codes[i] = i < values.Count ? values[i] : -1;
    }

    /// <inheritdoc />
    public override SupernetPath Decode(ReadOnlySpan<int> codes) => new(codes);

    /// <inheritdoc />
    public override string DescribeValue(in SupernetPath architecture, int dimension) =>
        dimension < architecture.Codes.Count ? _context.Choices[dimension].Token(architecture.Codes[dimension]) : "(missing)";
}
