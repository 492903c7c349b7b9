using System.Collections;

namespace NasGen;

/// <summary>
/// The choices of an indexed layer choice (<c>[LayerChoice(..., Count = n)]</c>): one candidate per position,
/// position <c>i</c> being the search-space dimension <c>{label}.{i}</c>. Immutable, with value equality, so
/// architectures that hold it stay equatable.
/// </summary>
/// <typeparam name="TCandidate">The generated enum of the choice's candidates (<c>BlocksChoice</c>).</typeparam>
public sealed class LayerChoices<TCandidate> : IReadOnlyList<TCandidate>, IEquatable<LayerChoices<TCandidate>>
    where TCandidate : struct, Enum
{
    private readonly TCandidate[] _choices;

    /// <summary>The candidate at each position, in order.</summary>
    public LayerChoices(params TCandidate[] choices)
    {
        ArgumentNullException.ThrowIfNull(choices);
        _choices = choices.ToArray();
    }

    /// <summary>The candidate at each position, in order.</summary>
    public LayerChoices(IEnumerable<TCandidate> choices)
    {
        ArgumentNullException.ThrowIfNull(choices);
        _choices = choices.ToArray();
    }

    /// <summary>The same candidate at every one of <paramref name="count"/> positions.</summary>
    public static LayerChoices<TCandidate> Repeat(TCandidate candidate, int count) =>
        new(Enumerable.Repeat(candidate, count));

    /// <summary>The number of positions.</summary>
    public int Count => _choices.Length;

    /// <summary>The candidate at <paramref name="position"/>.</summary>
    public TCandidate this[int position] => _choices[position];

    /// <summary>A copy with <paramref name="candidate"/> at <paramref name="position"/>.</summary>
    public LayerChoices<TCandidate> With(int position, TCandidate candidate)
    {
        if ((uint)position >= (uint)_choices.Length)
            throw new ArgumentOutOfRangeException(nameof(position), position, $"There are {_choices.Length} positions.");
        var copy = _choices.ToArray();
        copy[position] = candidate;
        return new LayerChoices<TCandidate>(copy);
    }

    /// <inheritdoc />
    public IEnumerator<TCandidate> GetEnumerator() => ((IEnumerable<TCandidate>)_choices).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <inheritdoc />
    public bool Equals(LayerChoices<TCandidate>? other) =>
        other is not null && _choices.AsSpan().SequenceEqual(other._choices);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as LayerChoices<TCandidate>);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var choice in _choices) hash.Add(choice);
        return hash.ToHashCode();
    }

    /// <summary>The candidates in brackets: <c>[Shuffle3x3, Xception, ...]</c>.</summary>
    public override string ToString() => "[" + string.Join(", ", _choices) + "]";

    /// <summary>Value equality.</summary>
    public static bool operator ==(LayerChoices<TCandidate>? left, LayerChoices<TCandidate>? right) =>
        left is null ? right is null : left.Equals(right);

    /// <summary>Value inequality.</summary>
    public static bool operator !=(LayerChoices<TCandidate>? left, LayerChoices<TCandidate>? right) => !(left == right);
}
