using static NasGen.Strategies.DenseLinearAlgebra;

namespace NasGen.Strategies;

// The hyperparameter fit: the log marginal likelihood over a grid, then gradient ascent (iRprop−) from its best point.
public sealed partial class CategoricalGaussianProcess
{
    private static readonly double[] LengthScaleGrid = [0.25, 0.5, 1, 2, 4, 8];
    private static readonly double[] NoiseGrid = [1e-6, 1e-4, 1e-2, 1e-1];
    private const int MaxAscentPoints = 256;

    private double[] _inverse = [];       // n × n buffers of the gradient, reused across its steps
    private double[] _inverseFactor = [];

    /// <summary>
    /// Fits the process, choosing the weights and the noise by the log marginal likelihood: the best point of a grid
    /// over one shared length-scale (every candidate weight 1) and the noise, refined by gradient ascent over every
    /// weight and the noise.
    /// </summary>
    public void Fit(IReadOnlyList<int[]> codes, IReadOnlyList<double> targets) => Fit(codes, null, targets);

    /// <summary>As <see cref="Fit(IReadOnlyList{int[]}, IReadOnlyList{double})"/>, with each architecture's normalised positions of its continuous ranges.</summary>
    internal void Fit(IReadOnlyList<int[]> codes, IReadOnlyList<double[]>? positions, IReadOnlyList<double> targets)
    {
        var y = Load(codes, positions, targets);
        double bestLikelihood = double.NegativeInfinity;
        (double LengthScale, double Noise) best = (1, NoiseRatio);
        Array.Fill(_kernel.CandidateWeight, 1.0);
        foreach (double lengthScale in LengthScaleGrid)
        {
            foreach (double noise in NoiseGrid)
            {
                Array.Fill(_kernel.Relevance, 1 / (lengthScale * lengthScale));
                double likelihood = Factorize(y, noise);
                if (likelihood > bestLikelihood)
                {
                    bestLikelihood = likelihood;
                    best = (lengthScale, noise);
                }
            }
        }
        Array.Fill(_kernel.Relevance, 1 / (best.LengthScale * best.LengthScale));
        Factorize(y, best.Noise);
        if (Count <= MaxAscentPoints)
        {
            if (Count > 1) AscendLikelihood(y);
            return;
        }
        // Each gradient step costs O(n³): above MaxAscentPoints the weights are fitted on evenly spaced observations
        // (old and new alike) and the whole set is factorized once with them.
        var subset = new CategoricalGaussianProcess(_kernel.Candidates, _fitCandidateWeights, _kernel.Group, _numeric);
        var picked = Enumerable.Range(0, MaxAscentPoints).Select(i => (int)((long)i * Count / MaxAscentPoints)).ToArray();
        var subsetY = subset.Load(picked.Select(i => codes[i]).ToList(), positions is null ? null : picked.Select(i => positions[i]).ToList(),
            picked.Select(i => targets[i]).ToList());
        _kernel.Relevance.CopyTo(subset._kernel.Relevance, 0);
        subset.Factorize(subsetY, best.Noise);
        subset.AscendLikelihood(subsetY);
        subset._kernel.Relevance.CopyTo(_kernel.Relevance, 0);
        subset._kernel.CandidateWeight.CopyTo(_kernel.CandidateWeight, 0);
        Factorize(y, subset.NoiseRatio);
    }

    /// <summary>Fits the process with one given length-scale for every one-hot column and a given relative noise.</summary>
    public void Fit(IReadOnlyList<int[]> codes, IReadOnlyList<double> targets, double lengthScale, double noiseRatio)
    {
        if (!(lengthScale > 0)) throw new ArgumentOutOfRangeException(nameof(lengthScale));
        if (!(noiseRatio >= 0)) throw new ArgumentOutOfRangeException(nameof(noiseRatio));
        var y = Load(codes, null, targets);
        Array.Fill(_kernel.Relevance, 1 / (lengthScale * lengthScale));
        Array.Fill(_kernel.CandidateWeight, 1.0);
        Factorize(y, noiseRatio);
    }

    /// <summary>
    /// iRprop− (Igel and Hüsken 2000) on the log weights and the log noise: a step per parameter that grows while its
    /// gradient keeps its sign and halves when it flips. Keeps the most likely parameters seen.
    /// </summary>
    private void AscendLikelihood(double[] y)
    {
        const int Iterations = 30;
        const double MinRelevance = 1e-4, MaxRelevance = 64, MaxNumericRelevance = 400, MaxCandidateWeight = 16, MinNoise = 1e-6, MaxNoise = 1;
        int weights = _fitCandidateWeights ? _kernel.CandidateWeight.Length : 0;
        int p = _dimensions + weights + 1; // log relevances, log candidate weights (when fitted), log noise
        var parameters = new double[p];
        // A range's position may vary on a shorter scale than a categorical switch: down to 1/20 of the range.
        var maxLogRelevance = Enumerable.Repeat(Math.Log(MaxRelevance), _dimensions).ToArray();
        foreach (int d in _numeric) maxLogRelevance[d] = Math.Log(MaxNumericRelevance);
        for (int d = 0; d < _dimensions; d++) parameters[d] = Math.Log(_kernel.Relevance[d]);
        for (int c = 0; c < weights; c++) parameters[_dimensions + c] = Math.Log(_kernel.CandidateWeight[c]);
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
                parameters[d] = Math.Clamp(parameters[d], Math.Log(MinRelevance), maxLogRelevance[d]);
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
        for (int d = 0; d < _dimensions; d++) _kernel.Relevance[d] = Math.Exp(parameters[d]);
        if (_fitCandidateWeights)
            for (int c = 0; c < _kernel.CandidateWeight.Length; c++) _kernel.CandidateWeight[c] = Math.Exp(parameters[_dimensions + c]);
    }

    /// <summary>
    /// Only the products w_d · v_c matter: moving a group's mean log candidate weight into the relevances of its
    /// dimensions changes no correlation and keeps the candidate weights centred on 1 (their geometric mean).
    /// </summary>
    private void CenterCandidateWeights(double[] parameters)
    {
        if (!_fitCandidateWeights) return;
        for (int g = 0; g < _kernel.GroupCount; g++)
        {
            var logWeights = parameters.AsSpan(_dimensions + _kernel.GroupOffset(g), _kernel.GroupOffset(g + 1) - _kernel.GroupOffset(g));
            double mean = 0;
            foreach (double value in logWeights) mean += value;
            mean /= logWeights.Length;
            for (int c = 0; c < logWeights.Length; c++) logWeights[c] -= mean;
            for (int d = 0; d < _dimensions; d++)
                if (_kernel.Group[d] == g) parameters[d] += mean;
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
        var columnSums = new double[_kernel.Columns]; // indexed by dimension offset + candidate (first row of the table)
        var numericSums = new double[_numeric.Length];
        for (int i = 0; i < n; i++)
        {
            var rowI = _codes.AsSpan(i * _dimensions, _dimensions);
            var inverseRow = inverse.AsSpan(i * n, i);
            for (int j = 0; j < i; j++)
            {
                // Off-diagonal pairs count twice (C is symmetric).
                double weight = 2 * (_alpha[i] * _alpha[j] / signal - inverseRow[j]);
                double term = weight * _gram[i * n + j];
                if (term == 0) continue;
                var rowJ = _codes.AsSpan(j * _dimensions, _dimensions);
                for (int d = 0; d < _dimensions; d++)
                {
                    if (rowI[d] == rowJ[d]) continue;
                    columnSums[_kernel.TableOffset(d) + rowI[d]] += term;
                    columnSums[_kernel.TableOffset(d) + rowJ[d]] += term;
                }
                // ∂k/∂log w_r = −k w_r (Δu_r)² / 2 for a continuous range: sum term · (Δu_r)² first, as above.
                for (int r = 0; r < _numeric.Length; r++)
                {
                    double delta = _positions[i * _numeric.Length + r] - _positions[j * _numeric.Length + r];
                    numericSums[r] += term * delta * delta;
                }
            }
        }
        for (int r = 0; r < _numeric.Length; r++) gradient[_numeric[r]] += -0.5 * _kernel.Relevance[_numeric[r]] * numericSums[r];
        for (int d = 0; d < _dimensions; d++)
        {
            for (int c = 0; c < _kernel.Candidates[d]; c++)
            {
                double column = -0.5 * _kernel.ColumnRelevance(d, c) * columnSums[_kernel.TableOffset(d) + c];
                gradient[d] += column;
                if (_fitCandidateWeights) gradient[_dimensions + _kernel.GroupOffset(_kernel.Group[d]) + c] += column;
            }
        }
        double noise = NoiseRatio;
        double noiseTerm = 0;
        for (int i = 0; i < n; i++) noiseTerm += _alpha[i] * _alpha[i] / signal - inverse[i * n + i];
        gradient[^1] = noiseTerm * noise;
        for (int k = 0; k < gradient.Length; k++) gradient[k] *= 0.5;
    }
}
