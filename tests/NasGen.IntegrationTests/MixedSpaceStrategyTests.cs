using System;
using System.Collections.Generic;
using System.Linq;
using NasGen.IntegrationTests.Spaces;
using NasGen.Strategies;
using Xunit.Abstractions;

namespace NasGen.IntegrationTests;

/// <summary>The strategies that sample, mutate and perturb search a space with continuous ranges (Branin with a categorical shift).</summary>
public sealed class MixedSpaceStrategyTests(ITestOutputHelper output)
{
    private const int Budget = 300;

    // The best regret each strategy must reach in 300 evaluations on each of seeds 1–3. Measured worst of the three:
    // random, sh and hyperband 0.62 (they draw the same samples here: every fidelity gives the same value), evolution
    // 0.016, local 0.009, pareto-evolution 0.097, tpe 0.021, tpe-multivariate 0.091.
    public static TheoryData<string, double> Cases => new()
    {
        { "random", 1.5 },
        { "evolution", 0.1 },
        { "local", 0.1 },
        { "sh", 1.5 },
        { "hyperband", 1.5 },
        { "pareto-evolution", 0.5 },
        { "tpe", 0.1 },
        { "tpe-multivariate", 0.2 },
    };

    public static TheoryData<string> AllStrategies => new(SearchStrategies.Names);

    [Theory]
    [MemberData(nameof(AllStrategies))]
    public void Every_strategy_searches_a_finite_space_of_stepped_ranges_and_a_choice(string name)
    {
        var strategy = SearchStrategies.Create(name, SteppedRecipe.Space, seed: 4);
        var seen = new HashSet<SteppedRecipe.Architecture>();
        for (int i = 0; i < 40 && strategy.Ask() is { } suggestion; i++)
        {
            var a = suggestion.Architecture;
            Assert.True(SteppedRecipe.Space.IsAllowed(a));
            seen.Add(a);
            // Best at dropout 0.2, width 48, adam.
            double fitness = -Math.Abs(a.Dropout - 0.2) - Math.Abs(a.Width - 48) / 100.0 - (a.Optimizer == "adam" ? 0 : 0.5);
            strategy.Tell(suggestion, new TrialOutcome(fitness) { Objectives = [fitness, -a.Width] });
        }
        (strategy as IDisposable)?.Dispose();
        Assert.True(seen.Count >= 10, $"{name} proposed only {seen.Count} distinct architectures");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Searches_the_continuous_dimensions_and_gets_near_the_optimum(string name, double maxRegret)
    {
        foreach (int seed in new[] { 1, 2, 3 })
        {
            var strategy = SearchStrategies.Create(name, BraninMixed.Space, seed);
            var asked = new List<BraninMixed.Architecture>();
            double best = double.PositiveInfinity;
            while (asked.Count < Budget && strategy.Ask() is { } suggestion)
            {
                var architecture = suggestion.Architecture;
                Assert.True(BraninMixed.Space.IsAllowed(architecture));
                asked.Add(architecture);
                double value = BraninMixed.Value(architecture);
                best = Math.Min(best, value);
                // Minimise Branin: the strategies maximise, so the fitness is its negation; a second objective for the multi-objective one.
                strategy.Tell(suggestion, new TrialOutcome(-value) { Objectives = [-value, -architecture.X2] });
            }
            (strategy as IDisposable)?.Dispose();
            output.WriteLine($"{name} seed {seed}: best regret {best - BraninMixed.Minimum:F4} after {asked.Count} asks");
            Assert.Equal(Budget, asked.Count);
            Assert.True(asked.Select(a => a.X1).Distinct().Count() > Budget / 10, "x1 was hardly varied");
            Assert.True(asked.Select(a => a.X2).Distinct().Count() > Budget / 10, "x2 was hardly varied");
            Assert.True(best - BraninMixed.Minimum < maxRegret, $"{name} seed {seed}: regret {best - BraninMixed.Minimum}");
        }
    }
}
