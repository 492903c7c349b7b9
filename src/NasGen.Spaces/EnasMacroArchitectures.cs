using Op = NasGen.Spaces.EnasMacroFinal.LayersChoice;
using Connection = NasGen.Spaces.EnasMacroFinal.SkipsChoice;

namespace NasGen.Spaces;

/// <summary>
/// The macro architecture published with ENAS (Pham et al., ICML 2018, figure 7; the authors' code trains it with
/// <c>scripts/cifar10_macro_final.sh</c>, <c>child_num_layers=24</c>, <c>child_out_filters=96</c>), and the
/// conversion from ENAS's <c>fixed_arc</c> strings.
/// </summary>
public static class EnasMacroArchitectures
{
    /// <summary>The published architecture's <c>fixed_arc</c>, one line per layer as in the authors' script.</summary>
    public static string PublishedFixedArc { get; } = """
        0
        3 0
        0 1 0
        2 0 0 1
        2 0 0 0 0
        3 1 1 0 1 0
        2 0 0 0 0 0 1
        2 0 1 1 0 1 1 1
        1 0 1 1 1 0 1 0 1
        0 0 0 0 0 0 0 0 0 0
        2 0 0 0 0 0 1 0 0 0 0
        0 1 0 0 1 1 0 0 0 0 1 1
        2 0 1 0 0 0 0 0 1 0 1 1 0
        1 0 0 1 0 0 0 1 1 1 0 1 0 1
        0 1 1 0 1 0 1 0 0 0 0 0 1 0 0
        2 0 0 1 0 0 0 0 0 0 0 1 0 1 0 1
        2 0 1 0 0 0 1 0 0 1 1 1 1 0 0 1 0
        2 0 0 0 0 1 0 1 0 1 0 0 1 0 1 0 0 1
        3 0 1 1 0 1 0 0 0 0 0 1 0 1 0 1 0 0 0
        3 0 1 1 0 0 0 0 0 0 0 0 0 1 1 0 0 0 0 1
        0 1 0 0 1 0 1 1 0 0 0 1 0 0 0 0 0 1 1 0 0
        3 0 1 0 1 1 0 0 1 0 1 1 0 1 1 0 1 0 0 1 0 0
        0 1 0 1 0 1 0 0 0 0 0 0 0 0 1 0 1 0 0 1 0 0 0
        0 1 1 0 0 0 1 1 1 0 1 0 0 0 1 0 1 0 0 1 1 0 0 0
        """;

    /// <summary>
    /// The published macro network (ENAS's 4.23 % CIFAR-10 test error): 24 layers, no pooling operation, 98 skip
    /// connections; 30,947,424 parameters at 96 channels (docs/spaces/enas.md compares them with the paper).
    /// </summary>
    public static EnasMacroFinal.Architecture Published { get; } = FromFixedArc(PublishedFixedArc);

    /// <summary>
    /// An architecture from ENAS's macro <c>fixed_arc</c>: per layer i (0-based), its operation (0–5: 3×3
    /// convolution, 3×3 separable, 5×5 convolution, 5×5 separable, average pooling, max pooling) followed by i
    /// skip bits, bit j connecting output j (the stem for j = 0, else layer j − 1); whitespace separates numbers.
    /// </summary>
    /// <exception cref="ArgumentException">Not 24 operations and 276 bits, or a number out of range.</exception>
    public static EnasMacroFinal.Architecture FromFixedArc(string fixedArc)
    {
        ArgumentNullException.ThrowIfNull(fixedArc);
        string[] tokens = fixedArc.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        const int expected = EnasMacroFinal.LayerCount + EnasMacroFinal.SkipCount;
        if (tokens.Length != expected)
            throw new ArgumentException($"A {EnasMacroFinal.LayerCount}-layer fixed_arc has {expected} numbers (an operation and i skip bits for layer i); {tokens.Length} were given.", nameof(fixedArc));
        int[] numbers = tokens.Select(token => int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out int n) ? n : -1).ToArray();
        var ops = new Op[EnasMacroFinal.LayerCount];
        var skips = new Connection[EnasMacroFinal.SkipCount];
        int next = 0;
        for (int layer = 0; layer < EnasMacroFinal.LayerCount; layer++)
        {
            ops[layer] = numbers[next] is >= 0 and <= 5 ? (Op)numbers[next] : throw OutOfRange(next, "an operation 0–5");
            next++;
            for (int from = 0; from < layer; from++, next++)
                skips[EnasMacroFinal.SkipPosition(layer, from)] = numbers[next] switch
                {
                    0 => Connection.NoSkip,
                    1 => Connection.Skip,
                    _ => throw OutOfRange(next, "a skip bit 0 or 1"),
                };
        }
        return new EnasMacroFinal.Architecture(new LayerChoices<Op>(ops), new LayerChoices<Connection>(skips));

        ArgumentException OutOfRange(int index, string what) =>
            new($"Number {index} of the fixed_arc, '{tokens[index]}', is not {what}.", nameof(fixedArc));
    }
}
