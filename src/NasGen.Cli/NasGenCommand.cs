using System;
using System.Collections.Generic;
using System.CommandLine;
using System.Data.Common;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using NasGen.Dashboard;
using NasGen.Experiments;
using NasGen.Reporting;
using NasGen.Storage;
using Spectre.Console;

namespace NasGen.Cli;

/// <summary>
/// The <c>nasgen</c> command line: inspects experiment stores without the search space's code. Every verb prints a
/// terminal table, or JSON with <c>--json</c>; errors go to the error writer with exit code 1.
/// </summary>
public static class NasGenCommand
{
    /// <summary>Exit code of a command that did its work.</summary>
    public const int Success = 0;

    /// <summary>
    /// Exit code of a command that failed on its input (bad arguments, a missing, corrupt or foreign store, an unknown
    /// experiment, trial or metric, an output path that would destroy data): one line on the error writer says which.
    /// </summary>
    public const int Failure = 1;

    /// <summary>Exit code of a failure nasgen did not foresee (a bug to report): one line with the exception's type and message.</summary>
    public const int InternalError = 70;

    /// <summary>Parses <paramref name="args"/> and runs the command, writing to <paramref name="output"/> and <paramref name="error"/>.</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        // Every line the tool writes, argument errors included, passes through redaction: a store location may carry a password.
        await using var redactedOutput = new RedactingWriter(output);
        await using var redactedError = new RedactingWriter(error);
        var root = Build(redactedOutput, redactedError);
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            // One line, not System.CommandLine's list of errors followed by the whole help text.
            string errors = string.Join("; ", parse.Errors.Select(e => e.Message.ReplaceLineEndings(" ")).Distinct());
            await redactedError.WriteLineAsync($"nasgen: error: {TerminalText.Escape(errors)} (see nasgen --help)").ConfigureAwait(false);
            return Failure;
        }
        var configuration = new InvocationConfiguration { Output = redactedOutput, Error = redactedError, EnableDefaultExceptionHandler = false };
        try
        {
            return await parse.InvokeAsync(configuration, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            await redactedError.WriteLineAsync($"nasgen: internal error, please report it: {e.GetType().Name}: {TerminalText.Escape(e.Message)}").ConfigureAwait(false);
            return InternalError;
        }
    }

    private static RootCommand Build(TextWriter output, TextWriter error)
    {
        var json = new Option<bool>("--json") { Description = "Print JSON instead of tables (for scripts).", Recursive = true };
        var root = new RootCommand("Inspect NasGen experiment stores: experiments, trials, plots, Pareto fronts and architectures.") { json };

        Argument<string> Store(string name = "store") => new(name)
        {
            Description = "The experiment store: a SQLite file, or a PostgreSQL database as postgresql:Host=…;Username=…;Database=… (password from PGPASSWORD or ~/.pgpass).",
        };
        Option<string?> Experiment(string name = "--experiment", params string[] aliases) =>
            new(name, aliases) { Description = "The experiment's name (may be left out when the store holds one)." };

        Option<bool> Force() => new("--force") { Description = "Overwrite existing output files (never a store)." };

        // Every verb: run the body with a renderer, turn known failures into a message and exit code 1.
        void Verb(Command command, Func<ParseResult, Renderer, CancellationToken, Task> body)
        {
            command.SetAction(async (parse, token) =>
            {
                try
                {
                    await body(parse, new Renderer(output, parse.GetValue(json)), token).ConfigureAwait(false);
                    return Success;
                }
                catch (Exception e) when (e is CliException or StoreException or IOException or UnauthorizedAccessException or DbException or JsonException)
                {
                    await error.WriteLineAsync($"nasgen: error: {TerminalText.Escape(e.Message)}").ConfigureAwait(false);
                    return Failure;
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // Still one line and no stack trace; the type says where to look.
                    await error.WriteLineAsync($"nasgen: error: unexpected {e.GetType().Name}: {TerminalText.Escape(e.Message)}").ConfigureAwait(false);
                    return Failure;
                }
            });
            root.Subcommands.Add(command);
        }

        {
            var store = Store();
            var list = new Command("list", "List the experiments in a store with their trial counts and best fitness.") { store };
            Verb(list, async (p, r, t) => r.List(ExperimentStores.Describe(p.GetValue(store)!), await ReadAllAsync(p.GetValue(store)!, t).ConfigureAwait(false)));
        }
        {
            var store = Store();
            var experiment = Experiment("--experiment", "-e");
            var status = new Command("status", "Show an experiment's configuration, progress, best trial and failures.") { store, experiment };
            Verb(status, async (p, r, t) => r.Status(await ReadOneAsync(p.GetValue(store)!, p.GetValue(experiment), t).ConfigureAwait(false)));
        }
        {
            var store = Store();
            var experiment = Experiment("--experiment", "-e");
            var k = new Option<int>("-k", "--count") { Description = "How many trials to show.", DefaultValueFactory = _ => 10 };
            var top = new Command("top", "Show the k best completed trials by fitness.") { store, experiment, k };
            Verb(top, async (p, r, t) =>
            {
                int count = p.GetValue(k);
                if (count < 1) throw new CliException($"-k must be at least 1, not {count}.");
                r.Top(await ReadOneAsync(p.GetValue(store)!, p.GetValue(experiment), t).ConfigureAwait(false), count);
            });
        }
        var objectivesDescription = "Objectives as metric:max or metric:min (fitness names the fitness), e.g. fitness:max params:min; default: the experiment's own.";
        {
            var store = Store();
            var experiment = Experiment("--experiment", "-e");
            var objectives = new Option<string[]>("--objectives") { Description = objectivesDescription, AllowMultipleArgumentsPerToken = true };
            var pareto = new Command("pareto", "Print the Pareto front of the completed trials.") { store, experiment, objectives };
            Verb(pareto, async (p, r, t) =>
            {
                var view = await ReadOneAsync(p.GetValue(store)!, p.GetValue(experiment), t).ConfigureAwait(false);
                var chosen = ObjectivesFor(view, p.GetValue(objectives));
                if (chosen.Count == 0)
                    throw new CliException($"experiment '{view.Name}' was run without objectives; give them with --objectives, e.g. --objectives fitness:max params:min.");
                r.Pareto(view, chosen);
            });
        }
        {
            var store = Store();
            var experiment = Experiment("--experiment", "-e");
            var outDir = new Option<string>("--out", "-o") { Description = "The folder to write the PNG files into.", Required = true };
            var objectives = new Option<string[]>("--objectives") { Description = objectivesDescription, AllowMultipleArgumentsPerToken = true };
            var force = Force();
            var plot = new Command("plot", "Draw best-so-far, every trial's fitness and (with two objectives) the Pareto front as PNG files.") { store, experiment, outDir, objectives, force };
            Verb(plot, async (p, r, t) =>
            {
                var view = await ReadOneAsync(p.GetValue(store)!, p.GetValue(experiment), t).ConfigureAwait(false);
                r.Files(Plot(view, p.GetValue(store)!, p.GetValue(outDir)!, ObjectivesFor(view, p.GetValue(objectives)), p.GetValue(force)));
            });
        }
        {
            var store = Store();
            var experiment = Experiment("--experiment", "-e");
            var trial = new Option<int?>("--trial", "-t") { Description = "The trial's number; default: the best trial." };
            var outFile = new Option<string?>("--out", "-o") { Description = "The file to write (e.g. best.arch.json); default: print the JSON. Never a store." };
            var weights = new Option<string?>("--weights", "-w")
            {
                Description = "Also copy the trial's trained weights to this file, when the search kept them (KeepBestWeights; the main job's --keep-weights). Never a store.",
            };
            var weightsDir = new Option<string?>("--weights-dir") { Description = "The folder the weights were kept in; default: 'weights' next to the store file." };
            var force = Force();
            var export = new Command("export", "Export a trial's architecture as the space's JSON (what Architecture.FromJson and [FixedArchitecture] read).") { store, experiment, trial, outFile, weights, weightsDir, force };
            Verb(export, async (p, r, t) =>
            {
                string storePath = p.GetValue(store)!;
                string? path = p.GetValue(outFile);
                // Checked before the store is even opened: an --out naming the store must not get near it.
                if (path is not null) path = OutputFiles.CheckWritable(path, "--out", [storePath], p.GetValue(force));
                string? weightsPath = p.GetValue(weights) is { } requested ? OutputFiles.CheckWritable(requested, "--weights", [storePath], p.GetValue(force)) : null;
                var view = await ReadOneAsync(storePath, p.GetValue(experiment), t).ConfigureAwait(false);
                var chosen = p.GetValue(trial) is { } number ? view.Trial(number)
                    : view.Best ?? throw new CliException($"experiment '{view.Name}' in {view.Store} has no completed trial; choose one with --trial.");
                if (path is not null) OutputFiles.WriteAllText(path, chosen.ArchitectureJson + Environment.NewLine);
                r.Export(view, chosen, path);
                if (weightsPath is not null)
                    r.CopiedWeights(chosen, KeptWeights.Copy(storePath, p.GetValue(weightsDir), chosen.Number, weightsPath));
            });
        }
        {
            var first = Store("store-a");
            var second = Store("store-b");
            var experimentA = Experiment("--experiment-a");
            var experimentB = Experiment("--experiment-b");
            var compare = new Command("compare", "Compare two experiments (in two stores, or two experiments of one store) side by side.") { first, second, experimentA, experimentB };
            Verb(compare, async (p, r, t) =>
            {
                var a = await ReadOneAsync(p.GetValue(first)!, p.GetValue(experimentA), t).ConfigureAwait(false);
                var b = await ReadOneAsync(p.GetValue(second)!, p.GetValue(experimentB), t).ConfigureAwait(false);
                r.Compare(a, b);
            });
        }
        {
            var store = Store();
            var experiment = Experiment("--experiment", "-e");
            var port = new Option<int>("--port", "-p") { Description = "The port to serve on (0 picks a free one).", DefaultValueFactory = _ => 8080 };
            var host = new Option<string>("--host") { Description = "The address to bind. Anything but loopback requires the access token.", DefaultValueFactory = _ => "127.0.0.1" };
            var token = new Option<string?>("--token") { Description = "The access token (default: generated and printed once when --host is not loopback)." };
            var dashboard = new Command("dashboard", "Serve a live, read-only web dashboard of the store until Ctrl-C (works offline; loopback only unless --host).") { store, experiment, port, host, token };
            Verb(dashboard, async (p, r, t) =>
            {
                var options = new DashboardOptions { Host = p.GetValue(host)!, Port = p.GetValue(port), Token = p.GetValue(token), Experiment = p.GetValue(experiment) };
                DashboardServer server;
                try
                {
                    server = await NasGen.Dashboard.Dashboard.StartAsync(p.GetValue(store)!, options, t).ConfigureAwait(false);
                }
                catch (ArgumentException e)
                {
                    throw new CliException(e.Message);
                }
                await using (server.ConfigureAwait(false))
                {
                    r.Dashboard(server);
                    await server.WaitForShutdownAsync(t).ConfigureAwait(false);
                }
            });
        }
        return root;
    }

    private static Task<IReadOnlyList<ExperimentView>> ReadAllAsync(string store, CancellationToken cancellationToken) =>
        NamingTheStore(store, () => StoreReader.ReadAllAsync(store, cancellationToken));

    private static Task<ExperimentView> ReadOneAsync(string store, string? experiment, CancellationToken cancellationToken) =>
        NamingTheStore(store, () => StoreReader.ReadOneAsync(store, experiment, cancellationToken));

    // What a store's rows can throw when a table is missing or a value is not of its type: the message of SQLite or
    // of the parser alone does not say which file is at fault.
    private static async Task<T> NamingTheStore<T>(string store, Func<Task<T>> read)
    {
        try
        {
            return await read().ConfigureAwait(false);
        }
        catch (Exception e) when (e is DbException or JsonException or FormatException or InvalidCastException or OverflowException)
        {
            throw new CliException($"'{ExperimentStores.Describe(store)}' cannot be read as an experiment store ({e.Message.ReplaceLineEndings(" ")}); " +
                "it is damaged or was not written by NasGen.");
        }
    }

    /// <summary>
    /// The objectives given on the command line (each metric must be one the experiment's completed trials recorded),
    /// or the stored ones when none are given.
    /// </summary>
    private static IReadOnlyList<Objective> ObjectivesFor(ExperimentView view, string[]? given)
    {
        if (given is not { Length: > 0 }) return view.StoredObjectives();
        var objectives = StoreReader.ParseObjectives(given);
        var known = view.MetricNames().Prepend(Objective.Fitness).ToArray();
        // Without completed trials there is nothing to check against (and nothing on the front).
        if (view.Completed == 0) return objectives;
        foreach (var objective in objectives)
            if (!known.Contains(objective.Metric, StringComparer.Ordinal))
                throw new CliException($"experiment '{view.Name}' has no metric '{objective.Metric}'; its metrics are {string.Join(", ", known)}.");
        return objectives;
    }

    private static IReadOnlyList<string> Plot(ExperimentView view, string store, string directory, IReadOnlyList<Objective> objectives, bool force)
    {
        string folder = Path.GetFullPath(directory);
        if (File.Exists(OutputFiles.Resolve(folder))) throw new CliException($"--out '{folder}' is a file; give a folder (it is made when missing).");
        var files = new List<string> { ExperimentReport.BestSoFarPng, ExperimentReport.TrialsPng };
        if (objectives.Count >= 2) files.Add(ExperimentReport.ParetoPng);
        // Every file is checked before the first is written: a refusal leaves the folder as it was.
        var paths = files.Select(f => OutputFiles.CheckWritable(Path.Combine(folder, f), "--out", [store], force)).ToArray();
        Directory.CreateDirectory(folder);
        ExperimentReport.PlotBestSoFar(view.Trials, paths[0], view.Direction);
        ExperimentReport.PlotTrials(view.Trials, paths[1]);
        if (objectives.Count >= 2) ExperimentReport.PlotParetoFront(view.Trials, view.ParetoFront(objectives), objectives, paths[2]);
        return paths;
    }

    /// <summary>How the tool prints a fitness or metric: six significant digits, invariant culture; <c>-</c> when absent.</summary>
    public static string Number(double? value) => value is { } v ? v.ToString("G6", CultureInfo.InvariantCulture) : "-";
}
