using static TorchSharp.torch;

namespace NasGen.Evaluation;

/// <summary>The optimizer a <see cref="ClassificationTrainer{TArchitecture}"/> uses.</summary>
public enum OptimizerKind
{
    /// <summary>Stochastic gradient descent with (Nesterov-free) momentum <see cref="TrainerOptions.Momentum"/>; weight decay is L2.</summary>
    SgdMomentum,

    /// <summary>Adam; weight decay is L2 added to the gradient.</summary>
    Adam,

    /// <summary>AdamW; weight decay is decoupled from the gradient.</summary>
    AdamW,
}

/// <summary>How the learning rate changes over training.</summary>
public enum LearningRateSchedule
{
    /// <summary>The learning rate stays at <see cref="TrainerOptions.LearningRate"/>.</summary>
    Constant,

    /// <summary>Cosine annealing from <see cref="TrainerOptions.LearningRate"/> to zero over all steps, updated every step.</summary>
    Cosine,
}

/// <summary>How a <see cref="ClassificationTrainer{TArchitecture}"/> trains each architecture.</summary>
public sealed record TrainerOptions
{
    /// <summary>Epochs at full fidelity; a trial at fidelity f trains <c>max(1, round(Epochs * f))</c>.</summary>
    public int Epochs { get; init; } = 10;

    /// <summary>Examples per training step.</summary>
    public int BatchSize { get; init; } = 64;

    /// <summary>Examples per step when scoring (no gradients, so larger batches are cheap).</summary>
    public int EvaluationBatchSize { get; init; } = 512;

    /// <summary>The optimizer.</summary>
    public OptimizerKind Optimizer { get; init; } = OptimizerKind.SgdMomentum;

    /// <summary>
    /// Initial learning rate; a <see cref="ClassificationTrainer{TArchitecture}"/> given a learning rate per architecture
    /// (its <c>learningRate</c> argument) uses that one instead.
    /// </summary>
    public double LearningRate { get; init; } = 0.05;

    /// <summary>Momentum of <see cref="OptimizerKind.SgdMomentum"/>.</summary>
    public double Momentum { get; init; } = 0.9;

    /// <summary>Weight decay (L2 for SGD and Adam, decoupled for AdamW).</summary>
    public double WeightDecay { get; init; } = 5e-4;

    /// <summary>The learning-rate schedule.</summary>
    public LearningRateSchedule Schedule { get; init; } = LearningRateSchedule.Cosine;

    /// <summary>Which epoch's validation accuracy is the trial's fitness (default: the best epoch's).</summary>
    public TrainingFitness Fitness { get; init; } = TrainingFitness.BestEpoch;

    /// <summary>
    /// Keep the trained weights of the best trials of an experiment in a folder (see <see cref="KeepBestWeights"/>);
    /// null keeps none.
    /// </summary>
    public KeepBestWeights? KeepWeights { get; init; }

    /// <summary>Where to train; null picks CUDA when <c>torch.cuda.is_available()</c>, else the CPU.</summary>
    public Device? Device { get; init; }

    /// <summary>Stop after this many epochs without a better validation accuracy; null never stops early.</summary>
    public int? EarlyStoppingPatience { get; init; }

    /// <summary>Stop after the epoch during which this much time has passed; null has no limit.</summary>
    public TimeSpan? MaxWallTime { get; init; }

    /// <summary>
    /// Intra-op threads when training on the CPU, set on the training thread (OpenMP thread counts are per OS
    /// thread); null keeps libtorch's default (all cores). With several trials at once, use cores / trials.
    /// </summary>
    public int? CpuThreads { get; init; }

    /// <summary>The device to use: <see cref="Device"/> or the best available.</summary>
    public Device ResolveDevice() => Device ?? (cuda.is_available() ? CUDA : CPU);

    /// <summary>Throws when an option is out of range.</summary>
    public void Validate()
    {
        if (!Enum.IsDefined(Fitness)) throw new ArgumentOutOfRangeException(nameof(Fitness), Fitness, "Choose BestEpoch or LastEpoch.");
        if (KeepWeights is { Count: < 1 }) throw new ArgumentOutOfRangeException(nameof(KeepWeights), KeepWeights.Count, "Keep the weights of at least one trial, or set KeepWeights to null.");
        if (Epochs < 1) throw new ArgumentOutOfRangeException(nameof(Epochs), Epochs, "Train at least one epoch.");
        if (BatchSize < 1) throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, "The batch size must be positive.");
        if (EvaluationBatchSize < 1) throw new ArgumentOutOfRangeException(nameof(EvaluationBatchSize), EvaluationBatchSize, "The evaluation batch size must be positive.");
        if (!(LearningRate > 0)) throw new ArgumentOutOfRangeException(nameof(LearningRate), LearningRate, "The learning rate must be positive.");
        if (!(WeightDecay >= 0)) throw new ArgumentOutOfRangeException(nameof(WeightDecay), WeightDecay, "The weight decay cannot be negative.");
        if (CpuThreads is < 1) throw new ArgumentOutOfRangeException(nameof(CpuThreads), CpuThreads, "Use at least one CPU thread.");
        if (EarlyStoppingPatience is < 1) throw new ArgumentOutOfRangeException(nameof(EarlyStoppingPatience), EarlyStoppingPatience, "The patience must be at least one epoch.");
    }
}
