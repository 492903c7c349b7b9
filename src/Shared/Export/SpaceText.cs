// Shared by NasGen (SearchSpace: StableHash, Fingerprint) and NasGen.Generators / NasGen (the exporter's
// NetworkSourceRenderer, [FixedArchitecture]): both sides must produce the same bytes, so there is one implementation.
// Keep it netstandard2.0 and dependency-free.
using System.Text;

namespace NasGen.Export;

/// <summary>The text forms that identify a space and an architecture, and their hash.</summary>
internal static class SpaceText
{
    /// <summary>64-bit FNV-1a over the UTF-8 bytes of <paramref name="text"/>.</summary>
    public static ulong Fnv1a(string text)
    {
        ulong hash = 14695981039346656037UL;
        foreach (byte b in Encoding.UTF8.GetBytes(text))
        {
            hash ^= b;
            hash *= 1099511628211UL;
        }
        return hash;
    }

    /// <summary>Appends one <c>label=token</c> pair of a canonical architecture string (pairs are separated by ';').</summary>
    public static StringBuilder AppendAssignment(StringBuilder text, string label, string token)
    {
        if (text.Length > 0) text.Append(';');
        return text.Append(label).Append('=').Append(token);
    }
}

/// <summary>
/// A space's fingerprint: FNV-1a over one line per dimension (<c>label:Kind=tokens</c>), as hex. Two spaces with the same
/// fingerprint have the same labels, kinds and candidates in the same order, so an architecture's codes mean the same.
/// </summary>
internal sealed class FingerprintWriter
{
    private readonly StringBuilder _shape = new();

    /// <param name="label">The dimension's label (dotted for nested spaces).</param>
    /// <param name="kind">NasGen.ChoiceKind's name: Value, Layer, Input or Repeat.</param>
    /// <param name="count">How many candidates it has.</param>
    /// <param name="token">The canonical token of candidate <c>i</c>.</param>
    /// <param name="range">A continuous or stepped range's text, written before the tokens (null: none).</param>
    public void Add(string label, string kind, int count, Func<int, string> token, string? range = null)
    {
        _shape.Append(label).Append(':').Append(kind).Append('=');
        if (range is not null) _shape.Append(range).Append(' ');
        // A huge input choice is named by its size: listing it would take gigabytes.
        if (kind == "Input" && count > InputSubsets.MaxListedInFingerprint)
            _shape.Append(token(count - 1)).Append(" of ").Append(count.ToString(CultureInfo.InvariantCulture));
        else
            for (int i = 0; i < count; i++)
            {
                if (i > 0) _shape.Append('|');
                _shape.Append(token(i));
            }
        _shape.Append('\n');
    }

    /// <summary>The fingerprint: 16 lower-case hex digits.</summary>
    public override string ToString() => SpaceText.Fnv1a(_shape.ToString()).ToString("x16", CultureInfo.InvariantCulture);
}
