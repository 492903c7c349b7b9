namespace NasGen;

/// <summary>
/// The bounds of a <c>[Range]</c> dimension: <see cref="Min"/> to <see cref="Max"/> (both included), stepped by
/// <see cref="Step"/> (0: continuous), modelled in log space when <see cref="Log"/>. Strategies read it to treat
/// the dimension as ordered: samples are (log-)uniform, mutations perturb, encodings normalise to [0, 1].
/// </summary>
public sealed class NumericRange
{
    /// <summary>Creates a range; the generator has checked the arguments, a hand-written space is checked here.</summary>
    public NumericRange(double min, double max, double step, bool log)
    {
        if (!double.IsFinite(min) || !double.IsFinite(max) || !(min < max))
            throw new ArgumentException($"A range needs finite bounds with min < max; got [{Format(min)}, {Format(max)}].");
        if (!double.IsFinite(step) || step < 0)
            throw new ArgumentException($"A range's step must be 0 (continuous) or positive; got {Format(step)}.", nameof(step));
        if (log && min <= 0)
            throw new ArgumentException($"A log range needs positive bounds; got [{Format(min)}, {Format(max)}].", nameof(log));
        Min = min;
        Max = max;
        Step = step;
        Log = log;
        if (step > 0)
        {
            double count = Json.RangeValues.Count(min, max, step);
            if (count > int.MaxValue)
                throw new ArgumentException($"The range [{Format(min)}, {Format(max)}] by {Format(step)} has more than {int.MaxValue} values.", nameof(step));
            ValueCount = (int)count;
        }
    }

    /// <summary>The smallest value.</summary>
    public double Min { get; }

    /// <summary>The largest value (of a stepped range, the last step may stop below it).</summary>
    public double Max { get; }

    /// <summary>The distance between values; 0 when continuous.</summary>
    public double Step { get; }

    /// <summary>Whether values are sampled and modelled in log space.</summary>
    public bool Log { get; }

    /// <summary>Whether the range takes every value between its bounds (no step).</summary>
    public bool IsContinuous => Step == 0;

    /// <summary>How many values a stepped range has (0 when continuous).</summary>
    public int ValueCount { get; }

    /// <summary>
    /// The stepped range's value number <paramref name="index"/>: <c>min + index·step</c> rounded to 15 significant
    /// digits, so that <c>[Range(0, 0.5, Step = 0.1)]</c> has 0.3 and not 0.30000000000000004.
    /// </summary>
    public double ValueAt(int index)
    {
        if ((uint)index >= (uint)ValueCount) throw new ArgumentOutOfRangeException(nameof(index));
        return Json.RangeValues.At(Min, Step, index);
    }

    /// <summary>Whether <paramref name="value"/> lies within the bounds (NaN does not).</summary>
    public bool Contains(double value) => value >= Min && value <= Max;

    /// <summary>Where a value sits in the range, from 0 (min) to 1 (max), measured in log space when <see cref="Log"/>.</summary>
    public double Normalise(double value)
    {
        double u = Log ? (Math.Log(value) - Math.Log(Min)) / (Math.Log(Max) - Math.Log(Min)) : (value - Min) / (Max - Min);
        return Math.Clamp(u, 0, 1);
    }

    /// <summary>The value at position <paramref name="u"/> in [0, 1] (log space when <see cref="Log"/>), clamped to the bounds.</summary>
    public double Denormalise(double u)
    {
        u = Math.Clamp(u, 0, 1);
        double value = Log ? Math.Exp(Math.Log(Min) + u * (Math.Log(Max) - Math.Log(Min))) : Min + u * (Max - Min);
        return Math.Clamp(value, Min, Max);
    }

    /// <summary>The stepped value nearest to position <paramref name="u"/> in [0, 1] (its index).</summary>
    public int NearestIndex(double u)
    {
        double index = Math.Round((Denormalise(u) - Min) / Step);
        return (int)Math.Clamp(index, 0, ValueCount - 1);
    }

    /// <summary>
    /// Where a perturbed value lands: <paramref name="u"/> moved by <paramref name="delta"/> in normalised space,
    /// reflected at 0 and 1 (so a value near a bound is not stuck on it, and the bounds are not over-sampled).
    /// </summary>
    public static double Reflect(double u, double delta)
    {
        double moved = u + delta;
        // Reflection is periodic with period 2; fold into [0, 2) then mirror the upper half.
        moved %= 2;
        if (moved < 0) moved += 2;
        return moved > 1 ? 2 - moved : moved;
    }

    /// <summary>The range as the attribute would declare it: <c>[1E-05, 0.1] log</c>, <c>[0, 0.5] step 0.1</c>.</summary>
    public override string ToString() => Json.RangeValues.Describe(Min, Max, Step, Log);

    private static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
