using System.Numerics;
using System.Text;

namespace NasGen;

/// <summary>
/// The inputs an input choice selected: a set of <see cref="Count"/> indices out of
/// <see cref="Candidates"/> (at most 64), stored as a bit mask. Immutable and allocation-free.
/// </summary>
public readonly struct ChosenInputs : IEquatable<ChosenInputs>
{
    /// <summary>Selects <paramref name="indices"/> out of <paramref name="candidates"/> inputs.</summary>
    public ChosenInputs(int candidates, params int[] indices)
    {
        if (candidates is < 1 or > 64)
            throw new ArgumentOutOfRangeException(nameof(candidates), candidates, "An input choice offers between 1 and 64 inputs.");
        ulong mask = 0;
        foreach (int index in indices)
        {
            if ((uint)index >= (uint)candidates)
                throw new ArgumentOutOfRangeException(nameof(indices), index, $"Input index must be in 0..{candidates - 1}.");
            mask |= 1UL << index;
        }
        Candidates = candidates;
        Mask = mask;
    }

    internal ChosenInputs(int candidates, ulong mask)
    {
        Candidates = candidates;
        Mask = mask;
    }

    /// <summary>How many inputs were offered.</summary>
    public int Candidates { get; }

    /// <summary>Bit <c>i</c> is set when input <c>i</c> is selected.</summary>
    public ulong Mask { get; }

    /// <summary>How many inputs are selected.</summary>
    public int Count => BitOperations.PopCount(Mask);

    /// <summary>Whether input <paramref name="index"/> is selected.</summary>
    public bool Contains(int index) => (uint)index < 64 && (Mask & (1UL << index)) != 0;

    /// <summary>The selected indices, ascending.</summary>
    public int[] ToArray()
    {
        var result = new int[Count];
        int n = 0;
        for (ulong m = Mask; m != 0; m &= m - 1)
            result[n++] = BitOperations.TrailingZeroCount(m);
        return result;
    }

    /// <summary>
    /// Every way to select <paramref name="chosen"/> of <paramref name="candidates"/> inputs, in ascending
    /// order of the mask (colexicographic order); the position in this list is the candidate index. Lists them all:
    /// <see cref="InputSelections"/> numbers them without listing.
    /// </summary>
    public static ChosenInputs[] All(int candidates, int chosen)
    {
        if (candidates is < 1 or > 64) throw new ArgumentOutOfRangeException(nameof(candidates));
        if (chosen < 1 || chosen > candidates) throw new ArgumentOutOfRangeException(nameof(chosen));
        var all = new List<ChosenInputs>();
        ulong mask = chosen == 64 ? ulong.MaxValue : (1UL << chosen) - 1;
        ulong limit = candidates == 64 ? ulong.MaxValue : (1UL << candidates) - 1;
        while (mask <= limit)
        {
            all.Add(new ChosenInputs(candidates, mask));
            // Gosper's hack: the next larger integer with the same number of set bits.
            ulong lowest = mask & (~mask + 1);
            ulong ripple = mask + lowest;
            if (ripple == 0) break; // the set bits reached bit 63: this was the last one
            mask = (((ripple ^ mask) >> 2) / lowest) | ripple;
        }
        return all.ToArray();
    }

    /// <summary>Canonical text: the selected indices, e.g. <c>[0,2]</c>.</summary>
    public override string ToString()
    {
        var text = new StringBuilder("[");
        bool first = true;
        for (ulong m = Mask; m != 0; m &= m - 1)
        {
            if (!first) text.Append(',');
            text.Append(BitOperations.TrailingZeroCount(m));
            first = false;
        }
        return text.Append(']').ToString();
    }

    /// <inheritdoc />
    public bool Equals(ChosenInputs other) => Candidates == other.Candidates && Mask == other.Mask;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is ChosenInputs other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Candidates, Mask);

    /// <summary>Equality.</summary>
    public static bool operator ==(ChosenInputs left, ChosenInputs right) => left.Equals(right);

    /// <summary>Inequality.</summary>
    public static bool operator !=(ChosenInputs left, ChosenInputs right) => !left.Equals(right);
}

/// <summary>
/// The selections of <see cref="Chosen"/> of <see cref="Inputs"/> inputs in the order of <see cref="ChosenInputs.All"/>,
/// computed on access (combinatorial number system) instead of listed: indexing and <see cref="IndexOf"/> take
/// O(n·k) steps and allocate nothing, however many selections there are. Up to int.MaxValue selections a selection's
/// position is its candidate code; above that the choice is wide (<see cref="IsWide"/>): its positions are longs
/// (<see cref="LongCount"/>, <see cref="LongIndexOf"/>, <see cref="ElementAt"/>) and its selection travels beside the
/// codes, in the numbers vector (docs/diagnostics/NASG035.md).
/// </summary>
public sealed class InputSelections : IReadOnlyList<ChosenInputs>
{
    private readonly ulong _validBits;

    /// <summary>The selections of <paramref name="chosen"/> of <paramref name="inputs"/> inputs.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Not 1 ≤ chosen ≤ inputs ≤ 64.</exception>
    public InputSelections(int inputs, int chosen)
    {
        if (inputs is < 1 or > 64) throw new ArgumentOutOfRangeException(nameof(inputs), inputs, "An input choice offers between 1 and 64 inputs.");
        if (chosen < 1 || chosen > inputs) throw new ArgumentOutOfRangeException(nameof(chosen), chosen, $"An input choice chooses between 1 and {inputs} inputs.");
        Inputs = inputs;
        Chosen = chosen;
        // C(64, k) < 2^63 for every k, so every count and position fits a long.
        LongCount = (long)Export.InputSubsets.Count(inputs, chosen);
        _validBits = inputs == 64 ? ulong.MaxValue : (1UL << inputs) - 1;
    }

    /// <summary>How many inputs are offered.</summary>
    public int Inputs { get; }

    /// <summary>How many are selected.</summary>
    public int Chosen { get; }

    /// <summary>C(inputs, chosen), exact for every choice.</summary>
    public long LongCount { get; }

    /// <summary>
    /// More selections than an int candidate code can number (C(64, 32) is about 1.8 × 10^18): the selection travels in
    /// the numbers vector (<see cref="ToNumber"/>) and <see cref="Count"/>, the int indexer and <see cref="IndexOf"/> refuse.
    /// </summary>
    public bool IsWide => LongCount > Export.InputSubsets.MaxCodedCount;

    /// <summary>C(inputs, chosen).</summary>
    /// <exception cref="NotSupportedException">The choice is wide: use <see cref="LongCount"/>.</exception>
    public int Count => IsWide ? throw Wide(nameof(LongCount)) : (int)LongCount;

    /// <summary>The selection at <paramref name="index"/>.</summary>
    /// <exception cref="NotSupportedException">The choice is wide: use <see cref="ElementAt"/>.</exception>
    public ChosenInputs this[int index] => IsWide ? throw Wide(nameof(ElementAt)) : ElementAt(index);

    /// <summary>The selection at <paramref name="index"/> (0 ≤ index &lt; <see cref="LongCount"/>).</summary>
    public ChosenInputs ElementAt(long index) =>
        (ulong)index < (ulong)LongCount ? new ChosenInputs(Inputs, Export.InputSubsets.Unrank(Inputs, Chosen, index))
            : throw new ArgumentOutOfRangeException(nameof(index), index, $"Selection indices are in 0..{LongCount - 1}.");

    /// <summary>The position of <paramref name="selection"/>, or -1 when it is not a selection of this many inputs.</summary>
    /// <exception cref="NotSupportedException">The choice is wide: use <see cref="LongIndexOf"/>.</exception>
    public int IndexOf(ChosenInputs selection) => IsWide ? throw Wide(nameof(LongIndexOf)) : (int)LongIndexOf(selection);

    /// <summary>The position of <paramref name="selection"/>, or -1 when it is not a selection of this many inputs.</summary>
    public long LongIndexOf(ChosenInputs selection) => Contains(selection) ? Export.InputSubsets.Rank(selection.Mask) : -1;

    /// <summary>Whether <paramref name="selection"/> selects <see cref="Chosen"/> of these <see cref="Inputs"/> inputs.</summary>
    public bool Contains(ChosenInputs selection) => selection.Candidates == Inputs && selection.Count == Chosen && (selection.Mask & ~_validBits) == 0;

    /// <summary>
    /// A wide choice's selection as it travels in the numbers vector: the 64 bits of its mask reinterpreted as a double
    /// (exact, as a continuous value travels there). Only copied, never computed with.
    /// </summary>
    [System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
    public static double ToNumber(ChosenInputs selection) => Export.InputSubsets.ToNumber(selection.Mask);

    /// <summary>The selection <see cref="ToNumber"/> wrote.</summary>
    /// <exception cref="ArgumentException">The number carries no selection of <see cref="Chosen"/> of these inputs.</exception>
    [System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
    public ChosenInputs FromNumber(double number)
    {
        var selection = new ChosenInputs(Inputs, Export.InputSubsets.FromNumber(number));
        return Contains(selection) ? selection
            : throw new ArgumentException($"The numbers slot holds the mask {selection.Mask:x16}, which is no selection of {Chosen} of {Inputs} inputs.", nameof(number));
    }

    /// <summary>The selection that swaps chosen input <paramref name="selected"/> for unchosen input <paramref name="other"/>.</summary>
    internal static ChosenInputs Swap(ChosenInputs selection, int selected, int other) =>
        new(selection.Candidates, selection.Mask & ~(1UL << selected) | (1UL << other));

    /// <summary>Every selection that swaps one chosen input for an unchosen one: k·(n−k) of them.</summary>
    internal IEnumerable<ChosenInputs> Swaps(ChosenInputs selection)
    {
        for (int selected = 0; selected < Inputs; selected++)
        {
            if (!selection.Contains(selected)) continue;
            for (int other = 0; other < Inputs; other++)
                if (!selection.Contains(other)) yield return Swap(selection, selected, other);
        }
    }

    /// <summary>A uniformly random selection that swaps one chosen input for an unchosen one (a mutation).</summary>
    internal ChosenInputs RandomSwap(ChosenInputs selection, Random random)
    {
        int selected = NthSet(selection.Mask, random.Next(Chosen));
        int other = NthSet(~selection.Mask & _validBits, random.Next(Inputs - Chosen));
        return Swap(selection, selected, other);
    }

    // The position of the n-th set bit of mask (n from 0).
    private static int NthSet(ulong mask, int n)
    {
        for (; n > 0; n--) mask &= mask - 1;
        return BitOperations.TrailingZeroCount(mask);
    }

    private NotSupportedException Wide(string instead) =>
        new($"Choosing {Chosen} of {Inputs} inputs gives {LongCount} selections, more than an int numbers; use {instead}.");

    /// <inheritdoc />
    public IEnumerator<ChosenInputs> GetEnumerator()
    {
        for (long i = 0; i < LongCount; i++) yield return ElementAt(i);
    }

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}
