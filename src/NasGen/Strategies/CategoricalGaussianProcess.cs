using System;
using System.Collections.Generic;
using System.Linq;
using System.Numerics;

namespace NasGen.Strategies;

/// <summary>
/// A Gaussian process over architectures in their one-hot encoding, for Bayesian optimization. The kernel is
/// Matérn-5/2 in the Euclidean distance between one-hot encodings with one length-scale per dimension (automatic
/// relevance determination): two architectures differing in dimensions D are √(Σ_{d∈D} 2/ℓ_d²) apart. Targets are
/// standardised; the signal variance has its closed-form maximum-likelihood value; the length-scales and the noise
/// maximise the log marginal likelihood: a grid over one shared length-scale and the noise, then gradient ascent
/// (iRprop−) over every length-scale and the noise from the best grid point.
/// </summary>
public sealed class CategoricalGaussianProcess
{
    private static readonly double[] LengthScaleGrid = [0.25, 0.5, 1, 2, 4, 8];
    private static readonly double[] NoiseGrid = [1e-6, 1e-4, 1e-2, 1e-1];
    private const int MaxAscentPoints = 256;
    private const int MaxMaskDimensions = 16;

    private readonly int _dimensions;
    private int[] _codes = [];          // n × dimensions, row-major
    private double[] _cholesky = [];    // lower triangle of R + gI, row-major n × n
    private double[] _alpha = [];       // (R + gI)⁻¹ y, y standardised
    private readonly double[] _relevance;         // 1 / ℓ_d² per dimension
    private readonly double[] _correlationByMask; // by set of differing dimensions; NaN until needed
    private int[]? _pairMasks;                    // differing dimensions of each pair (j < i) of training points, up to MaxMaskDimensions; null until needed
    private double _targetMean;
    private double _targetScale = 1;

    /// <summary>Creates an unfitted process over architectures with <paramref name="dimensions"/> categorical dimensions.</summary>
    public CategoricalGaussianProcess(int dimensions)
    {
        if (dimensions < 1) throw new ArgumentOutOfRangeException(nameof(dimensions));
        _dimensions = dimensions;
        _relevance = Enumerable.Repeat(1.0, dimensions).ToArray();
        _correlationByMask = new double[dimensions <= MaxMaskDimensions ? 1 << dimensions : 0];
    }

    /// <summary>Number of training points.</summary>
    public int Count { get; private set; }

    /// <summary>The length-scale of each dimension, in units of one-hot Euclidean distance: a long one means the dimension hardly matters.</summary>
    public IReadOnlyList<double> LengthScales => _relevance.Select(w => 1 / Math.Sqrt(w)).ToArray();

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

    /// <summary>
    /// Fits the process, choosing the length-scales and the noise by the log marginal likelihood: the best point of a
    /// grid over one shared length-scale and the noise, refined by gradient ascent over every length-scale and the noise.
    /// </summary>
    public void Fit(IReadOnlyList<int[]> codes, IReadOnlyList<double> targets)
    {
        var y = Load(codes, targets);
        double bestLikelihood = double.NegativeInfinity;
        (double LengthScale, double Noise) best = (1, NoiseRatio);
        foreach (double lengthScale in LengthScaleGrid)
        {
            foreach (double noise in NoiseGrid)
            {
                Array.Fill(_relevance, 1 / (lengthScale * lengthScale));
                double likelihood = Factorize(y, noise);
                if (likelihood > bestLikelihood)
                {
                    bestLikelihood = likelihood;
                    best = (lengthScale, noise);
                }
            }
        }
        Array.Fill(_relevance, 1 / (best.LengthScale * best.LengthScale));
        Factorize(y, best.Noise);
        if (Count <= MaxAscentPoints)
        {
            if (Count > 1) AscendLikelihood(y);
            return;
        }
        // Each gradient step costs O(n³): above MaxAscentPoints the length-scales are fitted on evenly spaced
        // observations (old and new alike) and the whole set is factorized once with them.
        var subset = new CategoricalGaussianProcess(_dimensions);
        var picked = Enumerable.Range(0, MaxAscentPoints).Select(i => (int)((long)i * Count / MaxAscentPoints)).ToArray();
        var subsetY = subset.Load(picked.Select(i => codes[i]).ToList(), picked.Select(i => targets[i]).ToList());
        _relevance.CopyTo(subset._relevance, 0);
        subset.Factorize(subsetY, best.Noise);
        subset.AscendLikelihood(subsetY);
        subset._relevance.CopyTo(_relevance, 0);
        Factorize(y, subset.NoiseRatio);
    }

    /// <summary>Fits the process with one given length-scale for every dimension and a given relative noise.</summary>
    public void Fit(IReadOnlyList<int[]> codes, IReadOnlyList<double> targets, double lengthScale, double noiseRatio)
    {
        if (!(lengthScale > 0)) throw new ArgumentOutOfRangeException(nameof(lengthScale));
        if (!(noiseRatio >= 0)) throw new ArgumentOutOfRangeException(nameof(noiseRatio));
        var y = Load(codes, targets);
        Array.Fill(_relevance, 1 / (lengthScale * lengthScale));
        Factorize(y, noiseRatio);
    }

    /// <summary>
    /// iRprop− (Igel and Hüsken 2000) on the log relevances and the log noise: a step per parameter that grows while
    /// its gradient keeps its sign and halves when it flips. Keeps the most likely parameters seen.
    /// </summary>
    private void AscendLikelihood(double[] y)
    {
        const int Iterations = 30;
        const double MinRelevance = 1e-4, MaxRelevance = 64, MinNoise = 1e-6, MaxNoise = 1;
        int p = _dimensions + 1; // log relevances, then log noise
        var parameters = new double[p];
        for (int d = 0; d < _dimensions; d++) parameters[d] = Math.Log(_relevance[d]);
        parameters[_dimensions] = Math.Log(NoiseRatio);
        var best = (double[])parameters.Clone();
        double bestLikelihood = LogMarginalLikelihood;
        var steps = Enumerable.Repeat(0.5, p).ToArray();
        var previous = new double[p];
        var gradient = new double[p];
        for (int iteration = 0; iteration < Iterations; iteration++)
        {
            LikelihoodGradient(gradient);
            for (int i = 0; i < p; i++)
            {
                double sign = previous[i] * gradient[i];
                if (sign > 0) steps[i] = Math.Min(steps[i] * 1.2, 2);
                else if (sign < 0) { steps[i] = Math.Max(steps[i] * 0.5, 1e-3); gradient[i] = 0; }
                parameters[i] += Math.Sign(gradient[i]) * steps[i];
                previous[i] = gradient[i];
            }
            for (int d = 0; d < _dimensions; d++)
                parameters[d] = Math.Clamp(parameters[d], Math.Log(MinRelevance), Math.Log(MaxRelevance));
            parameters[_dimensions] = Math.Clamp(parameters[_dimensions], Math.Log(MinNoise), Math.Log(MaxNoise));

            for (int d = 0; d < _dimensions; d++) _relevance[d] = Math.Exp(parameters[d]);
            double likelihood = Factorize(y, Math.Exp(parameters[_dimensions]));
            if (likelihood > bestLikelihood)
            {
                bestLikelihood = likelihood;
                parameters.CopyTo(best, 0);
            }
        }
        for (int d = 0; d < _dimensions; d++) _relevance[d] = Math.Exp(best[d]);
        Factorize(y, Math.Exp(best[_dimensions]));
    }

    /// <summary>
    /// The gradient of the profile log marginal likelihood at the current factorization with respect to each log
    /// relevance and the log noise: ½ (αᵀ ∂C α / σ² − tr(C⁻¹ ∂C)) with C = R + gI, α = C⁻¹y and σ² = yᵀα / n.
    /// </summary>
    private void LikelihoodGradient(double[] gradient)
    {
        int n = Count;
        var inverse = InverseFromCholesky(_cholesky, n);
        Array.Clear(gradient);
        double signal = SignalVariance;
        var masks = PairMasks();
        // Off-diagonal pairs count twice (C is symmetric). ∂k/∂log w_d = −(5/3)(1 + s) e^{−s} w_d δ_d for Matérn-5/2
        // with s² = 10 Σ w_d δ_d: the factor before w_d δ_d depends only on the differing dimensions, so with masks
        // the weights are summed per mask first.
        var weightByMask = masks is null ? null : new double[_correlationByMask.Length];
        for (int i = 0; i < n; i++)
        {
            var rowI = _codes.AsSpan(i * _dimensions, _dimensions);
            var inverseRow = inverse.AsSpan(i * n, i);
            for (int j = 0; j < i; j++)
            {
                double weight = 2 * (_alpha[i] * _alpha[j] / signal - inverseRow[j]);
                if (weightByMask is not null)
                {
                    weightByMask[masks![i * n + j]] += weight;
                    continue;
                }
                if (weight == 0) continue;
                var rowJ = _codes.AsSpan(j * _dimensions, _dimensions);
                double common = MaternSlope(ScaledDistance(rowI, rowJ)) * weight;
                for (int d = 0; d < _dimensions; d++)
                    if (rowI[d] != rowJ[d]) gradient[d] += common * _relevance[d];
            }
        }
        if (weightByMask is not null)
        {
            for (int mask = 1; mask < weightByMask.Length; mask++)
            {
                if (weightByMask[mask] == 0) continue;
                double common = MaternSlope(MaskDistance(mask)) * weightByMask[mask];
                for (int d = 0; d < _dimensions; d++)
                    if ((mask & (1 << d)) != 0) gradient[d] += common * _relevance[d];
            }
        }
        double noise = NoiseRatio;
        double noiseTerm = 0;
        for (int i = 0; i < n; i++) noiseTerm += _alpha[i] * _alpha[i] / signal - inverse[i * n + i];
        gradient[_dimensions] = noiseTerm * noise;
        for (int k = 0; k < gradient.Length; k++) gradient[k] *= 0.5;
    }

    /// <summary>√(10 Σ_d w_d [a_d ≠ b_d]): √5 times the relevance-weighted one-hot distance, Matérn-5/2's argument.</summary>
    private double ScaledDistance(ReadOnlySpan<int> a, ReadOnlySpan<int> b)
    {
        double squared = 0;
        for (int d = 0; d < a.Length; d++)
            if (a[d] != b[d]) squared += _relevance[d];
        return Math.Sqrt(10 * squared);
    }

    /// <summary>√(10 Σ_{d∈mask} w_d): <see cref="ScaledDistance"/> for the set of differing dimensions.</summary>
    private double MaskDistance(int mask)
    {
        double squared = 0;
        for (int d = 0; d < _dimensions; d++)
            if ((mask & (1 << d)) != 0) squared += _relevance[d];
        return Math.Sqrt(10 * squared);
    }

    /// <summary>−(5/3)(1 + s) e^{−s}: the Matérn-5/2 correlation's derivative with respect to a log relevance, per unit relevance.</summary>
    private static double MaternSlope(double s) => -(5.0 / 3.0) * (1 + s) * Math.Exp(-s);

    /// <summary>
    /// The differing dimensions of every pair of training points (entry i·n + j for j &lt; i) as bit masks, when there
    /// are at most <see cref="MaxMaskDimensions"/> dimensions (null otherwise). They do not depend on the
    /// hyperparameters, so a fit computes them once for all its factorizations.
    /// </summary>
    private int[]? PairMasks()
    {
        if (_dimensions > MaxMaskDimensions) return null;
        int n = Count;
        if (_pairMasks is not null) return _pairMasks; // reset by Load when the training points change
        var masks = new int[n * n];
        for (int i = 0; i < n; i++)
        {
            var rowI = _codes.AsSpan(i * _dimensions, _dimensions);
            for (int j = 0; j < i; j++)
            {
                var rowJ = _codes.AsSpan(j * _dimensions, _dimensions);
                int mask = 0;
                for (int d = 0; d < _dimensions; d++)
                    if (rowI[d] != rowJ[d]) mask |= 1 << d;
                masks[i * n + j] = mask;
            }
        }
        return _pairMasks = masks;
    }

    /// <summary>The Matérn-5/2 correlation for a set of differing dimensions, kept until the length-scales change.</summary>
    private double MaskCorrelation(int mask)
    {
        double value = _correlationByMask[mask];
        if (double.IsNaN(value)) _correlationByMask[mask] = value = Matern(MaskDistance(mask));
        return value;
    }

    /// <summary>
    /// The Matérn-5/2 correlation of two architectures. It depends only on which dimensions differ, so with up to
    /// <see cref="MaxMaskDimensions"/> dimensions it is kept per set of differing dimensions (a bit mask) until the
    /// length-scales change: most predictions then cost a table read per training point instead of a square root and
    /// an exponential.
    /// </summary>
    private double Correlation(ReadOnlySpan<int> a, ReadOnlySpan<int> b)
    {
        if (_dimensions > MaxMaskDimensions) return Matern(ScaledDistance(a, b));
        int mask = 0;
        for (int d = 0; d < a.Length; d++)
            if (a[d] != b[d]) mask |= 1 << d;
        return MaskCorrelation(mask);
    }

    private static double Matern(double s) => (1 + s + s * s / 3) * Math.Exp(-s);

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
    /// The posterior mean in standardised units, in O(n·d) for d dimensions (O(n) reads of the kernel table): the first half of <see cref="PredictStandardized"/>. It
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
            double correlation = Correlation(codes, _codes.AsSpan(i * _dimensions, _dimensions));
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
        _pairMasks = null;
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
    private double Factorize(double[] y, double noise)
    {
        int n = y.Length;
        Array.Fill(_correlationByMask, double.NaN); // the length-scales may have changed

        var masks = PairMasks();
        var matrix = new double[n * n];
        // Repeated architectures make R singular at tiny noise: add jitter until the factorization succeeds (a failed
        // attempt has overwritten part of the matrix, so each attempt builds it again).
        double jitter = 0;
        while (true)
        {
            for (int i = 0; i < n; i++)
            {
                var row = matrix.AsSpan(i * n, i);
                if (masks is not null)
                    for (int j = 0; j < i; j++) row[j] = MaskCorrelation(masks[i * n + j]);
                else
                {
                    var rowI = _codes.AsSpan(i * _dimensions, _dimensions);
                    for (int j = 0; j < i; j++) row[j] = Correlation(rowI, _codes.AsSpan(j * _dimensions, _dimensions));
                }
                matrix[i * n + i] = 1 + noise + jitter;
            }
            if (Cholesky(matrix, n)) break;
            jitter = jitter == 0 ? 1e-8 : jitter * 10;
        }
        _cholesky = matrix;
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
            Factorize(y, NoiseRatio);
            return;
        }
        var factor = new double[n * n];
        for (int i = 0; i < previous; i++) Array.Copy(previousFactor, i * previous, factor, i * n, i + 1);
        for (int i = previous; i < n; i++)
        {
            var row = factor.AsSpan(i * n, i);
            var point = _codes.AsSpan(i * _dimensions, _dimensions);
            for (int j = 0; j < i; j++) row[j] = Correlation(point, _codes.AsSpan(j * _dimensions, _dimensions));
            ForwardSubstitute(factor, n, row);
            double diagonal = 1 + NoiseRatio - Dot(row, row);
            if (!(diagonal > 1e-10))
            {
                Factorize(y, NoiseRatio);
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

    /// <summary>In-place Cholesky of the lower triangle (row-major n × n); false when not positive definite (the matrix is then partly overwritten).</summary>
    private static bool Cholesky(double[] a, int n)
    {
        for (int i = 0; i < n; i++)
        {
            var rowI = a.AsSpan(i * n, n);
            for (int j = 0; j <= i; j++)
            {
                double s = rowI[j] - Dot(rowI[..j], a.AsSpan(j * n, j));
                if (i == j)
                {
                    if (!(s > 0)) return false;
                    rowI[i] = Math.Sqrt(s);
                }
                else
                {
                    rowI[j] = s / a[j * n + j];
                }
            }
        }
        return true;
    }

    /// <summary>(L Lᵀ)⁻¹ from the lower-triangular Cholesky factor L (row-major n × n), as a full symmetric matrix.</summary>
    private static double[] InverseFromCholesky(double[] l, int n)
    {
        // Row j of u is column j of L⁻¹ (zero above j): L x = e_j by forward substitution from row j. Then
        // (L Lᵀ)⁻¹ = L⁻ᵀ L⁻¹ has entry (i, j) = u_i · u_j, a contiguous dot product.
        var u = new double[n * n];
        for (int j = 0; j < n; j++)
        {
            var column = u.AsSpan(j * n, n);
            column[j] = 1 / l[j * n + j];
            for (int i = j + 1; i < n; i++)
                column[i] = -Dot(l.AsSpan(i * n + j, i - j), column[j..i]) / l[i * n + i];
        }
        var inverse = new double[n * n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j <= i; j++)
            {
                int from = Math.Max(i, j); // both rows are zero before their own index
                double value = Dot(u.AsSpan(i * n + from, n - from), u.AsSpan(j * n + from, n - from));
                inverse[i * n + j] = value;
                inverse[j * n + i] = value;
            }
        }
        return inverse;
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
        // Column by column from the last: once x_i is known, it is removed from the equations above it, which reads
        // row i of L (contiguous) instead of column i.
        for (int i = n - 1; i >= 0; i--)
        {
            double x = b[i] / l[i * n + i];
            b[i] = x;
            var row = l.AsSpan(i * n, i);
            for (int k = 0; k < i; k++) b[k] -= row[k] * x;
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
