using System;
using BenchmarkDotNet.Attributes;

namespace NasGen.Benchmarks.Core;

/// <summary>Enumerates all 15,625 architectures of <see cref="Nb201Cell"/>; results are per architecture.</summary>
public class EnumerationBenchmarks
{
    public const int Architectures = 15_625;

    [GlobalSetup]
    public void Setup()
    {
        if (Nb201Cell.Space.Cardinality != Architectures)
            throw new InvalidOperationException($"Expected {Architectures} architectures, got {Nb201Cell.Space.Cardinality}.");
        int count = 0;
        foreach (var _ in Nb201Cell.Space.Enumerate()) count++;
        if (count != Architectures) throw new InvalidOperationException($"Enumerated {count} architectures.");
    }

    /// <summary>Each architecture is consumed (its six ops summed) so the loop cannot be removed.</summary>
    [Benchmark(OperationsPerInvoke = Architectures)]
    public int EnumerateNb201()
    {
        int sum = 0;
        foreach (var a in Nb201Cell.Space.Enumerate())
            sum += (int)a.Edge0 + (int)a.Edge1 + (int)a.Edge2 + (int)a.Edge3 + (int)a.Edge4 + (int)a.Edge5;
        return sum;
    }
}
