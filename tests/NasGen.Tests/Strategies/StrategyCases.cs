using System;
using System.Collections.Generic;
using NasGen.Strategies;
using NasGen.Tests.TestSpaces;

namespace NasGen.Tests.Strategies;

/// <summary>Every strategy under test, by name, with the options and budget the tests use on <see cref="PlantedSpace"/>.</summary>
internal static class StrategyCases
{
    /// <summary>Strategy name → asks within which the planted optimum must be proposed (at full fidelity).</summary>
    public static readonly IReadOnlyDictionary<string, int> OptimumBudget = new Dictionary<string, int>
    {
        ["random"] = PlantedSpace.AllowedCount,
        ["grid"] = PlantedSpace.AllowedCount,
        ["grid-shuffled"] = PlantedSpace.AllowedCount,
        ["evolution"] = 600,
        ["local"] = 300,
        ["reinforce"] = 1_500,
        ["bo"] = 120,
        ["tpe"] = 300,
        ["tpe-multivariate"] = 300,
        ["hyperband"] = 9_000,
        ["sh"] = 9_000,
        ["pareto-evolution"] = 600,
        ["parego"] = 120,
        ["ehvi"] = 120,
        ["epsilon-constraint"] = 120,
    };

    /// <summary>Asks for the contract tests: the Gaussian-process strategies' asks cost O(n³) in a Debug build, so they get fewer.</summary>
    public static int ContractBudget(string name) => name is "bo" or "parego" or "ehvi" or "epsilon-constraint" ? 100 : 400;

    public static IEnumerable<object[]> Names()
    {
        foreach (string name in OptimumBudget.Keys) yield return [name];
    }

    public static ISearchStrategy<PlantedArchitecture> Create(string name, int seed)
    {
        var space = PlantedSpace.Instance;
        return name switch
        {
            "evolution" => new RegularizedEvolution<PlantedArchitecture>(space, new RegularizedEvolutionOptions { PopulationSize = 20, SampleSize = 5 }, seed),
            _ => SearchStrategies.Create(name, space, seed),
        };
    }

    public static bool IsFullFidelityOptimum(Suggestion<PlantedArchitecture> suggestion) =>
        suggestion.Architecture == PlantedObjective.Optimum && suggestion.Fidelity == 1.0;
}
