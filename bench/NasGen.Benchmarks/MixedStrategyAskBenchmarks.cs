using System;
using System.Collections.Generic;
using BenchmarkDotNet.Attributes;
using NasGen.Strategies;

namespace NasGen.Benchmarks;

/// <summary>
/// The latency of one proposal on the 10-dimension mixed space (<see cref="MixedBenchmarkSpace"/>: five continuous
/// ranges, two stepped ranges, three choices) once a strategy holds <see cref="Observations"/> outcomes, measured as
/// <see cref="StrategyAskBenchmarks"/> measures it (ask, then a failed tell that leaves the state as it was).
/// </summary>
public class MixedStrategyAskBenchmarks
{
    private ISearchStrategy<MixedArchitecture> _strategy = null!;

    /// <summary>The strategy, by its factory name.</summary>
    [Params("tpe", "bo")]
    public string Strategy { get; set; } = "";

    /// <summary>Outcomes told before measuring.</summary>
    [Params(500, 1000)]
    public int Observations { get; set; }

    /// <summary>Builds the strategy and feeds it its observations.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var space = MixedBenchmarkSpace.Instance;
        _strategy = SearchStrategies.Create(Strategy, space, seed: 1);
        if (_strategy is BayesianOptimization<MixedArchitecture>)
        {
            // As in StrategyAskBenchmarks: random observations give the model its size without a refit per ask.
            var random = new Random(1);
            var told = new HashSet<MixedArchitecture>();
            while (told.Count < Observations)
            {
                var architecture = space.Sample(random);
                if (told.Add(architecture)) _strategy.Tell(new Suggestion<MixedArchitecture>(architecture), new TrialOutcome(space.Fitness(architecture)));
            }
        }
        else
        {
            for (int i = 0; i < Observations; i++)
            {
                var suggestion = _strategy.Ask() ?? throw new InvalidOperationException($"{Strategy} stopped after {i} asks.");
                _strategy.Tell(suggestion, new TrialOutcome(space.Fitness(suggestion.Architecture)));
            }
        }
        AskAndFail(); // the first ask after new outcomes refits a model: not part of the steady state
    }

    /// <summary>
    /// The processor time (not wall time: this machine is shared) of <paramref name="asks"/> asks for each case of this
    /// benchmark, after the same setup: <c>dotnet run -c Release --project bench/NasGen.Benchmarks -- --cpu-ask 16</c>.
    /// </summary>
    public static void MeasureCpuTime(int asks)
    {
        foreach (string strategy in new[] { "tpe", "bo" })
        {
            foreach (int observations in new[] { 500, 1000 })
            {
                var benchmark = new MixedStrategyAskBenchmarks { Strategy = strategy, Observations = observations };
                benchmark.Setup();
                benchmark.AskAndFail();
                var process = System.Diagnostics.Process.GetCurrentProcess();
                process.Refresh();
                var before = process.TotalProcessorTime;
                var wall = System.Diagnostics.Stopwatch.StartNew();
                for (int i = 0; i < asks; i++) benchmark.AskAndFail();
                process.Refresh();
                double cpu = (process.TotalProcessorTime - before).TotalMilliseconds / asks;
                Console.WriteLine($"{strategy} at {observations} outcomes: {cpu:F2} ms processor time per ask, {wall.Elapsed.TotalMilliseconds / asks:F2} ms wall ({asks} asks)");
                benchmark.Cleanup();
            }
        }
    }

    /// <summary>Frees the strategy's native state.</summary>
    [GlobalCleanup]
    public void Cleanup() => (_strategy as IDisposable)?.Dispose();

    /// <summary>One ask (and a failed tell that leaves the state as it was).</summary>
    [Benchmark]
    public Suggestion<MixedArchitecture>? AskAndFail()
    {
        var suggestion = _strategy.Ask();
        if (suggestion is not null) _strategy.Tell(suggestion, TrialOutcome.Failure);
        return suggestion;
    }
}
