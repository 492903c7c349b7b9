// Shared by NasGen.Generators (a stepped [Range]'s candidates, [FixedArchitecture] files at build time) and NasGen
// (NumericRange at run time): both sides must list the same values, bit for bit, and name a range the same way.
// Keep it netstandard2.0 and dependency-free.

namespace NasGen.Json;

/// <summary>The values of a stepped range: <c>min + k·step</c> for k = 0, 1, … while they stay within <c>max</c>.</summary>
internal static class RangeValues
{
    /// <summary>How many values the range has (double.PositiveInfinity-safe: callers check the size first).</summary>
    public static double Count(double min, double max, double step) =>
        // The tolerance keeps a step that divides the range in decimal (0.5 by 0.1) from losing its last value to rounding.
        Math.Floor((max - min) / step * (1 + 1e-12)) + 1;

    /// <summary>Value number <paramref name="index"/>, rounded to 15 significant digits: 0.3 rather than 0.30000000000000004.</summary>
    public static double At(double min, double step, int index) =>
        double.Parse((min + index * step).ToString("G15", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);

    /// <summary>A range as messages and fingerprints name it: <c>[1E-05, 0.1] log</c>, <c>[0, 0.5] step 0.1</c>.</summary>
    public static string Describe(double min, double max, double step, bool log) =>
        $"[{Format(min)}, {Format(max)}]" + (step > 0 ? " step " + Format(step) : "") + (log ? " log" : "");

    private static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
