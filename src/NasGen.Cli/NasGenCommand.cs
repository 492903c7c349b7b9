using System;
using System.Collections.Generic;
using System.CommandLine;
using System.Globalization;
using System.IO;
using System.Linq;
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

    /// <summary>Exit code of a command that failed (missing or corrupt store, unknown experiment or trial, bad arguments).</summary>
    public const int Failure = 1;

    /// <summary>Parses <paramref name="args"/> and runs the command, writing to <paramref name="output"/> and <paramref name="error"/>.</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        var root = Build(output, error);
        var configuration = new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false };
        return await root.Parse(args).InvokeAsync(configuration, cancellationToken).ConfigureAwait(false);
    }

    private static RootCommand Build(TextWriter output, TextWriter error)
    {
        var json = new Option<bool>("--json") { Description = "Print JSON instead of tables (for scripts).", Recursive = true };
        var root = new RootCommand("Inspect NasGen experiment stores: experiments, trials, plots, Pareto fronts and architectures.") { json };

        Argument<string> Store(string name = "store") => new(name) { Description = "The experiment store (a SQLite file written by SqliteExperimentStore)." };
        Option<string?> Experiment(string name = "--experiment", params string[] aliases) =>
            new(name, aliases) { Description = "The experiment's name (may be left out when the store holds one)." };

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
                catch (Exception e) when (e is CliException or StoreException or IOException or UnauthorizedAccessException)
                {
                    await error.WriteLineAsync($"nasgen: error: {e.Message}").ConfigureAwait(false);
                    return Failure;
                }
            });
            root.Subcommands.Add(command);
        }

        {
            var store = Store();
            var list = new Command("list", "List the experiments in a store with their trial counts and best fitness.") { store };
            Verb(list, async (p, r, t) => r.List(p.GetValue(store)!, await StoreReader.ReadAllAsync(p.GetValue(store)!, t).ConfigureAwait(false)));
        }
        {
            var store = Store();
            var experiment = Experiment("--experiment", "-e");
            var status = new Command("status", "Show an experiment's configuration, progress, best trial and failures.") { store, experiment };
            Verb(status, async (p, r, t) => r.Status(await StoreReader.ReadOneAsync(p.GetValue(store)!, p.GetValue(experiment), t).ConfigureAwait(false)));
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
                r.Top(await StoreReader.ReadOneAsync(p.GetValue(store)!, p.GetValue(experiment), t).ConfigureAwait(false), count);
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
                var view = await StoreReader.ReadOneAsync(p.GetValue(store)!, p.GetValue(experiment), t).ConfigureAwait(false);
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
            var plot = new Command("plot", "Draw best-so-far, every trial's fitness and (with two objectives) the Pareto front as PNG files.") { store, experiment, outDir, objectives };
            Verb(plot, async (p, r, t) =>
            {
                var view = await StoreReader.ReadOneAsync(p.GetValue(store)!, p.GetValue(experiment), t).ConfigureAwait(false);
                r.Files(Plot(view, p.GetValue(outDir)!, ObjectivesFor(view, p.GetValue(objectives))));
            });
        }
        {
            var store = Store();
            var experiment = Experiment("--experiment", "-e");
            var trial = new Option<int?>("--trial", "-t") { Description = "The trial's number; default: the best trial." };
            var outFile = new Option<string?>("--out", "-o") { Description = "The file to write (e.g. best.arch.json); default: print the JSON." };
            var export = new Command("export", "Export a trial's architecture as the space's JSON (what Architecture.FromJson and [FixedArchitecture] read).") { store, experiment, trial, outFile };
            Verb(export, async (p, r, t) =>
            {
                var view = await StoreReader.ReadOneAsync(p.GetValue(store)!, p.GetValue(experiment), t).ConfigureAwait(false);
                var chosen = p.GetValue(trial) is { } number ? view.Trial(number)
                    : view.Best ?? throw new CliException($"experiment '{view.Name}' in {view.Store} has no completed trial; choose one with --trial.");
                string? path = p.GetValue(outFile);
                if (path is not null)
                {
                    string full = Path.GetFullPath(path);
                    if (Path.GetDirectoryName(full) is { Length: > 0 } folder) Directory.CreateDirectory(folder);
                    await File.WriteAllTextAsync(full, chosen.ArchitectureJson + Environment.NewLine, t).ConfigureAwait(false);
                    path = full;
                }
                r.Export(view, chosen, path);
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
                var a = await StoreReader.ReadOneAsync(p.GetValue(first)!, p.GetValue(experimentA), t).ConfigureAwait(false);
                var b = await StoreReader.ReadOneAsync(p.GetValue(second)!, p.GetValue(experimentB), t).ConfigureAwait(false);
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

    private static IReadOnlyList<Objective> ObjectivesFor(ExperimentView view, string[]? given) =>
        given is { Length: > 0 } ? StoreReader.ParseObjectives(given) : view.StoredObjectives();

    private static IReadOnlyList<string> Plot(ExperimentView view, string directory, IReadOnlyList<Objective> objectives)
    {
        string folder = Path.GetFullPath(directory);
        Directory.CreateDirectory(folder);
        var written = new List<string>();
        string best = Path.Combine(folder, ExperimentReport.BestSoFarPng);
        ExperimentReport.PlotBestSoFar(view.Trials, best);
        written.Add(best);
        string trials = Path.Combine(folder, ExperimentReport.TrialsPng);
        ExperimentReport.PlotTrials(view.Trials, trials);
        written.Add(trials);
        if (objectives.Count >= 2)
        {
            string pareto = Path.Combine(folder, ExperimentReport.ParetoPng);
            ExperimentReport.PlotParetoFront(view.Trials, view.ParetoFront(objectives), objectives, pareto);
            written.Add(pareto);
        }
        return written;
    }

    /// <summary>How the tool prints a fitness or metric: six significant digits, invariant culture; <c>-</c> when absent.</summary>
    public static string Number(double? value) => value is { } v ? v.ToString("G6", CultureInfo.InvariantCulture) : "-";
}
