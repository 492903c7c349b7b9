using System;
using System.Collections.Generic;
using BenchmarkDotNet.Attributes;
using NasGen.Strategies;

namespace NasGen.Benchmarks;

/// <summary>
/// The latency of one proposal by each strategy once it holds <see cref="Observations"/> outcomes. Each invocation
/// asks once and tells the suggestion as failed: a failure changes no model, population or policy, so the state
/// measured stays the state after <see cref="Observations"/> outcomes (dedup sets grow by one per invocation).
/// </summary>
public class StrategyAskBenchmarks
{
    private ISearchStrategy<PackedArchitecture> _strategy = null!;

    /// <summary>The strategy, by its factory name.</summary>
    [ParamsSource(nameof(StrategyNames))]
    public string Strategy { get; set; } = "";

    /// <summary>Outcomes told before measuring.</summary>
    [Params(100, 500, 1000)]
    public int Observations { get; set; }

    /// <summary>Every factory name, or those listed in <c>NASGEN_BENCH_STRATEGIES</c> (comma-separated) to measure a few.</summary>
    public static IEnumerable<string> StrategyNames =>
        Environment.GetEnvironmentVariable("NASGEN_BENCH_STRATEGIES") is { Length: > 0 } only
            ? only.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            : SearchStrategies.Names;

    /// <summary>Builds the strategy and feeds it its observations.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _strategy = CreateWithObservations(Strategy, Observations);
        AskAndFail(); // the first ask after new outcomes refits a model: not part of the steady state
    }

    /// <summary>A strategy from the factory that has been told <paramref name="observations"/> outcomes.</summary>
    internal static ISearchStrategy<PackedArchitecture> CreateWithObservations(string name, int observations)
    {
        var space = BenchmarkSpace.Instance;
        var strategy = SearchStrategies.Create(name, space, seed: 1);
        if (strategy is BayesianOptimization<PackedArchitecture>)
        {
            // Asking 1,000 times would refit the model 1,000 times; random observations give the same model size.
            var random = new Random(1);
            var told = new HashSet<PackedArchitecture>();
            while (told.Count < observations)
            {
                var architecture = space.Sample(random);
                if (told.Add(architecture)) strategy.Tell(new Suggestion<PackedArchitecture>(architecture), new TrialOutcome(space.Fitness(architecture)));
            }
            return strategy;
        }
        for (int i = 0; i < observations; i++)
        {
            var suggestion = strategy.Ask() ?? throw new InvalidOperationException($"{name} stopped after {i} asks.");
            strategy.Tell(suggestion, new TrialOutcome(space.Fitness(suggestion.Architecture, suggestion.Fidelity)));
        }
        return strategy;
    }

    /// <summary>Frees the strategy's native state.</summary>
    [GlobalCleanup]
    public void Cleanup() => (_strategy as IDisposable)?.Dispose();

    /// <summary>One ask (and a failed tell that leaves the state as it was).</summary>
    [Benchmark]
    public Suggestion<PackedArchitecture>? AskAndFail()
    {
        var suggestion = _strategy.Ask();
        if (suggestion is not null) _strategy.Tell(suggestion, TrialOutcome.Failure);
        return suggestion;
    }
}
