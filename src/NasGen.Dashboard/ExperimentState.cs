using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Serialization;
using NasGen.Experiments;
using NasGen.Storage;

namespace NasGen.Dashboard;

/// <summary>
/// A trial as the page receives it (JSON, camelCase). The architecture's JSON is left out of the experiment's trial list
/// (the canonical text and the choices say the same for the table and charts) and sent with one trial's details.
/// </summary>
internal sealed record TrialView(
    int Number,
    string Status,
    double? Fitness,
    string Canonical,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? ArchitectureJson,
    IReadOnlyDictionary<string, string> Choices,
    IReadOnlyDictionary<string, double> Metrics,
    double[][] Intermediate,
    string? Failure,
    string? Error,
    string? Worker,
    DateTimeOffset? StartedAt,
    DateTimeOffset? EndedAt,
    double? DurationSeconds,
    double Fidelity,
    int Seed,
    int? ReusedFrom,
    bool StoppedEarly);

/// <summary>The best completed trial, for the overview.</summary>
internal sealed record BestTrial(int Number, double Fitness, string Canonical);

/// <summary>An experiment's settings and progress (JSON, camelCase).</summary>
internal sealed record ExperimentSummary(
    long Id,
    string Name,
    string Space,
    string Strategy,
    int Seed,
    string OptionsJson,
    DateTimeOffset CreatedAt,
    int Trials,
    int Completed,
    int Failed,
    int Running,
    int Pending,
    int? MaxTrials,
    BestTrial? Best,
    IReadOnlyDictionary<string, int> FailuresByReason,
    double? ElapsedSeconds,
    double? EtaSeconds,
    IReadOnlyList<string> Objectives,
    bool Minimize,
    long Version);

/// <summary>
/// The last snapshot of one experiment's trials and what changed between snapshots. Each refresh reads from the store
/// only the trials changed since the highest change number seen (<see cref="StoreVersion"/>) and compares them with
/// the ones kept here; a trial that is new or has moved on (state, fitness, a new intermediate result, worker, times)
/// gets the new version number, so a client that has seen version V is sent only the trials changed after V. Each
/// trial's JSON is serialized and its choices parsed once, when it changes, and the choice importance is updated
/// with the changed trials only.
/// </summary>
internal sealed class ExperimentState(StoredExperiment experiment)
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>A trial's record, its version, its choices and its serialized view.</summary>
    internal sealed class Entry(TrialRecord record, long changedAt, IReadOnlyDictionary<string, string> choices)
    {
        public TrialRecord Record { get; } = record;
        public long ChangedAt { get; } = changedAt;
        public IReadOnlyDictionary<string, string> Choices { get; } = choices;
        public byte[] Json { get; } = Serialize(record, choices, withArchitecture: false);

        /// <summary>The trial with every detail, for its own page.</summary>
        public byte[] DetailJson() => Serialize(Record, Choices, withArchitecture: true);
    }

    private readonly Dictionary<int, int> _indexByNumber = new();
    private readonly List<Entry> _entries = new();
    private readonly ImportanceAccumulator _importance = new();
    private (long Version, string Axes, ParetoChart Chart)? _pareto;

    public StoredExperiment Experiment { get; private set; } = experiment;

    /// <summary>Increases by one with every refresh that found a change; 0 before the first.</summary>
    public long Version { get; private set; }

    public ExperimentSummary Summary { get; private set; } = null!;

    /// <summary>The highest change number of the store's trials read so far: the next read asks for what changed after it.</summary>
    public long StoreVersion { get; private set; }

    /// <summary>When the store was last read for this experiment.</summary>
    public DateTimeOffset? RefreshedAt { get; set; }

    /// <summary>The trials in number order.</summary>
    public IReadOnlyList<Entry> Entries => _entries;

    /// <summary>
    /// Takes in the trials read from the store (the changed ones, or all of them: trials not in the list are kept as
    /// they are); returns how many trials are new or changed.
    /// </summary>
    public int Apply(IReadOnlyList<TrialRecord> trials, DateTimeOffset now)
    {
        long next = Version + 1;
        int changed = 0;
        foreach (var trial in trials)
        {
            StoreVersion = Math.Max(StoreVersion, trial.Version);
            if (_indexByNumber.TryGetValue(trial.Number, out int index))
            {
                var old = _entries[index];
                if (SameProgress(old.Record, trial)) continue;
                _importance.Remove(old);
                _entries[index] = new Entry(trial, next, old.Choices); // an architecture never changes
            }
            else
            {
                _indexByNumber[trial.Number] = _entries.Count;
                _entries.Add(new Entry(trial, next, Choices(trial.ArchitectureJson)));
            }
            _importance.Add(_entries[_indexByNumber[trial.Number]]);
            changed++;
        }
        if (changed > 0 || Summary is null)
        {
            Version = next;
            Summary = Summarize(now);
        }
        else if (_entries.Any(e => !e.Record.IsFinished))
        {
            // Nothing changed, but elapsed time and ETA move on while trials run.
            Summary = Summarize(now);
        }
        return changed;
    }

    /// <summary>The choice importance of the evaluated trials (<see cref="ImportanceAccumulator"/>).</summary>
    public IReadOnlyList<ChoiceImportance> Importance() => _importance.Result();

    /// <summary>The Pareto chart of two objectives, computed again only when the trials changed or other objectives are asked.</summary>
    public ParetoChart Pareto(Objective x, Objective y)
    {
        string axes = $"{x.Metric}\n{x.Direction}\n{y.Metric}\n{y.Direction}";
        if (_pareto is { } cached && cached.Version == Version && cached.Axes == axes) return cached.Chart;
        var chart = Analysis.Pareto(_entries.Select(e => e.Record).ToArray(), x, y);
        _pareto = (Version, axes, chart);
        return chart;
    }

    /// <summary>The trial numbered <paramref name="number"/>, or null.</summary>
    public Entry? Find(int number) => _indexByNumber.TryGetValue(number, out int index) ? _entries[index] : null;

    /// <summary>A trial's view as the trial list sends it, for a trial read outside the snapshot (a page of the trial table).</summary>
    internal static byte[] View(TrialRecord trial) => Serialize(trial, Choices(trial.ArchitectureJson), withArchitecture: false);

    /// <summary>The trials changed after <paramref name="version"/> (every trial for 0).</summary>
    public IEnumerable<Entry> ChangedSince(long version) => _entries.Where(e => e.ChangedAt > version);

    // Trials only move forward (pending, running, finished; intermediate results are appended), so these fields
    // are enough to see any change without comparing metric dictionaries.
    private static bool SameProgress(TrialRecord a, TrialRecord b) =>
        a.Status == b.Status && a.Fitness == b.Fitness && a.Intermediate.Count == b.Intermediate.Count && a.Worker == b.Worker
        && a.StartedAt == b.StartedAt && a.EndedAt == b.EndedAt && a.TellSequence == b.TellSequence && a.Metrics.Count == b.Metrics.Count
        && a.Error == b.Error;

    private static byte[] Serialize(TrialRecord t, IReadOnlyDictionary<string, string> choices, bool withArchitecture) => JsonSerializer.SerializeToUtf8Bytes(new TrialView(
        t.Number, t.Status.ToString(), t.Fitness, t.Canonical, withArchitecture ? t.ArchitectureJson : null, choices, t.Metrics,
        t.Intermediate.Select(p => new[] { p.Key, p.Value }).ToArray(),
        t.Failure == FailureReason.None ? null : t.Failure.ToString(), t.Error, t.Worker, t.StartedAt, t.EndedAt,
        t.Duration?.TotalSeconds, t.Fidelity, t.Seed, t.ReusedFrom, t.StoppedEarly), Json);

    /// <summary>
    /// The architecture's choices as text, for parallel coordinates and importance: a sub-space's choices are named
    /// by their path (<c>cell.op</c>, as the space's dimension labels), lists keep their JSON, and the space's own
    /// entries (<c>$space</c>, <c>$fingerprint</c>) are left out.
    /// </summary>
    internal static IReadOnlyDictionary<string, string> Choices(string architectureJson)
    {
        var choices = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            using var document = JsonDocument.Parse(architectureJson);
            if (document.RootElement.ValueKind == JsonValueKind.Object) Collect(document.RootElement, "");
        }
        catch (JsonException)
        {
            // An architecture that is not JSON still shows its canonical text; it just has no choices to plot.
        }
        return choices;

        void Collect(JsonElement node, string prefix)
        {
            foreach (var property in node.EnumerateObject())
            {
                if (property.Name.StartsWith('$')) continue;
                string name = prefix + property.Name;
                if (property.Value.ValueKind == JsonValueKind.Object) Collect(property.Value, name + ".");
                else choices[name] = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString()! : property.Value.GetRawText();
            }
        }
    }

    private ExperimentSummary Summarize(DateTimeOffset now) => Summarize(Experiment, Statistics(), now, Version);

    /// <summary>The same numbers as the store's aggregate queries give (<see cref="IReadOnlyExperimentStore.GetTrialStatisticsAsync"/>), from the trials kept here.</summary>
    private TrialStatistics Statistics()
    {
        int[] byStatus = new int[4];
        TrialRecord? best = null;
        var direction = FitnessDirection.Of(Experiment.Config);
        DateTimeOffset? first = null, last = null;
        var failures = new Dictionary<FailureReason, int>();
        foreach (var entry in _entries)
        {
            var t = entry.Record;
            byStatus[(int)t.Status]++;
            if (t.Status == TrialStatus.Failed) failures[t.Failure] = failures.GetValueOrDefault(t.Failure) + 1;
            if (t.Status == TrialStatus.Completed && t.ReusedFrom is null && t.Fitness is { } f && double.IsFinite(f) && (best?.Fitness is not { } b || direction.IsBetter(f, b)))
                best = t;
            if (t.StartedAt is { } s && (first is null || s < first)) first = s;
            if (t.EndedAt is { } e && (last is null || e > last)) last = e;
        }
        return new TrialStatistics
        {
            Pending = byStatus[0], Running = byStatus[1], Completed = byStatus[2], Failed = byStatus[3], // TrialStatus order
            FailuresByReason = failures, Best = best, FirstStartedAt = first, LastEndedAt = last, LatestVersion = StoreVersion,
        };
    }

    /// <summary>
    /// An experiment's summary from its trials' statistics: computed here from the kept trials, or by the store's aggregate
    /// queries for a page that has not read the trials (the experiments list, the first screen).
    /// </summary>
    internal static ExperimentSummary Summarize(StoredExperiment experiment, TrialStatistics statistics, DateTimeOffset now, long version)
    {
        var config = experiment.Config;
        var (maxTrials, objectives) = ReadOptions(config.OptionsJson);
        bool live = statistics.Running + statistics.Pending > 0;
        double? elapsed = statistics.FirstStartedAt is { } start ? ((live ? now : statistics.LastEndedAt ?? now) - start).TotalSeconds : null;
        int finished = statistics.Completed + statistics.Failed;
        double? eta = elapsed is { } el && maxTrials is { } max && finished > 0 && max > finished ? el / finished * (max - finished) : null;
        var failures = new SortedDictionary<string, int>(statistics.FailuresByReason.ToDictionary(f => f.Key.ToString(), f => f.Value), StringComparer.Ordinal);
        var best = statistics.Best is { Fitness: { } fitness } b ? new BestTrial(b.Number, fitness, b.Canonical) : null;
        return new ExperimentSummary(experiment.Id, config.Name, config.SpaceName, config.StrategyName, config.Seed, config.OptionsJson,
            experiment.CreatedAt, statistics.Total, statistics.Completed, statistics.Failed, statistics.Running, statistics.Pending, maxTrials,
            best, failures, elapsed, eta, objectives, FitnessDirection.Of(config) == ObjectiveDirection.Minimize, version);
    }

    /// <summary>The trial budget and objectives ("Maximize fitness") from the stored options; missing or unreadable options give none.</summary>
    internal static (int? MaxTrials, IReadOnlyList<string> Objectives) ReadOptions(string optionsJson)
    {
        try
        {
            using var document = JsonDocument.Parse(optionsJson);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return (null, Array.Empty<string>());
            int? max = root.TryGetProperty("maxTrials", out var m) && m.ValueKind == JsonValueKind.Number && m.TryGetInt32(out int v) ? v : null;
            var objectives = root.TryGetProperty("objectives", out var o) && o.ValueKind == JsonValueKind.Array
                ? o.EnumerateArray().Where(x => x.ValueKind == JsonValueKind.String).Select(x => x.GetString()!).ToArray()
                : Array.Empty<string>();
            return (max, objectives);
        }
        catch (JsonException)
        {
            return (null, Array.Empty<string>());
        }
    }
}
