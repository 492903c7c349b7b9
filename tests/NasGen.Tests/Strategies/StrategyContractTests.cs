using System;
using System.Linq;
using NasGen.Strategies;
using NasGen.Tests.TestSpaces;

namespace NasGen.Tests.Strategies;

/// <summary>What every strategy promises: it finds the optimum, is reproducible, survives failures and respects constraints.</summary>
public sealed class StrategyContractTests
{
    [Theory]
    [MemberData(nameof(StrategyCases.Names), MemberType = typeof(StrategyCases))]
    public void Finds_the_planted_optimum_within_its_budget_on_several_seeds(string name)
    {
        int budget = StrategyCases.OptimumBudget[name];
        foreach (int seed in new[] { 1, 2, 3 })
        {
            var strategy = StrategyCases.Create(name, seed);
            var asked = SearchLoop.Run(strategy, budget, stopWhen: StrategyCases.IsFullFidelityOptimum);
            (strategy as IDisposable)?.Dispose();
            Assert.True(asked.Count > 0 && StrategyCases.IsFullFidelityOptimum(asked[^1]),
                $"{name} with seed {seed} did not propose the optimum at full fidelity within {budget} asks.");
        }
    }

    [Theory]
    [MemberData(nameof(StrategyCases.Names), MemberType = typeof(StrategyCases))]
    public void The_same_seed_reproduces_the_same_suggestions(string name)
    {
        var first = Run(name, seed: 11);
        var second = Run(name, seed: 11);
        Assert.Equal(first, second);
    }

    [Theory]
    [MemberData(nameof(StrategyCases.Names), MemberType = typeof(StrategyCases))]
    public void A_different_seed_gives_a_different_sequence(string name)
    {
        if (name == "grid") return; // index order does not depend on the seed
        Assert.NotEqual(Run(name, seed: 11), Run(name, seed: 12));
    }

    [Theory]
    [MemberData(nameof(StrategyCases.Names), MemberType = typeof(StrategyCases))]
    public void Failed_outcomes_neither_stop_nor_crash_the_search(string name)
    {
        var strategy = StrategyCases.Create(name, seed: 5);
        int budget = StrategyCases.ContractBudget(name);
        var asked = SearchLoop.Run(strategy, budget, parallel: 4, failEvery: 3);
        (strategy as IDisposable)?.Dispose();
        Assert.Equal(budget, asked.Count);
    }

    [Theory]
    [MemberData(nameof(StrategyCases.Names), MemberType = typeof(StrategyCases))]
    public void Every_suggestion_is_allowed_and_has_a_fidelity_in_the_unit_interval(string name)
    {
        var strategy = StrategyCases.Create(name, seed: 9);
        var asked = SearchLoop.Run(strategy, StrategyCases.ContractBudget(name), parallel: 3, failEvery: 11);
        (strategy as IDisposable)?.Dispose();
        Assert.All(asked, s =>
        {
            Assert.True(PlantedSpace.Instance.IsAllowed(s.Architecture), $"{name} proposed {PlantedSpace.Instance.ToCanonicalString(s.Architecture)}");
            Assert.InRange(s.Fidelity, 1e-9, 1.0);
        });
    }

    [Theory]
    [MemberData(nameof(StrategyCases.Names), MemberType = typeof(StrategyCases))]
    public void Tells_with_suggestions_rebuilt_from_a_store_give_the_same_run(string name)
    {
        var original = Run(name, seed: 13);
        var strategy = StrategyCases.Create(name, seed: 13);
        var replayed = SearchLoop.Run(new RebuildingTells(strategy), budget: 80, parallel: 3, failEvery: 7);
        (strategy as IDisposable)?.Dispose();
        Assert.Equal(original, replayed.Select(s => (PlantedSpace.Instance.ToCanonicalString(s.Architecture), s.Fidelity)).ToArray());
    }

    [Fact]
    public void The_factory_knows_every_name_and_rejects_unknown_ones()
    {
        foreach (string name in SearchStrategies.Names)
        {
            var strategy = SearchStrategies.Create(name, PlantedSpace.Instance, seed: 1);
            Assert.NotNull(strategy.Ask());
            var byLongName = SearchStrategies.Create(strategy.Name, PlantedSpace.Instance, seed: 1);
            Assert.Same(strategy.GetType(), byLongName.GetType());
            (strategy as IDisposable)?.Dispose();
            (byLongName as IDisposable)?.Dispose();
        }
        var error = Assert.Throws<ArgumentException>(() => SearchStrategies.Create("annealing", PlantedSpace.Instance, seed: 1));
        Assert.Contains("hyperband", error.Message);
    }

    private static (string Architecture, double Fidelity)[] Run(string name, int seed)
    {
        var strategy = StrategyCases.Create(name, seed);
        var asked = SearchLoop.Run(strategy, budget: 80, parallel: 3, failEvery: 7);
        (strategy as IDisposable)?.Dispose();
        return asked.Select(s => (PlantedSpace.Instance.ToCanonicalString(s.Architecture), s.Fidelity)).ToArray();
    }

    /// <summary>Tells each outcome with a new, equal suggestion, as a store that rebuilds trials would.</summary>
    private sealed class RebuildingTells(ISearchStrategy<PlantedArchitecture> inner) : ISearchStrategy<PlantedArchitecture>
    {
        public string Name => inner.Name;

        public Suggestion<PlantedArchitecture>? Ask() => inner.Ask();

        public void Tell(Suggestion<PlantedArchitecture> suggestion, TrialOutcome outcome) =>
            inner.Tell(new Suggestion<PlantedArchitecture>(suggestion.Architecture, suggestion.Fidelity), outcome);
    }
}
