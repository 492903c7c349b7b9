namespace NasGen.Strategies;

/// <summary>
/// Pareto ranking for multi-objective strategies, on objective vectors that are all <b>maximised</b>:
/// non-dominated sorting and crowding distance (Deb, Pratap, Agarwal and Meyarivan, "A Fast and Elitist
/// Multiobjective Genetic Algorithm: NSGA-II", IEEE TEVC 2002) and exact two-objective hypervolume contributions
/// (Beume, Naujoks and Emmerich, "SMS-EMOA: Multiobjective selection based on dominated hypervolume", EJOR 2007).
/// </summary>
internal static class ParetoRanking
{
    /// <summary>Whether <paramref name="a"/> dominates <paramref name="b"/>: no worse in every objective, better in one (all maximised).</summary>
    public static bool Dominates(IReadOnlyList<double> a, IReadOnlyList<double> b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.Count != b.Count) throw new ArgumentException($"Objective vectors of lengths {a.Count} and {b.Count} cannot be compared.");
        bool better = false;
        for (int i = 0; i < a.Count; i++)
        {
            if (a[i] < b[i]) return false;
            if (a[i] > b[i]) better = true;
        }
        return better;
    }

    /// <summary>
    /// The non-domination rank of every point: 0 for the points nothing dominates, 1 for those only rank-0 points
    /// dominate, and so on (Deb et al.'s fast non-dominated sort, O(m n²)). Equal points share a rank.
    /// </summary>
    public static int[] NonDominatedRanks(IReadOnlyList<IReadOnlyList<double>> points)
    {
        ArgumentNullException.ThrowIfNull(points);
        int n = points.Count;
        var dominatedBy = new int[n];                // how many points dominate i
        var dominates = new List<int>[n];            // the points i dominates
        for (int i = 0; i < n; i++) dominates[i] = new List<int>();
        for (int i = 0; i < n; i++)
        {
            for (int j = i + 1; j < n; j++)
            {
                if (Dominates(points[i], points[j])) { dominates[i].Add(j); dominatedBy[j]++; }
                else if (Dominates(points[j], points[i])) { dominates[j].Add(i); dominatedBy[i]++; }
            }
        }
        var ranks = new int[n];
        var current = new List<int>();
        for (int i = 0; i < n; i++) if (dominatedBy[i] == 0) current.Add(i);
        for (int rank = 0; current.Count > 0; rank++)
        {
            var next = new List<int>();
            foreach (int i in current)
            {
                ranks[i] = rank;
                foreach (int j in dominates[i])
                    if (--dominatedBy[j] == 0) next.Add(j);
            }
            current = next;
        }
        return ranks;
    }

    /// <summary>
    /// NSGA-II's crowding distance of each of <paramref name="members"/> (indices into <paramref name="points"/>,
    /// usually one front): the sum over objectives of the gap between its two neighbours along that objective,
    /// divided by the objective's range. The extremes of each objective get +∞. Ties keep the order of <paramref name="members"/>.
    /// </summary>
    public static double[] CrowdingDistances(IReadOnlyList<IReadOnlyList<double>> points, IReadOnlyList<int> members)
    {
        ArgumentNullException.ThrowIfNull(points);
        ArgumentNullException.ThrowIfNull(members);
        int n = members.Count;
        var distance = new double[n];
        if (n == 0) return distance;
        int objectives = points[members[0]].Count;
        var order = new int[n];
        for (int m = 0; m < objectives; m++)
        {
            for (int i = 0; i < n; i++) order[i] = i;
            Array.Sort(order, (x, y) =>
            {
                int c = points[members[x]][m].CompareTo(points[members[y]][m]);
                return c != 0 ? c : x.CompareTo(y);
            });
            double low = points[members[order[0]]][m], high = points[members[order[n - 1]]][m];
            distance[order[0]] = double.PositiveInfinity;
            distance[order[n - 1]] = double.PositiveInfinity;
            if (!(high > low)) continue;
            for (int k = 1; k < n - 1; k++)
                distance[order[k]] += (points[members[order[k + 1]]][m] - points[members[order[k - 1]]][m]) / (high - low);
        }
        return distance;
    }

    /// <summary>
    /// The exclusive hypervolume contribution of each of <paramref name="members"/> (indices into
    /// <paramref name="points"/> of two-objective points that do not dominate each other): the area only that point
    /// dominates, bounded below by <paramref name="reference"/>. With a reference of −∞ in an objective, the point
    /// best in the other objective contributes +∞ (SMS-EMOA keeps the extremes). Equal points contribute 0.
    /// </summary>
    public static double[] HypervolumeContributions2D(IReadOnlyList<IReadOnlyList<double>> points, IReadOnlyList<int> members, IReadOnlyList<double> reference)
    {
        ArgumentNullException.ThrowIfNull(points);
        ArgumentNullException.ThrowIfNull(members);
        ArgumentNullException.ThrowIfNull(reference);
        if (reference.Count != 2) throw new ArgumentException("Hypervolume contributions are computed for two objectives.", nameof(reference));
        int n = members.Count;
        var order = new int[n];
        for (int i = 0; i < n; i++)
        {
            if (points[members[i]].Count != 2) throw new ArgumentException("Every point needs two objective values.", nameof(points));
            order[i] = i;
        }
        // Along the first objective ascending, a mutually non-dominated set has the second descending.
        Array.Sort(order, (x, y) =>
        {
            int c = points[members[x]][0].CompareTo(points[members[y]][0]);
            return c != 0 ? c : points[members[y]][1].CompareTo(points[members[x]][1]);
        });
        var contribution = new double[n];
        for (int k = 0; k < n; k++)
        {
            var p = points[members[order[k]]];
            double left = k > 0 ? points[members[order[k - 1]]][0] : reference[0];
            double below = k + 1 < n ? points[members[order[k + 1]]][1] : reference[1];
            double width = p[0] - left, height = p[1] - below;
            contribution[order[k]] = width > 0 && height > 0 ? width * height : 0;
        }
        return contribution;
    }

    /// <summary>
    /// The worst observed value of each objective (all maximised) moved out by <paramref name="margin"/> of its observed
    /// range, or by 1 where every observation is equal: the reference point of a hypervolume, or the loosest bound worth
    /// drawing, when nothing about the problem is known in advance.
    /// </summary>
    public static double[] ObservedReference(IReadOnlyList<IReadOnlyList<double>> points, double margin)
    {
        ArgumentNullException.ThrowIfNull(points);
        if (points.Count == 0) throw new ArgumentException("At least one point is required.", nameof(points));
        int m = points[0].Count;
        var reference = new double[m];
        for (int j = 0; j < m; j++)
        {
            double low = points.Min(p => p[j]), high = points.Max(p => p[j]);
            reference[j] = low - (high > low ? margin * (high - low) : 1);
        }
        return reference;
    }

    /// <summary>The indices of the points of rank 0 (nothing dominates them), in input order.</summary>
    public static List<int> NonDominated(IReadOnlyList<IReadOnlyList<double>> points)
    {
        var ranks = NonDominatedRanks(points);
        var front = new List<int>();
        for (int i = 0; i < ranks.Length; i++) if (ranks[i] == 0) front.Add(i);
        return front;
    }
}
