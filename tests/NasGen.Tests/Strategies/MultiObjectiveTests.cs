using System;
using System.Collections.Generic;
using System.Linq;
using NasGen.Strategies;
using NasGen.Tests.TestSpaces;

namespace NasGen.Tests.Strategies;

/// <summary>Pareto ranking by hand, and the multi-objective strategies on a two-objective version of <see cref="PlantedSpace"/>.</summary>
public sealed class MultiObjectiveTests
{
    private static IReadOnlyList<double>[] Points(params (double, double)[] points) =>
        points.Select(p => (IReadOnlyList<double>)new[] { p.Item1, p.Item2 }).ToArray();

    [Fact]
    public void Dominance_needs_no_worse_everywhere_and_better_somewhere()
    {
        Assert.True(ParetoRanking.Dominates([2, 2], [1, 2]));
        Assert.False(ParetoRanking.Dominates([1, 2], [2, 2]));
        Assert.False(ParetoRanking.Dominates([2, 2], [2, 2])); // equal points do not dominate each other
        Assert.False(ParetoRanking.Dominates([3, 1], [1, 3]));
        Assert.Throws<ArgumentException>(() => ParetoRanking.Dominates([1, 2], [1]));
    }

    [Fact]
    public void Non_dominated_sorting_peels_fronts_and_equal_points_share_a_rank()
    {
        //                      A       B       C       D       E       F (= C)
        var points = Points((3, 1), (1, 3), (2, 2), (1, 1), (0, 0), (2, 2));
        Assert.Equal([0, 0, 0, 1, 2, 0], ParetoRanking.NonDominatedRanks(points));
        Assert.Equal([0, 1, 2, 5], ParetoRanking.NonDominated(points));
    }

    [Fact]
    public void Crowding_distance_matches_a_hand_computed_front()
    {
        // Ranges 3 and 3; the middle point's neighbours are 1 and 4 apart in both objectives: 3/3 + 3/3 = 2.
        var points = Points((1, 4), (2, 3), (4, 1));
        var distances = ParetoRanking.CrowdingDistances(points, [0, 1, 2]);
        Assert.Equal(double.PositiveInfinity, distances[0]);
        Assert.Equal(2.0, distances[1], 12);
        Assert.Equal(double.PositiveInfinity, distances[2]);
    }

    [Fact]
    public void The_observed_reference_is_the_worst_value_moved_out_by_the_margin_of_the_range()
    {
        // Objective 0 spans 2 … 6 (worst 2, range 4): 2 − 0.1 · 4; objective 1 never varies: −3 − 1.
        IReadOnlyList<double>[] points = [[2.0, -3.0], [6.0, -3.0], [4.0, -3.0]];
        var reference = ParetoRanking.ObservedReference(points, margin: 0.1);
        Assert.Equal(1.6, reference[0], 12);
        Assert.Equal(-4.0, reference[1], 12);
        Assert.Throws<ArgumentException>(() => ParetoRanking.ObservedReference([], 0.1));
    }

    [Fact]
    public void Hypervolume_contributions_match_the_loss_of_removing_each_point()
    {
        // Reference (0, 0): the front dominates 1·4 + 1·3 + 2·1 = 9. Without (1,4): 2·3 + 2·1 = 8, so it adds 1;
        // without (2,3): 1·4 + 3·1 = 7, so 2; without (4,1): 1·4 + 1·3 = 7, so 2.
        var points = Points((2, 3), (4, 1), (1, 4)); // input order must not matter
        Assert.Equal([2.0, 2.0, 1.0], ParetoRanking.HypervolumeContributions2D(points, [0, 1, 2], [0, 0]));
        // With no reference the extremes are kept at any price.
        var open = ParetoRanking.HypervolumeContributions2D(points, [0, 1, 2], [double.NegativeInfinity, double.NegativeInfinity]);
        Assert.Equal([2.0, double.PositiveInfinity, double.PositiveInfinity], open);
        // Duplicates share their area, so neither contributes alone.
        var twins = Points((1, 4), (1, 4), (4, 1));
        Assert.Equal([0.0, 0.0, 3.0], ParetoRanking.HypervolumeContributions2D(twins, [0, 1, 2], [0, 0]));
    }

    /// <summary>Strategy, asks, and how many true-front points may be missed: the model-based ones get a fifth of evolution's budget and may miss a third of the front.</summary>
    public static IEnumerable<object[]> Strategies() =>
        [["pareto-evolution", 1_000, 0], ["parego", 300, 3], ["ehvi", 300, 3], ["epsilon-constraint", 300, 3]];

    [Theory]
    [MemberData(nameof(Strategies))]
    public void Finds_the_true_front_of_a_two_objective_problem_on_three_seeds(string name, int budget, int allowedMisses)
    {
        var trueFront = TrueFront();
        Assert.InRange(trueFront.Count, 4, 40); // a real trade-off, not one best point
        foreach (int seed in new[] { 0, 1, 2 })
        {
            var strategy = (IMultiObjectiveStrategy<PlantedArchitecture>)SearchStrategies.Create(name, PlantedSpace.Instance, seed);
            var asked = Run(strategy, budget, parallel: 1);
            var found = asked.Select(s => s.Architecture).ToHashSet();
            var missing = trueFront.Where(a => !found.Contains(a)).ToList();
            Assert.True(missing.Count <= allowedMisses, $"{name}, seed {seed}: {missing.Count} of {trueFront.Count} front points not found in {budget} asks.");
            // The strategy's own non-dominated set holds every true-front point it found.
            var own = strategy.ParetoSet.Select(p => p.Architecture).ToHashSet();
            Assert.All(trueFront.Where(found.Contains), a => Assert.Contains(a, own));
            if (missing.Count == 0) Assert.Equal(trueFront.OrderBy(Key), own.OrderBy(Key));
        }
    }

    [Fact]
    public void Random_search_misses_the_front_at_those_budgets()
    {
        // The test above would pass by luck if the budgets were generous: random search finds the front with them only rarely.
        var trueFront = TrueFront();
        foreach (int seed in new[] { 0, 1, 2 })
        {
            var found = Run(new RandomSearch<PlantedArchitecture>(PlantedSpace.Instance, seed), 1_000, parallel: 1).Select(s => s.Architecture).ToHashSet();
            Assert.Contains(trueFront, a => !found.Contains(a));
            found = Run(new RandomSearch<PlantedArchitecture>(PlantedSpace.Instance, seed), 300, parallel: 1).Select(s => s.Architecture).ToHashSet();
            Assert.True(trueFront.Count(a => !found.Contains(a)) > 3, $"random search, seed {seed}, found most of the front in 300 asks");
        }
    }

    [Theory]
    [MemberData(nameof(Strategies))]
    public void The_same_seed_repeats_the_search_with_parallel_asks_and_failures(string name, int budget, int allowedMisses)
    {
        _ = allowedMisses;
        var first = Run(SearchStrategies.Create(name, PlantedSpace.Instance, seed: 5), Math.Min(budget, 80), parallel: 3, failEvery: 7);
        var second = Run(SearchStrategies.Create(name, PlantedSpace.Instance, seed: 5), Math.Min(budget, 80), parallel: 3, failEvery: 7);
        var other = Run(SearchStrategies.Create(name, PlantedSpace.Instance, seed: 6), Math.Min(budget, 80), parallel: 3, failEvery: 7);
        Assert.Equal(first.Select(s => s.Architecture), second.Select(s => s.Architecture));
        Assert.NotEqual(first.Select(s => s.Architecture), other.Select(s => s.Architecture));
        Assert.Equal(first.Count, first.Select(s => s.Architecture).Distinct().Count()); // never twice
    }

    [Fact]
    public void Epsilon_constraint_draws_bounds_up_to_its_reference_point_and_its_proposals_mostly_meet_them()
    {
        // Three objectives (score ↑, size ↓, kernel ↓): two bounds per ask, each between the best observed value and
        // the worst moved out by the reference margin (10 % of the range), some past every observation. A strategy
        // that ignored the bounds would chase the score, which the largest networks have, and miss most of them.
        static double[] Three(in PlantedArchitecture a) => [.. Objectives(a), -a.Kernel];
        var strategy = new EpsilonConstraintSearch<PlantedArchitecture>(PlantedSpace.Instance, null, seed: 3);
        var told = new List<double[]>();
        int bounded = 0, met = 0, pastWorst = 0;
        for (int ask = 0; ask < 120; ask++)
        {
            var suggestion = strategy.Ask()!;
            var values = Three(suggestion.Architecture);
            if (ask >= new BayesianOptimizationOptions().InitialDesign)
            {
                var bounds = strategy.LastBounds;
                Assert.Equal(2, bounds.Count);
                for (int j = 1; j < 3; j++)
                {
                    double worst = told.Min(v => v[j]), best = told.Max(v => v[j]);
                    Assert.InRange(bounds[j - 1], worst - 0.1 * (best - worst), best);
                    if (bounds[j - 1] < worst) pastWorst++;
                }
                bounded++;
                if (values[1] >= bounds[0] && values[2] >= bounds[1]) met++;
            }
            strategy.Tell(suggestion, new TrialOutcome(values[0]) { Objectives = values });
            told.Add(values);
        }
        Assert.True(met >= 0.7 * bounded, $"{met} of {bounded} proposals met their bounds");
        Assert.InRange(pastWorst, 5, 0.2 * 2 * bounded); // about 1 in 11 of the bounds drawn
        Assert.Throws<ArgumentOutOfRangeException>(() => new EpsilonConstraintSearch<PlantedArchitecture>(PlantedSpace.Instance, new MultiObjectiveOptions { ReferenceMargin = -0.1 }, seed: 3));
        var front = strategy.ParetoSet.Select(p => p.Objectives).ToList();
        Assert.Equal(front.Count, ParetoRanking.NonDominated(front).Count);
    }

    [Fact]
    public void Objective_vectors_of_another_length_are_refused()
    {
        var strategy = SearchStrategies.Create("pareto-evolution", PlantedSpace.Instance, seed: 0);
        var a = strategy.Ask()!;
        var b = strategy.Ask()!;
        strategy.Tell(a, new TrialOutcome(1.0) { Objectives = [1.0, -2.0] });
        Assert.Throws<ArgumentException>(() => strategy.Tell(b, new TrialOutcome(1.0) { Objectives = [1.0, -2.0, 3.0] }));
    }

    [Fact]
    public void Expected_hypervolume_improvement_refuses_a_third_objective_and_records_nothing_of_it()
    {
        var strategy = (IMultiObjectiveStrategy<PlantedArchitecture>)SearchStrategies.Create("ehvi", PlantedSpace.Instance, seed: 0);
        var a = strategy.Ask()!;
        var error = Assert.Throws<ArgumentException>(() => strategy.Tell(a, new TrialOutcome(1.0) { Objectives = [1.0, -2.0, 3.0] }));
        Assert.Contains("at most 2 objectives, not 3", error.Message);
        Assert.Empty(strategy.ParetoSet);
        var b = strategy.Ask()!;
        strategy.Tell(b, new TrialOutcome(1.0) { Objectives = [1.0, -2.0] }); // two objectives still work afterwards
        Assert.Single(strategy.ParetoSet);
    }

    [Fact]
    public void Outcome_objective_values_treat_failures_and_non_finite_values_as_failed()
    {
        Assert.Equal([2.0], new TrialOutcome(2.0).ObjectiveValues());
        Assert.Null(TrialOutcome.Failure.ObjectiveValues());
        Assert.Null(new TrialOutcome(1.0) { Objectives = [1.0, double.NaN] }.ObjectiveValues());
        Assert.Null(new TrialOutcome((double?)null) { Objectives = [1.0, 2.0] }.ObjectiveValues());
        Assert.Equal([1.0, -3.0], new TrialOutcome(1.0) { Objectives = [1.0, -3.0] }.ObjectiveValues());
    }

    /// <summary>Maximise the planted score, minimise a size-like cost (width × depth × kernel).</summary>
    private static double[] Objectives(in PlantedArchitecture a) =>
        [PlantedObjective.Evaluate(a), -(a.Width * a.Depth * (double)a.Kernel)];

    private static string Key(PlantedArchitecture a) => PlantedSpace.Instance.ToCanonicalString(a);

    private static List<PlantedArchitecture> TrueFront()
    {
        var all = new List<PlantedArchitecture>();
        foreach (var a in PlantedSpace.Instance.Enumerate()) all.Add(a);
        var values = all.Select(a => (IReadOnlyList<double>)Objectives(a)).ToList();
        return ParetoRanking.NonDominated(values).Select(i => all[i]).ToList();
    }

    /// <summary>Asks and tells objective vectors, keeping up to <paramref name="parallel"/> in flight; every <paramref name="failEvery"/>-th fails.</summary>
    private static List<Suggestion<PlantedArchitecture>> Run(ISearchStrategy<PlantedArchitecture> strategy, int budget, int parallel, int failEvery = 0)
    {
        var asked = new List<Suggestion<PlantedArchitecture>>();
        var inFlight = new Queue<Suggestion<PlantedArchitecture>>();
        int told = 0;
        void TellOldest()
        {
            var s = inFlight.Dequeue();
            told++;
            var outcome = failEvery > 0 && told % failEvery == 0 ? TrialOutcome.Failure
                : new TrialOutcome(PlantedObjective.Evaluate(s.Architecture)) { Objectives = Objectives(s.Architecture) };
            strategy.Tell(s, outcome);
        }
        while (asked.Count < budget)
        {
            var suggestion = inFlight.Count < parallel ? strategy.Ask() : null;
            if (suggestion is null)
            {
                if (inFlight.Count == 0) break;
                TellOldest();
                continue;
            }
            asked.Add(suggestion);
            inFlight.Enqueue(suggestion);
        }
        while (inFlight.Count > 0) TellOldest();
        return asked;
    }
}
