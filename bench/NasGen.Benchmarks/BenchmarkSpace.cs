using System;
using NasGen;

namespace NasGen.Benchmarks;

/// <summary>An architecture of <see cref="BenchmarkSpace"/>: ten choices of six candidates, three bits each.</summary>
public readonly record struct PackedArchitecture(long Bits);

/// <summary>
/// A benchmark space big enough that no strategy exhausts it during a run: 10 dimensions × 6 candidates
/// (6¹⁰ ≈ 6 × 10⁷ architectures), no constraints, 50 neighbours per architecture.
/// </summary>
public sealed class BenchmarkSpace : SearchSpace<PackedArchitecture>
{
    private const int DimensionCount = 10;
    private const int Candidates = 6;

    private BenchmarkSpace()
        : base("BenchmarkSpace", CreateDimensions(), hasConstraints: false)
    {
    }

    /// <summary>The one instance.</summary>
    public static BenchmarkSpace Instance { get; } = new();

    /// <inheritdoc />
    public override void EncodeCore(in PackedArchitecture architecture, Span<int> codes)
    {
        for (int d = 0; d < DimensionCount; d++)
        {
            int code = (int)((architecture.Bits >> (3 * d)) & 7);
            codes[d] = code < Candidates ? code : -1;
        }
    }

    /// <inheritdoc />
    public override PackedArchitecture Decode(ReadOnlySpan<int> codes)
    {
        long bits = 0;
        for (int d = 0; d < DimensionCount; d++) bits |= (long)codes[d] << (3 * d);
        return new PackedArchitecture(bits);
    }

    /// <inheritdoc />
    public override string DescribeValue(in PackedArchitecture architecture, int dimension) =>
        ((architecture.Bits >> (3 * dimension)) & 7).ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>A synthetic fitness: each dimension prefers one candidate, with a pairwise interaction; lower at low fidelity.</summary>
    public double Fitness(in PackedArchitecture architecture, double fidelity = 1)
    {
        Span<int> codes = stackalloc int[DimensionCount];
        Encode(architecture, codes);
        double fitness = 0;
        for (int d = 0; d < DimensionCount; d++) fitness += 1.0 / (1 + Math.Abs(codes[d] - d % Candidates));
        if (codes[0] == codes[1]) fitness += 0.5;
        return fitness * (0.5 + 0.5 * fidelity);
    }

    private static Dimension[] CreateDimensions()
    {
        var dimensions = new Dimension[DimensionCount];
        for (int d = 0; d < DimensionCount; d++) dimensions[d] = Dimension.Of($"choice{d}", new[] { 0, 1, 2, 3, 4, 5 });
        return dimensions;
    }
}
