using System;

namespace NasGen.Strategies;

/// <summary>
/// TPE's kernel on a continuous range, in the range's normalised position (log-transformed where <c>Log</c>): a normal
/// truncated to [0, 1]. The prior is the same kernel at 0.5 with σ = 1 (nearly flat), as in Optuna's Parzen
/// estimator; the observations' bandwidth follows Optuna's multivariate rule (Scott's, scaled: 0.2·n^(−1/(D+4))) and is
/// clipped below at 1/min(100, n + 1) of the range (Optuna's "magic clip", Bergstra et al. 2013).
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
        return Math.Clamp(scott, 1.0 / Math.Min(100, n + 1), 1.0);
    }

    /// <summary>log of the truncated normal's density at <paramref name="x"/> in [0, 1].</summary>
    public static double LogDensity(double x, double center, double sigma)
    {
        // NormalCdf lives on the generic BayesianOptimization; any architecture type reaches it.
        double z = (x - center) / sigma;
        double mass = BayesianOptimization<int>.NormalCdf((1 - center) / sigma) - BayesianOptimization<int>.NormalCdf(-center / sigma);
        return -0.5 * z * z - Math.Log(sigma * Math.Sqrt(2 * Math.PI) * Math.Max(mass, 1e-300));
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
