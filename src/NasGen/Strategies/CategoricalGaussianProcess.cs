using System;
using System.Collections.Generic;
using System.Numerics;

namespace NasGen.Strategies;

/// <summary>
/// A Gaussian process over architectures in their one-hot encoding, for Bayesian optimization. The kernel is
/// Matérn-5/2 in the Euclidean distance between one-hot encodings; that distance is √(2h) for h differing
/// dimensions, so the kernel is computed from categorical codes through a table indexed by h. Targets are
/// standardised; the signal variance has its closed-form maximum-likelihood value, and the length-scale and the
/// noise are chosen on a grid by the log marginal likelihood.
/// </summary>
public sealed class CategoricalGaussianProcess
{
    private static readonly double[] LengthScaleGrid = [0.25, 0.5, 1, 2, 4, 8];
    private static readonly double[] NoiseGrid = [1e-6, 1e-4, 1e-2, 1e-1];

    private readonly int _dimensions;
    private int[] _codes = [];          // n × dimensions, row-major
    private double[] _cholesky = [];    // lower triangle of R + gI, row-major n × n
    private double[] _alpha = [];       // (R + gI)⁻¹ y, y standardised
    private double[] _correlation = []; // Matérn correlation by number of differing dimensions
    private double _targetMean;
    private double _targetScale = 1;

    /// <summary>Creates an unfitted process over architectures with <paramref name="dimensions"/> categorical dimensions.</summary>
    public CategoricalGaussianProcess(int dimensions)
    {
        if (dimensions < 1) throw new ArgumentOutOfRangeException(nameof(dimensions));
        _dimensions = dimensions;
    }

    /// <summary>Number of training points.</summary>
    public int Count { get; private set; }

    /// <summary>The length-scale of the Matérn kernel, in units of one-hot Euclidean distance.</summary>
    public double LengthScale { get; private set; } = 1;

    /// <summary>The noise variance relative to the signal variance.</summary>
    public double NoiseRatio { get; private set; } = 1e-6;

    /// <summary>The signal variance, in standardised target units.</summary>
    public double SignalVariance { get; private set; } = 1;

    /// <summary>The log marginal likelihood of the standardised targets under the fitted hyperparameters.</summary>
    public double LogMarginalLikelihood { get; private set; } = double.NaN;

    /// <summary>The affine map of targets to standardised units: standardised = (target − Mean) / Scale.</summary>
    internal (double Mean, double Scale) Standardization => (_targetMean, _targetScale);

    /// <summary>The largest standardised target: the incumbent for expected improvement.</summary>
    public double BestStandardizedTarget { get; private set; }

    /// <summary>Fits the process, choosing the length-scale and the noise by the log marginal likelihood.</summary>
    public void Fit(IReadOnlyList<int[]> codes, IReadOnlyList<double> targets)
    {
        var standardized = Load(codes, targets);
        double bestLikelihood = double.NegativeInfinity;
        (double LengthScale, double Noise) best = (LengthScale, NoiseRatio);
        foreach (double lengthScale in LengthScaleGrid)
        {
            foreach (double noise in NoiseGrid)
            {
                double likelihood = Factorize(standardized, lengthScale, noise);
                if (likelihood > bestLikelihood)
                {
                    bestLikelihood = likelihood;
                    best = (lengthScale, noise);
                }
            }
        }
        Factorize(standardized, best.LengthScale, best.Noise);
    }

    /// <summary>Fits the process with a given length-scale and relative noise.</summary>
    public void Fit(IReadOnlyList<int[]> codes, IReadOnlyList<double> targets, double lengthScale, double noiseRatio)
    {
        if (!(lengthScale > 0)) throw new ArgumentOutOfRangeException(nameof(lengthScale));
        if (!(noiseRatio >= 0)) throw new ArgumentOutOfRangeException(nameof(noiseRatio));
        Factorize(Load(codes, targets), lengthScale, noiseRatio);
    }

    /// <summary>The posterior mean and variance (in target units) at an architecture given by its categorical codes.</summary>
    public (double Mean, double Variance) Predict(ReadOnlySpan<int> codes)
    {
        Span<double> scratch = Count <= 2048 ? stackalloc double[Count] : new double[Count];
        var (mean, variance) = PredictStandardized(codes, scratch);
        return (_targetMean + _targetScale * mean, variance * _targetScale * _targetScale);
    }

    /// <summary>
    /// The posterior mean and variance in standardised units. <paramref name="scratch"/> holds <see cref="Count"/>
    /// values and is overwritten.
    /// </summary>
    public (double Mean, double Variance) PredictStandardized(ReadOnlySpan<int> codes, Span<double> scratch)
    {
        double mean = PredictMeanStandardized(codes, scratch);
        return (mean, CompleteVarianceStandardized(scratch));
    }

    /// <summary>
    /// The posterior mean in standardised units, in O(n): the first half of <see cref="PredictStandardized"/>. It
    /// leaves the correlations with the training points in <paramref name="scratch"/> for
    /// <see cref="CompleteVarianceStandardized"/>, which costs O(n²) and can be skipped when the mean alone decides.
    /// </summary>
    public double PredictMeanStandardized(ReadOnlySpan<int> codes, Span<double> scratch) => PredictMeanStandardized(codes, scratch, out _);

    /// <summary>
    /// The posterior mean in standardised units, as the two-argument overload computes it, with an O(1) upper bound on the
    /// posterior variance: the variance given the nearest training point alone (conditioning on more points only
    /// lowers it).
    /// </summary>
    public double PredictMeanStandardized(ReadOnlySpan<int> codes, Span<double> scratch, out double varianceBound)
    {
        if (codes.Length != _dimensions) throw new ArgumentException($"Expected {_dimensions} codes.", nameof(codes));
        double mean = 0;
        double nearest = 0;
        for (int i = 0; i < Count; i++)
        {
            double correlation = _correlation[Differences(codes, i)];
            scratch[i] = correlation;
            mean += correlation * _alpha[i];
            nearest = Math.Max(nearest, correlation);
        }
        varianceBound = SignalVariance * (1 - nearest * nearest / (1 + NoiseRatio));
        return mean;
    }

    /// <summary>The posterior variance in standardised units from the correlations <c>PredictMeanStandardized</c> left in <paramref name="scratch"/> (overwritten).</summary>
    public double CompleteVarianceStandardized(Span<double> scratch)
    {
        if (Count == 0) return SignalVariance;
        var k = scratch[..Count];
        ForwardSubstitute(_cholesky, Count, k);
        return Math.Max(SignalVariance * (1 - Dot(k, k)), 1e-12);
    }

    private double[] Load(IReadOnlyList<int[]> codes, IReadOnlyList<double> targets)
    {
        ArgumentNullException.ThrowIfNull(codes);
        ArgumentNullException.ThrowIfNull(targets);
        if (codes.Count != targets.Count) throw new ArgumentException("One target per architecture is required.", nameof(targets));
        int n = codes.Count;
        _codes = new int[n * _dimensions];
        for (int i = 0; i < n; i++)
        {
            if (codes[i].Length != _dimensions) throw new ArgumentException($"Architecture {i} has {codes[i].Length} codes, expected {_dimensions}.", nameof(codes));
            codes[i].CopyTo(_codes, i * _dimensions);
        }

        double mean = 0;
        for (int i = 0; i < n; i++) mean += targets[i];
        mean = n > 0 ? mean / n : 0;
        double variance = 0;
        for (int i = 0; i < n; i++) variance += (targets[i] - mean) * (targets[i] - mean);
        double scale = n > 0 ? Math.Sqrt(variance / n) : 0;
        _targetMean = mean;
        _targetScale = scale > 1e-12 ? scale : 1;

        var standardized = new double[n];
        double best = double.NegativeInfinity;
        for (int i = 0; i < n; i++)
        {
            standardized[i] = (targets[i] - _targetMean) / _targetScale;
            best = Math.Max(best, standardized[i]);
        }
        BestStandardizedTarget = n > 0 ? best : 0;
        Count = n;
        return standardized;
    }

    /// <summary>Factorizes R + gI for these hyperparameters and returns the profile log marginal likelihood.</summary>
    private double Factorize(double[] y, double lengthScale, double noise)
    {
        int n = y.Length;
        _correlation = new double[_dimensions + 1];
        for (int h = 0; h <= _dimensions; h++)
        {
            double r = Math.Sqrt(5.0 * 2.0 * h) / lengthScale; // √5 · one-hot distance / ℓ
            _correlation[h] = (1 + r + r * r / 3) * Math.Exp(-r);
        }

        var matrix = new double[n * n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < i; j++) matrix[i * n + j] = _correlation[Differences(_codes.AsSpan(j * _dimensions, _dimensions), i)];
            matrix[i * n + i] = 1 + noise;
        }
        // Repeated architectures make R singular at tiny noise: add jitter until the factorization succeeds.
        double jitter = 0;
        while (!Cholesky(matrix, n, jitter))
            jitter = jitter == 0 ? 1e-8 : jitter * 10;
        _cholesky = matrix;
        LengthScale = lengthScale;
        NoiseRatio = noise + jitter;
        return Solve(y);
    }

    /// <summary>
    /// Adds observations keeping the hyperparameters: the Cholesky factor grows by one row per new point, O(n²)
    /// each, instead of a new O(n³) factorization. <paramref name="codes"/> and <paramref name="targets"/> hold all
    /// observations; the first <see cref="Count"/> must be those of the last fit. Falls back to a full
    /// factorization when a new point makes the matrix numerically singular.
    /// </summary>
    public void Extend(IReadOnlyList<int[]> codes, IReadOnlyList<double> targets)
    {
        int previous = Count;
        var previousFactor = _cholesky;
        var y = Load(codes, targets);
        int n = Count;
        if (previous == 0 || n < previous)
        {
            Factorize(y, LengthScale, NoiseRatio);
            return;
        }
        var factor = new double[n * n];
        for (int i = 0; i < previous; i++) Array.Copy(previousFactor, i * previous, factor, i * n, i + 1);
        for (int i = previous; i < n; i++)
        {
            var row = factor.AsSpan(i * n, i);
            var point = _codes.AsSpan(i * _dimensions, _dimensions);
            for (int j = 0; j < i; j++) row[j] = _correlation[Differences(point, j)];
            ForwardSubstitute(factor, n, row);
            double diagonal = 1 + NoiseRatio - Dot(row, row);
            if (!(diagonal > 1e-10))
            {
                Factorize(y, LengthScale, NoiseRatio);
                return;
            }
            factor[i * n + i] = Math.Sqrt(diagonal);
        }
        _cholesky = factor;
        Solve(y);
    }

    /// <summary>α, the profile signal variance and the log marginal likelihood from the current factor.</summary>
    private double Solve(double[] y)
    {
        int n = y.Length;
        _alpha = (double[])y.Clone();
        ForwardSubstitute(_cholesky, n, _alpha);
        double quadratic = Dot(_alpha, _alpha);
        BackSubstitute(_cholesky, n, _alpha);

        double logDeterminant = 0;
        for (int i = 0; i < n; i++) logDeterminant += 2 * Math.Log(_cholesky[i * n + i]);
        SignalVariance = n > 0 ? Math.Max(quadratic / n, 1e-12) : 1;
        LogMarginalLikelihood = -0.5 * n * Math.Log(SignalVariance) - 0.5 * logDeterminant - 0.5 * n * (1 + Math.Log(2 * Math.PI));
        return LogMarginalLikelihood;
    }

    private int Differences(ReadOnlySpan<int> codes, int trainingPoint)
    {
        var row = _codes.AsSpan(trainingPoint * _dimensions, _dimensions);
        int h = 0;
        for (int d = 0; d < row.Length; d++)
            if (row[d] != codes[d]) h++;
        return h;
    }

    /// <summary>In-place Cholesky of the lower triangle (row-major) with <paramref name="jitter"/> on the diagonal; false when not positive definite.</summary>
    private static bool Cholesky(double[] a, int n, double jitter)
    {
        var l = new double[n * n];
        for (int i = 0; i < n; i++)
        {
            var rowI = l.AsSpan(i * n, n);
            for (int j = 0; j <= i; j++)
            {
                double s = a[i * n + j] - Dot(rowI[..j], l.AsSpan(j * n, j));
                if (i == j)
                {
                    s += jitter;
                    if (!(s > 0)) return false;
                    rowI[i] = Math.Sqrt(s);
                }
                else
                {
                    rowI[j] = s / l[j * n + j];
                }
            }
        }
        l.CopyTo(a, 0);
        return true;
    }

    /// <summary>Solves L x = b in place for the leading b.Length rows of L (row-major, <paramref name="stride"/> per row).</summary>
    private static void ForwardSubstitute(double[] l, int stride, Span<double> b)
    {
        for (int i = 0; i < b.Length; i++)
            b[i] = (b[i] - Dot(l.AsSpan(i * stride, i), b[..i])) / l[i * stride + i];
    }

    /// <summary>Solves Lᵀ x = b in place.</summary>
    private static void BackSubstitute(double[] l, int n, Span<double> b)
    {
        for (int i = n - 1; i >= 0; i--)
        {
            double s = b[i];
            for (int k = i + 1; k < n; k++) s -= l[k * n + i] * b[k];
            b[i] = s / l[i * n + i];
        }
    }

    private static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        double sum = 0;
        int i = 0;
        if (Vector.IsHardwareAccelerated && a.Length >= Vector<double>.Count)
        {
            var accumulator = Vector<double>.Zero;
            for (; i <= a.Length - Vector<double>.Count; i += Vector<double>.Count)
                accumulator += new Vector<double>(a[i..]) * new Vector<double>(b[i..]);
            sum = Vector.Sum(accumulator);
        }
        for (; i < a.Length; i++) sum += a[i] * b[i];
        return sum;
    }
}
