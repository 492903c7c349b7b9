using System;
using System.Collections.Generic;
using System.Linq;
using NasGen.Storage;

namespace NasGen.Dashboard;

/// <summary>
/// The sums behind <see cref="Analysis.Importance"/>, kept up to date trial by trial: a changed trial is removed and
/// added again, so a live update costs the choices of the changed trials, never a pass over the experiment. Per choice
/// and value it keeps the count and the fitness sum; the result needs only those (the marginal means) and the totals.
/// Fitness is summed relative to the first value seen, so the variance does not lose digits to a large common offset.
/// A trial without a choice counts under the value "" for it, as a trial whose choice is "".
/// </summary>
internal sealed class ImportanceAccumulator
{
    private readonly Dictionary<string, Dictionary<string, (int Count, double Sum)>> _groups = new(StringComparer.Ordinal);
    private double? _offset;
    private int _count;
    private double _sum, _sumOfSquares;

    public void Add(ExperimentState.Entry entry) => Add(entry.Record, entry.Choices);

    public void Remove(ExperimentState.Entry entry) => Update(entry.Record, entry.Choices, -1);

    public void Add(TrialRecord trial, IReadOnlyDictionary<string, string> choices) => Update(trial, choices, +1);

    private void Update(TrialRecord trial, IReadOnlyDictionary<string, string> choices, int sign)
    {
        if (!Analysis.IsEvaluated(trial)) return;
        _offset ??= trial.Fitness!.Value;
        double d = trial.Fitness!.Value - _offset.Value;
        _count += sign;
        _sum += sign * d;
        _sumOfSquares += sign * d * d;
        foreach (var (name, value) in choices)
        {
            if (!_groups.TryGetValue(name, out var values)) _groups[name] = values = new(StringComparer.Ordinal);
            var (count, sum) = values.GetValueOrDefault(value);
            if (count + sign == 0) values.Remove(value);
            else values[value] = (count + sign, sum + sign * d);
            if (values.Count == 0) _groups.Remove(name);
        }
    }

    /// <summary>Every choice's importance, most important first.</summary>
    public IReadOnlyList<ChoiceImportance> Result()
    {
        if (_count == 0) return Array.Empty<ChoiceImportance>();
        double mean = _sum / _count;
        double meanSquare = _sumOfSquares / _count;
        double total = meanSquare - mean * mean;
        if (total <= 1e-12 * meanSquare) total = 0; // rounding left by removed trials, not variance
        var result = new List<ChoiceImportance>(_groups.Count);
        foreach (var (name, groups) in _groups)
        {
            var values = new Dictionary<string, (int Count, double Sum)>(groups, StringComparer.Ordinal);
            int missing = _count - groups.Values.Sum(g => g.Count);
            if (missing > 0)
            {
                var (count, sum) = values.GetValueOrDefault("");
                values[""] = (count + missing, sum + _sum - groups.Values.Sum(g => g.Sum));
            }
            var marginal = values.OrderBy(v => v.Key, StringComparer.Ordinal)
                .Select(v => new ChoiceValue(v.Key, v.Value.Count, _offset!.Value + v.Value.Sum / v.Value.Count)).ToArray();
            double between = values.Values.Sum(v => v.Count * Math.Pow(v.Sum / v.Count - mean, 2)) / _count;
            result.Add(new ChoiceImportance(name, total > 0 ? Math.Min(1, between / total) : 0, marginal));
        }
        return result.OrderByDescending(c => c.Importance).ThenBy(c => c.Choice, StringComparer.Ordinal).ToArray();
    }
}
