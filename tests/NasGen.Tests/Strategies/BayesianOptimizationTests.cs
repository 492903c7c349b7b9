using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using NasGen.Strategies;
using NasGen.Tests.TestSpaces;

namespace NasGen.Tests.Strategies;

public sealed class BayesianOptimizationTests
{
    private static readonly PlantedSpace Space = PlantedSpace.Instance;

    /// <summary>The kernel's correlation of two architectures with one differing dimension, length-scale 1: exp(−‖Δ‖² / 2) with ‖Δ‖² = 2.</summary>
    private static readonly double Rho = Math.Exp(-1);

    /// <summary>A process over <see cref="Space"/>'s architectures (six dimensions).</summary>
    private static CategoricalGaussianProcess NewModel(bool candidateWeights = false) => CategoricalGaussianProcess.For(Space, candidateWeights);

    [Fact]
    public void Two_points_give_the_hand_computed_posterior()
    {
        // One dimension; codes 0 and 1 observed with targets 1 and 3 (standardised: −1 and +1); code 2 is one
        // difference away from both, so its correlation vector is (ρ, ρ).
        var model = new CategoricalGaussianProcess([3]);
        model.Fit(new[] { new[] { 0 }, new[] { 1 } }, new[] { 1.0, 3.0 }, lengthScale: 1, noiseRatio: 0);

        // Profile signal variance: yᵀR⁻¹y / n = 1 / (1 − ρ).
        Assert.Equal(1 / (1 - Rho), model.SignalVariance, 9);
        var (meanAtZero, varianceAtZero) = model.Predict(new[] { 0 });
        Assert.Equal(1.0, meanAtZero, 6);
        Assert.Equal(0.0, varianceAtZero, 6);

        var (mean, variance) = model.Predict(new[] { 2 });
        Assert.Equal(2.0, mean, 9); // symmetric: the average
        double expectedVariance = 1 / (1 - Rho) * (1 - 2 * Rho * Rho / (1 + Rho)); // σ²(1 − r*ᵀR⁻¹r*), target scale 1
        Assert.Equal(expectedVariance, variance, 9);
    }

    [Fact]
    public void With_tiny_noise_the_posterior_mean_interpolates_the_training_data()
    {
        var (codes, targets) = RandomObservations(count: 40, seed: 4);
        var model = NewModel();
        model.Fit(codes, targets, lengthScale: 2, noiseRatio: 1e-10);
        for (int i = 0; i < codes.Count; i++)
        {
            var (mean, variance) = model.Predict(codes[i]);
            Assert.Equal(targets[i], mean, 4);
            Assert.True(variance < 1e-4, $"variance {variance} at training point {i}");
        }
    }

    [Fact]
    public void Candidate_weights_single_out_the_candidate_that_changes_the_target_and_are_shared_by_equal_choices()
    {
        // Six dimensions of four candidates; candidate 0 anywhere costs 2 (as a "none" edge breaks a cell), the others
        // differ by little. With candidate weights, leaving or taking candidate 0 is a long way and the rest are close,
        // the same in every dimension, since they share the candidates; the model predicts unseen architectures better.
        var random = new Random(12);
        double Target(int[] c) => c.Sum(x => x == 0 ? -2.0 : 0.1 * x);
        int[] Sample() => Enumerable.Range(0, 6).Select(_ => random.Next(4)).ToArray();
        var codes = Enumerable.Range(0, 80).Select(_ => Sample()).ToList();
        var targets = codes.Select(Target).ToList();
        int[] candidates = [4, 4, 4, 4, 4, 4];
        var weighted = new CategoricalGaussianProcess(candidates, candidateWeights: true, sharedCandidates: [0, 0, 0, 0, 0, 0]);
        weighted.Fit(codes, targets);
        for (int d = 0; d < 6; d++)
        {
            for (int c = 1; c < 4; c++)
                Assert.True(weighted.CandidateLengthScale(d, 0) < 0.5 * weighted.CandidateLengthScale(d, c), $"dimension {d}, candidate {c}");
            // Shared: the ratio of two candidates' length-scales is the same in every dimension.
            Assert.Equal(weighted.CandidateLengthScale(0, 0) / weighted.CandidateLengthScale(0, 1),
                weighted.CandidateLengthScale(d, 0) / weighted.CandidateLengthScale(d, 1), 9);
        }

        var plain = new CategoricalGaussianProcess(candidates);
        plain.Fit(codes, targets);
        Assert.Equal(plain.CandidateLengthScale(2, 0), plain.CandidateLengthScale(2, 3), 12);
        double ErrorOf(CategoricalGaussianProcess m, IEnumerable<int[]> points) =>
            Math.Sqrt(points.Average(c => Math.Pow(m.Predict(c).Mean - Target(c), 2)));
        var unseen = Enumerable.Range(0, 200).Select(_ => Sample()).ToList();
        Assert.True(ErrorOf(weighted, unseen) < 0.7 * ErrorOf(plain, unseen), $"with weights {ErrorOf(weighted, unseen):G3}, without {ErrorOf(plain, unseen):G3}");
    }

    [Fact]
    public void A_process_for_a_space_fits_its_codes_and_refuses_codes_outside_the_candidates()
    {
        // Sharing between equal candidate lists is tested on NAS-Bench-201's cell (tests/NasGen.Bench201.Tests).
        var (codes, targets) = RandomObservations(count: 40, seed: 13);
        var model = NewModel(candidateWeights: true);
        model.Fit(codes, targets);
        Assert.True(double.IsFinite(model.LogMarginalLikelihood));
        var outside = (int[])codes[0].Clone();
        outside[0] = Space.Dimensions[0].Count;
        var error = Assert.Throws<ArgumentException>(() => model.Predict(outside));
        Assert.Contains("outside its", error.Message);
        Assert.Throws<ArgumentException>(() => new CategoricalGaussianProcess([3, 4], candidateWeights: true, sharedCandidates: [0, 0]));
    }

    [Fact]
    public void Fitted_hyperparameters_are_at_least_as_likely_as_every_grid_point()
    {
        var (codes, targets) = RandomObservations(count: 60, seed: 5);
        var model = NewModel(candidateWeights: true);
        model.Fit(codes, targets);
        double chosen = model.LogMarginalLikelihood;
        var other = NewModel();
        foreach (double lengthScale in new[] { 0.25, 1.0, 8.0 })
        {
            other.Fit(codes, targets, lengthScale, 1e-2);
            Assert.True(chosen >= other.LogMarginalLikelihood - 1e-9);
        }
        Assert.True(double.IsFinite(chosen));
    }

    [Fact]
    public void Relevance_determination_lengthens_the_scales_of_dimensions_the_target_ignores()
    {
        // Six dimensions of four choices; the target depends on the first two only. A per-dimension length-scale lets
        // the model ignore the other four, so it predicts unseen architectures better than one shared length-scale.
        var random = new Random(8);
        double Target(int[] c) => Math.Sin(c[0] * 1.7) + 0.8 * Math.Cos(c[1] * 2.3) + 0.5 * c[0] * c[1] / 9.0;
        int[] Sample() => Enumerable.Range(0, 6).Select(_ => random.Next(4)).ToArray();
        var codes = Enumerable.Range(0, 60).Select(_ => Sample()).ToList();
        var targets = codes.Select(Target).ToList();
        var model = new CategoricalGaussianProcess([4, 4, 4, 4, 4, 4]);
        model.Fit(codes, targets);

        var scales = model.LengthScales;
        double longestRelevant = Math.Max(scales[0], scales[1]);
        for (int d = 2; d < 6; d++)
            Assert.True(scales[d] > 4 * longestRelevant, $"length-scales {string.Join(", ", scales.Select(x => x.ToString("G3")))}");

        double ErrorOf(CategoricalGaussianProcess m, IEnumerable<int[]> points) =>
            Math.Sqrt(points.Average(c => Math.Pow(m.Predict(c).Mean - Target(c), 2)));
        var unseen = Enumerable.Range(0, 200).Select(_ => Sample()).ToList();
        var isotropic = new CategoricalGaussianProcess([4, 4, 4, 4, 4, 4]);
        double bestIsotropic = double.PositiveInfinity;
        foreach (double lengthScale in new[] { 0.25, 0.5, 1.0, 2.0, 4.0, 8.0 })
        {
            isotropic.Fit(codes, targets, lengthScale, 1e-4);
            bestIsotropic = Math.Min(bestIsotropic, ErrorOf(isotropic, unseen));
        }
        Assert.True(ErrorOf(model, unseen) < 0.5 * bestIsotropic, $"ARD error {ErrorOf(model, unseen):G3}, best isotropic {bestIsotropic:G3}");
    }

    [Fact]
    public void Extending_the_factorization_matches_a_full_fit()
    {
        var (codes, targets) = RandomObservations(count: 50, seed: 6);
        var extended = NewModel();
        extended.Fit(codes.Take(30).ToList(), targets.Take(30).ToList(), lengthScale: 2, noiseRatio: 1e-3);
        extended.Extend(codes, targets);
        var full = NewModel();
        full.Fit(codes, targets, lengthScale: 2, noiseRatio: 1e-3);

        Assert.Equal(full.LogMarginalLikelihood, extended.LogMarginalLikelihood, 8);
        var probe = new Random(7);
        for (int i = 0; i < 20; i++)
        {
            var point = Space.EncodeCategorical(Space.Sample(probe));
            var (fullMean, fullVariance) = full.Predict(point);
            var (mean, variance) = extended.Predict(point);
            Assert.Equal(fullMean, mean, 9);
            Assert.Equal(fullVariance, variance, 9);
        }
    }

    [Fact]
    public void Repeated_architectures_do_not_break_the_factorization()
    {
        var model = new CategoricalGaussianProcess([2, 2]);
        var codes = new List<int[]> { new[] { 0, 1 }, new[] { 0, 1 }, new[] { 1, 1 } };
        model.Fit(codes, new[] { 1.0, 1.0, 2.0 }, lengthScale: 1, noiseRatio: 0);
        // The failed attempt overwrote part of the matrix: the retry with jitter must start from the kernel again.
        Assert.InRange(model.NoiseRatio, 1e-9, 1e-3);
        Assert.Equal(1.0, model.Predict(new[] { 0, 1 }).Mean, 4);
        Assert.Equal(2.0, model.Predict(new[] { 1, 1 }).Mean, 4);
    }

    [Fact]
    public void Parallel_asks_propose_distinct_architectures_never_seen_before()
    {
        var strategy = new BayesianOptimization<PlantedArchitecture>(Space, null, seed: 3);
        var asked = SearchLoop.Run(strategy, budget: 80, parallel: 4, failEvery: 9);
        Assert.Equal(asked.Count, asked.Select(s => s.Architecture).Distinct().Count());
    }

    [Fact]
    public void Asks_after_five_hundred_observations_propose_unseen_architectures()
    {
        // Speed at this size is measured by bench/NasGen.Benchmarks (docs/performance.md), not asserted here.
        var strategy = new BayesianOptimization<PlantedArchitecture>(Space, null, seed: 1);
        var random = new Random(1);
        // Tell 500 random architectures directly: outcomes need not come from asks.
        var told = Enumerable.Range(0, 500).Select(_ => Space.Sample(random)).Distinct().ToList();
        foreach (var architecture in told)
            strategy.Tell(new Suggestion<PlantedArchitecture>(architecture), new TrialOutcome(PlantedObjective.Evaluate(architecture)));
        var asked = Enumerable.Range(0, 5).Select(_ => strategy.Ask()!.Architecture).ToList();
        Assert.Equal(5, asked.Distinct().Count());
        Assert.DoesNotContain(asked, told.Contains);
    }

    [Fact]
    public void With_the_copula_transform_a_monotone_change_of_the_fitness_changes_no_proposal()
    {
        // The model sees only the order of the fitness values, so y and y³ + y (increasing) lead to the same search;
        // without the transform the cube stretches the top and the search differs.
        static List<PlantedArchitecture> Search(Func<double, double> fitness, bool copula)
        {
            var strategy = new BayesianOptimization<PlantedArchitecture>(Space, new BayesianOptimizationOptions { CopulaTransform = copula }, seed: 4);
            var asked = new List<PlantedArchitecture>();
            for (int i = 0; i < 30; i++)
            {
                var suggestion = strategy.Ask()!;
                asked.Add(suggestion.Architecture);
                strategy.Tell(suggestion, new TrialOutcome(fitness(PlantedObjective.Evaluate(suggestion.Architecture))));
            }
            return asked;
        }
        static double Cubed(double y) => y * y * y + y;
        Assert.Equal(Search(y => y, copula: true), Search(Cubed, copula: true));
        Assert.NotEqual(Search(y => y, copula: false), Search(Cubed, copula: false));
    }

    [Fact]
    public void Copula_scores_keep_the_order_share_ties_and_are_normal_quantiles_of_the_ranks()
    {
        var scores = GaussianCopula.Scores([10.0, 85.0, 84.0, 10.0]);
        // Ranks 0.5 (tied 0 and 1), 3, 2 of 4: Φ⁻¹((rank + ½) / 4).
        Assert.Equal(scores[0], scores[3]);
        Assert.Equal(GaussianCopula.InverseNormalCdf(1.0 / 4), scores[0], 12);
        Assert.Equal(GaussianCopula.InverseNormalCdf(3.5 / 4), scores[1], 12);
        Assert.Equal(GaussianCopula.InverseNormalCdf(2.5 / 4), scores[2], 12);
        Assert.Equal([0.0], GaussianCopula.Scores([42.0]));
        // Φ⁻¹ against known quantiles and as the inverse of Φ, centre and tails.
        Assert.Equal(1.959963984540054, GaussianCopula.InverseNormalCdf(0.975), 7);
        Assert.Equal(-2.326347874040841, GaussianCopula.InverseNormalCdf(0.01), 7);
        // Φ(z) for z = −5, −2, 0, 1, 3: the tail and the central branch.
        foreach (var (p, z) in new[] { (2.866515718791939e-07, -5.0), (0.022750131948179195, -2.0), (0.5, 0.0), (0.8413447460685429, 1.0), (0.9986501019683699, 3.0) })
            Assert.Equal(z, GaussianCopula.InverseNormalCdf(p), 7);
        Assert.Throws<ArgumentOutOfRangeException>(() => GaussianCopula.InverseNormalCdf(1.0));
    }

    /// <summary>Distinct random architectures' codes and their planted objective.</summary>
    private static (List<int[]> Codes, List<double> Targets) RandomObservations(int count, int seed)
    {
        var random = new Random(seed);
        var architectures = Enumerable.Range(0, count).Select(_ => Space.Sample(random)).Distinct().ToList();
        return (architectures.Select(a => Space.EncodeCategorical(a)).ToList(), architectures.Select(a => PlantedObjective.Evaluate(a)).ToList());
    }
}
