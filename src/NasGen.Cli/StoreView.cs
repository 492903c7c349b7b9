using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using NasGen.Experiments;
using NasGen.Storage;

namespace NasGen.Cli;

/// <summary>One experiment of a store with its trials, read without the search space's code.</summary>
/// <param name="Store">The store: a file's full path, or a PostgreSQL server as <c>postgresql://user@host:port/database</c>.</param>
/// <param name="Experiment">The experiment as stored.</param>
/// <param name="Trials">Its trials in number order.</param>
public sealed record ExperimentView(string Store, StoredExperiment Experiment, IReadOnlyList<TrialRecord> Trials)
{
    /// <summary>The experiment's name.</summary>
    public string Name => Experiment.Config.Name;

    /// <summary>Completed trials.</summary>
    public int Completed => Trials.Count(t => t.Status == TrialStatus.Completed);

    /// <summary>Failed trials.</summary>
    public int Failed => Trials.Count(t => t.Status == TrialStatus.Failed);

    /// <summary>Pending or running trials.</summary>
    public int Unfinished => Trials.Count(t => !t.IsFinished);

    /// <summary>Whether the experiment maximised or minimised its fitness, as recorded with it.</summary>
    public ObjectiveDirection Direction => FitnessDirection.Of(Experiment.Config);

    /// <summary>The completed trial with the best fitness in the experiment's direction (the first of equals), or null.</summary>
    public TrialRecord? Best => Ranked().FirstOrDefault();

    /// <summary>Completed trials that were evaluated (not reused), best fitness first, ties by number.</summary>
    public IEnumerable<TrialRecord> Ranked() => Trials.Ranked(Direction);

    /// <summary>Total evaluation time of the finished trials.</summary>
    public TimeSpan EvaluationTime => TimeSpan.FromSeconds(Trials.Sum(t => t.Duration?.TotalSeconds ?? 0));

    /// <summary>The trial numbered <paramref name="number"/>; a <see cref="CliException"/> naming the valid range when there is none.</summary>
    public TrialRecord Trial(int number) =>
        Trials.FirstOrDefault(t => t.Number == number)
        ?? throw new CliException(Trials.Count == 0
            ? $"experiment '{Name}' in {Store} has no trials, so no trial {number}."
            : $"experiment '{Name}' in {Store} has no trial {number}; its trials are numbered 0 to {Trials.Max(t => t.Number)}.");

    /// <summary>The objectives the experiment was run with (from its stored options), or an empty list.</summary>
    public IReadOnlyList<Objective> StoredObjectives()
    {
        try
        {
            using var options = JsonDocument.Parse(Experiment.Config.OptionsJson);
            if (!options.RootElement.TryGetProperty("objectives", out var list) || list.ValueKind != JsonValueKind.Array) return Array.Empty<Objective>();
            var objectives = new List<Objective>();
            foreach (var item in list.EnumerateArray())
            {
                // Stored as "Maximize fitness" / "Minimize params".
                string[] parts = (item.GetString() ?? "").Split(' ', 2);
                if (parts.Length == 2 && Enum.TryParse<ObjectiveDirection>(parts[0], ignoreCase: true, out var direction))
                    objectives.Add(new Objective(parts[1], direction));
            }
            return objectives;
        }
        catch (JsonException)
        {
            return Array.Empty<Objective>();
        }
    }

    /// <summary>The completed trials on the Pareto front of <paramref name="objectives"/>, in number order.</summary>
    public IReadOnlyList<TrialRecord> ParetoFront(IReadOnlyList<Objective> objectives) =>
        NasGen.Experiments.ParetoFront.Compute(Trials.Where(t => t.Status == TrialStatus.Completed && t.ReusedFrom is null),
            t => Objective.ValuesOf(t, objectives), objectives.Select(o => o.Direction).ToArray());

    /// <summary>The metric names of the completed trials, sorted.</summary>
    public IReadOnlyList<string> MetricNames() =>
        Trials.Where(t => t.Status == TrialStatus.Completed).SelectMany(t => t.Metrics.Keys).Distinct().OrderBy(k => k, StringComparer.Ordinal).ToArray();
}

/// <summary>
/// Opens stores read-only (SQLite files and PostgreSQL databases, through <see cref="ExperimentStores.OpenReadOnlyAsync"/>)
/// and finds experiments in them, with errors that say what to do.
/// </summary>
public static class StoreReader
{
    /// <summary>Every experiment of the store at <paramref name="location"/> (a SQLite path or a PostgreSQL location) with its trials.</summary>
    public static async Task<IReadOnlyList<ExperimentView>> ReadAllAsync(string location, CancellationToken cancellationToken = default)
    {
        await using var store = await ExperimentStores.OpenReadOnlyAsync(location, cancellationToken).ConfigureAwait(false);
        var views = new List<ExperimentView>();
        foreach (var experiment in await store.ListExperimentsAsync(cancellationToken).ConfigureAwait(false))
            views.Add(new ExperimentView(store.Location, experiment, await store.GetTrialsAsync(experiment.Id, cancellationToken).ConfigureAwait(false)));
        return views;
    }

    /// <summary>
    /// The experiment named <paramref name="name"/>, or the store's only experiment when no name is given; a
    /// <see cref="CliException"/> listing the store's experiments when that does not pick exactly one.
    /// </summary>
    public static async Task<ExperimentView> ReadOneAsync(string location, string? name, CancellationToken cancellationToken = default)
    {
        await using var store = await ExperimentStores.OpenReadOnlyAsync(location, cancellationToken).ConfigureAwait(false);
        var all = await store.ListExperimentsAsync(cancellationToken).ConfigureAwait(false);
        string names = string.Join(", ", all.Select(e => $"'{e.Config.Name}'"));
        StoredExperiment experiment;
        if (name is not null)
        {
            experiment = all.FirstOrDefault(e => e.Config.Name == name)
                ?? throw new CliException(all.Count == 0
                    ? $"no experiment '{name}' in {store.Location}: the store holds no experiments."
                    : $"no experiment '{name}' in {store.Location}; it holds {names}.");
        }
        else if (all.Count == 1)
        {
            experiment = all[0];
        }
        else
        {
            throw new CliException(all.Count == 0
                ? $"{store.Location} holds no experiments."
                : $"{store.Location} holds {all.Count} experiments ({names}); choose one with --experiment.");
        }
        return new ExperimentView(store.Location, experiment, await store.GetTrialsAsync(experiment.Id, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>Parses objectives written <c>metric:max</c> or <c>metric:min</c> (<c>fitness</c> names the fitness).</summary>
    public static IReadOnlyList<Objective> ParseObjectives(IEnumerable<string> specs)
    {
        ArgumentNullException.ThrowIfNull(specs);
        var objectives = new List<Objective>();
        foreach (string spec in specs)
        {
            int colon = spec.LastIndexOf(':');
            string metric = colon > 0 ? spec[..colon] : "";
            string direction = colon > 0 ? spec[(colon + 1)..].ToLowerInvariant() : "";
            objectives.Add(direction switch
            {
                "max" or "maximize" when metric.Length > 0 => new Objective(metric, ObjectiveDirection.Maximize),
                "min" or "minimize" when metric.Length > 0 => new Objective(metric, ObjectiveDirection.Minimize),
                _ => throw new CliException($"objective '{spec}' is not of the form metric:max or metric:min (e.g. fitness:max params:min)."),
            });
        }
        return objectives;
    }

    /// <summary>An objective as text: <c>params (min)</c>.</summary>
    public static string Describe(Objective objective) =>
        string.Create(CultureInfo.InvariantCulture, $"{objective.Metric} ({(objective.Direction == ObjectiveDirection.Maximize ? "max" : "min")})");
}
