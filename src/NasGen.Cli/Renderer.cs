using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Serialization;
using NasGen.Experiments;
using NasGen.Storage;
using Spectre.Console;

namespace NasGen.Cli;

/// <summary>Prints each verb's result as Spectre.Console tables, or as indented JSON.</summary>
internal sealed class Renderer
{
    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter() },
    };

    private readonly TextWriter _output;
    private readonly bool _json;
    private readonly IAnsiConsole _console;

    public Renderer(TextWriter output, bool json)
    {
        _output = output;
        _json = json;
        bool terminal = ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected;
        _console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = terminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = terminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
        // Redirected output has no width to detect: wide enough that architectures are not wrapped mid-word.
        if (!terminal) _console.Profile.Width = 160;
    }

    public void List(string store, IReadOnlyList<ExperimentView> experiments)
    {
        if (_json)
        {
            Json(new { store = store, experiments = experiments.Select(Summary) });
            return;
        }
        if (experiments.Count == 0)
        {
            Line($"{store} holds no experiments.");
            return;
        }
        var table = Table($"Experiments in {store}", "experiment", "space", "strategy", "seed", "trials", "completed", "failed", "unfinished", "best fitness", "created");
        foreach (var e in experiments)
        {
            var c = e.Experiment.Config;
            Row(table, c.Name, c.SpaceName, c.StrategyName, Int(c.Seed), Int(e.Trials.Count), Int(e.Completed), Int(e.Failed), Int(e.Unfinished),
                NasGenCommand.Number(e.Best?.Fitness), e.Experiment.CreatedAt.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture));
        }
        _console.Write(table);
    }

    public void Status(ExperimentView view)
    {
        var best = view.Best;
        var failures = view.Trials.Where(t => t.Status == TrialStatus.Failed).GroupBy(t => t.Failure).OrderBy(g => g.Key)
            .Select(g => new { reason = g.Key, count = g.Count(), example = g.First().Error }).ToArray();
        if (_json)
        {
            Json(new
            {
                store = view.Store,
                experiment = Summary(view),
                options = Parse(view.Experiment.Config.OptionsJson),
                best = best is null ? null : Trial(best),
                failures,
            });
            return;
        }
        var c = view.Experiment.Config;
        var table = Table($"Experiment '{c.Name}' in {view.Store}", "setting", "value");
        Row(table, "space", $"{c.SpaceName} (fingerprint {c.SpaceFingerprint})");
        Row(table, "strategy", c.StrategyName);
        Row(table, "seed", Int(c.Seed));
        Row(table, "created", view.Experiment.CreatedAt.ToString("u", CultureInfo.InvariantCulture));
        Row(table, "options", c.OptionsJson);
        Row(table, "trials", $"{view.Trials.Count} ({view.Completed} completed, {view.Failed} failed, {view.Unfinished} unfinished)");
        Row(table, "evaluation time", $"{view.EvaluationTime.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s");
        Row(table, "best trial", best is null ? "none completed"
            : $"{best.Number}: fitness {NasGenCommand.Number(best.Fitness)}{(view.Direction == ObjectiveDirection.Minimize ? " (minimised)" : "")}");
        Row(table, "best architecture", best?.Canonical ?? "-");
        _console.Write(table);
        if (failures.Length > 0)
        {
            var failed = Table("Failures", "reason", "trials", "example error");
            foreach (var f in failures) Row(failed, f.reason.ToString(), Int(f.count), f.example ?? "");
            _console.Write(failed);
        }
    }

    public void Top(ExperimentView view, int k)
    {
        var top = view.Ranked().Take(k).ToArray();
        if (_json)
        {
            Json(new { store = view.Store, experiment = view.Name, trials = top.Select(Trial) });
            return;
        }
        var metrics = view.MetricNames().Take(6).ToArray();
        var table = Table($"Top {k} of experiment '{view.Name}' ({view.Completed} completed)",
            new[] { "rank", "trial", "fitness" }.Concat(metrics).Append("architecture").ToArray());
        int rank = 1;
        foreach (var t in top)
            Row(table, new[] { Int(rank++), Int(t.Number), NasGenCommand.Number(t.Fitness) }
                .Concat(metrics.Select(m => NasGenCommand.Number(t.Metrics.TryGetValue(m, out double v) ? v : null))).Append(t.Canonical).ToArray());
        _console.Write(table);
    }

    public void Pareto(ExperimentView view, IReadOnlyList<Objective> objectives)
    {
        var front = view.ParetoFront(objectives);
        if (_json)
        {
            Json(new
            {
                store = view.Store,
                experiment = view.Name,
                objectives = objectives.Select(o => new { metric = o.Metric, direction = o.Direction }),
                front = front.Select(t => new { trial = Trial(t), values = Objective.ValuesOf(t, objectives) }),
            });
            return;
        }
        var table = Table($"Pareto front of experiment '{view.Name}': {front.Count} of {view.Completed} completed trials",
            new[] { "trial" }.Concat(objectives.Select(StoreReader.Describe)).Append("architecture").ToArray());
        foreach (var t in front.OrderBy(t => Objective.ValuesOf(t, objectives)[0]))
            Row(table, new[] { Int(t.Number) }.Concat(Objective.ValuesOf(t, objectives).Select(v => NasGenCommand.Number(v))).Append(t.Canonical).ToArray());
        _console.Write(table);
    }

    public void Files(IReadOnlyList<string> files)
    {
        if (_json)
        {
            Json(new { files });
            return;
        }
        foreach (string f in files) Line($"wrote {f}");
    }

    public void Dashboard(NasGen.Dashboard.DashboardServer server)
    {
        if (_json)
        {
            Json(new { store = server.StoreLocation, url = server.Url, launchUrl = server.LaunchUrl, token = server.Token });
            return;
        }
        _console.WriteLine($"NasGen dashboard of {server.StoreLocation}");
        // The token is printed this once, inside the address to open (as Jupyter does); it is never logged again.
        _console.WriteLine($"open {server.LaunchUrl}");
        if (server.Token is not null) _console.WriteLine($"access token: {server.Token}");
        _console.WriteLine("press Ctrl-C to stop");
    }

    public void Export(ExperimentView view, TrialRecord trial, string? path)
    {
        if (path is null)
        {
            // The architecture JSON itself: what FromJson reads, whether or not --json was given.
            _output.WriteLine(TerminalText.Escape(trial.ArchitectureJson, keepLineBreaks: true));
            return;
        }
        if (_json) Json(new { store = view.Store, experiment = view.Name, trial = trial.Number, canonical = trial.Canonical, path });
        else Line($"wrote trial {trial.Number} of '{view.Name}' ({trial.Canonical}) to {path}");
    }

    public void CopiedWeights(TrialRecord trial, string path)
    {
        if (!_json) _console.WriteLine($"wrote the weights of trial {trial.Number} to {path}");
    }

    public void Compare(ExperimentView a, ExperimentView b)
    {
        bool sameSpace = a.Experiment.Config.SpaceFingerprint == b.Experiment.Config.SpaceFingerprint;
        int shared = a.Trials.Where(t => t.IsFinished).Select(t => t.Canonical)
            .Intersect(b.Trials.Where(t => t.IsFinished).Select(t => t.Canonical), StringComparer.Ordinal).Count();
        double? delta = a.Best?.Fitness is { } fa && b.Best?.Fitness is { } fb ? fb - fa : null;
        if (_json)
        {
            Json(new { a = Comparison(a), b = Comparison(b), sameSpace, sharedArchitectures = shared, bestFitnessDifference = delta });
            return;
        }
        var table = Table("Comparison", "", "A", "B");
        void Both(string label, Func<ExperimentView, string> value) => Row(table, label, value(a), value(b));
        Both("store", v => v.Store);
        Both("experiment", v => v.Name);
        Both("space", v => $"{v.Experiment.Config.SpaceName} ({v.Experiment.Config.SpaceFingerprint})");
        Both("strategy", v => v.Experiment.Config.StrategyName);
        Both("seed", v => Int(v.Experiment.Config.Seed));
        Both("trials", v => Int(v.Trials.Count));
        Both("completed", v => Int(v.Completed));
        Both("failed", v => Int(v.Failed));
        Both("best fitness", v => NasGenCommand.Number(v.Best?.Fitness));
        Both("best trial", v => v.Best is { } t ? Int(t.Number) : "-");
        Both("mean fitness", v => NasGenCommand.Number(MeanFitness(v)));
        Both("evaluation time", v => $"{v.EvaluationTime.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s");
        Both("best architecture", v => v.Best?.Canonical ?? "-");
        _console.Write(table);
        Line(sameSpace ? "Same search space." : "Different search spaces (fingerprints differ): architectures are not comparable.");
        Line($"Architectures evaluated by both: {shared}.");
        if (delta is { } d) Line($"Best fitness B - A: {d.ToString("+0.######;-0.######;0", CultureInfo.InvariantCulture)}.");
    }

    private static double? MeanFitness(ExperimentView view)
    {
        var values = view.Ranked().Select(t => t.Fitness!.Value).ToArray();
        return values.Length == 0 ? null : values.Average();
    }

    private static object Summary(ExperimentView view)
    {
        var c = view.Experiment.Config;
        return new
        {
            name = c.Name,
            space = c.SpaceName,
            fingerprint = c.SpaceFingerprint,
            strategy = c.StrategyName,
            seed = c.Seed,
            createdAt = view.Experiment.CreatedAt,
            trials = view.Trials.Count,
            completed = view.Completed,
            failed = view.Failed,
            unfinished = view.Unfinished,
            bestTrial = view.Best?.Number,
            bestFitness = view.Best?.Fitness,
            evaluationSeconds = view.EvaluationTime.TotalSeconds,
        };
    }

    private static object Comparison(ExperimentView view) => new
    {
        store = view.Store,
        experiment = Summary(view),
        meanFitness = MeanFitness(view),
        best = view.Best is { } best ? Trial(best) : null,
    };

    private static object Trial(TrialRecord t) => new
    {
        number = t.Number,
        status = t.Status,
        fitness = t.Fitness,
        metrics = t.Metrics,
        fidelity = t.Fidelity,
        seed = t.Seed,
        canonical = t.Canonical,
        stableHash = t.StableHash.ToString("x16", CultureInfo.InvariantCulture),
        architecture = Parse(t.ArchitectureJson),
        failure = t.Failure,
        error = t.Error,
        reusedFrom = t.ReusedFrom,
        stoppedEarly = t.StoppedEarly,
        durationSeconds = t.Duration?.TotalSeconds,
    };

    // Stored JSON is embedded as JSON, not as an escaped string; text that does not parse stays text.
    private static object Parse(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return json;
        }
    }

    // Every text line goes through here: store-derived strings may hold terminal escape sequences.
    private void Line(string text) => _console.WriteLine(TerminalText.Escape(text));

    private void Json(object value) => _output.WriteLine(JsonSerializer.Serialize(value, JsonOptions));

    private static Table Table(string title, params string[] columns)
    {
        var table = new Table { Title = new TableTitle(Markup.Escape(TerminalText.Escape(title))), Border = TableBorder.Rounded };
        foreach (string c in columns) table.AddColumn(new TableColumn(Markup.Escape(TerminalText.Escape(c))));
        return table;
    }

    private static void Row(Table table, params string[] cells) => table.AddRow(cells.Select(c => (Spectre.Console.Rendering.IRenderable)new Text(TerminalText.Escape(c))).ToArray());

    private static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);
}
