using System.Numerics;

namespace NasGen;

/// <summary>
/// A search space seen without its architecture type: what stores, reports and tools need.
/// </summary>
public interface ISearchSpace
{
    /// <summary>The space's name.</summary>
    string Name { get; }

    /// <summary>The categorical dimensions, nested spaces flattened under dotted labels.</summary>
    IReadOnlyList<Dimension> Dimensions { get; }

    /// <summary>
    /// Number of architectures in the grid of all dimensions, exact. Constraints are not applied here:
    /// <see cref="SearchSpace{TArchitecture}.CountAllowed"/> counts the architectures they allow.
    /// </summary>
    /// <exception cref="NotSupportedException">The space is infinite (<see cref="IsFinite"/> is false).</exception>
    BigInteger Cardinality { get; }

    /// <summary>
    /// False when a dimension is a continuous range (a float or double <c>[Range]</c> without a step): such a space
    /// has no <see cref="Cardinality"/>, no grid indices and no enumeration, and grid search refuses it.
    /// </summary>
    bool IsFinite { get; }

    /// <summary>Whether the space has constraints (then some grid points are never proposed).</summary>
    bool HasConstraints { get; }

    /// <summary>Length of the one-hot encoding: the sum of the dimensions' candidate counts (int.MaxValue when longer).</summary>
    int OneHotLength { get; }

    /// <summary>
    /// A stable identity of the space's shape (labels and candidates), 16 hex digits. Stores use it to
    /// refuse trials recorded for another space.
    /// </summary>
    string Fingerprint { get; }
}

/// <summary>
/// A search space over typed architectures. Generated for every <c>[SearchSpace]</c> class as its
/// <c>Space</c> property; every operation is exact, seeded where random, and needs no reflection.
/// </summary>
public interface ISearchSpace<TArchitecture> : ISearchSpace where TArchitecture : struct, IEquatable<TArchitecture>
{
    /// <summary>Writes each dimension's candidate index (its categorical code); throws when the architecture is invalid.</summary>
    void Encode(in TArchitecture architecture, Span<int> codes);

    /// <summary>The architecture with these candidate indices.</summary>
    TArchitecture Decode(ReadOnlySpan<int> codes);

    /// <summary>
    /// The architecture with these candidate indices and, at continuous ranges, these values (one slot per dimension;
    /// other slots are ignored).
    /// </summary>
    TArchitecture Decode(ReadOnlySpan<int> codes, ReadOnlySpan<double> numbers);

    /// <summary>Writes each continuous range's value to its slot; other slots are left alone.</summary>
    void EncodeNumbers(in TArchitecture architecture, Span<double> numbers);

    /// <summary>Whether every value is a candidate and every constraint holds.</summary>
    bool IsAllowed(in TArchitecture architecture);

    /// <summary>Throws <see cref="ArgumentException"/> naming the label, the bad value and the candidates when invalid.</summary>
    void Validate(in TArchitecture architecture);

    /// <summary>All allowed architectures in index order, lazily, allocating nothing per architecture.</summary>
    ArchitectureEnumerable<TArchitecture> Enumerate();

    /// <summary>A uniformly random allowed architecture.</summary>
    TArchitecture Sample(Random random);

    /// <summary>Changes exactly <paramref name="choices"/> dimensions to other candidates (an allowed result).</summary>
    TArchitecture Mutate(in TArchitecture architecture, Random random, int choices = 1);

    /// <summary>Uniform crossover: each dimension's candidate comes from one parent or the other.</summary>
    TArchitecture Crossover(in TArchitecture first, in TArchitecture second, Random random);

    /// <summary>Every allowed architecture that differs from this one in exactly one dimension.</summary>
    IEnumerable<TArchitecture> Neighbours(TArchitecture architecture);

    /// <summary>The categorical encoding: one candidate index per dimension.</summary>
    int[] EncodeCategorical(in TArchitecture architecture);

    /// <summary>The one-hot encoding: per dimension, 1 at its candidate and 0 elsewhere, concatenated.</summary>
    float[] EncodeOneHot(in TArchitecture architecture);

    /// <summary>The architecture's position in the grid (mixed radix, last dimension fastest).</summary>
    BigInteger IndexOf(in TArchitecture architecture);

    /// <summary>The architecture at a grid position (it may break a constraint: see <see cref="IsAllowed"/>).</summary>
    TArchitecture FromIndex(BigInteger index);

    /// <summary>Canonical text: <c>label=token</c> pairs joined by <c>;</c>, in dimension order.</summary>
    string ToCanonicalString(in TArchitecture architecture);

    /// <summary>Parses canonical text; errors name the label, the bad value and the candidates.</summary>
    TArchitecture Parse(string text);

    /// <summary>JSON with nested objects for nested spaces.</summary>
    string ToJson(in TArchitecture architecture);

    /// <summary>Reads JSON written by <see cref="ToJson"/>; errors name the label, the bad value and the candidates.</summary>
    TArchitecture FromJson(string json);

    /// <summary>A 64-bit FNV-1a hash of the canonical string: the same in every process and on every machine.</summary>
    ulong StableHash(in TArchitecture architecture);
}
