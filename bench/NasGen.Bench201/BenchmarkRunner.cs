using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading.Tasks;
using NasGen.Strategies;

namespace NasGen.Bench201;

/// <summary>The budget of one search: at most <see cref="Queries"/> queries and, when set, at most <see cref="Seconds"/> simulated seconds of the cost column × <see cref="CostScale"/>.</summary>
public sealed record Budget(int Queries, double? Seconds = null, double CostScale = 1.0);

/// <summary>What one search (one strategy, one seed) found.</summary>
public sealed record RunResult(
    int Queries, double SimulatedSeconds, double ChosenFitness, double ChosenReport, int ChosenGridIndex,
    double[] ReportCurve, double Hypervolume)
{
    /// <summary>The grid indices of the queried architectures, in query order.</summary>
    public int[] Queried { get; init; } = [];
}

/// <summary>Summary of one strategy over all seeds.</summary>
public sealed record StrategySummary(string Strategy, RunResult[] Runs, TimeSpan Elapsed)
{
    /// <summary>Mean and standard deviation of the reported metric of the chosen architectures.</summary>
    public (double Mean, double Std) Report => MeanStd(Runs.Select(r => r.ChosenReport));

    /// <summary>Mean and standard deviation of the fitness of the chosen architectures.</summary>
    public (double Mean, double Std) Fitness => MeanStd(Runs.Select(r => r.ChosenFitness));

    /// <summary>Mean and standard deviation of the normalised hypervolume (multi-objective runs).</summary>
    public (double Mean, double Std) Hypervolume => MeanStd(Runs.Select(r => r.Hypervolume));

    /// <summary>Mean number of queries used.</summary>
    public double MeanQueries => Runs.Average(r => r.Queries);

    /// <summary>Sample mean and standard deviation (n − 1).</summary>
    public static (double Mean, double Std) MeanStd(IEnumerable<double> values)
    {
        var v = values.ToArray();
        if (v.Length == 0) return (double.NaN, double.NaN);
        double mean = v.Average();
        double std = v.Length > 1 ? Math.Sqrt(v.Sum(x => (x - mean) * (x - mean)) / (v.Length - 1)) : 0;
        return (mean, std);
    }
}

/// <summary>
/// Runs strategies against a <see cref="BenchmarkTable"/> with a direct ask/tell loop (no store: a query is an array
/// read, so 100 seeds × every strategy take seconds, not hours).
/// </summary>
public static class BenchmarkRunner
{
    /// <summary>
    /// One single-objective search. Every answered ask is a query, a repeated architecture included (it is charged
    /// again, as in NAS-Bench-201's simulated-time protocol); a suggestion at a lower fidelity gets the table's
    /// value and its full cost, since the table has one fidelity. The chosen architecture is the fittest queried.
    /// </summary>
    public static RunResult RunSingle(BenchmarkTable table, string strategyName, int seed, Budget budget) =>
        Run(table, strategyName, seed, budget, objective: null);

    /// <summary>
    /// One two-objective search: maximise fitness, minimise <paramref name="objective"/>. A multi-objective strategy
    /// (<see cref="IMultiObjectiveStrategy{TArchitecture}"/>) is told both values (fitness, −cost). A single-objective
    /// strategy is told a scalar: the query's additive ε-indicator against the queries so far (how far it is ahead of
    /// the nearest of them, positive when nothing dominates it, negative by how far it is dominated), in units of the
    /// ranges seen so far. The hypervolume of the queried points is normalised by the true front's.
    /// </summary>
    public static RunResult RunMultiObjective(BenchmarkTable table, string strategyName, int seed, Budget budget, int objective) =>
        Run(table, strategyName, seed, budget, objective);

    private static RunResult Run(BenchmarkTable table, string strategyName, int seed, Budget budget, int? objective)
    {
        var strategy = CreateStrategy(strategyName, seed);
        try
        {
            var curve = new List<double>(Math.Min(budget.Queries, 1024));
            int queries = 0, bestIndex = -1;
            double spent = 0, bestFitness = double.NegativeInfinity;
            var queried = new List<int>(budget.Queries);
            double[]? cost = objective is { } o ? table.Objectives[o] : null;
            while (queries < budget.Queries)
            {
                var suggestion = strategy.Ask();
                if (suggestion is null) break; // nothing in flight, so the strategy is finished (space exhausted)
                int g = Nb201Arch.GridIndex(suggestion.Architecture);
                if (budget.Seconds is { } limit)
                {
                    double c = table.Cost[g] * budget.CostScale;
                    if (spent + c > limit) break; // NB201's protocol: stop before the query that would pass the budget
                    spent += c;
                }
                double fitness = table.Fitness[g];
                var outcome = cost is null ? new TrialOutcome(fitness)
                    : strategy is IMultiObjectiveStrategy<Nb201Cell.Architecture> ? new TrialOutcome(fitness) { Objectives = [fitness, -cost[g]] }
                    : new TrialOutcome(EpsilonIndicator(table.Fitness, cost, queried, g));
                queried.Add(g);
                strategy.Tell(suggestion, outcome);
                if (fitness > bestFitness) { bestFitness = fitness; bestIndex = g; }
                curve.Add(bestIndex < 0 ? double.NaN : table.Report[bestIndex]);
                queries++;
            }
            double hv = double.NaN;
            if (cost is not null)
            {
                var reference = TrueFrontReference(table, objective!.Value, out double trueHv);
                hv = Hypervolume.Of(queried.Select(q => new FrontPoint(table.Fitness[q], cost[q])), reference) / trueHv;
            }
            return new RunResult(queries, spent, bestFitness, bestIndex < 0 ? double.NaN : table.Report[bestIndex], bestIndex, curve.ToArray(), hv)
            {
                Queried = queried.ToArray(),
            };
        }
        finally
        {
            (strategy as IDisposable)?.Dispose();
        }
    }

    /// <summary>The strategies the benchmark runs by default: every factory strategy, plus <c>rea</c>.</summary>
    public static IReadOnlyList<string> DefaultStrategies { get; } = [.. SearchStrategies.Names, "rea"];

    /// <summary>
    /// A factory strategy with its defaults, or <c>rea</c>: regularized evolution as NAS-Bench-201's paper ran its
    /// REA baseline (population 10, tournament 3), because the library default population of 100 would spend a
    /// 100-query budget on the random initial population alone.
    /// </summary>
    public static ISearchStrategy<Nb201Cell.Architecture> CreateStrategy(string name, int seed) =>
        name.Trim().Equals("rea", StringComparison.OrdinalIgnoreCase)
            ? new RegularizedEvolution<Nb201Cell.Architecture>(Nb201Cell.Space, new RegularizedEvolutionOptions { PopulationSize = 10, SampleSize = 3 }, seed)
            : SearchStrategies.Create(name, Nb201Cell.Space, seed);

    private static readonly Dictionary<(BenchmarkTable, int), (FrontPoint, double)> TrueFronts = new();

    /// <summary>The true front's nadir (the reference point) and the true front's hypervolume for an objective column.</summary>
    public static FrontPoint TrueFrontReference(BenchmarkTable table, int objective, out double hypervolume)
    {
        lock (TrueFronts)
        {
            if (!TrueFronts.TryGetValue((table, objective), out var entry))
            {
                var all = table.Fitness.Select((f, i) => new FrontPoint(f, table.Objectives[objective][i]));
                var front = Hypervolume.Front(all);
                var nadir = Hypervolume.Nadir(front);
                entry = (nadir, Hypervolume.Of(front, nadir));
                if (!(entry.Item2 > 0)) throw new InvalidOperationException("The true front has no area: one architecture is best in both objectives.");
                TrueFronts[(table, objective)] = entry;
            }
            hypervolume = entry.Item2;
            return entry.Item1;
        }
    }

    /// <summary>
    /// min over earlier queries q of max(f(p) − f(q), c(q) − c(p)), objectives scaled by the ranges seen so far:
    /// how far p is ahead of its nearest competitor (negative: how far it would have to move to stop being dominated).
    /// </summary>
    internal static double EpsilonIndicator(double[] fitness, double[] cost, List<int> queried, int p)
    {
        if (queried.Count == 0) return 0;
        double fMin = fitness[p], fMax = fitness[p], cMin = cost[p], cMax = cost[p];
        foreach (int q in queried)
        {
            fMin = Math.Min(fMin, fitness[q]); fMax = Math.Max(fMax, fitness[q]);
            cMin = Math.Min(cMin, cost[q]); cMax = Math.Max(cMax, cost[q]);
        }
        double fScale = fMax > fMin ? fMax - fMin : 1, cScale = cMax > cMin ? cMax - cMin : 1;
        double eps = double.PositiveInfinity;
        foreach (int q in queried)
        {
            if (q == p) continue; // a repeat is compared with the others, not with itself
            double ahead = Math.Max((fitness[p] - fitness[q]) / fScale, (cost[q] - cost[p]) / cScale);
            eps = Math.Min(eps, ahead);
        }
        return double.IsPositiveInfinity(eps) ? 0 : eps;
    }

    /// <summary>
    /// Runs every seed of one strategy and times it: in parallel over seeds, except for strategies that hold libtorch
    /// tensors (they are <see cref="IDisposable"/>): TorchSharp failed with "Unknown scalar type" when several threads
    /// stepped their optimizers at once.
    /// </summary>
    public static StrategySummary RunMany(string strategy, int seeds, Func<int, RunResult> run)
    {
        var probe = CreateStrategy(strategy, 0);
        bool usesTorch = probe is IDisposable;
        (probe as IDisposable)?.Dispose();
        var watch = Stopwatch.StartNew();
        var runs = new RunResult[seeds];
        Parallel.For(0, seeds, new ParallelOptions { MaxDegreeOfParallelism = usesTorch ? 1 : -1 }, seed => runs[seed] = run(seed));
        return new StrategySummary(strategy, runs, watch.Elapsed);
    }
}
