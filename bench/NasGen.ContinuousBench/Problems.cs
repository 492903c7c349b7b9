using System;

namespace NasGen.ContinuousBench;

/// <summary>
/// Branin (Dixon and Szegő 1978) on [−5, 10] × [0, 15]: three global minima of 5/(4π) ≈ 0.397887, at (−π, 12.275),
/// (π, 2.275) and (9.42478, 2.475).
/// </summary>
[SearchSpace(Name = "branin")]
public sealed partial class Branin
{
    /// <summary>First coordinate.</summary>
    [Range(-5, 10)] public partial double X1 { get; }

    /// <summary>Second coordinate.</summary>
    [Range(0, 15)] public partial double X2 { get; }

    /// <summary>The global minimum, 5/(4π).</summary>
    public const double Minimum = 0.397887357729738;

    /// <summary>The function at <paramref name="a"/>.</summary>
    public static double Value(Architecture a) => Functions.Branin(a.X1, a.X2);
}

/// <summary>
/// Hartmann-6 (Dixon and Szegő 1978) on [0, 1]^6: global minimum −3.32237 at
/// (0.20169, 0.150011, 0.476874, 0.275332, 0.311652, 0.6573).
/// </summary>
[SearchSpace(Name = "hartmann6")]
public sealed partial class Hartmann6
{
    /// <summary>Coordinate 1.</summary>
    [Range(0, 1)] public partial double X1 { get; }

    /// <summary>Coordinate 2.</summary>
    [Range(0, 1)] public partial double X2 { get; }

    /// <summary>Coordinate 3.</summary>
    [Range(0, 1)] public partial double X3 { get; }

    /// <summary>Coordinate 4.</summary>
    [Range(0, 1)] public partial double X4 { get; }

    /// <summary>Coordinate 5.</summary>
    [Range(0, 1)] public partial double X5 { get; }

    /// <summary>Coordinate 6.</summary>
    [Range(0, 1)] public partial double X6 { get; }

    /// <summary>The global minimum (the function at the published minimiser, to the digits printed).</summary>
    public const double Minimum = -3.32236801141551;

    /// <summary>The function at <paramref name="a"/>.</summary>
    public static double Value(Architecture a) => Functions.Hartmann6(a.X1, a.X2, a.X3, a.X4, a.X5, a.X6);
}

/// <summary>
/// Hartmann-6 with coordinates 4 and 5 stepped (the integers 0…10, divided by 10) and a categorical variant that
/// shifts the value: <c>a</c> adds 0, <c>b</c> 0.5, <c>c</c> 1. Its minimum, −3.298152 at
/// (0.203595, 0.149824, 0.472848, 3/10, 3/10, 0.657988) with variant <c>a</c>, was found by coordinate search from
/// 20 starts for each of the 121 integer pairs, then confirmed by 200,000 random perturbations that found nothing lower.
/// </summary>
[SearchSpace(Name = "hartmann6-mixed")]
public sealed partial class Hartmann6Mixed
{
    /// <summary>Coordinate 1.</summary>
    [Range(0, 1)] public partial double X1 { get; }

    /// <summary>Coordinate 2.</summary>
    [Range(0, 1)] public partial double X2 { get; }

    /// <summary>Coordinate 3.</summary>
    [Range(0, 1)] public partial double X3 { get; }

    /// <summary>Coordinate 4 × 10.</summary>
    [Range(0, 10)] public partial int K4 { get; }

    /// <summary>Coordinate 5 × 10.</summary>
    [Range(0, 10)] public partial int K5 { get; }

    /// <summary>Coordinate 6.</summary>
    [Range(0, 1)] public partial double X6 { get; }

    /// <summary>The variant: adds 0 (<c>a</c>), 0.5 (<c>b</c>) or 1 (<c>c</c>).</summary>
    [Choice("a", "b", "c")] public partial string Variant { get; }

    /// <summary>The minimum over the mixed space.</summary>
    public const double Minimum = -3.29815205226923;

    /// <summary>The function at <paramref name="a"/>.</summary>
    public static double Value(Architecture a) =>
        Functions.Hartmann6(a.X1, a.X2, a.X3, a.K4 / 10.0, a.K5 / 10.0, a.X6) + a.Variant switch
        {
            "a" => 0,
            "b" => 0.5,
            "c" => 1,
            _ => throw new ArgumentOutOfRangeException(nameof(a), a.Variant, "Unknown variant."),
        };
}

/// <summary>The test functions' formulas.</summary>
public static class Functions
{
    /// <summary>Branin: (x2 − 5.1/(4π²)·x1² + 5/π·x1 − 6)² + 10·(1 − 1/(8π))·cos x1 + 10.</summary>
    public static double Branin(double x1, double x2)
    {
        const double b = 5.1 / (4 * Math.PI * Math.PI), c = 5 / Math.PI, t = 1 / (8 * Math.PI);
        double inner = x2 - b * x1 * x1 + c * x1 - 6;
        return inner * inner + 10 * (1 - t) * Math.Cos(x1) + 10;
    }

    private static readonly double[] Alpha = [1.0, 1.2, 3.0, 3.2];

    private static readonly double[,] A =
    {
        { 10, 3, 17, 3.5, 1.7, 8 },
        { 0.05, 10, 17, 0.1, 8, 14 },
        { 3, 3.5, 1.7, 10, 17, 8 },
        { 17, 8, 0.05, 10, 0.1, 14 },
    };

    private static readonly double[,] P =
    {
        { 1312, 1696, 5569, 124, 8283, 5886 },
        { 2329, 4135, 8307, 3736, 1004, 9991 },
        { 2348, 1451, 3522, 2883, 3047, 6650 },
        { 4047, 8828, 8732, 5743, 1091, 381 },
    };

    /// <summary>Hartmann-6: −Σᵢ αᵢ exp(−Σⱼ Aᵢⱼ (xⱼ − Pᵢⱼ·10⁻⁴)²).</summary>
    public static double Hartmann6(double x1, double x2, double x3, double x4, double x5, double x6)
    {
        ReadOnlySpan<double> x = [x1, x2, x3, x4, x5, x6];
        double total = 0;
        for (int i = 0; i < 4; i++)
        {
            double inner = 0;
            for (int j = 0; j < 6; j++)
            {
                double d = x[j] - P[i, j] * 1e-4;
                inner += A[i, j] * d * d;
            }
            total += Alpha[i] * Math.Exp(-inner);
        }
        return -total;
    }
}
