namespace NasGen.Experiments;

/// <summary>Pareto dominance and non-dominated fronts.</summary>
public static class ParetoFront
{
    /// <summary>
    /// Whether <paramref name="a"/> dominates <paramref name="b"/>: at least as good in every objective and strictly
    /// better in one.
    /// </summary>
    public static bool Dominates(IReadOnlyList<double> a, IReadOnlyList<double> b, IReadOnlyList<ObjectiveDirection> directions)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        ArgumentNullException.ThrowIfNull(directions);
        if (a.Count != directions.Count || b.Count != directions.Count)
            throw new ArgumentException($"Expected {directions.Count} objective values per point.");
        bool strictlyBetter = false;
        for (int i = 0; i < directions.Count; i++)
        {
            // Turn every objective into one to maximise.
            double x = directions[i] == ObjectiveDirection.Maximize ? a[i] : -a[i];
            double y = directions[i] == ObjectiveDirection.Maximize ? b[i] : -b[i];
            if (x < y) return false;
            if (x > y) strictlyBetter = true;
        }
        return strictlyBetter;
    }

    /// <summary>
    /// The items no other item dominates, in their input order. Items whose values contain NaN are left out; equal
    /// points are all kept.
    /// </summary>
    public static IReadOnlyList<TItem> Compute<TItem>(IEnumerable<TItem> items, Func<TItem, IReadOnlyList<double>> values,
        IReadOnlyList<ObjectiveDirection> directions)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(values);
        var points = items.Select(item => (Item: item, Values: values(item))).Where(p => !p.Values.Any(double.IsNaN)).ToList();
        var front = new List<TItem>();
        for (int i = 0; i < points.Count; i++)
        {
            bool dominated = false;
            for (int j = 0; j < points.Count && !dominated; j++)
                dominated = j != i && Dominates(points[j].Values, points[i].Values, directions);
            if (!dominated) front.Add(points[i].Item);
        }
        return front;
    }
}
