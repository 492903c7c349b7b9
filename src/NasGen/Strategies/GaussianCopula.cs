namespace NasGen.Strategies;

/// <summary>
/// The Gaussian copula transform of a sample: each value is replaced by the standard normal quantile of its rank,
/// Φ⁻¹((rank + ½) / n), ties sharing their mean rank (Salinas, Shen and Perrone, "A quantile-based approach for
/// hyperparameter transfer learning", ICML 2020). It keeps the order of the values and nothing else, so a Gaussian
/// process fitted to the scores is not dominated by a long tail: in architecture search, the few networks that fail
/// to learn (10 % accuracy next to 85 %) would otherwise set the scale and the length-scales for all the others.
/// </summary>
internal static class GaussianCopula
{
    /// <summary>The normal scores of <paramref name="values"/>, in their order.</summary>
    public static double[] Scores(IReadOnlyList<double> values)
    {
        int n = values.Count;
        var order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        Array.Sort(order, (a, b) => values[a].CompareTo(values[b]));
        var scores = new double[n];
        for (int start = 0; start < n;)
        {
            int end = start + 1;
            while (end < n && values[order[end]] == values[order[start]]) end++;
            double meanRank = (start + end - 1) / 2.0; // ties share it
            double score = InverseNormalCdf((meanRank + 0.5) / n);
            for (int k = start; k < end; k++) scores[order[k]] = score;
            start = end;
        }
        return scores;
    }

    /// <summary>
    /// Φ⁻¹(p) for 0 &lt; p &lt; 1 by Acklam's rational approximation (relative error below 1.2e-9): a central
    /// rational function for 0.02425 ≤ p ≤ 0.97575 and one in √(−2 log p) for the tails.
    /// </summary>
    public static double InverseNormalCdf(double p)
    {
        if (!(p > 0 && p < 1)) throw new ArgumentOutOfRangeException(nameof(p), p, "A probability strictly between 0 and 1 is required.");
        const double Low = 0.02425;
        if (p < Low) return Tail(p);
        if (p > 1 - Low) return -Tail(1 - p);
        double q = p - 0.5, r = q * q;
        return (((((-3.969683028665376e+01 * r + 2.209460984245205e+02) * r - 2.759285104469687e+02) * r + 1.383577518672690e+02) * r - 3.066479806614716e+01) * r + 2.506628277459239e+00) * q
            / (((((-5.447609879822406e+01 * r + 1.615858368580409e+02) * r - 1.556989798598866e+02) * r + 6.680131188771972e+01) * r - 1.328068155288572e+01) * r + 1);

        static double Tail(double p)
        {
            double q = Math.Sqrt(-2 * Math.Log(p));
            return (((((-7.784894002430293e-03 * q - 3.223964580411365e-01) * q - 2.400758277161838e+00) * q - 2.549732539343734e+00) * q + 4.374664141464968e+00) * q + 2.938163982698783e+00)
                / ((((7.784695709041462e-03 * q + 3.224671290700398e-01) * q + 2.445134137142996e+00) * q + 3.754408661907416e+00) * q + 1);
        }
    }
}
