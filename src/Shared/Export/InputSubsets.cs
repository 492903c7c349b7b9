// Shared by NasGen.Generators and NasGen: the numbering of an input choice's selections, computed instead of listed.
// Keep it netstandard2.0 and dependency-free.

namespace NasGen.Export;

/// <summary>
/// The selections of <c>k</c> of <c>n</c> inputs (n ≤ 64) numbered in increasing order of their bit masks
/// (colexicographic order), by the combinatorial number system: the selection <c>c₁ &lt; … &lt; c_k</c> has the
/// rank <c>Σ C(cᵢ, i)</c> (Knuth, TAOCP 4A, §7.2.1.3, eq. 60). Ranking and unranking take O(n·k) steps, so no
/// operation lists the selections.
/// </summary>
internal static class InputSubsets
{
    /// <summary>
    /// The most selections an int candidate code can number. A choice with more is wide: its selection travels beside
    /// the codes (NasGen.InputSelections.IsWide).
    /// </summary>
    public const long MaxCodedCount = int.MaxValue;

    /// <summary>Above this many selections, fingerprints name the choice by n and k instead of listing every selection.</summary>
    public const int MaxListedInFingerprint = 4096;

    // C(n, k) for n ≤ 64 fits an unsigned long (the largest, C(64, 32), is about 1.8 × 10^18).
    private static readonly ulong[,] Binomials = CreateBinomials();

    private static ulong[,] CreateBinomials()
    {
        var table = new ulong[65, 65];
        for (int n = 0; n <= 64; n++)
        {
            table[n, 0] = 1;
            for (int k = 1; k <= n; k++) table[n, k] = table[n - 1, k - 1] + (k <= n - 1 ? table[n - 1, k] : 0);
        }
        return table;
    }

    /// <summary>C(n, k); 0 outside 0 ≤ k ≤ n ≤ 64.</summary>
    public static ulong Count(int n, int k) => n is >= 0 and <= 64 && k >= 0 && k <= n ? Binomials[n, k] : 0;

    /// <summary>The rank of the selection with bit mask <paramref name="mask"/>.</summary>
    public static long Rank(ulong mask)
    {
        ulong rank = 0;
        int i = 0;
        for (int bit = 0; bit < 64; bit++)
            if ((mask & (1UL << bit)) != 0) rank += Count(bit, ++i);
        return (long)rank;
    }

    /// <summary>The bit mask of the selection of <paramref name="k"/> of <paramref name="n"/> inputs with rank <paramref name="rank"/>.</summary>
    public static ulong Unrank(int n, int k, long rank)
    {
        if (rank < 0 || (ulong)rank >= Count(n, k)) throw new ArgumentOutOfRangeException(nameof(rank), rank, $"There are {Count(n, k)} selections of {k} of {n} inputs.");
        ulong mask = 0;
        ulong left = (ulong)rank;
        int c = n - 1;
        for (int i = k; i >= 1; i--)
        {
            // The largest c with C(c, i) ≤ what is left is the i-th smallest selected input.
            while (Count(c, i) > left) c--;
            mask |= 1UL << c;
            left -= Count(c, i);
            c--;
        }
        return mask;
    }

    /// <summary>The selected indices of <paramref name="mask"/>, ascending, as the token <c>[0,2]</c>.</summary>
    public static string Token(ulong mask)
    {
        var text = new System.Text.StringBuilder("[");
        for (int bit = 0; bit < 64; bit++)
        {
            if ((mask & (1UL << bit)) == 0) continue;
            if (text.Length > 1) text.Append(',');
            text.Append(bit.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        return text.Append(']').ToString();
    }

    /// <summary>The mask a token <c>[0,2]</c> of <paramref name="n"/> inputs names, or null when it names none (or repeats an index).</summary>
    public static ulong? ParseToken(string token, int n)
    {
        if (token.Length < 2 || token[0] != '[' || token[token.Length - 1] != ']') return null;
        ulong mask = 0;
        string body = token.Substring(1, token.Length - 2);
        if (body.Length == 0) return 0;
        foreach (string part in body.Split(','))
        {
            if (!int.TryParse(part, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int index)
                || index >= n || (mask & (1UL << index)) != 0) return null;
            mask |= 1UL << index;
        }
        return mask;
    }

    /// <summary>
    /// The mask a token <c>[0,2]</c> names when it selects exactly <paramref name="k"/> of <paramref name="n"/> inputs;
    /// null otherwise (a wrong number of inputs, an index of n or more, a repeated index).
    /// </summary>
    public static ulong? ParseSelection(string token, int n, int k) => ParseToken(token, n) is ulong mask && PopCount(mask) == k ? mask : null;

    /// <summary>Whether <paramref name="mask"/> selects exactly <paramref name="k"/> of the inputs 0..n−1.</summary>
    public static bool IsSelection(ulong mask, int n, int k) => PopCount(mask) == k && (n >= 64 || mask >> n == 0);

    /// <summary>What a wide choice accepts, for messages: <c>any 32 of the inputs 0..63</c>.</summary>
    public static string Describe(int n, int k) => $"any {k} of the inputs 0..{n - 1}";

    /// <summary>
    /// A wide choice's selection as the numbers vector carries it: the 64 bits of its mask as a double
    /// (NasGen.InputSelections.ToNumber), copied, never computed with.
    /// </summary>
    public static double ToNumber(ulong mask) => BitConverter.Int64BitsToDouble(unchecked((long)mask));

    /// <summary>
    /// The number that carries the selection a token <c>[0,2]</c> names (<see cref="ToNumber"/>), or null when it names no
    /// selection of <paramref name="k"/> of <paramref name="n"/> inputs: how both architecture readers read a wide choice.
    /// </summary>
    public static double? SelectionNumber(string token, int n, int k) => ParseSelection(token, n, k) is ulong mask ? ToNumber(mask) : null;

    /// <summary>The mask <see cref="ToNumber"/> wrote.</summary>
    public static ulong FromNumber(double number) => unchecked((ulong)BitConverter.DoubleToInt64Bits(number));

    /// <summary>The bits set in <paramref name="mask"/>.</summary>
    public static int PopCount(ulong mask)
    {
        int count = 0;
        for (; mask != 0; mask &= mask - 1) count++;
        return count;
    }
}
