using System.Text.Json;
using NasGen.Storage;

namespace NasGen.Experiments;

/// <summary>The run options as stored with an experiment, and the check that a resume uses the same ones.</summary>
internal static class ExperimentSettings
{
    // Options that change what a trial measures or which trials count; budgets, concurrency and timeouts may change.
    private static readonly string[] ResultOptions = { "deduplicate", "constraints", "costLimits", "medianStopping", "objectives" };

    public static string ToJson<TArchitecture>(ExperimentOptions<TArchitecture> options) where TArchitecture : struct, IEquatable<TArchitecture> =>
        JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["maxTrials"] = options.MaxTrials,
            ["maxWallTimeSeconds"] = options.MaxWallTime?.TotalSeconds,
            ["concurrency"] = options.Concurrency,
            ["deduplicate"] = options.Deduplicate,
            ["trialTimeoutSeconds"] = options.TrialTimeout?.TotalSeconds,
            ["constraints"] = options.Constraints.Select(c => c.Name).ToArray(),
            ["costLimits"] = options.CostLimits,
            ["medianStopping"] = options.MedianStopping,
            [FitnessDirection.OptionName] = options.Direction.ToString(),
            ["objectives"] = options.Objectives.Select(o => $"{o.Direction} {o.Metric}").ToArray(),
            ["evaluationSettings"] = new SortedDictionary<string, string>(options.EvaluationSettings.ToDictionary(), StringComparer.Ordinal),
        });

    /// <summary>Refuses to resume an experiment whose stored seed, strategy or result-changing options differ from this run's.</summary>
    public static void CheckSame(ExperimentConfig stored, ExperimentConfig current, string location)
    {
        var differences = new List<string>();
        if (stored.Seed != current.Seed) differences.Add($"seed {stored.Seed} (this run: {current.Seed})");
        if (stored.StrategyName != current.StrategyName) differences.Add($"strategy '{stored.StrategyName}' (this run: '{current.StrategyName}')");
        var storedOptions = ResultSettings(stored.OptionsJson);
        var currentOptions = ResultSettings(current.OptionsJson);
        // Compared only where both runs recorded the setting: stores from older versions lack some.
        foreach (var (name, value) in storedOptions)
            if (currentOptions.TryGetValue(name, out string? now) && now != value)
                differences.Add($"{name} {value} (this run: {now})");
        if (differences.Count > 0)
            throw new StoreMismatchException(location,
                $"experiment '{current.Name}' was run with {string.Join(", ", differences)}. Resuming it with other settings would rank " +
                "trials evaluated differently together: resume with the stored settings, or use another experiment name or store.");
    }

    private static Dictionary<string, string> ResultSettings(string optionsJson)
    {
        // A store from before minimisation existed maximised: a resume that minimises is another setting.
        var settings = new Dictionary<string, string>(StringComparer.Ordinal) { [FitnessDirection.OptionName] = nameof(ObjectiveDirection.Maximize) };
        try
        {
            using var document = JsonDocument.Parse(optionsJson);
            if (document.RootElement.ValueKind != JsonValueKind.Object) return settings;
            foreach (var option in document.RootElement.EnumerateObject())
            {
                if (ResultOptions.Contains(option.Name)) settings[option.Name] = option.Value.GetRawText();
                else if (option.Name == FitnessDirection.OptionName && option.Value.ValueKind == JsonValueKind.String) settings[option.Name] = option.Value.GetString()!;
                else if (option.Name == "evaluationSettings" && option.Value.ValueKind == JsonValueKind.Object)
                    foreach (var setting in option.Value.EnumerateObject())
                        settings[setting.Name] = setting.Value.ValueKind == JsonValueKind.String ? setting.Value.GetString()! : setting.Value.GetRawText();
            }
        }
        catch (JsonException)
        {
            // Options that are not JSON (written by hand or damaged) cannot be compared; the fingerprint check still holds.
        }
        return settings;
    }
}
