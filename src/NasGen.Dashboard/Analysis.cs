using System;
using System.Collections.Generic;
using System.Linq;
using NasGen.Experiments;
using NasGen.Storage;

namespace NasGen.Dashboard;

/// <summary>One value of a choice: how many completed trials had it and their mean fitness.</summary>
internal sealed record ChoiceValue(string Value, int Count, double Mean);

/// <summary>A choice's importance: the share of fitness variance its marginal means explain.</summary>
internal sealed record ChoiceImportance(string Choice, double Importance, IReadOnlyList<ChoiceValue> Values);

/// <summary>A trial on the Pareto chart.</summary>
internal sealed record ParetoPoint(int Number, double X, double Y, bool Front, string Canonical);

/// <summary>The Pareto chart of two objectives.</summary>
internal sealed record ParetoChart(IReadOnlyList<string> Objectives, IReadOnlyList<ParetoPoint> Points);

/// <summary>Computations over an experiment's trials that the page shows as charts.</summary>
internal static class Analysis
{
    /// <summary>Completed trials that were evaluated (not reused from an identical one) with a finite fitness.</summary>
    internal static IEnumerable<TrialRecord> Evaluated(IEnumerable<TrialRecord> trials) => trials.Where(IsEvaluated);

    /// <summary>Whether the trial was completed by evaluation (not reused from an identical one) with a finite fitness.</summary>
    internal static bool IsEvaluated(TrialRecord t) => t.Status == TrialStatus.Completed && t.ReusedFrom is null && t.Fitness is { } f && double.IsFinite(f);

    /// <summary>
    /// Per-choice importance as the main-effect variance of fANOVA (Hutter, Hoos and Leyton-Brown, ICML 2014), computed
    /// from the observed trials instead of a fitted model: for choice c with values v, the variance of the marginal
    /// means, Σ_v n_v (mean_v − mean)² / n, divided by the total fitness variance. 0 means the choice's values do not
    /// change the mean fitness; 1 means it alone explains every difference. Sorted by importance.
    /// </summary>
    internal static IReadOnlyList<ChoiceImportance> Importance(IEnumerable<TrialRecord> trials)
    {
        var importance = new ImportanceAccumulator();
        foreach (var t in trials) importance.Add(t, ExperimentState.Choices(t.ArchitectureJson));
        return importance.Result();
    }

    /// <summary>
    /// Parses objectives written <c>metric:max</c> / <c>metric:min</c> or as stored in the options
    /// (<c>Maximize fitness</c>); null when one cannot be read.
    /// </summary>
    internal static Objective? ParseObjective(string text)
    {
        string[] stored = text.Split(' ', 2);
        if (stored.Length == 2 && Enum.TryParse<ObjectiveDirection>(stored[0], ignoreCase: true, out var storedDirection))
            return new Objective(stored[1], storedDirection);
        int colon = text.LastIndexOf(':');
        if (colon <= 0) return null;
        return text[(colon + 1)..].ToLowerInvariant() switch
        {
            "max" => new Objective(text[..colon], ObjectiveDirection.Maximize),
            "min" => new Objective(text[..colon], ObjectiveDirection.Minimize),
            _ => null,
        };
    }

    /// <summary>
    /// Every evaluated trial with both objective values, marked when it is on the Pareto front
    /// (<see cref="ParetoFront.Compute"/>, the same front as <c>nasgen pareto</c>).
    /// </summary>
    internal static ParetoChart Pareto(IReadOnlyList<TrialRecord> trials, Objective x, Objective y)
    {
        var objectives = new[] { x, y };
        var points = trials.Where(t => t.Status == TrialStatus.Completed && t.ReusedFrom is null)
            .Select(t => (Trial: t, Values: Objective.ValuesOf(t, objectives)))
            .Where(p => p.Values.All(double.IsFinite)).ToArray();
        var front = FrontOfTwo(points.Select(p => (p.Trial.Number, Sign(x) * p.Values[0], Sign(y) * p.Values[1])).ToArray());
        return new ParetoChart(objectives.Select(o => $"{o.Metric}:{(o.Direction == ObjectiveDirection.Maximize ? "max" : "min")}").ToArray(),
            points.Select(p => new ParetoPoint(p.Trial.Number, p.Values[0], p.Values[1], front.Contains(p.Trial.Number), p.Trial.Canonical)).ToArray());
    }

    private static double Sign(Objective objective) => objective.Direction == ObjectiveDirection.Maximize ? 1 : -1;

    /// <summary>
    /// The numbers of the points no other point dominates, both values maximised: the same front as
    /// <see cref="ParetoFront.Compute"/> (equal points all kept) in O(n log n) instead of O(n²), by sweeping the
    /// points from the highest first value down.
    /// </summary>
    internal static HashSet<int> FrontOfTwo(IReadOnlyList<(int Number, double A, double B)> points)
    {
        var sorted = points.OrderByDescending(p => p.A).ToArray();
        var front = new HashSet<int>();
        double bestBefore = double.NegativeInfinity; // the highest B among points with a strictly higher A
        for (int start = 0; start < sorted.Length;)
        {
            int end = start;
            double groupBest = double.NegativeInfinity;
            for (; end < sorted.Length && sorted[end].A == sorted[start].A; end++) groupBest = Math.Max(groupBest, sorted[end].B);
            for (int i = start; i < end; i++)
                if (sorted[i].B == groupBest && sorted[i].B > bestBefore) front.Add(sorted[i].Number);
            bestBefore = Math.Max(bestBefore, groupBest);
            start = end;
        }
        return front;
    }
}
