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

    // The Gaussian-process strategies at a budget where their model matters: each seed's best regret, bo against random.
    [Fact]
    public void Bayesian_optimization_beats_random_search_on_Branin_at_equal_budget()
    {
        int[] seeds = [1, 2, 3, 4, 5];
        var bo = seeds.Select(seed => BestRegret("bo", seed)).ToArray();
        var random = seeds.Select(seed => BestRegret("random", seed)).ToArray();
        output.WriteLine($"bo {string.Join(" ", bo.Select(r => r.ToString("F4")))}; random {string.Join(" ", random.Select(r => r.ToString("F4")))}");
        Assert.True(seeds.Count(i => bo[i - 1] < random[i - 1]) >= 4, "bo should beat random on at least 4 of 5 seeds");
        Assert.True(Median(bo) < Median(random) / 4, $"median regret: bo {Median(bo)}, random {Median(random)}");
    }

    public static TheoryData<string> ModelStrategies => new() { "bo", "parego", "ehvi", "epsilon-constraint", "reinforce" };

    // The constraint x1 + x2 ≤ 10 reads both ranges: the models and the acquisition's compass search must keep to it.
    [Theory]
    [MemberData(nameof(ModelStrategies))]
    public void Model_based_strategies_search_ranges_within_the_constraints(string name)
    {
        var strategy = SearchStrategies.Create(name, BraninConstrained.Space, seed: 7);
        var points = new HashSet<(double, double)>();
        double best = double.PositiveInfinity;
        for (int i = 0; i < ModelBudget && strategy.Ask() is { } suggestion; i++)
        {
            var a = suggestion.Architecture;
            Assert.True(a.X1 + a.X2 <= 10 && BraninConstrained.Space.IsAllowed(a), $"{name} proposed {BraninConstrained.Space.ToCanonicalString(a)}");
            points.Add((a.X1, a.X2));
            double value = BraninConstrained.Value(a);
            best = Math.Min(best, value);
            strategy.Tell(suggestion, new TrialOutcome(-value) { Objectives = [-value, -a.X1] });
        }
        output.WriteLine($"{name}: best regret {best - BraninMixed.Minimum:F4}, {points.Count} distinct (x1, x2)");
        Assert.True(points.Count >= ModelBudget * 3 / 4, $"{name} varied the ranges at only {points.Count} of {ModelBudget} points");
    }

    // REINFORCE's truncated normal per range learns where Branin is low: its last samples are better on average than
    // its first, and its deviations have shrunk from the initial 0.5.
    [Fact]
    public void Reinforce_learns_a_distribution_over_each_range()
    {
        const int Asks = 200, Window = 40;
        foreach (int seed in new[] { 1, 2, 3 })
        {
            using var strategy = new Reinforce<BraninMixed.Architecture>(BraninMixed.Space, null, seed);
            var values = new List<double>();
            for (int i = 0; i < Asks && strategy.Ask() is { } suggestion; i++)
            {
                double value = BraninMixed.Value(suggestion.Architecture);
                values.Add(value);
                strategy.Tell(suggestion, new TrialOutcome(-value));
            }
            double first = values.Take(Window).Average(), last = values.Skip(Asks - Window).Average();
            var (means, deviations) = strategy.RangeDistributions();
            output.WriteLine($"seed {seed}: mean Branin of the first {Window} {first:F2}, of the last {last:F2}; " +
                $"x1 ~ N({means[0]:F3}, {deviations[0]:F3}), x2 ~ N({means[1]:F3}, {deviations[1]:F3}) in normalised position");
            Assert.True(last < first / 2, $"seed {seed}: first {first}, last {last}");
            Assert.All(deviations, d => Assert.True(d < 0.5, $"deviation {d} did not shrink"));
        }
    }

    public static TheoryData<string> MultiObjectiveModelStrategies => new() { "parego", "ehvi", "epsilon-constraint" };

    // Two objectives on mixed Branin: minimise Branin and x1. The front each finds must dominate more than random
    // search's at the same budget (the area up to Branin 20 and x1 10), summed over three seeds.
    [Theory]
    [MemberData(nameof(MultiObjectiveModelStrategies))]
    public void Multi_objective_model_strategies_search_ranges(string name)
    {
        int[] seeds = [1, 2, 3];
        var model = seeds.Select(seed => FrontArea(name, seed)).ToArray();
        var random = seeds.Select(seed => FrontArea("random", seed)).ToArray();
        output.WriteLine($"{name} {string.Join(" ", model.Select(r => r.ToString("F2")))}; random {string.Join(" ", random.Select(r => r.ToString("F2")))}");
        Assert.True(model.Sum() > random.Sum(), $"{name}: total area {model.Sum()} against random's {random.Sum()}");
    }

    /// <summary>The area that the points of <paramref name="name"/>'s search dominate, minimising (Branin, x1), up to (20, 10).</summary>
    private static double FrontArea(string name, int seed)
    {
        var points = new List<(double Branin, double X1)>();
        Search(name, seed, a => points.Add((BraninMixed.Value(a), a.X1)));
        double area = 0, lowestBranin = 20;
        foreach (var (branin, x1) in points.OrderBy(p => p.X1))
        {
            if (branin >= lowestBranin) continue;
            area += (lowestBranin - branin) * (10 - x1);
            lowestBranin = branin;
        }
        return area;
    }

    private const int ModelBudget = 50;

    /// <summary>The best Branin regret of <see cref="ModelBudget"/> evaluations of strategy <paramref name="name"/>.</summary>
    private static double BestRegret(string name, int seed)
    {
        double best = double.PositiveInfinity;
        Search(name, seed, a => best = Math.Min(best, BraninMixed.Value(a)));
        return best - BraninMixed.Minimum;
    }

    /// <summary>Runs <see cref="ModelBudget"/> evaluations of <paramref name="name"/> on mixed Branin (x1 as a second objective), each architecture seen once.</summary>
    private static void Search(string name, int seed, Action<BraninMixed.Architecture> evaluated)
    {
        var strategy = SearchStrategies.Create(name, BraninMixed.Space, seed);
        var seen = new HashSet<BraninMixed.Architecture>();
        for (int i = 0; i < ModelBudget && strategy.Ask() is { } suggestion; i++)
        {
            var architecture = suggestion.Architecture;
            Assert.True(BraninMixed.Space.IsAllowed(architecture));
            Assert.True(seen.Add(architecture), $"{name} proposed {BraninMixed.Space.ToCanonicalString(architecture)} twice");
            evaluated(architecture);
            double value = BraninMixed.Value(architecture);
            strategy.Tell(suggestion, new TrialOutcome(-value) { Objectives = [-value, -architecture.X1] });
        }
        (strategy as IDisposable)?.Dispose();
        Assert.Equal(ModelBudget, seen.Count);
    }

    private static double Median(double[] values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
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
