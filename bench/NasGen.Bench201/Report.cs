using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;

namespace NasGen.Bench201;

/// <summary>Markdown tables and regret plots of a benchmark run.</summary>
public static class Report
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>The single-objective table: mean ± std of the chosen architectures' reported metric and fitness.</summary>
    public static string SingleObjectiveTable(IReadOnlyList<StrategySummary> summaries, string report, string fitness, double optimum)
    {
        var md = new StringBuilder();
        md.AppendLine(CultureInfo.InvariantCulture, $"| strategy | {report} (mean ± std) | {fitness} (mean ± std) | regret | queries (mean) | time (s) |");
        md.AppendLine("|---|---|---|---|---|---|");
        foreach (var s in summaries.OrderByDescending(s => s.Report.Mean))
        {
            var (rm, rs) = s.Report;
            var (fm, fs) = s.Fitness;
            md.AppendLine(Inv, $"| {s.Strategy} | {rm:F2} ± {rs:F2} | {fm:F2} ± {fs:F2} | {optimum - rm:F2} | {s.MeanQueries:F1} | {s.Elapsed.TotalSeconds:F1} |");
        }
        return md.ToString();
    }

    /// <summary>The multi-objective table: mean ± std of the normalised hypervolume.</summary>
    public static string MultiObjectiveTable(IReadOnlyList<StrategySummary> summaries, string fitness, string objective)
    {
        var md = new StringBuilder();
        md.AppendLine(Inv, $"| strategy | hypervolume / true ({fitness} ↑, {objective} ↓), mean ± std | queries (mean) | time (s) |");
        md.AppendLine("|---|---|---|---|");
        foreach (var s in summaries.OrderByDescending(s => s.Hypervolume.Mean))
        {
            var (m, sd) = s.Hypervolume;
            md.AppendLine(Inv, $"| {s.Strategy} | {m:F4} ± {sd:F4} | {s.MeanQueries:F1} | {s.Elapsed.TotalSeconds:F1} |");
        }
        return md.ToString();
    }

    /// <summary>Regret curves: optimum minus the reported metric of the fittest architecture so far, mean over seeds.</summary>
    public static void PlotRegret(IReadOnlyList<StrategySummary> summaries, double optimum, string report, string path)
    {
        var plot = new ScottPlot.Plot();
        foreach (var s in summaries)
        {
            int length = s.Runs.Max(r => r.ReportCurve.Length);
            var xs = new List<double>();
            var ys = new List<double>();
            for (int q = 0; q < length; q++)
            {
                // A run that stopped early (time budget) keeps its choice: its last value stands for later queries.
                var values = s.Runs.Where(r => r.ReportCurve.Length > 0).Select(r => r.ReportCurve[Math.Min(q, r.ReportCurve.Length - 1)])
                    .Where(v => !double.IsNaN(v)).Select(v => optimum - v).ToArray();
                if (values.Length == 0) continue;
                xs.Add(q + 1);
                ys.Add(Math.Max(values.Average(), 1e-3)); // log axis: clamp exact zeros
            }
            if (xs.Count == 0) continue;
            var line = plot.Add.Scatter(xs.ToArray(), ys.Select(Math.Log10).ToArray());
            line.MarkerSize = 0;
            line.LineWidth = 2;
            line.LegendText = s.Strategy;
        }
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic
        {
            LabelFormatter = y => Math.Pow(10, y).ToString("0.###", Inv),
            MinorTickGenerator = new ScottPlot.TickGenerators.LogMinorTickGenerator(),
            IntegerTicksOnly = true,
        };
        plot.Title($"Regret: optimum {optimum.ToString("F2", Inv)} − {report} of the fittest so far (mean over seeds)");
        plot.XLabel("queries");
        plot.YLabel($"regret ({report}, log scale)");
        plot.ShowLegend(ScottPlot.Alignment.UpperRight);
        plot.SavePng(path, 900, 560);
    }

    /// <summary>Writes text, creating the folder.</summary>
    public static void Write(string path, string text)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        File.WriteAllText(path, text);
    }
}
