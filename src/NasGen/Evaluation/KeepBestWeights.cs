using static TorchSharp.torch;

namespace NasGen.Evaluation;

/// <summary>
/// Keeps the trained weights of the <paramref name="Count"/> best trials of an experiment in <paramref name="Directory"/>,
/// as <c>trial-{number}.weights</c> (TorchSharp's format, the weights after the trial's last epoch), so the winner of a
/// search can be used or exported without training it again. Set it as <see cref="TrainerOptions.KeepWeights"/>.
/// </summary>
/// <remarks>
/// The folder also holds <c>kept-trials.csv</c> (trial number, fitness) so later trials, and later runs of the same
/// experiment, know what to beat. One process at a time per folder: workers on several machines should each use their own.
/// </remarks>
public sealed record KeepBestWeights(string Directory, int Count)
{
    private const string IndexName = "kept-trials.csv";
    private static readonly object Gate = new();

    /// <summary>The file the weights of trial <paramref name="trialNumber"/> are kept in (it exists only while they are kept).</summary>
    public string PathOf(int trialNumber) => Path.Combine(Directory, $"trial-{trialNumber}.weights");

    /// <summary>The kept trials and their fitness, best first.</summary>
    public IReadOnlyList<(int Trial, double Fitness)> Kept()
    {
        lock (Gate)
        {
            return ReadIndex().OrderByDescending(e => e.Fitness).ThenBy(e => e.Trial).ToList();
        }
    }

    /// <summary>Saves <paramref name="model"/>'s weights when the trial is among the best <see cref="Count"/>, and drops those it pushes out.</summary>
    internal void Offer(int trialNumber, double fitness, nn.Module model)
    {
        if (!double.IsFinite(fitness)) return;
        lock (Gate)
        {
            System.IO.Directory.CreateDirectory(Directory);
            List<(int Trial, double Fitness)> kept = ReadIndex().Where(e => e.Trial != trialNumber).ToList();
            var ranked = kept.Append((Trial: trialNumber, Fitness: fitness)).OrderByDescending(e => e.Fitness).ThenBy(e => e.Trial).ToList();
            if (!ranked.Take(Count).Contains((trialNumber, fitness))) return;

            // A new file moved into place: an interrupted save never leaves a half-written weights file under a kept name.
            string path = PathOf(trialNumber);
            model.save(path + ".partial");
            File.Move(path + ".partial", path, overwrite: true);
            foreach (var dropped in ranked.Skip(Count)) File.Delete(PathOf(dropped.Trial));
            WriteIndex(ranked.Take(Count));
        }
    }

    private List<(int Trial, double Fitness)> ReadIndex()
    {
        string index = Path.Combine(Directory, IndexName);
        if (!File.Exists(index)) return new();
        var entries = new List<(int Trial, double Fitness)>();
        foreach (string line in File.ReadAllLines(index).Skip(1))
        {
            string[] fields = line.Split(',');
            // A damaged line or a file deleted by hand just drops out of the ranking.
            if (fields.Length == 2
                && int.TryParse(fields[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out int trial)
                && double.TryParse(fields[1], NumberStyles.Float, CultureInfo.InvariantCulture, out double fitness)
                && File.Exists(PathOf(trial)))
            {
                entries.Add((trial, fitness));
            }
        }

        return entries;
    }

    private void WriteIndex(IEnumerable<(int Trial, double Fitness)> kept)
    {
        string index = Path.Combine(Directory, IndexName);
        File.WriteAllLines(index + ".partial", kept.Select(e => $"{e.Trial},{e.Fitness.ToString("R", CultureInfo.InvariantCulture)}").Prepend("trial,fitness"));
        File.Move(index + ".partial", index, overwrite: true);
    }
}
