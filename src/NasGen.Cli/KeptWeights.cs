using System.IO;
using NasGen.Evaluation;

namespace NasGen.Cli;

/// <summary>The trained weights a search kept for its best trials (<see cref="KeepBestWeights"/>), as <c>nasgen export --weights</c> copies them.</summary>
internal static class KeptWeights
{
    /// <summary>Copies trial <paramref name="trialNumber"/>'s kept weights to <paramref name="target"/> and returns its full path.</summary>
    /// <exception cref="CliException">The trial's weights were not kept, or the folder is unknown.</exception>
    public static string Copy(string store, string? weightsDir, int trialNumber, string target)
    {
        string folder = weightsDir
            ?? (File.Exists(store) ? Path.Combine(Path.GetDirectoryName(Path.GetFullPath(store))!, "weights")
                : throw new CliException("--weights needs --weights-dir for a store that is not a file (a PostgreSQL connection string)."));
        string source = new KeepBestWeights(folder, 1).PathOf(trialNumber);
        if (!File.Exists(source))
        {
            throw new CliException(
                $"the weights of trial {trialNumber} were not kept: there is no '{source}'. Only the best trials' weights are kept, and only " +
                "when the search asked for it (TrainerOptions.KeepWeights; the main job's --keep-weights k); retrain the architecture instead.");
        }

        string full = Path.GetFullPath(target);
        if (Path.GetDirectoryName(full) is { Length: > 0 } parent) Directory.CreateDirectory(parent);
        File.Copy(source, full, overwrite: true);
        return full;
    }
}
