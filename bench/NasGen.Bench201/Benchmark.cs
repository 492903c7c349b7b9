using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;

namespace NasGen.Bench201;

/// <summary>The whole benchmark: single-objective searches, then one multi-objective benchmark per objective column.</summary>
public static class Benchmark
{
    /// <summary>
    /// The runs the Pareto plot shows: the best multi-objective strategy (one told objective vectors) and the best
    /// other one, by mean hypervolume.
    /// </summary>
    private static List<StrategySummary> ParetoPlotRuns(List<StrategySummary> multi)
    {
        bool IsMultiObjective(StrategySummary s)
        {
            var probe = BenchmarkRunner.CreateStrategy(s.Strategy, 0);
            (probe as IDisposable)?.Dispose();
            return probe is NasGen.Strategies.IMultiObjectiveStrategy<Nb201Cell.Architecture>;
        }
        var ranked = multi.Where(s => s.Runs.Length > 0).OrderByDescending(s => s.Hypervolume.Mean).ToList();
        var shown = new List<StrategySummary>();
        var mo = ranked.FirstOrDefault(IsMultiObjective);
        var so = ranked.FirstOrDefault(s => !IsMultiObjective(s));
        if (mo is not null) shown.Add(mo);
        if (so is not null) shown.Add(so);
        return shown;
    }

    private static string FileName(string column) =>
        new(column.Select(c => char.IsLetterOrDigit(c) || c is '-' or '_' ? c : '_').ToArray());

    /// <summary>Runs it, writes <c>results.md</c> and the PNGs to <see cref="BenchmarkOptions.Out"/>, and returns the markdown.</summary>
    public static string Run(BenchmarkOptions options, TextWriter log)
    {
        var total = Stopwatch.StartNew();
        var table = new BenchmarkTable(options.Data, options.Key, options.Fitness, options.ReportColumn, options.Cost, options.Objectives);
        log.WriteLine($"Loaded {table.Path} in {total.Elapsed.TotalSeconds:F1} s.");
        if (table.ExtraRows > 0) log.WriteLine($"Note: {table.ExtraRows} rows are not architectures of the space and are ignored.");
        TorchSharp.torch.set_num_threads(1); // REINFORCE's tiny policy: threads only contend with the parallel seeds

        double optimum = table.Report.Max();
        int oracle = Array.IndexOf(table.Fitness, table.Fitness.Max());
        // A time budget alone bounds the search; the query count then only stops a search that has seen the whole space.
        var budget = new Budget(options.Seconds is null ? options.Queries : (int)Nb201Cell.Space.Cardinality, options.Seconds, options.CostScale);
        var single = new List<StrategySummary>();
        foreach (string name in options.Strategies)
        {
            var s = BenchmarkRunner.RunMany(name, options.Seeds, seed => BenchmarkRunner.RunSingle(table, name, seed, budget));
            log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{name,-12} {options.ReportColumn} {s.Report.Mean:F2} ± {s.Report.Std:F2}  {options.Fitness} {s.Fitness.Mean:F2}  ({s.Elapsed.TotalSeconds:F1} s)"));
            single.Add(s);
        }
        Directory.CreateDirectory(options.Out);
        Report.PlotRegret(single, optimum, options.ReportColumn, Path.Combine(options.Out, "regret.png"));

        var md = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        md.AppendLine("## Single objective").AppendLine();
        string budgetText = options.Seconds is { } sec
            ? $"{sec.ToString(inv)} simulated seconds of `{options.Cost}` × {options.CostScale.ToString(inv)}"
            : $"{options.Queries} queries";
        md.AppendLine(inv, $"Fitness `{options.Fitness}`, reported `{options.ReportColumn}`, {budgetText}, {options.Seeds} seeds. ");
        md.AppendLine(inv, $"Optimum of `{options.ReportColumn}`: {optimum:F2}; the architecture with the best `{options.Fitness}` ({table.Fitness[oracle]:F2}) has {table.Report[oracle]:F2}.").AppendLine();
        md.Append(Report.SingleObjectiveTable(single, options.ReportColumn, options.Fitness, optimum)).AppendLine();
        md.AppendLine("![regret](regret.png)").AppendLine();

        for (int o = 0; o < options.Objectives.Count; o++)
        {
            string objective = options.Objectives[o];
            var moBudget = new Budget(options.MultiObjectiveQueries);
            var reference = BenchmarkRunner.TrueFrontReference(table, o, out double trueHv);
            var multi = new List<StrategySummary>();
            int index = o;
            foreach (string name in options.Strategies)
            {
                var s = BenchmarkRunner.RunMany(name, options.Seeds, seed => BenchmarkRunner.RunMultiObjective(table, name, seed, moBudget, index));
                log.WriteLine(string.Create(inv, $"{name,-12} hypervolume vs {objective}: {s.Hypervolume.Mean:F4} ± {s.Hypervolume.Std:F4}  ({s.Elapsed.TotalSeconds:F1} s)"));
                multi.Add(s);
            }
            md.AppendLine(inv, $"## Multi-objective: `{options.Fitness}` ↑ against `{objective}` ↓").AppendLine();
            md.AppendLine(inv, $"{options.MultiObjectiveQueries} queries, {options.Seeds} seeds. Reference point: the true front's nadir ({reference.Fitness:F3}, {reference.Cost:F4}); true front's hypervolume {trueHv:G5}.").AppendLine();
            md.Append(Report.MultiObjectiveTable(multi, options.Fitness, objective)).AppendLine();
            string png = $"pareto-{FileName(objective)}.png";
            var shown = ParetoPlotRuns(multi);
            var all = table.Fitness.Select((f, i) => new FrontPoint(f, table.Objectives[index][i])).ToArray();
            Report.PlotParetoFronts(all, reference,
                shown.Select(s => (s.Strategy + ", seed 0", s.Runs[0].Queried.Select(g => all[g]).ToArray())).ToList(),
                options.Fitness, objective, Path.Combine(options.Out, png));
            md.AppendLine(inv, $"![Pareto fronts of seed 0: {string.Join(", ", shown.Select(s => s.Strategy))}]({png})").AppendLine();
        }
        md.AppendLine(inv, $"Total run time: {total.Elapsed.TotalSeconds:F0} s on {Environment.ProcessorCount} cores.");
        string text = md.ToString();
        Report.Write(Path.Combine(options.Out, "results.md"), text);
        return text;
    }
}
