using System.Collections.Generic;
using System.Linq;
using NasGen.Strategies;
using NasGen.Tests.TestSpaces;

namespace NasGen.Tests.Strategies;

public sealed class MultiFidelityTests
{
    private static readonly PlantedSpace Space = PlantedSpace.Instance;

    private static IEnumerable<(int Count, double Fidelity)> Rungs(params (int Count, double Fidelity)[] rungs) => rungs;

    [Fact]
    public void Hyperband_fidelities_follow_the_bracket_schedule()
    {
        var strategy = new Hyperband<PlantedArchitecture>(Space, null, seed: 1);
        var asked = SearchLoop.Run(strategy, budget: 2 * 69);
        var cycle = Rungs((27, 1.0 / 27), (9, 1.0 / 9), (3, 1.0 / 3), (1, 1),
            (12, 1.0 / 9), (4, 1.0 / 3), (1, 1),
            (6, 1.0 / 3), (2, 1),
            (4, 1));
        var expected = cycle.Concat(cycle).SelectMany(r => Enumerable.Repeat(r.Fidelity, r.Count)).ToList();
        Assert.Equal(expected.Count, asked.Count);
        for (int i = 0; i < expected.Count; i++) Assert.Equal(expected[i], asked[i].Fidelity, 12);
        Assert.Equal(8, strategy.BracketsStarted);
    }

    [Fact]
    public void Successive_halving_repeats_its_one_bracket()
    {
        var strategy = new SuccessiveHalving<PlantedArchitecture>(Space, new SuccessiveHalvingOptions { Eta = 2, MinFidelity = 0.25, Configurations = 8 }, seed: 1);
        var asked = SearchLoop.Run(strategy, budget: 30);
        var bracket = Rungs((8, 0.25), (4, 0.5), (2, 1)).SelectMany(r => Enumerable.Repeat(r.Fidelity, r.Count)).ToList();
        Assert.Equal(bracket.Concat(bracket).Concat(bracket.Take(2)), asked.Select(s => s.Fidelity));
    }

    [Fact]
    public void Each_rung_promotes_the_best_third_of_the_one_below()
    {
        var strategy = new Hyperband<PlantedArchitecture>(Space, null, seed: 3);
        var rung = new List<(PlantedArchitecture Architecture, double Fitness)>();
        double fidelity = 1.0 / 27;
        for (int i = 0; i < 40; i++)
        {
            var suggestion = strategy.Ask()!;
            if (suggestion.Fidelity > fidelity + 1e-12)
            {
                // A new rung: its members are exactly the best third of the rung below.
                int size = rung.Count / 3;
                var best = rung.OrderByDescending(m => m.Fitness).Take(size).Select(m => m.Architecture).ToHashSet();
                var promoted = new List<PlantedArchitecture> { suggestion.Architecture };
                for (int k = 1; k < size; k++) promoted.Add(strategy.Ask()!.Architecture);
                Assert.Equal(best, promoted.ToHashSet());
                i += size - 1;
                fidelity = suggestion.Fidelity;
                rung = promoted.Select(a => (a, PlantedObjective.Evaluate(a, fidelity))).ToList();
                foreach (var member in rung) strategy.Tell(new Suggestion<PlantedArchitecture>(member.Architecture, fidelity), new TrialOutcome(member.Fitness));
                continue;
            }
            double fitness = PlantedObjective.Evaluate(suggestion.Architecture, suggestion.Fidelity);
            rung.Add((suggestion.Architecture, fitness));
            strategy.Tell(suggestion, new TrialOutcome(fitness));
        }
        Assert.Equal(1.0, fidelity);
    }

    [Fact]
    public void Without_proposing_ahead_ask_returns_null_until_the_rung_is_complete()
    {
        var options = new MultiFidelityOptions { ProposeFromNextBracketWhileWaiting = false };
        var strategy = new Hyperband<PlantedArchitecture>(Space, options, seed: 2);
        var first = Enumerable.Range(0, 27).Select(_ => strategy.Ask()!).ToList();
        Assert.Null(strategy.Ask());
        foreach (var s in first.Take(26)) strategy.Tell(s, new TrialOutcome(PlantedObjective.Evaluate(s.Architecture, s.Fidelity)));
        Assert.Null(strategy.Ask());
        strategy.Tell(first[26], TrialOutcome.Failure);
        var promoted = strategy.Ask()!;
        Assert.Equal(1.0 / 9, promoted.Fidelity, 12);
        Assert.Equal(1, strategy.BracketsStarted);
    }

    [Fact]
    public void While_a_rung_waits_parallel_asks_start_the_next_bracket()
    {
        var strategy = new Hyperband<PlantedArchitecture>(Space, null, seed: 2);
        var first = Enumerable.Range(0, 27).Select(_ => strategy.Ask()!).ToList();
        var ahead = strategy.Ask()!;
        Assert.Equal(1.0 / 9, ahead.Fidelity, 12); // bracket s = 2 starts at 1/9
        Assert.Equal(2, strategy.BracketsStarted);
        Assert.DoesNotContain(first, s => s.Architecture == ahead.Architecture);
    }

    [Fact]
    public void A_rung_whose_members_all_fail_ends_its_bracket()
    {
        var options = new SuccessiveHalvingOptions { ProposeFromNextBracketWhileWaiting = false };
        var strategy = new SuccessiveHalving<PlantedArchitecture>(Space, options, seed: 2);
        for (int i = 0; i < 27; i++) strategy.Tell(strategy.Ask()!, TrialOutcome.Failure);
        var next = strategy.Ask()!;
        Assert.Equal(1.0 / 27, next.Fidelity, 12);
        Assert.Equal(2, strategy.BracketsStarted);
    }
}
