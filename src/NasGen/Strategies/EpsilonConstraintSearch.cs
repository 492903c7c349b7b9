namespace NasGen.Strategies;

/// <summary>
/// Multi-objective Bayesian optimization by random ε-constraints: every ask draws a bound for each objective after the
/// first, uniformly between the best observed value and the reference point (the worst observed value moved out by
/// <see cref="MultiObjectiveOptions.ReferenceMargin"/> of the range, as <see cref="ExpectedHypervolumeImprovement{TArchitecture}"/>
/// places it), and maximises the first objective subject to those bounds,
/// with constrained expected improvement as the acquisition (Schonlau, Welch and Jones 1998; Gardner et al., ICML
/// 2014): the expected improvement over the best observation that meets the bounds, times the probability that the
/// candidate meets them. One Gaussian process per objective (<see cref="CategoricalGaussianProcess"/>, independent).
/// </summary>
/// <remarks>
/// <para>
/// The ε-constraint method (Haimes, Lasdon and Wismer 1971) finds every Pareto-optimal point, the non-convex parts of
/// the front included, as the bounds vary; drawing them at random spreads the asks over the front in proportion to
/// its extent in the bounded objectives, which is how the hypervolume weighs it. Each ask is a single-objective
/// search for the best architecture under one budget, where expected improvement is at its strongest; the expected
/// hypervolume improvement (<see cref="ExpectedHypervolumeImprovement{TArchitecture}"/>) instead favours candidates
/// that improve the front a little over a wide range, such as cheap and poor ones.
/// </para>
/// <para>
/// Objectives come from <see cref="TrialOutcome.Objectives"/> (all maximised): put the one to optimise first and the
/// budgets (a negated cost, latency or size) after it. Told the fitness alone, the search is Bayesian optimization on
/// the fitness. Never proposes an architecture twice.
/// </para>
/// </remarks>
public sealed class EpsilonConstraintSearch<TArchitecture> : IMultiObjectiveStrategy<TArchitecture>
    where TArchitecture : struct, IEquatable<TArchitecture>
{
    private readonly ObjectiveModels<TArchitecture> _models;

    /// <summary>Creates the search over <paramref name="space"/>.</summary>
    public EpsilonConstraintSearch(ISearchSpace<TArchitecture> space, MultiObjectiveOptions? options, int seed) =>
        _models = new ObjectiveModels<TArchitecture>(space, options, seed, "The ε-constraint search", copulaFirst: true);

    /// <inheritdoc />
    public string Name => "epsilon-constraint";

    /// <summary>The lower bounds drawn for the objectives after the first at the last model-based ask (empty before it).</summary>
    public IReadOnlyList<double> LastBounds { get; private set; } = [];

    /// <inheritdoc />
    public IReadOnlyList<(TArchitecture Architecture, IReadOnlyList<double> Objectives)> ParetoSet => _models.ParetoSet;

    /// <inheritdoc />
    public Suggestion<TArchitecture>? Ask() => _models.Ask(MaximizeConstrainedImprovement);

    /// <inheritdoc />
    public void Tell(Suggestion<TArchitecture> suggestion, TrialOutcome outcome) => _models.Tell(suggestion, outcome);

    private TArchitecture? MaximizeConstrainedImprovement()
    {
        var (points, models) = _models.Refresh();
        int m = models.Count;

        // Bounds reach past the worst observation: were they drawn within the observed range only, the costliest
        // architecture seen would cap every later search, and the front's fittest end could only creep up by chance.
        var reference = _models.Reference(points);
        var bounds = new double[m - 1];
        for (int j = 1; j < m; j++)
        {
            double best = points.Max(p => p[j]);
            bounds[j - 1] = reference[j] + _models.Random.NextDouble() * (best - reference[j]);
        }
        LastBounds = bounds;
        bool Feasible(IReadOnlyList<double> p)
        {
            for (int j = 1; j < m; j++) if (p[j] < bounds[j - 1]) return false;
            return true;
        }

        // The incumbent is the best feasible observation; with none, any feasible candidate is an improvement on the
        // worst observation.
        double incumbent = points.Where(Feasible).Select(p => p[0]).DefaultIfEmpty(points.Min(p => p[0])).Max();
        // Hill climbs start from the observed front, spread along the trade-off, rather than from the best feasible
        // observations, which crowd together just inside the bounds.
        var score = ParetoRanking.NonDominatedRanks(points).Select(r => -(double)r).ToList();
        double target = Standardize(models[0], incumbent) + _models.ExplorationMargin;
        var standardizedBounds = Enumerable.Range(1, m - 1).Select(j => Standardize(models[j], bounds[j - 1])).ToArray();

        var predictor = _models.Predictor(models);
        var mean = predictor.Means;
        var varianceBound = predictor.VarianceBounds;
        return _models.Maximize(score, (architecture, threshold) =>
        {
            predictor.Predict(architecture);
            // Expected improvement grows with the deviation; the probability of meeting a bound the mean meets is at
            // most 1 and otherwise grows with the deviation. With the O(n) variance bounds this bounds the value, so
            // the O(n²) variances are only computed for candidates that might beat the threshold.
            double bound = BayesianOptimization<TArchitecture>.ExpectedImprovement(mean[0], Math.Sqrt(varianceBound[0]), target);
            for (int j = 1; j < m && bound > threshold; j++)
                bound *= MeetsBound(mean[j], varianceBound[j], standardizedBounds[j - 1], upper: true);
            if (bound <= threshold) return (bound, false);
            double value = BayesianOptimization<TArchitecture>.ExpectedImprovement(mean[0], Math.Sqrt(predictor.CompleteVariance(0)), target);
            for (int j = 1; j < m; j++)
                value *= MeetsBound(mean[j], predictor.CompleteVariance(j), standardizedBounds[j - 1], upper: false);
            return (value, true);
        });
    }

    private static double Standardize(CategoricalGaussianProcess model, double value) =>
        (value - model.Standardization.Mean) / model.Standardization.Scale;

    /// <summary>
    /// P(objective ≥ bound), all in the model's standardised units; with <paramref name="upper"/>, for a variance that
    /// bounds the true one, a value no smaller than that probability.
    /// </summary>
    private static double MeetsBound(double mean, double variance, double standardizedBound, bool upper)
    {
        if (upper && mean >= standardizedBound) return 1;
        double deviation = Math.Sqrt(variance);
        if (deviation < 1e-12) return mean >= standardizedBound ? 1 : 0;
        return BayesianOptimization<TArchitecture>.NormalCdf((mean - standardizedBound) / deviation);
    }
}
