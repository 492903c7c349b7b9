using System;
using BenchmarkDotNet.Attributes;
using NasGen.Strategies;

namespace NasGen.Benchmarks;

/// <summary>
/// Bayesian optimization's first ask after a new outcome: the Cholesky factor grows by one row (O(n²)) before the
/// acquisition search. One invocation per iteration, each after one new successful outcome.
/// </summary>
[InvocationCount(1)]
public class BayesianOptimizationRefitBenchmarks
{
    private ISearchStrategy<PackedArchitecture> _strategy = null!;
    private Random _random = null!;

    /// <summary>Outcomes told before measuring.</summary>
    [Params(100, 500, 1000)]
    public int Observations { get; set; }

    /// <summary>Builds the strategy and fits its model once (with the hyperparameter grid).</summary>
    [GlobalSetup]
    public void Setup()
    {
        _strategy = StrategyAskBenchmarks.CreateWithObservations("bo", Observations);
        _random = new Random(2);
        AskAfterNewOutcome();
    }

    /// <summary>Tells one new successful outcome.</summary>
    [IterationSetup]
    public void TellNewOutcome()
    {
        var architecture = BenchmarkSpace.Instance.Sample(_random);
        _strategy.Tell(new Suggestion<PackedArchitecture>(architecture), new TrialOutcome(BenchmarkSpace.Instance.Fitness(architecture)));
    }

    /// <summary>The ask that absorbs the new outcome.</summary>
    [Benchmark]
    public Suggestion<PackedArchitecture>? AskAfterNewOutcome()
    {
        var suggestion = _strategy.Ask();
        if (suggestion is not null) _strategy.Tell(suggestion, TrialOutcome.Failure);
        return suggestion;
    }
}
