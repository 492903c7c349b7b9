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

    /// <summary>
    /// The objective space of a two-objective benchmark: every architecture of the table (grey), the true front, and
    /// the front found by each given run (one seed each), with the reference point's box.
    /// </summary>
    public static void PlotParetoFronts(IReadOnlyList<FrontPoint> all, FrontPoint reference, IReadOnlyList<(string Label, FrontPoint[] Queried)> runs,
        string fitness, string objective, string path)
    {
        var plot = new ScottPlot.Plot();
        var cloud = plot.Add.ScatterPoints(all.Select(p => p.Cost).ToArray(), all.Select(p => p.Fitness).ToArray());
        cloud.MarkerSize = 2;
        cloud.Color = ScottPlot.Colors.LightGray;
        cloud.LegendText = "all architectures";
        AddFront(plot, Hypervolume.Front(all), "true front", ScottPlot.Colors.Black, ScottPlot.MarkerShape.OpenCircle, 9);
        ScottPlot.Color[] palette = [ScottPlot.Colors.Red, ScottPlot.Colors.Blue, ScottPlot.Colors.Green, ScottPlot.Colors.Orange];
        for (int i = 0; i < runs.Count; i++)
        {
            var queried = plot.Add.ScatterPoints(runs[i].Queried.Select(p => p.Cost).ToArray(), runs[i].Queried.Select(p => p.Fitness).ToArray());
            queried.MarkerSize = 3;
            queried.Color = palette[i % palette.Length].WithAlpha(0.35);
            double hv = Hypervolume.Of(runs[i].Queried, reference) / Hypervolume.Of(all, reference);
            AddFront(plot, Hypervolume.Front(runs[i].Queried), $"{runs[i].Label} (hypervolume ratio {hv.ToString("F3", Inv)})",
                palette[i % palette.Length], ScottPlot.MarkerShape.FilledCircle, 5);
        }
        var box = plot.Add.HorizontalLine(reference.Fitness);
        box.LinePattern = ScottPlot.LinePattern.Dotted;
        box.Color = ScottPlot.Colors.Gray;
        var right = plot.Add.VerticalLine(reference.Cost);
        right.LinePattern = ScottPlot.LinePattern.Dotted;
        right.Color = ScottPlot.Colors.Gray;
        double top = all.Max(p => p.Fitness), span = top - reference.Fitness;
        plot.Axes.SetLimits(0, reference.Cost * 1.1, reference.Fitness - 0.5 * span, top + 0.05 * span);
        plot.Title($"{fitness} ↑ vs {objective} ↓: true and found fronts, seed 0");
        plot.XLabel($"{objective} (lower is better)");
        plot.YLabel($"{fitness} (higher is better)");
        plot.ShowLegend(ScottPlot.Alignment.LowerRight);
        plot.SavePng(path, 900, 600);
    }

    private static void AddFront(ScottPlot.Plot plot, FrontPoint[] front, string label, ScottPlot.Color color, ScottPlot.MarkerShape shape, float size)
    {
        var line = plot.Add.Scatter(front.Select(p => p.Cost).ToArray(), front.Select(p => p.Fitness).ToArray());
        line.ConnectStyle = ScottPlot.ConnectStyle.StepHorizontal;
        line.Color = color;
        line.LineWidth = 1.5f;
        line.MarkerShape = shape;
        line.MarkerSize = size;
        line.LegendText = label;
    }

    /// <summary>Writes text, creating the folder.</summary>
    public static void Write(string path, string text)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        File.WriteAllText(path, text);
    }
}
