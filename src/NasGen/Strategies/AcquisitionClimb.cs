using System;
using System.Collections.Generic;
using System.Linq;

namespace NasGen.Strategies;

/// <summary>
/// Maximises an acquisition function over architectures, as <see cref="BayesianOptimization{TArchitecture}"/> and
/// <see cref="ExpectedHypervolumeImprovement{TArchitecture}"/> do: hill climbs over neighbours from the best observed
/// architectures and from random ones, memoised and within a budget of evaluations, keeping the best candidate not
/// proposed yet.
/// </summary>
internal static class AcquisitionClimb
{
    /// <summary>
    /// The best unproposed architecture found, or a random unproposed one when every candidate was proposed before.
    /// <paramref name="acquisition"/> gets a threshold: when the value cannot exceed it, it may return an upper bound
    /// no larger than the threshold with <c>Exact = false</c> (not memoised, not counted).
    /// </summary>
    public static TArchitecture? Maximize<TArchitecture>(ISearchSpace<TArchitecture> space, ProposalLog<TArchitecture> proposals, Random random,
        BayesianOptimizationOptions options, IReadOnlyList<TArchitecture> observed, IReadOnlyList<double> observedScore,
        Func<TArchitecture, double, (double Value, bool Exact)> acquisition)
        where TArchitecture : struct, IEquatable<TArchitecture>
    {
        var values = new Dictionary<TArchitecture, double>();
        double bestValue = double.NegativeInfinity;
        TArchitecture? best = null;
        bool Exhausted() => values.Count >= options.MaxAcquisitionEvaluations;

        double Evaluate(TArchitecture architecture, double threshold)
        {
            if (values.TryGetValue(architecture, out double known)) return known;
            var (value, exact) = acquisition(architecture, Math.Min(threshold, bestValue));
            if (!exact) return value;
            values[architecture] = value;
            if (value > bestValue && !proposals.Contains(architecture))
            {
                bestValue = value;
                best = architecture;
            }
            return value;
        }

        // Starts: the best observed architectures (stable order on ties), then random ones.
        var starts = Enumerable.Range(0, observed.Count)
            .OrderByDescending(i => observedScore[i])
            .Take(options.BestStarts)
            .Select(i => observed[i])
            .ToList();
        for (int i = 0; i < options.RandomStarts; i++) starts.Add(space.Sample(random));

        foreach (var start in starts)
        {
            var current = start;
            double currentValue = Evaluate(current, double.NegativeInfinity);
            for (int step = 0; step < options.ClimbSteps && !Exhausted(); step++)
            {
                var bestNeighbour = current;
                double bestNeighbourValue = currentValue;
                foreach (var neighbour in space.Neighbours(current))
                {
                    double value = Evaluate(neighbour, bestNeighbourValue);
                    if (value > bestNeighbourValue)
                    {
                        bestNeighbour = neighbour;
                        bestNeighbourValue = value;
                    }
                    if (Exhausted()) break;
                }
                if (bestNeighbourValue <= currentValue) break;
                current = bestNeighbour;
                currentValue = bestNeighbourValue;
            }
        }
        return best ?? proposals.SampleUnproposed(random);
    }
}
