namespace NasGen.Strategies;

/// <summary>
/// Maximises an acquisition function over architectures, as <see cref="BayesianOptimization{TArchitecture}"/> and
/// <see cref="ExpectedHypervolumeImprovement{TArchitecture}"/> do: hill climbs over neighbours from the best observed
/// architectures and from random ones, memoised and within a budget of evaluations, keeping the best candidate not
/// proposed yet. On a space with continuous ranges the neighbours move a range by fixed fractions only, so the best
/// ends of the climbs are then refined by a compass search over the ranges' normalised positions (Kolda, Lewis and
/// Torczon 2003, "Optimization by direct search"): try ±h on each range, keep an improvement, halve h when none.
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

        var numeric = Enumerable.Range(0, space.Dimensions.Count).Where(d => space.Dimensions[d].IsContinuous).ToArray();
        var ends = new List<(TArchitecture Architecture, double Value)>();
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
            ends.Add((current, currentValue));
        }
        if (numeric.Length > 0)
        {
            // The refinement has its own budget, half the climbs' (a compass search costs up to 2 evaluations per
            // range for each of its ~7 step sizes, plus the moves that improve).
            int limit = values.Count + options.MaxAcquisitionEvaluations / 2;
            var codes = new int[space.Dimensions.Count];
            var numbers = new double[space.Dimensions.Count];
            foreach (var (end, value) in ends.OrderByDescending(e => e.Value).Take(RefinedClimbs))
            {
                var current = end;
                double currentValue = value;
                for (double step = InitialCompassStep; step >= FinalCompassStep && values.Count < limit;)
                {
                    bool improved = false;
                    foreach (int d in numeric)
                    {
                        foreach (double delta in (ReadOnlySpan<double>)[step, -step])
                        {
                            if (MoveRange(space, current, d, delta, codes, numbers) is not { } moved) continue;
                            double movedValue = Evaluate(moved, currentValue);
                            if (movedValue <= currentValue) continue;
                            current = moved;
                            currentValue = movedValue;
                            improved = true;
                            break;
                        }
                    }
                    if (!improved) step /= 2;
                }
            }
        }
        return best ?? proposals.SampleUnproposed(random);
    }

    /// <summary>How many climb ends the compass search refines.</summary>
    private const int RefinedClimbs = 3;

    /// <summary>The compass search's first and smallest steps, in normalised position (a 1/1000 of a range is below any training noise worth modelling).</summary>
    private const double InitialCompassStep = 0.1, FinalCompassStep = 1e-3;

    /// <summary>The architecture with range <paramref name="dimension"/> moved by <paramref name="delta"/> in normalised position (clipped to the bounds), or null when it does not move or breaks a constraint.</summary>
    private static TArchitecture? MoveRange<TArchitecture>(ISearchSpace<TArchitecture> space, TArchitecture architecture, int dimension, double delta, int[] codes, double[] numbers)
        where TArchitecture : struct, IEquatable<TArchitecture>
    {
        var range = space.Dimensions[dimension].Range!;
        space.Encode(architecture, codes);
        space.EncodeNumbers(architecture, numbers);
        double position = range.Normalise(numbers[dimension]);
        double moved = Math.Clamp(position + delta, 0, 1);
        if (moved == position) return null;
        numbers[dimension] = range.Denormalise(moved);
        var result = space.Decode(codes, numbers);
        return !result.Equals(architecture) && space.IsAllowed(result) ? result : null;
    }
}
