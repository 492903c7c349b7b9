using System.Text.Json;
using NasGen.Storage;

namespace NasGen.Experiments;

/// <summary>
/// The direction of an experiment's fitness (<see cref="ExperimentOptions{TArchitecture}.Direction"/>), as recorded with
/// it, and fitness compared by it: what every reader of a store uses to say which trial is best.
/// </summary>
public static class FitnessDirection
{
    /// <summary>The key of the direction in <see cref="ExperimentConfig.OptionsJson"/>.</summary>
    public const string OptionName = "direction";

    /// <summary>
    /// The direction recorded with <paramref name="config"/>; <see cref="ObjectiveDirection.Maximize"/> when none is
    /// (stores written before minimisation existed maximised) or the options cannot be read.
    /// </summary>
    public static ObjectiveDirection Of(ExperimentConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        try
        {
            using var document = JsonDocument.Parse(config.OptionsJson);
            if (document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty(OptionName, out var value) &&
                value.ValueKind == JsonValueKind.String && Enum.TryParse<ObjectiveDirection>(value.GetString(), ignoreCase: true, out var direction))
                return direction;
        }
        catch (JsonException)
        {
            // Options that are not JSON (written by hand or damaged): the default, as for a store without the setting.
        }
        return ObjectiveDirection.Maximize;
    }

    /// <summary>Whether <paramref name="candidate"/> is strictly better than <paramref name="incumbent"/> in this direction.</summary>
    public static bool IsBetter(this ObjectiveDirection direction, double candidate, double incumbent) =>
        direction == ObjectiveDirection.Minimize ? candidate < incumbent : candidate > incumbent;

    /// <summary>The fitness as a value to maximise (negated when minimising): what strategies are told.</summary>
    public static double Maximised(this ObjectiveDirection direction, double fitness) =>
        direction == ObjectiveDirection.Minimize ? -fitness : fitness;

    /// <summary>Completed trials that were evaluated (not reused), best fitness first in this direction, ties by number.</summary>
    public static IEnumerable<TrialRecord> Ranked(this IEnumerable<TrialRecord> trials, ObjectiveDirection direction)
    {
        ArgumentNullException.ThrowIfNull(trials);
        var evaluated = trials.Where(t => t.Status == TrialStatus.Completed && t.Fitness is not null && t.ReusedFrom is null);
        var ordered = direction == ObjectiveDirection.Minimize ? evaluated.OrderBy(t => t.Fitness) : evaluated.OrderByDescending(t => t.Fitness);
        return ordered.ThenBy(t => t.Number);
    }

    /// <summary>The better of two completed trials by fitness (the first of equals; a trial without fitness never wins).</summary>
    internal static TrialRecord? Better(this ObjectiveDirection direction, TrialRecord? best, TrialRecord candidate) =>
        candidate.Fitness is { } f && (best?.Fitness is not { } b || direction.IsBetter(f, b)) ? candidate : best;
}
