namespace NasGen.Strategies;

/// <summary>
/// TPE's kernel on a continuous range, in the range's normalised position (log-transformed where <c>Log</c>): a normal
/// truncated to [0, 1]. The prior is the same kernel at 0.5 with σ = 1 (nearly flat), as in Optuna's Parzen
/// estimator. The observations' bandwidth is Optuna's: in the multivariate sampler Scott's rule scaled, 0.2·n^(−1/(D+4));
/// in the univariate one each kernel as wide as the larger gap to its sorted neighbours (the prior's center among them;
/// Bergstra et al. 2011); both clipped below at 1/min(100, n + 2) of the range (Optuna's "magic clip": 1 + the number of kernels, the
/// prior's included).
/// </summary>
internal static class NumericParzen
{
    /// <summary>The prior component's center and spread.</summary>
    public const double PriorCenter = 0.5, PriorSigma = 1.0;

    /// <summary>The observations' kernel width for <paramref name="observations"/> points in a <paramref name="dimensions"/>-dimensional model.</summary>
    public static double Bandwidth(int observations, int dimensions)
    {
        int n = Math.Max(observations, 1);
        double scott = 0.2 * Math.Pow(n, -1.0 / (dimensions + 4));
        return Math.Clamp(scott, MagicClip(observations), 1.0);
    }

    /// <summary>The narrowest kernel for <paramref name="observations"/> points: 1/min(100, 1 + n + 1), Optuna's count of the n + 1 kernels with the prior.</summary>
    private static double MagicClip(int observations) => 1.0 / Math.Min(100, observations + 2);

    /// <summary>The univariate sampler's kernel widths: per observation, the larger distance to its sorted neighbours (the prior's center included).</summary>
    public static double[] NeighbourBandwidths(double[] positions)
    {
        int n = positions.Length;
        var sorted = positions.Append(PriorCenter).Select((x, i) => (X: x, Index: i)).OrderBy(p => p.X).ThenBy(p => p.Index).ToArray();
        var widths = new double[n];
        double floor = MagicClip(n);
        for (int k = 0; k < sorted.Length; k++)
        {
            if (sorted[k].Index == n) continue; // the prior keeps its own width
            double left = k > 0 ? sorted[k].X - sorted[k - 1].X : 0;
            double right = k < sorted.Length - 1 ? sorted[k + 1].X - sorted[k].X : 0;
            widths[sorted[k].Index] = Math.Clamp(Math.Max(left, right), floor, 1.0);
        }
        return widths;
    }

    /// <summary>log of the truncated normal's density at <paramref name="x"/> in [0, 1].</summary>
    public static double LogDensity(double x, double center, double sigma)
    {
        double z = (x - center) / sigma;
        return -0.5 * z * z - LogNormaliser(center, sigma);
    }

    /// <summary>
    /// The part of <see cref="LogDensity"/> that does not depend on x: log(σ √(2π) · the mass in [0, 1]). A Parzen
    /// estimator computes it once per kernel, so that scoring a candidate costs no error function.
    /// </summary>
    public static double LogNormaliser(double center, double sigma)
    {
        // NormalCdf lives on the generic BayesianOptimization; any architecture type reaches it.
        double mass = BayesianOptimization<int>.NormalCdf((1 - center) / sigma) - BayesianOptimization<int>.NormalCdf(-center / sigma);
        return Math.Log(sigma * Math.Sqrt(2 * Math.PI) * Math.Max(mass, 1e-300));
    }

    /// <summary>A draw from the normal truncated to [0, 1] (by rejection; the center after many misses, which a kernel centred in [0, 1] makes rare).</summary>
    public static double Sample(Random random, double center, double sigma)
    {
        for (int attempt = 0; attempt < 100; attempt++)
        {
            double x = center + sigma * NumericMoves.Gaussian(random);
            if (x >= 0 && x <= 1) return x;
        }
        return Math.Clamp(center, 0, 1);
    }
}
