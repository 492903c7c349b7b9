using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;
using NasGen.Evaluation;
using NasGen.Strategies;
using static TorchSharp.torch;

namespace NasGen.DigitsSearch;

/// <summary>The main job's <c>--strategy</c>, <c>--device</c>, <c>--fitness</c>, <c>--keep-weights</c> and <c>--concurrency</c>.</summary>
/// <param name="Strategy">A name <see cref="SearchStrategies.Create{TArchitecture}"/> accepts.</param>
/// <param name="DeviceName">cpu, cuda or cuda:N; null for CUDA when available, else the CPU.</param>
/// <param name="Fitness">Which epoch's validation accuracy ranks the trials.</param>
/// <param name="KeepWeights">How many of the best trials' trained weights to keep (0: none).</param>
/// <param name="Baseline">Whether to retrain the median random architecture too (<c>--baseline</c>).</param>
/// <param name="Concurrency">Trials trained at the same time; null chooses from the device and the core count.</param>
internal sealed partial record SearchChoices(string Strategy, string? DeviceName, TrainingFitness Fitness, int KeepWeights = 0, bool Baseline = false, int? Concurrency = null)
{
    /// <summary>
    /// Trials at once and intra-op threads per trial (null: libtorch's default). The default is one trial at a time:
    /// with several at once the strategy is asked before the running trials finish, so which architectures a seeded
    /// search tries depends on timing, and the same command would not give the same result
    /// (docs/performance.md, "Trials in parallel"). <c>--concurrency N</c> splits the cores between N trials.
    /// </summary>
    public (int Trials, int? CpuThreads) Parallelism(Device device)
    {
        bool cpu = device.type == TorchSharp.DeviceType.CPU;
        int trials = Concurrency ?? 1;
        return (trials, cpu && trials > 1 ? System.Math.Max(1, System.Environment.ProcessorCount / trials) : null);
    }

    private const string DefaultStrategy = "evolution";

    /// <summary>
    /// The experiment's name in the store. The default strategy and fitness keep the name earlier versions used, so
    /// their stores resume; any other choice is another experiment, because its trials were chosen or scored otherwise.
    /// </summary>
    public string ExperimentName(string datasetName) =>
        $"digitsnet-{datasetName}"
        + (Strategy == DefaultStrategy ? "" : "-" + Strategy)
        + (Fitness == TrainingFitness.BestEpoch ? "" : "-last-epoch");

    /// <summary>
    /// The strategy for a run: regularized evolution with the population sized for the main job's small budget
    /// (its default), any other with the factory's default options.
    /// </summary>
    public ISearchStrategy<DigitsNet.Architecture> CreateStrategy(ISearchSpace<DigitsNet.Architecture> space, RegularizedEvolutionOptions evolution, int seed) =>
        Strategy == DefaultStrategy
            ? new RegularizedEvolution<DigitsNet.Architecture>(space, evolution, seed)
            : SearchStrategies.Create(Strategy, space, seed);

    /// <summary>
    /// How many of the first trials the strategy drew at random: regularized evolution's initial population, every
    /// trial of random search, and for the other strategies only the first (the rest follow what was learnt).
    /// </summary>
    public int RandomTrialCount(RegularizedEvolutionOptions evolution) => Strategy switch
    {
        DefaultStrategy => evolution.PopulationSize,
        "random" => int.MaxValue,
        _ => 1,
    };

    /// <summary>Parses <see cref="DeviceName"/>; a CUDA device is refused, with a message saying why, where this build has none.</summary>
    public bool TryResolveDevice(out TorchSharp.torch.Device? device, [NotNullWhen(false)] out string? error)
    {
        (device, error) = (null, null);
        if (DeviceName is null) return true;
        if (!DevicePattern().IsMatch(DeviceName))
        {
            error = $"--device '{DeviceName}' is not a device: use cpu, cuda or cuda:N (N = 0, 1, ...).";
            return false;
        }

        if (DeviceName.StartsWith("cuda", System.StringComparison.Ordinal))
        {
            if (!cuda.is_available())
            {
                error = $"--device {DeviceName}: CUDA is not available here (the job references TorchSharp-cpu, or no GPU or driver was found). " +
                    "Reference a CUDA build of TorchSharp (TorchSharp-cuda-linux / -windows) to train on a GPU, or use --device cpu.";
                return false;
            }

            int index = DeviceName.Length > 5 ? int.Parse(DeviceName[5..], System.Globalization.CultureInfo.InvariantCulture) : 0;
            if (index >= cuda.device_count())
            {
                error = $"--device {DeviceName}: there are only {cuda.device_count()} CUDA device(s) (cuda:0 .. cuda:{cuda.device_count() - 1}).";
                return false;
            }
        }

        device = TorchSharp.torch.device(DeviceName);
        return true;
    }

    [GeneratedRegex(@"^(cpu|cuda(:[0-9]+)?)$")]
    private static partial Regex DevicePattern();
}
