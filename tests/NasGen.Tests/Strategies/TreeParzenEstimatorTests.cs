using System;
using System.Linq;
using NasGen.Strategies;
using NasGen.Tests.TestSpaces;

namespace NasGen.Tests.Strategies;

/// <summary>TPE beyond the contract every strategy keeps (<see cref="StrategyContractTests"/> covers seeds, failures, constraints and replay).</summary>
public sealed class TreeParzenEstimatorTests
{
    private static readonly PlantedSpace Space = PlantedSpace.Instance;
    private static readonly int[] Seeds = Enumerable.Range(100, 15).ToArray();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Finds_the_planted_optimum_an_order_of_magnitude_sooner_than_random_search(bool multivariate)
    {
        // Random search needs 3,000 asks on average for one of 6,000 allowed architectures.
        var tpe = Seeds.Select(seed => AsksToOptimum(new TreeParzenEstimator<PlantedArchitecture>(Space, new TreeParzenEstimatorOptions { Multivariate = multivariate }, seed), 1_000)).Order().ToArray();
        var random = Seeds.Select(seed => AsksToOptimum(new RandomSearch<PlantedArchitecture>(Space, seed), PlantedSpace.AllowedCount)).Order().ToArray();
        int tpeQuantile = tpe[(int)(0.8 * tpe.Length)], randomMedian = random[random.Length / 2];
        Assert.True(tpeQuantile * 10 <= randomMedian,
            $"TPE's 80th percentile of asks to the optimum is {tpeQuantile}; random search's median is {randomMedian}. TPE: {string.Join(", ", tpe)}");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Never_proposes_an_architecture_twice_nor_one_a_constraint_forbids(bool multivariate)
    {
        // Long enough for l(x) to concentrate on what was already proposed, so the next-best candidates and the random fallback are used.
        var strategy = new TreeParzenEstimator<PlantedArchitecture>(Space, new TreeParzenEstimatorOptions { Multivariate = multivariate, Candidates = 4 }, seed: 21);
        var asked = SearchLoop.Run(strategy, budget: 700, parallel: 2, failEvery: 9);
        Assert.Equal(700, asked.Count);
        Assert.Equal(asked.Count, asked.Select(s => s.Architecture).Distinct().Count());
        Assert.All(asked, s => Assert.True(Space.IsAllowed(s.Architecture), Space.ToCanonicalString(s.Architecture)));
    }

    [Fact]
    public void The_startup_trials_are_random_search_then_the_estimators_take_over()
    {
        // Before the model is used TPE draws exactly what random search draws from the same seed.
        var options = new TreeParzenEstimatorOptions { StartupTrials = 30 };
        var tpe = SearchLoop.Run(new TreeParzenEstimator<PlantedArchitecture>(Space, options, seed: 4), budget: 60);
        var random = SearchLoop.Run(new RandomSearch<PlantedArchitecture>(Space, seed: 4), budget: 60);
        Assert.Equal(random.Take(30).Select(s => s.Architecture), tpe.Take(30).Select(s => s.Architecture));
        // Then it proposes better architectures than random search does.
        double Mean(System.Collections.Generic.IEnumerable<Suggestion<PlantedArchitecture>> s) => s.Average(x => PlantedObjective.Evaluate(x.Architecture));
        Assert.True(Mean(tpe.Skip(30)) > Mean(random.Skip(30)) + 0.5, $"TPE {Mean(tpe.Skip(30)):F2}, random {Mean(random.Skip(30)):F2} over asks 31–60.");
    }

    [Fact]
    public void Replaying_a_run_into_a_fresh_strategy_continues_it_identically()
    {
        foreach (bool multivariate in new[] { false, true })
        {
            var options = new TreeParzenEstimatorOptions { Multivariate = multivariate };
            var original = SearchLoop.Run(new TreeParzenEstimator<PlantedArchitecture>(Space, options, seed: 8), budget: 60, parallel: 3, failEvery: 5);

            // Resume after 40: the same asks and tells, then the rest.
            var resumed = new TreeParzenEstimator<PlantedArchitecture>(Space, options, seed: 8);
            var first = SearchLoop.Run(resumed, budget: 40, parallel: 3, failEvery: 5);
            Assert.Equal(original.Take(40), first);
            var next = resumed.Ask();
            Assert.NotNull(next);
            Assert.DoesNotContain(next!.Architecture, first.Select(s => s.Architecture));
            Assert.Equal(multivariate ? "tpe-multivariate" : "tpe", resumed.Name);
        }
    }

    [Fact]
    public void Unusable_options_are_refused_with_the_setting_named()
    {
        foreach (var (options, setting) in new (TreeParzenEstimatorOptions, string)[]
        {
            (new() { StartupTrials = 0 }, "StartupTrials"),
            (new() { Gamma = 0 }, "Gamma"),
            (new() { Gamma = double.NaN }, "Gamma"),
            (new() { MaxGood = 0 }, "MaxGood"),
            (new() { PriorWeight = 0 }, "PriorWeight"),
            (new() { Candidates = 0 }, "Candidates"),
        })
        {
            var error = Assert.Throws<ArgumentOutOfRangeException>(() => new TreeParzenEstimator<PlantedArchitecture>(Space, options, seed: 1));
            Assert.Contains(setting, error.Message);
        }
    }

    private static int AsksToOptimum(ISearchStrategy<PlantedArchitecture> strategy, int budget)
    {
        var asked = SearchLoop.Run(strategy, budget, stopWhen: s => s.Architecture == PlantedObjective.Optimum);
        return asked.Count > 0 && asked[^1].Architecture == PlantedObjective.Optimum ? asked.Count : int.MaxValue;
    }
}
