using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json;

namespace NasGen;

/// <summary>What kind of choice a <see cref="Dimension"/> comes from.</summary>
public enum ChoiceKind
{
    /// <summary>A typed constant (<c>[Choice]</c>).</summary>
    Value,
    /// <summary>A candidate operation (<c>[LayerChoice]</c>).</summary>
    Layer,
    /// <summary>k of n incoming tensors (<c>[InputChoice]</c>).</summary>
    Input,
    /// <summary>A number of blocks (<c>[Repeat]</c>).</summary>
    Repeat,
}

/// <summary>One candidate of a dimension: its typed value and its canonical text.</summary>
public sealed class Candidate
{
    internal Candidate(object value, string token, Action<Utf8JsonWriter> writeJson, Func<JsonElement, bool> matchesJson)
    {
        Value = value;
        Token = token;
        WriteJson = writeJson;
        MatchesJson = matchesJson;
    }

    /// <summary>The typed value (an int, double, string, enum member, <see cref="ChosenInputs"/>, depth ...).</summary>
    public object Value { get; }

    /// <summary>Canonical text used in architecture strings: <c>32</c>, <c>0.25</c>, <c>"relu"</c>, <c>Conv3x3</c>, <c>[0,2]</c>.</summary>
    public string Token { get; }

    internal Action<Utf8JsonWriter> WriteJson { get; }

    internal Func<JsonElement, bool> MatchesJson { get; }

    /// <inheritdoc />
    public override string ToString() => Token;
}

/// <summary>
/// One categorical dimension of a search space: a choice with a stable label and its candidates, in order.
/// A space's architectures are exactly the tuples of candidate indices over its dimensions (nested spaces
/// contribute their dimensions with their label as a dotted prefix).
/// </summary>
public sealed class Dimension
{
    private Dimension(string label, ChoiceKind kind, Candidate[] candidates)
    {
        Label = label;
        Kind = kind;
        Candidates = candidates;
    }

    /// <summary>The stable key, dotted for nested spaces (<c>head.units</c>).</summary>
    public string Label { get; }

    /// <summary>The kind of choice.</summary>
    public ChoiceKind Kind { get; }

    /// <summary>The candidates in declaration order; a candidate's position is its code.</summary>
    public IReadOnlyList<Candidate> Candidates { get; }

    /// <summary>Number of candidates.</summary>
    public int Count => Candidates.Count;

    /// <summary>The same dimension under <c>prefix.label</c>, for a space nested under <paramref name="prefix"/>.</summary>
    public Dimension WithPrefix(string prefix) => new(prefix + "." + Label, Kind, (Candidate[])Candidates);

    /// <summary>The position of the candidate whose token is <paramref name="token"/>, or -1.</summary>
    public int IndexOfToken(string token)
    {
        for (int i = 0; i < Candidates.Count; i++)
            if (Candidates[i].Token == token) return i;
        return -1;
    }

    /// <summary>The candidates' tokens, comma-separated, for messages.</summary>
    public string DescribeCandidates() => string.Join(", ", Candidates.Select(c => c.Token));

    /// <inheritdoc />
    public override string ToString() => $"{Label} ∈ {{{DescribeCandidates()}}}";

    // ---- Factories used by generated code --------------------------------------------------------------

    /// <summary>A value choice over integers.</summary>
    public static Dimension Of(string label, int[] values) =>
        Create(label, ChoiceKind.Value, values, v => v.ToString(CultureInfo.InvariantCulture),
            (w, v) => w.WriteNumberValue(v), (e, v) => e.ValueKind == JsonValueKind.Number && e.TryGetInt64(out long x) && x == v);

    /// <summary>A value choice over longs.</summary>
    public static Dimension Of(string label, long[] values) =>
        Create(label, ChoiceKind.Value, values, v => v.ToString(CultureInfo.InvariantCulture),
            (w, v) => w.WriteNumberValue(v), (e, v) => e.ValueKind == JsonValueKind.Number && e.TryGetInt64(out long x) && x == v);

    /// <summary>A value choice over floats.</summary>
    public static Dimension Of(string label, float[] values) =>
        Create(label, ChoiceKind.Value, values, v => v.ToString("R", CultureInfo.InvariantCulture),
            (w, v) => w.WriteNumberValue(v), (e, v) => e.ValueKind == JsonValueKind.Number && e.TryGetSingle(out float x) && x.Equals(v));

    /// <summary>A value choice over doubles.</summary>
    public static Dimension Of(string label, double[] values) =>
        Create(label, ChoiceKind.Value, values, v => v.ToString("R", CultureInfo.InvariantCulture),
            (w, v) => w.WriteNumberValue(v), (e, v) => e.ValueKind == JsonValueKind.Number && e.TryGetDouble(out double x) && x.Equals(v));

    /// <summary>A value choice over booleans.</summary>
    public static Dimension Of(string label, bool[] values) =>
        Create(label, ChoiceKind.Value, values, v => v ? "true" : "false",
            (w, v) => w.WriteBooleanValue(v), (e, v) => e.ValueKind == (v ? JsonValueKind.True : JsonValueKind.False));

    /// <summary>A value choice over strings (quoted in architecture strings).</summary>
    public static Dimension Of(string label, string[] values) =>
        Create(label, ChoiceKind.Value, values, v => JsonSerializer.Serialize(v),
            (w, v) => w.WriteStringValue(v), (e, v) => e.ValueKind == JsonValueKind.String && e.GetString() == v);

    /// <summary>An enum value choice or a layer choice: candidates named by <paramref name="names"/>.</summary>
    public static Dimension OfNamed<T>(string label, ChoiceKind kind, T[] values, string[] names) where T : notnull
    {
        if (names.Length != values.Length) throw new ArgumentException("One name per value is required.", nameof(names));
        var candidates = new Candidate[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            string name = names[i];
            candidates[i] = new Candidate(values[i], name, w => w.WriteStringValue(name),
                e => e.ValueKind == JsonValueKind.String && e.GetString() == name);
        }
        return new Dimension(label, kind, candidates);
    }

    /// <summary>An input choice over every selection in <paramref name="all"/> (see <see cref="ChosenInputs.All"/>).</summary>
    public static Dimension Inputs(string label, ChosenInputs[] all) =>
        Create(label, ChoiceKind.Input, all, v => v.ToString(),
            (w, v) =>
            {
                w.WriteStartArray();
                foreach (int i in v.ToArray()) w.WriteNumberValue(i);
                w.WriteEndArray();
            },
            (e, v) =>
            {
                if (e.ValueKind != JsonValueKind.Array) return false;
                ulong mask = 0;
                foreach (var item in e.EnumerateArray())
                {
                    if (!item.TryGetInt32(out int i) || i < 0 || i >= 64) return false;
                    mask |= 1UL << i;
                }
                return mask == v.Mask && e.GetArrayLength() == v.Count;
            });

    /// <summary>A repeat: between <paramref name="min"/> and <paramref name="max"/> blocks.</summary>
    public static Dimension Depth(string label, int min, int max) =>
        Create(label, ChoiceKind.Repeat, Enumerable.Range(min, max - min + 1).ToArray(), v => v.ToString(CultureInfo.InvariantCulture),
            (w, v) => w.WriteNumberValue(v), (e, v) => e.ValueKind == JsonValueKind.Number && e.TryGetInt32(out int x) && x == v);

    private static Dimension Create<T>(string label, ChoiceKind kind, T[] values, Func<T, string> token,
        Action<Utf8JsonWriter, T> write, Func<JsonElement, T, bool> matches) where T : notnull
    {
        var candidates = new Candidate[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            T value = values[i];
            candidates[i] = new Candidate(value, token(value), w => write(w, value), e => matches(e, value));
        }
        return new Dimension(label, kind, candidates);
    }
}
