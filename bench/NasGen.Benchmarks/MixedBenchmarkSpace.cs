using System;
using System.Globalization;
using System.Linq;
using NasGen;

namespace NasGen.Benchmarks;

/// <summary>An architecture of <see cref="MixedBenchmarkSpace"/>: five choice codes, three bits each, and five range values.</summary>
public readonly record struct MixedArchitecture(long Codes, double X0, double X1, double X2, double X3, double X4);

/// <summary>
/// A 10-dimension mixed space for the strategies' ask latency on ranges: five continuous ranges (three in log scale),
/// three categorical choices of six candidates and two stepped integer ranges (16–256 by 16, 1–8), no constraints.
/// </summary>
public sealed class MixedBenchmarkSpace : SearchSpace<MixedArchitecture>
{
    private const int Choices = 5;      // dimensions 0–4: three categorical, two stepped
    private const int Ranges = 5;       // dimensions 5–9: continuous

    private MixedBenchmarkSpace()
        : base("MixedBenchmarkSpace", CreateDimensions(), hasConstraints: false)
    {
    }

    /// <summary>The one instance.</summary>
    public static MixedBenchmarkSpace Instance { get; } = new();

    /// <inheritdoc />
    public override void EncodeCore(in MixedArchitecture architecture, Span<int> codes)
    {
        for (int d = 0; d < Choices; d++)
        {
            int code = (int)((architecture.Codes >> (5 * d)) & 31);
            codes[d] = code < Dimensions[d].Count ? code : -1;
        }
        for (int r = 0; r < Ranges; r++) codes[Choices + r] = Dimensions[Choices + r].Range!.Contains(Value(architecture, r)) ? 0 : -1;
    }

    /// <inheritdoc />
    public override MixedArchitecture Decode(ReadOnlySpan<int> codes)
    {
        Span<double> lower = stackalloc double[Choices + Ranges];
        for (int r = 0; r < Ranges; r++) lower[Choices + r] = Dimensions[Choices + r].Range!.Min;
        return Decode(codes, lower);
    }

    /// <inheritdoc />
    public override MixedArchitecture Decode(ReadOnlySpan<int> codes, ReadOnlySpan<double> numbers)
    {
        long packed = 0;
        for (int d = 0; d < Choices; d++) packed |= (long)codes[d] << (5 * d);
        return new MixedArchitecture(packed, numbers[5], numbers[6], numbers[7], numbers[8], numbers[9]);
    }

    /// <inheritdoc />
    public override void EncodeNumbers(in MixedArchitecture architecture, Span<double> numbers)
    {
        for (int r = 0; r < Ranges; r++) numbers[Choices + r] = Value(architecture, r);
    }

    /// <inheritdoc />
    public override string DescribeValue(in MixedArchitecture architecture, int dimension) => dimension < Choices
        ? ((architecture.Codes >> (5 * dimension)) & 31).ToString(CultureInfo.InvariantCulture)
        : Value(architecture, dimension - Choices).ToString("R", CultureInfo.InvariantCulture);

    /// <summary>A synthetic fitness: each range prefers a position, each choice a candidate, with one interaction.</summary>
    public double Fitness(in MixedArchitecture architecture)
    {
        var encoded = EncodeNormalised(architecture);
        double fitness = 0;
        for (int d = 0; d < encoded.Length; d++) fitness -= (encoded[d] - (d + 1) / 11.0) * (encoded[d] - (d + 1) / 11.0);
        if (encoded[0] == encoded[1]) fitness += 0.2;
        return fitness;
    }

    private static double Value(in MixedArchitecture architecture, int range) => range switch
    {
        0 => architecture.X0,
        1 => architecture.X1,
        2 => architecture.X2,
        3 => architecture.X3,
        _ => architecture.X4,
    };

    private static Dimension[] CreateDimensions()
    {
        var six = new[] { 0, 1, 2, 3, 4, 5 };
        var width = new NumericRange(16, 256, 16, log: false);
        var layers = new NumericRange(1, 8, 1, log: false);
        return
        [
            Dimension.Of("activation", six),
            Dimension.Of("norm", six),
            Dimension.Of("optimizer", six),
            Dimension.Of("width", Enumerable.Range(0, width.ValueCount).Select(i => (int)width.ValueAt(i)).ToArray()).WithRange(width),
            Dimension.Of("layers", Enumerable.Range(0, layers.ValueCount).Select(i => (int)layers.ValueAt(i)).ToArray()).WithRange(layers),
            Dimension.Continuous("learningRate", new NumericRange(1e-5, 1e-1, 0, log: true)),
            Dimension.Continuous("weightDecay", new NumericRange(1e-6, 1e-2, 0, log: true)),
            Dimension.Continuous("dropout", new NumericRange(0, 0.5, 0, log: false)),
            Dimension.Continuous("momentum", new NumericRange(0.5, 0.99, 0, log: false)),
            Dimension.Continuous("warmup", new NumericRange(1e-3, 1, 0, log: true)),
        ];
    }
}
