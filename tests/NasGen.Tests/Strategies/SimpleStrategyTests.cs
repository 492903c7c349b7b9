using System.Collections.Generic;
using System.Linq;
using NasGen.Strategies;
using NasGen.Tests.TestSpaces;

namespace NasGen.Tests.Strategies;

public sealed class SimpleStrategyTests
{
    private static readonly PlantedSpace Space = PlantedSpace.Instance;

    [Fact]
    public void Random_search_never_repeats_and_ends_when_the_allowed_space_is_exhausted()
    {
        var strategy = new RandomSearch<PlantedArchitecture>(Space, seed: 3);
        var asked = SearchLoop.Run(strategy, budget: int.MaxValue, parallel: 2);
        Assert.Equal(PlantedSpace.AllowedCount, asked.Count);
        Assert.Equal(PlantedSpace.AllowedCount, asked.Select(s => s.Architecture).Distinct().Count());
        Assert.All(asked, s => Assert.True(Space.IsAllowed(s.Architecture)));
        Assert.Null(strategy.Ask());
    }

    [Fact]
    public void Grid_search_follows_the_enumeration_order_then_ends()
    {
        var expected = new List<PlantedArchitecture>();
        foreach (var architecture in Space.Enumerate()) expected.Add(architecture);
        var strategy = new GridSearch<PlantedArchitecture>(Space, seed: 0);
        var asked = SearchLoop.Run(strategy, budget: int.MaxValue);
        Assert.Equal(expected, asked.Select(s => s.Architecture));
        Assert.Null(strategy.Ask());
    }

    [Fact]
    public void Shuffled_grid_search_visits_every_allowed_architecture_once_in_another_order()
    {
        var strategy = new GridSearch<PlantedArchitecture>(Space, new GridSearchOptions { Shuffle = true }, seed: 4);
        var asked = SearchLoop.Run(strategy, budget: int.MaxValue).Select(s => s.Architecture).ToList();
        var ordered = new List<PlantedArchitecture>();
        foreach (var architecture in Space.Enumerate()) ordered.Add(architecture);
        Assert.Equal(PlantedSpace.AllowedCount, asked.Count);
        Assert.Equal(ordered.ToHashSet(), asked.ToHashSet());
        Assert.NotEqual(ordered.Take(50), asked.Take(50));
        Assert.Null(strategy.Ask());
    }

    [Fact]
    public void Regularized_evolution_keeps_the_newest_members_and_breeds_by_mutation()
    {
        var options = new RegularizedEvolutionOptions { PopulationSize = 10, SampleSize = 3 };
        var strategy = new RegularizedEvolution<PlantedArchitecture>(Space, options, seed: 2);
        var told = new List<PlantedArchitecture>();
        for (int i = 0; i < 40; i++)
        {
            var suggestion = strategy.Ask()!;
            strategy.Tell(suggestion, new TrialOutcome(PlantedObjective.Evaluate(suggestion.Architecture)));
            told.Add(suggestion.Architecture);
            Assert.True(strategy.Population.Count <= options.PopulationSize);
            if (i >= options.PopulationSize)
            {
                // Children differ from some member of the population they were bred from in exactly one choice.
                Assert.Contains(told.Skip(i - options.PopulationSize).Take(options.PopulationSize),
                    parent => Differences(parent, suggestion.Architecture) == 1);
            }
        }
        Assert.Equal(told.Skip(30), strategy.Population.Select(m => m.Architecture)); // the oldest died first
    }

    [Fact]
    public void Local_search_moves_to_the_neighbourhood_of_the_best_starting_sample()
    {
        var strategy = new LocalSearch<PlantedArchitecture>(Space, new LocalSearchOptions { InitialSamples = 5 }, seed: 8);
        var samples = Enumerable.Range(0, 5).Select(_ => strategy.Ask()!).ToList();
        Assert.Null(strategy.Ask()); // the starting point is chosen only when all samples are told
        foreach (var sample in samples) strategy.Tell(sample, new TrialOutcome(PlantedObjective.Evaluate(sample.Architecture)));

        var best = samples.MaxBy(s => PlantedObjective.Evaluate(s.Architecture))!.Architecture;
        int neighbours = Space.Neighbours(best).Count(n => !samples.Any(s => s.Architecture == n));
        var next = Enumerable.Range(0, neighbours).Select(_ => strategy.Ask()!).ToList();
        Assert.All(next, s => Assert.Equal(1, Differences(best, s.Architecture)));
        Assert.Equal(neighbours, next.Select(s => s.Architecture).Distinct().Count());
        Assert.Null(strategy.Ask()); // waits for the neighbourhood before moving
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Local_search_moves_at_the_first_better_neighbour_or_after_the_whole_neighbourhood(bool firstImprovement)
    {
        var strategy = new LocalSearch<PlantedArchitecture>(Space, new LocalSearchOptions { InitialSamples = 1, FirstImprovement = firstImprovement }, seed: 3);
        var start = strategy.Ask()!;
        strategy.Tell(start, new TrialOutcome(0));
        var better = strategy.Ask()!;
        Assert.Equal(1, Differences(start.Architecture, better.Architecture));
        strategy.Tell(better, new TrialOutcome(1));
        var next = Enumerable.Range(0, 6).Select(_ => strategy.Ask()!).ToList();
        foreach (var s in next) strategy.Tell(s, new TrialOutcome(-1));
        if (firstImprovement)
        {
            // Climbing from the better neighbour: two choices away from the start, except along the changed one.
            Assert.All(next, s => Assert.Equal(1, Differences(better.Architecture, s.Architecture)));
            Assert.Contains(next, s => Differences(start.Architecture, s.Architecture) == 2);
        }
        else
        {
            Assert.All(next, s => Assert.Equal(1, Differences(start.Architecture, s.Architecture)));
        }
    }

    [Fact]
    public void Local_search_restarts_at_a_local_optimum_and_never_repeats()
    {
        var strategy = new LocalSearch<PlantedArchitecture>(Space, null, seed: 1);
        var asked = SearchLoop.Run(strategy, budget: 600);
        Assert.Contains(asked, s => s.Architecture == PlantedObjective.Optimum);
        Assert.True(strategy.Restarts >= 1);
        Assert.Equal(asked.Count, asked.Select(s => s.Architecture).Distinct().Count());
    }

    [Fact]
    public void Reinforce_concentrates_its_policy_on_the_optimum()
    {
        using var strategy = new Reinforce<PlantedArchitecture>(Space, null, seed: 6);
        SearchLoop.Run(strategy, budget: 400);
        var probabilities = strategy.Probabilities();
        int[] optimum = Space.EncodeCategorical(PlantedObjective.Optimum);
        for (int d = 0; d < optimum.Length; d++)
            Assert.True(probabilities[d][optimum[d]] > 0.5, $"dimension {d}: {string.Join(", ", probabilities[d])}");
        Assert.All(probabilities, p => Assert.Equal(1.0, p.Sum(), 5));
    }

    [Fact]
    public void The_lstm_controller_is_reproducible_and_depends_on_the_seed()
    {
        string[] Run(int seed)
        {
            using var strategy = new Reinforce<PlantedArchitecture>(Space, LstmOptions, seed);
            return SearchLoop.Run(strategy, budget: 30).Select(s => Space.ToCanonicalString(s.Architecture)).ToArray();
        }
        Assert.Equal(Run(3), Run(3));
        Assert.NotEqual(Run(3), Run(4));
    }

    [Fact]
    public void The_lstm_controller_learns_to_propose_fitter_architectures()
    {
        using var strategy = new Reinforce<PlantedArchitecture>(Space, LstmOptions, seed: 1);
        var asked = SearchLoop.Run(strategy, budget: 150);
        double first = asked.Take(30).Average(s => PlantedObjective.Evaluate(s.Architecture));
        double last = asked.Skip(120).Average(s => PlantedObjective.Evaluate(s.Architecture));
        Assert.True(last > first + 0.5, $"mean fitness {first:F2} over the first 30 asks, {last:F2} over the last 30");
    }

    private static readonly ReinforceOptions LstmOptions = new() { Controller = ReinforceController.Lstm, HiddenSize = 32, LearningRate = 0.01 };

    internal static int Differences(PlantedArchitecture a, PlantedArchitecture b)
    {
        int[] x = Space.EncodeCategorical(a), y = Space.EncodeCategorical(b);
        return x.Zip(y).Count(p => p.First != p.Second);
    }
}
