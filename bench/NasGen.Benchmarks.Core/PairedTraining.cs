using System;
using System.Diagnostics;
using System.Linq;

namespace NasGen.Benchmarks.Core;

/// <summary>
/// A paired check of the training-step ratio for noisy shared machines: the two networks' steps alternate
/// (ABAB..., with the order swapped every pair), so load changes hit both alike; reports medians and the
/// median of per-pair ratios. Run with <c>-- paired-training [pairs]</c>.
/// </summary>
internal static class PairedTraining
{
    public static void Run(int pairs)
    {
        var bench = new TrainingStepBenchmarks();
        bench.Setup();
        for (int i = 0; i < 10; i++) { bench.HandWritten(); bench.Generated(); }

        var hand = new double[pairs];
        var generated = new double[pairs];
        for (int i = 0; i < pairs; i++)
        {
            if (i % 2 == 0)
            {
                hand[i] = Time(() => bench.HandWritten());
                generated[i] = Time(() => bench.Generated());
            }
            else
            {
                generated[i] = Time(() => bench.Generated());
                hand[i] = Time(() => bench.HandWritten());
            }
        }
        double Median(double[] x) { var s = x.OrderBy(v => v).ToArray(); return (s[(s.Length - 1) / 2] + s[s.Length / 2]) / 2; }
        var ratios = generated.Zip(hand, (g, h) => g / h).ToArray();
        Console.WriteLine($"pairs: {pairs}");
        Console.WriteLine($"hand-written step median: {Median(hand):F2} ms");
        Console.WriteLine($"generated step median:    {Median(generated):F2} ms");
        Console.WriteLine($"ratio of medians (generated / hand-written): {Median(generated) / Median(hand):F4}");
        Console.WriteLine($"median of per-pair ratios:                  {Median(ratios):F4}");
    }

    private static double Time(Func<float> step)
    {
        long start = Stopwatch.GetTimestamp();
        step();
        return Stopwatch.GetElapsedTime(start).TotalMilliseconds;
    }
}
