using System;
using System.Collections.Generic;
using System.Linq;

namespace NasGen.Bench201;

/// <summary>A point of a two-objective problem: <see cref="Fitness"/> is maximised, <see cref="Cost"/> minimised.</summary>
public readonly record struct FrontPoint(double Fitness, double Cost);

/// <summary>Two-objective Pareto fronts and their hypervolume (maximise fitness, minimise cost).</summary>
public static class Hypervolume
{
    /// <summary>The non-dominated points, sorted by cost (and so by fitness) ascending; duplicates are kept once.</summary>
    public static FrontPoint[] Front(IEnumerable<FrontPoint> points)
    {
        var sorted = points.Where(p => !double.IsNaN(p.Fitness) && !double.IsNaN(p.Cost))
            .OrderBy(p => p.Cost).ThenByDescending(p => p.Fitness).ToArray();
        var front = new List<FrontPoint>();
        foreach (var p in sorted)
            if (front.Count == 0 || p.Fitness > front[^1].Fitness) front.Add(p); // cheaper points came first: p survives only if fitter
        return front.ToArray();
    }

    /// <summary>The front's nadir: its worst fitness and its worst cost, the usual reference point.</summary>
    public static FrontPoint Nadir(IReadOnlyList<FrontPoint> front)
    {
        if (front.Count == 0) throw new ArgumentException("An empty front has no nadir.", nameof(front));
        return new FrontPoint(front.Min(p => p.Fitness), front.Max(p => p.Cost));
    }

    /// <summary>
    /// The area dominated by <paramref name="points"/> and bounded by <paramref name="reference"/> (points beyond the
    /// reference in either objective add nothing).
    /// </summary>
    public static double Of(IEnumerable<FrontPoint> points, FrontPoint reference)
    {
        var front = Front(points);
        double area = 0;
        for (int i = 0; i < front.Length; i++)
        {
            // Between this point's cost and the next one's, this point is the fittest available.
            double nextCost = i + 1 < front.Length ? Math.Min(front[i + 1].Cost, reference.Cost) : reference.Cost;
            double width = nextCost - front[i].Cost;
            double height = front[i].Fitness - reference.Fitness;
            if (width > 0 && height > 0) area += width * height;
        }
        return area;
    }
}
