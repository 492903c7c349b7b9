namespace NasGen.Strategies;

/// <summary>
/// Bayesian optimization of the hypervolume for two objectives: one Gaussian process per objective
/// (<see cref="CategoricalGaussianProcess"/>, independent), and the expected hypervolume improvement (EHVI;
/// Emmerich, Giannakoglou and Naujoks, IEEE TEVC 2006) of the observed front as the acquisition, computed exactly in
/// O(n) per candidate for two objectives (the closed form of Emmerich, Deutz and Klinkenberg, CEC 2011: the
/// improvement region splits into n + 1 strips, each a product of one-dimensional expected improvements). It is
/// maximised by the same hill climbs as <see cref="BayesianOptimization{TArchitecture}"/>, from the non-dominated and
/// from random architectures. The reference point is the observed nadir moved out by
/// <see cref="MultiObjectiveOptions.ReferenceMargin"/> of the observed ranges: nothing about the
/// problem needs to be known in advance. Never proposes an architecture twice.
/// </summary>
/// <remarks>
/// Objectives come from <see cref="TrialOutcome.Objectives"/> (all maximised); told the fitness alone, the
/// acquisition is expected improvement on the fitness. More than two objectives are refused.
/// </remarks>
public sealed class ExpectedHypervolumeImprovement<TArchitecture> : IMultiObjectiveStrategy<TArchitecture>
    where TArchitecture : struct, IEquatable<TArchitecture>
{
    private readonly ObjectiveModels<TArchitecture> _models;

    /// <summary>Creates the search over <paramref name="space"/>.</summary>
    public ExpectedHypervolumeImprovement(ISearchSpace<TArchitecture> space, MultiObjectiveOptions? options, int seed) =>
        _models = new ObjectiveModels<TArchitecture>(space, options, seed, "Expected hypervolume improvement", maxObjectives: 2);

    /// <inheritdoc />
    public string Name => "ehvi";

    /// <inheritdoc />
    public IReadOnlyList<(TArchitecture Architecture, IReadOnlyList<double> Objectives)> ParetoSet => _models.ParetoSet;

    /// <inheritdoc />
    public Suggestion<TArchitecture>? Ask() => _models.Ask(MaximizeAcquisition);

    /// <inheritdoc />
    public void Tell(Suggestion<TArchitecture> suggestion, TrialOutcome outcome) => _models.Tell(suggestion, outcome);

    private TArchitecture? MaximizeAcquisition()
    {
        var (points, models) = _models.Refresh();
        var ranks = ParetoRanking.NonDominatedRanks(points);
        var front = Enumerable.Range(0, points.Count).Where(i => ranks[i] == 0).Select(i => points[i]).ToList();
        var improvement = new HypervolumeImprovement(front, _models.Reference(points));

        int m = models.Count;
        var predictor = _models.Predictor(models);
        var mean = new double[m];
        var deviation = new double[m];
        var score = ranks.Select(r => -(double)r).ToList(); // hill climbs start from the front
        return _models.Maximize(score, (architecture, threshold) =>
        {
            predictor.Predict(architecture);
            for (int j = 0; j < m; j++)
            {
                var (shift, scale) = models[j].Standardization;
                mean[j] = shift + scale * predictor.Means[j];
                deviation[j] = scale * Math.Sqrt(predictor.VarianceBounds[j]);
            }
            // The variance given the nearest observation bounds the posterior variance, and the bound below grows with
            // the deviations: the O(n²) variances are only computed for candidates that might beat the threshold.
            double bound = improvement.Expected(mean, deviation, upperBound: true);
            if (bound <= threshold) return (bound, false);
            for (int j = 0; j < m; j++)
                deviation[j] = models[j].Standardization.Scale * Math.Sqrt(predictor.CompleteVariance(j));
            return (improvement.Expected(mean, deviation, upperBound: false), true);
        });
    }

    /// <summary>
    /// Expected hypervolume improvement of a point with independent Gaussian objectives over a front (maximised).
    /// With the front sorted by the first objective ascending (a₁ &lt; … &lt; aₙ, so b₁ &gt; … &gt; bₙ), a₀ = r_a,
    /// aₙ₊₁ = ∞ and bₙ₊₁ = r_b, the improvement of y is Σᵢ (y_b − bᵢ)⁺ (min(y_a, aᵢ) − aᵢ₋₁)⁺, and its expectation
    /// Σᵢ EI_b(bᵢ) (EI_a(aᵢ₋₁) − EI_a(aᵢ)), EI(c) = E[(y − c)⁺].
    /// </summary>
    internal sealed class HypervolumeImprovement
    {
        private readonly double[] _a;
        private readonly double[] _b;
        private readonly double _best;

        public HypervolumeImprovement(IReadOnlyList<IReadOnlyList<double>> front, IReadOnlyList<double> reference)
        {
            if (reference.Count == 1)
            {
                _best = Math.Max(reference[0], front.Max(p => p[0]));
                _a = _b = [];
                return;
            }
            var sorted = front.Where(p => p[0] > reference[0] && p[1] > reference[1])
                .OrderBy(p => p[0]).ThenByDescending(p => p[1]).ToList();
            var a = new List<double> { reference[0] };
            var b = new List<double>();
            foreach (var p in sorted)
            {
                if (p[0] == a[^1] && b.Count > 0) continue; // an equal point adds nothing
                a.Add(p[0]);
                b.Add(p[1]);
            }
            a.Add(double.PositiveInfinity);
            b.Add(reference[1]);
            _a = a.ToArray(); // a[0] = r_a, a[1..n] the front, a[n+1] = ∞
            _b = b.ToArray(); // b[i - 1] pairs with a[i]; the last is r_b
        }

        /// <summary>
        /// The expected improvement; with <paramref name="upperBound"/>, a bound that grows with the deviations
        /// (each strip's width term capped by the strip's width), for deviations that bound the true ones.
        /// </summary>
        public double Expected(ReadOnlySpan<double> mean, ReadOnlySpan<double> deviation, bool upperBound)
        {
            if (_a.Length == 0) return BayesianOptimization<TArchitecture>.ExpectedImprovement(mean[0], deviation[0], _best);
            double total = 0;
            double previous = BayesianOptimization<TArchitecture>.ExpectedImprovement(mean[0], deviation[0], _a[0]);
            for (int i = 1; i < _a.Length; i++)
            {
                double next = double.IsPositiveInfinity(_a[i]) ? 0 : BayesianOptimization<TArchitecture>.ExpectedImprovement(mean[0], deviation[0], _a[i]);
                double width = upperBound ? Math.Min(previous, _a[i] - _a[i - 1]) : previous - next;
                if (width > 0) total += width * BayesianOptimization<TArchitecture>.ExpectedImprovement(mean[1], deviation[1], _b[i - 1]);
                previous = next;
            }
            return total;
        }
    }
}
