using System.Text;
using NasGen.Experiments;
using NasGen.Storage;

namespace NasGen.Reporting;

/// <summary>Files that describe a finished run: PNG plots, a markdown summary and the best architecture as JSON.</summary>
public static class ExperimentReport
{
    /// <summary>File name of the best-so-far plot.</summary>
    public const string BestSoFarPng = "best-so-far.png";
    /// <summary>File name of the plot of every trial's fitness.</summary>
    public const string TrialsPng = "trials.png";
    /// <summary>File name of the Pareto front scatter.</summary>
    public const string ParetoPng = "pareto-front.png";
    /// <summary>File name of the markdown summary.</summary>
    public const string SummaryMarkdown = "summary.md";
    /// <summary>File name of the exported best architecture.</summary>
    public const string BestJson = "best.arch.json";

    /// <summary>
    /// Writes everything into <paramref name="directory"/>: the plots, <c>summary.md</c> and <c>best.arch.json</c>.
    /// Returns the paths written.
    /// </summary>
    public static IReadOnlyList<string> Write<TArchitecture>(ExperimentResult<TArchitecture> result, ISearchSpace<TArchitecture> space,
        string directory, IReadOnlyList<Objective>? objectives = null, int topK = 10)
        where TArchitecture : struct, IEquatable<TArchitecture>
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(space);
        Directory.CreateDirectory(directory);
        var written = new List<string>();
        string best = Path.Combine(directory, BestSoFarPng);
        PlotBestSoFar(result.Trials, best, FitnessDirection.Of(result.Experiment.Config));
        written.Add(best);
        string trials = Path.Combine(directory, TrialsPng);
        PlotTrials(result.Trials, trials);
        written.Add(trials);
        if (objectives is { Count: >= 2 })
        {
            string pareto = Path.Combine(directory, ParetoPng);
            PlotParetoFront(result.Trials, result.ParetoFront, objectives, pareto);
            written.Add(pareto);
        }
        if (result.BestArchitecture is { } arch)
        {
            string json = Path.Combine(directory, BestJson);
            ExportBest(space, arch, json);
            written.Add(json);
        }
        string summary = Path.Combine(directory, SummaryMarkdown);
        File.WriteAllText(summary, Markdown(result, objectives, topK, written.Select(Path.GetFileName).ToArray()!));
        written.Add(summary);
        return written;
    }

    /// <summary>Writes the architecture as the space's JSON (what <c>[FixedArchitecture]</c> and <c>FromJson</c> read).</summary>
    public static void ExportBest<TArchitecture>(ISearchSpace<TArchitecture> space, TArchitecture architecture, string path)
        where TArchitecture : struct, IEquatable<TArchitecture>
    {
        ArgumentNullException.ThrowIfNull(space);
        File.WriteAllText(path, space.ToJson(architecture) + Environment.NewLine);
    }

    /// <summary>Best fitness so far (the lowest when <paramref name="direction"/> minimises) against the trial number.</summary>
    public static void PlotBestSoFar(IReadOnlyList<TrialRecord> trials, string path, ObjectiveDirection direction = ObjectiveDirection.Maximize)
    {
        ArgumentNullException.ThrowIfNull(trials);
        var xs = new List<double>();
        var ys = new List<double>();
        double? best = null;
        foreach (var t in trials.OrderBy(t => t.Number))
        {
            if (t.Status == TrialStatus.Completed && t.Fitness is { } f && (best is not { } b0 || direction.IsBetter(f, b0))) best = f;
            if (best is { } b && t.IsFinished) { xs.Add(t.Number); ys.Add(b); }
        }
        var plot = new ScottPlot.Plot();
        if (xs.Count > 0)
        {
            var line = plot.Add.Scatter(xs.ToArray(), ys.ToArray());
            line.ConnectStyle = ScottPlot.ConnectStyle.StepHorizontal;
            line.MarkerSize = 0;
        }
        plot.Title(direction == ObjectiveDirection.Minimize ? "Best (lowest) fitness so far" : "Best fitness so far");
        plot.XLabel("trial");
        plot.YLabel("fitness");
        plot.SavePng(path, 800, 500);
    }

    /// <summary>Every completed trial's fitness against its number.</summary>
    public static void PlotTrials(IReadOnlyList<TrialRecord> trials, string path)
    {
        ArgumentNullException.ThrowIfNull(trials);
        var done = trials.Where(t => t.Status == TrialStatus.Completed && t.Fitness is not null).ToArray();
        var plot = new ScottPlot.Plot();
        if (done.Length > 0)
        {
            var points = plot.Add.ScatterPoints(done.Select(t => (double)t.Number).ToArray(), done.Select(t => t.Fitness!.Value).ToArray());
            points.MarkerSize = 5;
        }
        plot.Title("Fitness of every trial");
        plot.XLabel("trial");
        plot.YLabel("fitness");
        plot.SavePng(path, 800, 500);
    }

    /// <summary>The completed trials on the first two objectives, the Pareto front highlighted.</summary>
    public static void PlotParetoFront(IReadOnlyList<TrialRecord> trials, IReadOnlyList<TrialRecord> front, IReadOnlyList<Objective> objectives, string path)
    {
        ArgumentNullException.ThrowIfNull(trials);
        ArgumentNullException.ThrowIfNull(front);
        ArgumentNullException.ThrowIfNull(objectives);
        if (objectives.Count < 2) throw new ArgumentException("A Pareto plot needs two objectives.", nameof(objectives));
        var plot = new ScottPlot.Plot();
        (double[] X, double[] Y) Points(IEnumerable<TrialRecord> source)
        {
            var values = source.Select(t => Objective.ValuesOf(t, objectives)).Where(v => !double.IsNaN(v[0]) && !double.IsNaN(v[1])).ToArray();
            return (values.Select(v => v[0]).ToArray(), values.Select(v => v[1]).ToArray());
        }
        var all = Points(trials.Where(t => t.Status == TrialStatus.Completed));
        if (all.X.Length > 0)
        {
            var cloud = plot.Add.ScatterPoints(all.X, all.Y);
            cloud.LegendText = "trials";
            cloud.MarkerSize = 4;
        }
        var best = Points(front.OrderBy(t => Objective.ValuesOf(t, objectives)[0]));
        if (best.X.Length > 0)
        {
            var line = plot.Add.Scatter(best.X, best.Y);
            line.LegendText = "Pareto front";
            line.MarkerSize = 7;
            line.ConnectStyle = ScottPlot.ConnectStyle.StepHorizontal;
            plot.ShowLegend();
        }
        plot.Title("Pareto front");
        plot.XLabel($"{objectives[0].Metric} ({objectives[0].Direction.ToString().ToLowerInvariant()})");
        plot.YLabel($"{objectives[1].Metric} ({objectives[1].Direction.ToString().ToLowerInvariant()})");
        plot.SavePng(path, 800, 500);
    }

    /// <summary>The markdown summary: configuration, top-k table, failures, Pareto front and links to the plots.</summary>
    public static string Markdown<TArchitecture>(ExperimentResult<TArchitecture> result, IReadOnlyList<Objective>? objectives, int topK,
        IReadOnlyList<string> files) where TArchitecture : struct, IEquatable<TArchitecture>
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(files);
        var c = result.Experiment.Config;
        var trials = result.Trials;
        var md = new StringBuilder();
        string F(double? v) => v is { } x ? x.ToString("G6", CultureInfo.InvariantCulture) : "-";
        string Cell(string s) => s.Replace("|", "\\|", StringComparison.Ordinal);
        md.AppendLine(CultureInfo.InvariantCulture, $"# Experiment `{c.Name}`").AppendLine();
        md.AppendLine("| setting | value |").AppendLine("|---|---|");
        md.AppendLine(CultureInfo.InvariantCulture, $"| space | {c.SpaceName} (fingerprint `{c.SpaceFingerprint}`) |");
        md.AppendLine(CultureInfo.InvariantCulture, $"| strategy | {c.StrategyName} |");
        md.AppendLine(CultureInfo.InvariantCulture, $"| seed | {c.Seed} |");
        if (FitnessDirection.Of(c) == ObjectiveDirection.Minimize) md.AppendLine("| fitness | minimised (lower is better) |");
        md.AppendLine(CultureInfo.InvariantCulture, $"| options | `{Cell(c.OptionsJson)}` |");
        md.AppendLine(CultureInfo.InvariantCulture, $"| trials | {trials.Count} ({trials.Count(t => t.Status == TrialStatus.Completed)} completed, {trials.Count(t => t.Status == TrialStatus.Failed)} failed, {trials.Count(t => !t.IsFinished)} unfinished) |");
        md.AppendLine(CultureInfo.InvariantCulture, $"| stopped by | {result.StopReason} |");
        md.AppendLine(CultureInfo.InvariantCulture, $"| this run | {result.Elapsed.TotalSeconds:0.0} s |").AppendLine();

        md.AppendLine(CultureInfo.InvariantCulture, $"## Top {topK}").AppendLine();
        var metricNames = trials.Where(t => t.Status == TrialStatus.Completed).SelectMany(t => t.Metrics.Keys).Distinct().OrderBy(k => k, StringComparer.Ordinal).Take(6).ToArray();
        md.Append("| rank | trial | fitness |");
        foreach (var m in metricNames) md.Append(CultureInfo.InvariantCulture, $" {m} |");
        md.AppendLine(" architecture |");
        md.Append("|---|---|---|").Append(string.Concat(Enumerable.Repeat("---|", metricNames.Length))).AppendLine("---|");
        int rank = 1;
        foreach (var t in trials.Ranked(FitnessDirection.Of(c)).Take(topK))
        {
            md.Append(CultureInfo.InvariantCulture, $"| {rank++} | {t.Number} | {F(t.Fitness)} |");
            foreach (var m in metricNames) md.Append(CultureInfo.InvariantCulture, $" {F(t.Metrics.TryGetValue(m, out var v) ? v : null)} |");
            md.AppendLine(CultureInfo.InvariantCulture, $" `{Cell(t.Canonical)}` |");
        }
        md.AppendLine();

        var failures = trials.Where(t => t.Status == TrialStatus.Failed).ToArray();
        md.AppendLine(CultureInfo.InvariantCulture, $"## Failures ({failures.Length})").AppendLine();
        if (failures.Length == 0) md.AppendLine("None.");
        else
        {
            md.AppendLine("| trial | reason | error |").AppendLine("|---|---|---|");
            foreach (var t in failures) md.AppendLine(CultureInfo.InvariantCulture, $"| {t.Number} | {t.Failure} | {Cell(t.Error ?? "")} |");
        }
        md.AppendLine();

        if (objectives is { Count: > 0 })
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"## Pareto front ({result.ParetoFront.Count})").AppendLine();
            md.Append("| trial |");
            foreach (var o in objectives) md.Append(CultureInfo.InvariantCulture, $" {o.Metric} ({o.Direction.ToString().ToLowerInvariant()}) |");
            md.AppendLine(" architecture |");
            md.Append("|---|").Append(string.Concat(Enumerable.Repeat("---|", objectives.Count))).AppendLine("---|");
            foreach (var t in result.ParetoFront)
            {
                md.Append(CultureInfo.InvariantCulture, $"| {t.Number} |");
                foreach (var v in Objective.ValuesOf(t, objectives)) md.Append(CultureInfo.InvariantCulture, $" {F(v)} |");
                md.AppendLine(CultureInfo.InvariantCulture, $" `{Cell(t.Canonical)}` |");
            }
            md.AppendLine();
        }

        md.AppendLine("## Files").AppendLine();
        foreach (var f in files)
            md.AppendLine(f.EndsWith(".png", StringComparison.Ordinal) ? $"![{f}]({f})" : $"- [{f}]({f})");
        return md.ToString();
    }
}
