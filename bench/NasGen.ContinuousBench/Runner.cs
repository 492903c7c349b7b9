using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading.Tasks;
using NasGen.Strategies;

namespace NasGen.ContinuousBench;

/// <summary>What one strategy reached on one problem over all seeds: the simple regret of each seed.</summary>
public sealed record StrategyResult(string Strategy, double[] Regrets, double MeanEvaluations, TimeSpan Elapsed)
{
    /// <summary>The median simple regret.</summary>
    public double Median => Quantile(Regrets, 0.5);

    /// <summary>The first quartile.</summary>
    public double LowerQuartile => Quantile(Regrets, 0.25);

    /// <summary>The third quartile.</summary>
    public double UpperQuartile => Quantile(Regrets, 0.75);

    /// <summary>The q-quantile, interpolated linearly between order statistics (numpy's default), as the Optuna script computes it.</summary>
    public static double Quantile(IReadOnlyCollection<double> values, double q)
    {
        if (values.Count == 0) return double.NaN;
        var sorted = values.Order().ToArray();
        double position = q * (sorted.Length - 1);
        int lower = (int)Math.Floor(position);
        int upper = Math.Min(lower + 1, sorted.Length - 1);
        return sorted[lower] + (position - lower) * (sorted[upper] - sorted[lower]);
    }
}

/// <summary>A strategy that refused the problem's space when created, with its reason.</summary>
public sealed record Refusal(string Strategy, string Reason);

/// <summary>A test function declared as a search space, to be minimised.</summary>
public interface IProblem
{
    /// <summary>The name used on the command line and in the tables.</summary>
    string Name { get; }

    /// <summary>The function's minimum over the space (regret 0).</summary>
    double Minimum { get; }

    /// <summary>Runs <paramref name="strategy"/> for seeds 0..<paramref name="seeds"/>−1; a refusal when the strategy does not accept the space.</summary>
    (StrategyResult? Result, Refusal? Refusal) Run(string strategy, int seeds, int evaluations);
}

/// <summary>A problem over the space of <typeparamref name="TArchitecture"/>.</summary>
public sealed class Problem<TArchitecture>(string name, ISearchSpace<TArchitecture> space, Func<TArchitecture, double> value, double minimum) : IProblem
    where TArchitecture : struct, IEquatable<TArchitecture>
{
    /// <inheritdoc />
    public string Name => name;

    /// <inheritdoc />
    public double Minimum => minimum;

    /// <inheritdoc />
    public (StrategyResult? Result, Refusal? Refusal) Run(string strategy, int seeds, int evaluations)
    {
        bool usesTorch;
        try
        {
            var probe = CreateStrategy(strategy, space, 0);
            usesTorch = probe is IDisposable;
            (probe as IDisposable)?.Dispose();
        }
        catch (NotSupportedException e)
        {
            return (null, new Refusal(strategy, e.Message));
        }
        var watch = Stopwatch.StartNew();
        var regrets = new double[seeds];
        var counts = new int[seeds];
        // Strategies holding libtorch tensors run one seed at a time (TorchSharp's optimizers are not safe across threads).
        Parallel.For(0, seeds, new ParallelOptions { MaxDegreeOfParallelism = usesTorch ? 1 : -1 },
            seed => (regrets[seed], counts[seed]) = Search(strategy, seed, evaluations));
        return (new StrategyResult(strategy, regrets, counts.Average(), watch.Elapsed), null);
    }

    /// <summary>
    /// One search: every answered ask is an evaluation (a lower fidelity gets the same value: the function has one),
    /// the strategy maximises the negated function, and the result is the best value evaluated minus the minimum.
    /// </summary>
    public (double Regret, int Evaluations) Search(string strategy, int seed, int evaluations)
    {
        var search = CreateStrategy(strategy, space, seed);
        try
        {
            double best = double.PositiveInfinity;
            int done = 0;
            while (done < evaluations && search.Ask() is { } suggestion)
            {
                double y = value(suggestion.Architecture);
                best = Math.Min(best, y);
                search.Tell(suggestion, new TrialOutcome(-y));
                done++;
            }
            return (best - minimum, done);
        }
        finally
        {
            (search as IDisposable)?.Dispose();
        }
    }

    /// <summary>
    /// A factory strategy with its defaults, or <c>rea</c>: regularized evolution with NAS-Bench-201's REA baseline
    /// settings (population 10, tournament 3), since the default population of 100 spends a 100-evaluation budget on
    /// random samples.
    /// </summary>
    public static ISearchStrategy<TArchitecture> CreateStrategy(string name, ISearchSpace<TArchitecture> space, int seed) =>
        name.Trim().Equals("rea", StringComparison.OrdinalIgnoreCase)
            ? new RegularizedEvolution<TArchitecture>(space, new RegularizedEvolutionOptions { PopulationSize = 10, SampleSize = 3 }, seed)
            : SearchStrategies.Create(name, space, seed);
}

/// <summary>The benchmark's problems.</summary>
public static class Problems
{
    /// <summary>Branin, Hartmann-6 and the mixed Hartmann-6, by name.</summary>
    public static IReadOnlyList<IProblem> All { get; } =
    [
        new Problem<Branin.Architecture>("branin", Branin.Space, Branin.Value, Branin.Minimum),
        new Problem<Hartmann6.Architecture>("hartmann6", Hartmann6.Space, Hartmann6.Value, Hartmann6.Minimum),
        new Problem<Hartmann6Mixed.Architecture>("hartmann6-mixed", Hartmann6Mixed.Space, Hartmann6Mixed.Value, Hartmann6Mixed.Minimum),
    ];
}
