using System.Text;
using System.Text.Json;
using Spectre.Console;

namespace NasGen.OneShot;

/// <summary>Files and console output of a one-shot search: the architecture-weight plot, the derived architecture as JSON, a progress bar.</summary>
public static class OneShotReport
{
    /// <summary>
    /// Plots the architecture weights per epoch (softmax of each alpha, or the ENAS controller's probabilities): one line
    /// per choice and candidate, coloured by candidate name. Writes an empty plot with a note for SPOS (no weights).
    /// </summary>
    public static void PlotProbabilities(OneShotResult result, string path)
    {
        ArgumentNullException.ThrowIfNull(result);
        var plot = new ScottPlot.Plot();
        var colours = new Dictionary<string, ScottPlot.Color>(StringComparer.Ordinal);
        var palette = new ScottPlot.Palettes.Category10();
        double[] epochs = result.History.Select(h => (double)h.Epoch).ToArray();
        for (int c = 0; c < result.Labels.Count; c++)
        {
            if (result.History.Any(h => h.Probabilities.Length <= c)) continue;
            for (int k = 0; k < result.CandidateNames[c].Count; k++)
            {
                string name = result.CandidateNames[c][k];
                double[] ys = result.History.Select(h => h.Probabilities[c].Length > k ? h.Probabilities[c][k] : double.NaN).ToArray();
                var line = plot.Add.Scatter(epochs, ys);
                line.MarkerSize = 0;
                bool first = !colours.ContainsKey(name);
                if (first) colours[name] = palette.GetColor(colours.Count);
                line.Color = colours[name];
                if (first) line.LegendText = name; // one legend entry per candidate name
            }
        }
        if (colours.Count > 0) plot.ShowLegend();
        else plot.Add.Annotation($"{result.Method} has no architecture weights");
        plot.Title($"{result.Method}: architecture weights per epoch");
        plot.XLabel("epoch");
        plot.YLabel("probability");
        plot.SavePng(path, 900, 550);
    }

    /// <summary>The derived architecture as JSON: method, seed, the choices (label → candidate), the path codes and the history.</summary>
    public static string ToJson(OneShotResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("method", result.Method.ToString());
            w.WriteNumber("seed", result.Seed);
            w.WriteNumber("validationAccuracy", result.ValidationAccuracy);
            w.WriteNumber("seconds", Math.Round(result.Seconds, 2));
            w.WriteStartObject("choices");
            for (int i = 0; i < result.Labels.Count; i++) w.WriteString(result.Labels[i], result.Tokens[i]);
            w.WriteEndObject();
            w.WriteStartArray("path");
            foreach (int code in result.Path) w.WriteNumberValue(code);
            w.WriteEndArray();
            w.WriteStartArray("history");
            foreach (var epoch in result.History)
            {
                w.WriteStartObject();
                w.WriteNumber("epoch", epoch.Epoch);
                w.WriteNumber("trainLoss", epoch.TrainLoss);
                w.WriteNumber("validationAccuracy", epoch.ValidationAccuracy);
                if (epoch.Temperature is double t) w.WriteNumber("temperature", t);
                if (epoch.Probabilities.Length > 0)
                {
                    w.WriteStartObject("probabilities");
                    for (int c = 0; c < Math.Min(epoch.Probabilities.Length, result.Labels.Count); c++)
                    {
                        w.WriteStartArray(result.Labels[c]);
                        foreach (double p in epoch.Probabilities[c]) w.WriteNumberValue(Math.Round(p, 6));
                        w.WriteEndArray();
                    }
                    w.WriteEndObject();
                }
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>Writes <c>{method}.arch.json</c> and <c>{method}-weights.png</c> into <paramref name="directory"/>; returns their paths.</summary>
    public static IReadOnlyList<string> Write(OneShotResult result, string directory)
    {
        ArgumentNullException.ThrowIfNull(result);
        Directory.CreateDirectory(directory);
        string stem = result.Method.ToString().ToLowerInvariant();
        string json = Path.Combine(directory, stem + ".arch.json");
        File.WriteAllText(json, ToJson(result) + Environment.NewLine);
        string png = Path.Combine(directory, stem + "-weights.png");
        PlotProbabilities(result, png);
        return [json, png];
    }

    /// <summary>
    /// Runs <paramref name="run"/> with a progress sink: a Spectre.Console progress bar per phase on a terminal, one
    /// line per epoch when the output is redirected.
    /// </summary>
    public static T WithProgress<T>(string title, Func<IProgress<OneShotProgress>, T> run)
    {
        ArgumentNullException.ThrowIfNull(run);
        if (Console.IsOutputRedirected) return run(new LineProgress(Console.Out, title));
        T result = default!;
        AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .Start(context =>
            {
                var tasks = new Dictionary<string, ProgressTask>(StringComparer.Ordinal);
                result = run(new SpectreProgress(context, tasks, title));
            });
        return result;
    }

    private sealed class SpectreProgress(ProgressContext context, Dictionary<string, ProgressTask> tasks, string title) : IProgress<OneShotProgress>
    {
        public void Report(OneShotProgress value)
        {
            bool perEpoch = value.Phase != "evolution";
            string key = value.Phase;
            if (!tasks.TryGetValue(key, out var task))
            {
                task = context.AddTask(Markup.Escape($"{title} {value.Phase}"), maxValue: perEpoch ? (double)value.TotalSteps * value.Epochs : value.TotalSteps);
                tasks.Add(key, task);
            }
            task.Value = perEpoch ? (double)(value.Epoch - 1) * value.TotalSteps + value.Step : value.Step;
            string loss = value.LastLoss is double l ? " loss " + l.ToString("F3", CultureInfo.InvariantCulture) : "";
            task.Description = Markup.Escape($"{title} {value.Phase} epoch {value.Epoch}/{value.Epochs}{loss}");
        }
    }

    private sealed class LineProgress(TextWriter writer, string title) : IProgress<OneShotProgress>
    {
        public void Report(OneShotProgress value)
        {
            if (value.Step != value.TotalSteps) return;
            string loss = value.LastLoss is double l ? " last loss " + l.ToString("F4", CultureInfo.InvariantCulture) : "";
            writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{title} {value.Phase} epoch {value.Epoch}/{value.Epochs} done{loss}"));
        }
    }
}
