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
/// O(n·k) steps and allocate nothing, however many selections there are (up to int.MaxValue, since a
/// selection's position is a candidate code).
/// </summary>
public sealed class InputSelections : IReadOnlyList<ChosenInputs>
{
    /// <summary>The selections of <paramref name="chosen"/> of <paramref name="inputs"/> inputs.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Not 1 ≤ chosen ≤ inputs ≤ 64, or more than int.MaxValue selections.</exception>
    public InputSelections(int inputs, int chosen)
    {
        if (inputs is < 1 or > 64) throw new ArgumentOutOfRangeException(nameof(inputs), inputs, "An input choice offers between 1 and 64 inputs.");
        if (chosen < 1 || chosen > inputs) throw new ArgumentOutOfRangeException(nameof(chosen), chosen, $"An input choice chooses between 1 and {inputs} inputs.");
        ulong count = Export.InputSubsets.Count(inputs, chosen);
        if (count > Export.InputSubsets.MaxCount)
            throw new ArgumentOutOfRangeException(nameof(chosen), chosen,
                $"Choosing {chosen} of {inputs} inputs gives {count} selections, more than the {Export.InputSubsets.MaxCount} an input choice may have (NASG035).");
        Inputs = inputs;
        Chosen = chosen;
        Count = (int)count;
    }

    /// <summary>How many inputs are offered.</summary>
    public int Inputs { get; }

    /// <summary>How many are selected.</summary>
    public int Chosen { get; }

    /// <summary>C(inputs, chosen).</summary>
    public int Count { get; }

    /// <summary>The selection at <paramref name="index"/>.</summary>
    public ChosenInputs this[int index] =>
        (uint)index < (uint)Count ? new ChosenInputs(Inputs, Export.InputSubsets.Unrank(Inputs, Chosen, index))
            : throw new ArgumentOutOfRangeException(nameof(index), index, $"Selection indices are in 0..{Count - 1}.");

    /// <summary>The position of <paramref name="selection"/>, or -1 when it is not a selection of this many inputs.</summary>
    public int IndexOf(ChosenInputs selection) =>
        selection.Candidates == Inputs && selection.Count == Chosen ? (int)Export.InputSubsets.Rank(selection.Mask) : -1;

    /// <inheritdoc />
    public IEnumerator<ChosenInputs> GetEnumerator()
    {
        for (int i = 0; i < Count; i++) yield return this[i];
    }

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}
