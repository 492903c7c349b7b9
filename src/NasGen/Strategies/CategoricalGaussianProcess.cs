using System;
using System.Collections.Generic;
using System.Linq;
using System.Numerics;

namespace NasGen.Strategies;

/// <summary>
/// A Gaussian process over architectures in their one-hot encoding, for Bayesian optimization. The kernel is the
/// squared exponential in the one-hot encoding with a length-scale per one-hot column (automatic relevance
/// determination): two architectures that differ in dimension d, one with candidate a and the other with b, are
/// correlated by exp(−(u_da + u_db) / 2) in that dimension, and the correlation is the product over the dimensions.
/// A column's relevance u_dc = w_d · v_c is a weight per dimension times, optionally, a weight per candidate, shared by
/// the dimensions with the same candidates (an operation that changes the network a lot on one edge of a cell is
/// likely to on another); without candidate weights every v_c is 1 and the kernel depends only on which dimensions
/// differ. Targets are standardised; the signal variance has its closed-form maximum-likelihood value; the weights and
/// the noise maximise the log marginal likelihood: a grid over one shared length-scale and the noise, then gradient
/// ascent (iRprop−) over every weight and the noise from the best grid point.
/// </summary>
public sealed class CategoricalGaussianProcess
{
    private static readonly double[] LengthScaleGrid = [0.25, 0.5, 1, 2, 4, 8];
    private static readonly double[] NoiseGrid = [1e-6, 1e-4, 1e-2, 1e-1];
    private const int MaxAscentPoints = 256;

    private readonly int _dimensions;
    private readonly int[] _candidates;       // candidates per dimension
    private readonly int[] _group;            // candidate-weight group of each dimension
    private readonly int[] _groupOffset;      // first candidate weight of each group in _candidateWeight
    private readonly int[] _tableOffset;      // first entry of each dimension's candidates × candidates table
    private readonly double[] _relevance;     // w_d per dimension
    private readonly bool _fitCandidateWeights;
    private readonly double[] _candidateWeight; // v_c per group and candidate, geometric mean 1 in each group; all 1 unless fitted
    private readonly double[] _correlation;   // per dimension: exp(−(u_a + u_b) / 2) for a ≠ b, 1 on the diagonal
    private double _uniformCorrelation = double.NaN; // exp(−u) when every column has the same relevance u, else NaN
    private int[] _codes = [];          // n × dimensions, row-major
    private int[] _tableRows = [];      // n × dimensions: where each training point's candidate row starts in _correlation
    private byte[]? _differences;       // how many dimensions differ in each pair (j < i, entry i·n + j); null until a fit needs them
    private double[] _kernel = [];      // lower triangle of R (without noise) of the last factorization, row-major n × n
    private double[] _spare = [];       // n × n buffers a fit reuses across its factorizations and gradient steps
    private double[] _inverse = [];
    private double[] _inverseFactor = [];
    private double[] _cholesky = [];    // lower triangle of R + gI, row-major n × n
    private double[] _alpha = [];       // (R + gI)⁻¹ y, y standardised
    private double _targetMean;
    private double _targetScale = 1;

    /// <summary>
    /// Creates an unfitted process over architectures whose dimension d has <paramref name="candidates"/>[d] candidates.
    /// With <paramref name="candidateWeights"/>, a weight per candidate is fitted too, and dimensions with the same value
    /// in <paramref name="sharedCandidates"/> share them (they must have as many candidates); without it, every
    /// dimension has its own.
    /// </summary>
    public CategoricalGaussianProcess(IReadOnlyList<int> candidates, bool candidateWeights = false, IReadOnlyList<int>? sharedCandidates = null)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        if (candidates.Count < 1) throw new ArgumentOutOfRangeException(nameof(candidates), "At least one dimension is required.");
        if (candidates.Any(c => c < 1)) throw new ArgumentOutOfRangeException(nameof(candidates), "Every dimension needs at least one candidate.");
        if (sharedCandidates is not null && sharedCandidates.Count != candidates.Count)
            throw new ArgumentException("One group per dimension is required.", nameof(sharedCandidates));
        _dimensions = candidates.Count;
        _candidates = candidates.ToArray();
        _fitCandidateWeights = candidateWeights;
        var groupOf = new Dictionary<int, int>();
        var groupSizes = new List<int>();
        _group = new int[_dimensions];
        for (int d = 0; d < _dimensions; d++)
        {
            int key = sharedCandidates?[d] ?? d;
            if (!groupOf.TryGetValue(key, out int g))
            {
                groupOf[key] = g = groupSizes.Count;
                groupSizes.Add(_candidates[d]);
            }
            else if (groupSizes[g] != _candidates[d])
            {
                throw new ArgumentException($"Dimension {d} shares candidate weights with a dimension of {groupSizes[g]} candidates but has {_candidates[d]}.", nameof(sharedCandidates));
            }
            _group[d] = g;
        }
        _groupOffset = new int[groupSizes.Count + 1];
        for (int g = 0; g < groupSizes.Count; g++) _groupOffset[g + 1] = _groupOffset[g] + groupSizes[g];
        _tableOffset = new int[_dimensions + 1];
        for (int d = 0; d < _dimensions; d++) _tableOffset[d + 1] = _tableOffset[d] + _candidates[d] * _candidates[d];
        _relevance = Enumerable.Repeat(1.0, _dimensions).ToArray();
        _candidateWeight = Enumerable.Repeat(1.0, _groupOffset[^1]).ToArray();
        _correlation = new double[_tableOffset[^1]];
        UpdateCorrelations();
    }

    /// <summary>
    /// A process for the architectures of <paramref name="space"/>: one dimension per choice; with
    /// <paramref name="candidateWeights"/>, choices with the same candidates (the same tokens in the same order) share
    /// their candidate weights.
    /// </summary>
    public static CategoricalGaussianProcess For(ISearchSpace space, bool candidateWeights)
    {
        ArgumentNullException.ThrowIfNull(space);
        CandidateLimits.Check(space, "The Gaussian-process model");
        var groups = new Dictionary<string, int>();
        var shared = space.Dimensions
            .Select(d => string.Join("\u001f", d.Candidates.Select(c => c.Token)))
            .Select(key => groups.TryGetValue(key, out int g) ? g : groups[key] = groups.Count)
            .ToArray();
        return new CategoricalGaussianProcess(space.Dimensions.Select(d => d.Count).ToArray(), candidateWeights, shared);
    }

    /// <summary>Number of training points.</summary>
    public int Count { get; private set; }

    /// <summary>
    /// The length-scale of each dimension, in units of one-hot Euclidean distance, for a candidate of average weight: a
    /// long one means the dimension hardly matters.
    /// </summary>
    public IReadOnlyList<double> LengthScales => _relevance.Select(w => 1 / Math.Sqrt(w)).ToArray();

    /// <summary>The length-scale of the one-hot column of <paramref name="candidate"/> in <paramref name="dimension"/>: a short one means choosing or leaving that candidate changes the target a lot.</summary>
    public double CandidateLengthScale(int dimension, int candidate) => 1 / Math.Sqrt(ColumnRelevance(dimension, candidate));

    private double ColumnRelevance(int d, int c) => _relevance[d] * _candidateWeight[_groupOffset[_group[d]] + c];

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
    /// Fits the process, choosing the weights and the noise by the log marginal likelihood: the best point of a grid
    /// over one shared length-scale (every candidate weight 1) and the noise, refined by gradient ascent over every
    /// weight and the noise.
    /// </summary>
    public void Fit(IReadOnlyList<int[]> codes, IReadOnlyList<double> targets)
    {
        var y = Load(codes, targets);
        double bestLikelihood = double.NegativeInfinity;
        (double LengthScale, double Noise) best = (1, NoiseRatio);
        Array.Fill(_candidateWeight, 1.0);
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
        // Each gradient step costs O(n³): above MaxAscentPoints the weights are fitted on evenly spaced observations
        // (old and new alike) and the whole set is factorized once with them.
        var subset = new CategoricalGaussianProcess(_candidates, _fitCandidateWeights, _group);
        var picked = Enumerable.Range(0, MaxAscentPoints).Select(i => (int)((long)i * Count / MaxAscentPoints)).ToArray();
        var subsetY = subset.Load(picked.Select(i => codes[i]).ToList(), picked.Select(i => targets[i]).ToList());
        _relevance.CopyTo(subset._relevance, 0);
        subset.Factorize(subsetY, best.Noise);
        subset.AscendLikelihood(subsetY);
        subset._relevance.CopyTo(_relevance, 0);
        subset._candidateWeight.CopyTo(_candidateWeight, 0);
        Factorize(y, subset.NoiseRatio);
    }

    /// <summary>Fits the process with one given length-scale for every one-hot column and a given relative noise.</summary>
    public void Fit(IReadOnlyList<int[]> codes, IReadOnlyList<double> targets, double lengthScale, double noiseRatio)
    {
        if (!(lengthScale > 0)) throw new ArgumentOutOfRangeException(nameof(lengthScale));
        if (!(noiseRatio >= 0)) throw new ArgumentOutOfRangeException(nameof(noiseRatio));
        var y = Load(codes, targets);
        Array.Fill(_relevance, 1 / (lengthScale * lengthScale));
        Array.Fill(_candidateWeight, 1.0);
        Factorize(y, noiseRatio);
    }

    /// <summary>
    /// iRprop− (Igel and Hüsken 2000) on the log weights and the log noise: a step per parameter that grows while its
    /// gradient keeps its sign and halves when it flips. Keeps the most likely parameters seen.
    /// </summary>
    private void AscendLikelihood(double[] y)
    {
        const int Iterations = 30;
        const double MinRelevance = 1e-4, MaxRelevance = 64, MaxCandidateWeight = 16, MinNoise = 1e-6, MaxNoise = 1;
        int weights = _fitCandidateWeights ? _candidateWeight.Length : 0;
        int p = _dimensions + weights + 1; // log relevances, log candidate weights (when fitted), log noise
        var parameters = new double[p];
        for (int d = 0; d < _dimensions; d++) parameters[d] = Math.Log(_relevance[d]);
        for (int c = 0; c < weights; c++) parameters[_dimensions + c] = Math.Log(_candidateWeight[c]);
        parameters[^1] = Math.Log(NoiseRatio);
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
            CenterCandidateWeights(parameters);
            for (int d = 0; d < _dimensions; d++)
                parameters[d] = Math.Clamp(parameters[d], Math.Log(MinRelevance), Math.Log(MaxRelevance));
            for (int c = 0; c < weights; c++)
                parameters[_dimensions + c] = Math.Clamp(parameters[_dimensions + c], -Math.Log(MaxCandidateWeight), Math.Log(MaxCandidateWeight));
            parameters[^1] = Math.Clamp(parameters[^1], Math.Log(MinNoise), Math.Log(MaxNoise));

            SetParameters(parameters);
            double likelihood = Factorize(y, Math.Exp(parameters[^1]));
            if (likelihood > bestLikelihood)
            {
                bestLikelihood = likelihood;
                parameters.CopyTo(best, 0);
            }
        }
        SetParameters(best);
        Factorize(y, Math.Exp(best[^1]));
    }

    private void SetParameters(double[] parameters)
    {
        for (int d = 0; d < _dimensions; d++) _relevance[d] = Math.Exp(parameters[d]);
        if (_fitCandidateWeights)
            for (int c = 0; c < _candidateWeight.Length; c++) _candidateWeight[c] = Math.Exp(parameters[_dimensions + c]);
    }

    /// <summary>
    /// Only the products w_d · v_c matter: moving a group's mean log candidate weight into the relevances of its
    /// dimensions changes no correlation and keeps the candidate weights centred on 1 (their geometric mean).
    /// </summary>
    private void CenterCandidateWeights(double[] parameters)
    {
        if (!_fitCandidateWeights) return;
        for (int g = 0; g < _groupOffset.Length - 1; g++)
        {
            var logWeights = parameters.AsSpan(_dimensions + _groupOffset[g], _groupOffset[g + 1] - _groupOffset[g]);
            double mean = 0;
            foreach (double value in logWeights) mean += value;
            mean /= logWeights.Length;
            for (int c = 0; c < logWeights.Length; c++) logWeights[c] -= mean;
            for (int d = 0; d < _dimensions; d++)
                if (_group[d] == g) parameters[d] += mean;
        }
    }

    /// <summary>
    /// The gradient of the profile log marginal likelihood at the current factorization with respect to each log
    /// relevance, log candidate weight and the log noise: ½ (αᵀ ∂C α / σ² − tr(C⁻¹ ∂C)) with C = R + gI, α = C⁻¹y and
    /// σ² = yᵀα / n.
    /// </summary>
    private void LikelihoodGradient(double[] gradient)
    {
        int n = Count;
        if (_inverse.Length != n * n) (_inverse, _inverseFactor) = (new double[n * n], new double[n * n]);
        var inverse = _inverse;
        InverseFromCholesky(_cholesky, n, _inverseFactor, inverse);
        Array.Clear(gradient);
        double signal = SignalVariance;
        // ∂k/∂log u_dc = −k u_dc / 2 for each end of a pair that has candidate c in a dimension d where the pair
        // differs: sum the pair weights times k per column first, O(n² d), then scale by u_dc / 2.
        var columnSums = new double[_tableOffset[_dimensions]]; // indexed by dimension offset + candidate (first row of the table)
        for (int i = 0; i < n; i++)
        {
            var rowI = _codes.AsSpan(i * _dimensions, _dimensions);
            var inverseRow = inverse.AsSpan(i * n, i);
            for (int j = 0; j < i; j++)
            {
                // Off-diagonal pairs count twice (C is symmetric).
                double weight = 2 * (_alpha[i] * _alpha[j] / signal - inverseRow[j]);
                double term = weight * _kernel[i * n + j];
                if (term == 0) continue;
                var rowJ = _codes.AsSpan(j * _dimensions, _dimensions);
                for (int d = 0; d < _dimensions; d++)
                {
                    if (rowI[d] == rowJ[d]) continue;
                    columnSums[_tableOffset[d] + rowI[d]] += term;
                    columnSums[_tableOffset[d] + rowJ[d]] += term;
                }
            }
        }
        for (int d = 0; d < _dimensions; d++)
        {
            for (int c = 0; c < _candidates[d]; c++)
            {
                double column = -0.5 * ColumnRelevance(d, c) * columnSums[_tableOffset[d] + c];
                gradient[d] += column;
                if (_fitCandidateWeights) gradient[_dimensions + _groupOffset[_group[d]] + c] += column;
            }
        }
        double noise = NoiseRatio;
        double noiseTerm = 0;
        for (int i = 0; i < n; i++) noiseTerm += _alpha[i] * _alpha[i] / signal - inverse[i * n + i];
        gradient[^1] = noiseTerm * noise;
        for (int k = 0; k < gradient.Length; k++) gradient[k] *= 0.5;
    }

    /// <summary>Recomputes the per-dimension correlation tables from the weights.</summary>
    private void UpdateCorrelations()
    {
        double first = ColumnRelevance(0, 0);
        bool uniform = true;
        for (int d = 0; d < _dimensions && uniform; d++)
            for (int c = 0; c < _candidates[d]; c++)
                if (ColumnRelevance(d, c) != first) { uniform = false; break; }
        _uniformCorrelation = uniform ? Math.Exp(-first) : double.NaN;
        for (int d = 0; d < _dimensions; d++)
        {
            int count = _candidates[d];
            var table = _correlation.AsSpan(_tableOffset[d], count * count);
            for (int a = 0; a < count; a++)
                for (int b = 0; b < count; b++)
                    table[a * count + b] = a == b ? 1 : Math.Exp(-0.5 * (ColumnRelevance(d, a) + ColumnRelevance(d, b)));
        }
    }

    /// <summary>
    /// The kernel's correlation of an architecture, given by where its candidates' rows start in the tables, and one
    /// given by its codes: the product of one table entry per dimension.
    /// </summary>
    private double Correlation(ReadOnlySpan<int> tableRows, ReadOnlySpan<int> codes)
    {
        double correlation = 1;
        for (int d = 0; d < codes.Length; d++) correlation *= _correlation[tableRows[d] + codes[d]];
        return correlation;
    }

    /// <summary>Where the table row of each candidate in <paramref name="codes"/> starts.</summary>
    private void TableRows(ReadOnlySpan<int> codes, Span<int> rows)
    {
        for (int d = 0; d < _dimensions; d++) rows[d] = _tableOffset[d] + codes[d] * _candidates[d];
    }

    /// <summary>
    /// How many dimensions differ between each pair of training points (entry i·n + j for j &lt; i). With equal
    /// relevances the kernel depends on that count alone; it does not depend on the weights, so a fit computes it once
    /// for the grid's factorizations.
    /// </summary>
    private byte[] Differences()
    {
        if (_differences is not null) return _differences; // reset by Load when the training points change
        int n = Count;
        var differences = new byte[n * n];
        for (int i = 0; i < n; i++)
        {
            var rowI = _codes.AsSpan(i * _dimensions, _dimensions);
            for (int j = 0; j < i; j++)
            {
                var rowJ = _codes.AsSpan(j * _dimensions, _dimensions);
                int count = 0;
                for (int d = 0; d < _dimensions; d++)
                    if (rowI[d] != rowJ[d]) count++;
                differences[i * n + j] = (byte)count; // at most byte.MaxValue dimensions take this path
            }
        }
        return _differences = differences;
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
    /// The posterior mean in standardised units, in O(n·d) for d dimensions (table reads): the first half of <see cref="PredictStandardized"/>. It
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
        CheckCodes(codes, nameof(codes));
        // The table row of this architecture's candidate in each dimension: a training point's correlation is then the
        // product of one entry per dimension.
        Span<int> rows = _dimensions <= 256 ? stackalloc int[_dimensions] : new int[_dimensions];
        TableRows(codes, rows);
        double mean = 0;
        double nearest = 0;
        for (int i = 0; i < Count; i++)
        {
            double correlation = Correlation(rows, _codes.AsSpan(i * _dimensions, _dimensions));
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

    private void CheckCodes(ReadOnlySpan<int> codes, string parameterName)
    {
        for (int d = 0; d < codes.Length; d++)
            if ((uint)codes[d] >= (uint)_candidates[d])
                throw new ArgumentException($"Code {codes[d]} of dimension {d} is outside its {_candidates[d]} candidates.", parameterName);
    }

    private double[] Load(IReadOnlyList<int[]> codes, IReadOnlyList<double> targets)
    {
        ArgumentNullException.ThrowIfNull(codes);
        ArgumentNullException.ThrowIfNull(targets);
        if (codes.Count != targets.Count) throw new ArgumentException("One target per architecture is required.", nameof(targets));
        int n = codes.Count;
        _codes = new int[n * _dimensions];
        _tableRows = new int[n * _dimensions];
        _differences = null;
        for (int i = 0; i < n; i++)
        {
            if (codes[i].Length != _dimensions) throw new ArgumentException($"Architecture {i} has {codes[i].Length} codes, expected {_dimensions}.", nameof(codes));
            CheckCodes(codes[i], nameof(codes));
            codes[i].CopyTo(_codes, i * _dimensions);
            TableRows(codes[i], _tableRows.AsSpan(i * _dimensions, _dimensions));
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
        UpdateCorrelations(); // the weights may have changed
        if (_kernel.Length != n * n) _kernel = new double[n * n];
        if (!double.IsNaN(_uniformCorrelation) && _dimensions <= byte.MaxValue)
        {
            // Equal relevances (the grid): the correlation is a power of one value by the number of differing dimensions.
            var differences = Differences();
            Span<double> powers = stackalloc double[byte.MaxValue + 1];
            powers[0] = 1;
            for (int k = 1; k < powers.Length; k++) powers[k] = powers[k - 1] * _uniformCorrelation;
            for (int i = 0; i < n; i++)
                for (int j = 0; j < i; j++) _kernel[i * n + j] = powers[differences[i * n + j]];
        }
        else
        {
            for (int i = 0; i < n; i++)
            {
                var rows = _tableRows.AsSpan(i * _dimensions, _dimensions);
                for (int j = 0; j < i; j++) _kernel[i * n + j] = Correlation(rows, _codes.AsSpan(j * _dimensions, _dimensions));
            }
        }
        // The previous factor's buffer is reused when its size fits (a fit factorizes the same points many times).
        var matrix = _spare.Length == n * n ? _spare : new double[n * n];
        // Repeated architectures make R singular at tiny noise: add jitter until the factorization succeeds (a failed
        // attempt has overwritten part of the matrix, so each attempt copies the kernel again).
        double jitter = 0;
        while (true)
        {
            for (int i = 0; i < n; i++)
            {
                Array.Copy(_kernel, i * n, matrix, i * n, i);
                matrix[i * n + i] = 1 + noise + jitter;
            }
            if (Cholesky(matrix, n)) break;
            jitter = jitter == 0 ? 1e-8 : jitter * 10;
        }
        (_cholesky, _spare) = (matrix, _cholesky);
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
            var rows = _tableRows.AsSpan(i * _dimensions, _dimensions);
            for (int j = 0; j < i; j++) row[j] = Correlation(rows, _codes.AsSpan(j * _dimensions, _dimensions));
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

    /// <summary>
    /// The lower triangle (diagonal included) of (L Lᵀ)⁻¹ from the lower-triangular Cholesky factor L (row-major
    /// n × n), in <paramref name="inverse"/>; <paramref name="u"/> (n × n) is scratch.
    /// </summary>
    private static void InverseFromCholesky(double[] l, int n, double[] u, double[] inverse)
    {
        // Row j of u, from index j on, is column j of L⁻¹ (which is zero above j): L x = e_j by forward substitution
        // from row j. Then (L Lᵀ)⁻¹ = L⁻ᵀ L⁻¹ has entry (i, j) = u_i · u_j, a contiguous dot product over the indices
        // both rows hold; the entries before a row's own index are never written or read (stale in a reused buffer).
        for (int j = 0; j < n; j++)
        {
            var column = u.AsSpan(j * n, n);
            column[j] = 1 / l[j * n + j];
            for (int i = j + 1; i < n; i++)
                column[i] = -Dot(l.AsSpan(i * n + j, i - j), column[j..i]) / l[i * n + i];
        }
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j <= i; j++)
            {
                int from = Math.Max(i, j); // column j of L⁻¹ is zero before j, column i before i
                inverse[i * n + j] = Dot(u.AsSpan(i * n + from, n - from), u.AsSpan(j * n + from, n - from));
            }
        }
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
