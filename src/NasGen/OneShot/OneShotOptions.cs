using static TorchSharp.torch;

namespace NasGen.OneShot;

/// <summary>The one-shot methods <see cref="OneShotSearch"/> runs.</summary>
public enum OneShotMethod
{
    /// <summary>DARTS, first-order approximation (Liu et al., 2019: ξ = 0).</summary>
    DartsFirstOrder,
    /// <summary>DARTS, second order: the unrolled architecture gradient (eq. 7–8, <see cref="DartsGradients"/>).</summary>
    DartsSecondOrder,
    /// <summary>GDAS (Dong &amp; Yang, 2019): Gumbel-max sampled single path, temperature annealed.</summary>
    Gdas,
    /// <summary>SPOS (Guo et al., 2020): uniform single-path supernet training, then evolution with inherited weights.</summary>
    Spos,
    /// <summary>ENAS (Pham et al., 2018): shared weights trained on controller-sampled paths, a REINFORCE controller rewarded by validation accuracy.</summary>
    Enas,
}

/// <summary>How <see cref="OneShotSearch"/> trains; the defaults are DARTS's (Liu et al., 2019, §3.1.1) scaled for CPU.</summary>
public sealed record OneShotOptions
{
    /// <summary>Passes over the training set.</summary>
    public int Epochs { get; init; } = 10;

    /// <summary>Examples per weight (and architecture) step.</summary>
    public int BatchSize { get; init; } = 64;

    /// <summary>Initial SGD learning rate of the weights (cosine-annealed per step to <see cref="MinWeightLearningRate"/>).</summary>
    public double WeightLearningRate { get; init; } = 0.025;

    /// <summary>Final learning rate of the cosine schedule.</summary>
    public double MinWeightLearningRate { get; init; } = 0.001;

    /// <summary>SGD momentum.</summary>
    public double Momentum { get; init; } = 0.9;

    /// <summary>Weight decay of the weights.</summary>
    public double WeightDecay { get; init; } = 3e-4;

    /// <summary>Global gradient-norm clip of the weights.</summary>
    public double GradientClip { get; init; } = 5;

    /// <summary>Adam learning rate of the architecture parameters.</summary>
    public double ArchitectureLearningRate { get; init; } = 3e-4;

    /// <summary>Adam β1 of the architecture parameters.</summary>
    public double ArchitectureBeta1 { get; init; } = 0.5;

    /// <summary>Adam β2 of the architecture parameters.</summary>
    public double ArchitectureBeta2 { get; init; } = 0.999;

    /// <summary>Weight decay of the architecture parameters.</summary>
    public double ArchitectureWeightDecay { get; init; } = 1e-3;

    /// <summary>GDAS: temperature of the first epoch (linearly annealed to <see cref="FinalTemperature"/>).</summary>
    public double InitialTemperature { get; init; } = 10;

    /// <summary>GDAS: temperature of the last epoch.</summary>
    public double FinalTemperature { get; init; } = 0.1;

    /// <summary>Validation batches a path is scored on (SPOS evolution, ENAS rewards and final pick, epoch records).</summary>
    public int ScoreBatches { get; init; } = 4;

    /// <summary>Examples per batch when scoring paths.</summary>
    public int ScoreBatchSize { get; init; } = 256;

    /// <summary>SPOS: paths the evolution scores.</summary>
    public int EvolutionSamples { get; init; } = 100;

    /// <summary>SPOS: population of the regularized evolution.</summary>
    public int EvolutionPopulation { get; init; } = 20;

    /// <summary>SPOS: tournament size.</summary>
    public int EvolutionTournament { get; init; } = 5;

    /// <summary>ENAS: controller updates per epoch (one validation batch each).</summary>
    public int ControllerSteps { get; init; } = 20;

    /// <summary>ENAS: controller learning rate (Adam).</summary>
    public double ControllerLearningRate { get; init; } = 0.05;

    /// <summary>ENAS: paths sampled from the final controller and scored; the best is returned.</summary>
    public int ControllerFinalSamples { get; init; } = 20;

    /// <summary>Device of the supernet and the batches (default: CUDA when available, else CPU).</summary>
    public Device? Device { get; init; }

    /// <summary>CPU threads for libtorch (null: leave as is).</summary>
    public int? CpuThreads { get; init; }

    internal Device ResolveDevice() => Device ?? (cuda.is_available() ? CUDA : CPU);

    internal void Validate()
    {
        var errors = new List<string>();
        if (Epochs < 1) errors.Add("Epochs must be at least 1.");
        if (BatchSize < 1) errors.Add("BatchSize must be at least 1.");
        if (!(WeightLearningRate > 0) || MinWeightLearningRate < 0) errors.Add("Learning rates must be positive.");
        if (!(ArchitectureLearningRate > 0)) errors.Add("ArchitectureLearningRate must be positive.");
        if (!(InitialTemperature > 0) || !(FinalTemperature > 0)) errors.Add("Temperatures must be positive.");
        if (ScoreBatches < 1 || ScoreBatchSize < 1) errors.Add("ScoreBatches and ScoreBatchSize must be at least 1.");
        if (EvolutionSamples < 1 || EvolutionPopulation < 1 || EvolutionTournament < 1) errors.Add("Evolution sizes must be at least 1.");
        if (ControllerSteps < 1 || ControllerFinalSamples < 1) errors.Add("Controller steps and samples must be at least 1.");
        if (errors.Count > 0) throw new ArgumentException(string.Join(" ", errors));
    }
}

/// <summary>One epoch of a one-shot search.</summary>
/// <param name="Epoch">1-based epoch.</param>
/// <param name="TrainLoss">Mean training loss of the weight steps.</param>
/// <param name="ValidationAccuracy">Accuracy of the path the method would return now, on <see cref="OneShotOptions.ScoreBatches"/> validation batches.</param>
/// <param name="Temperature">GDAS temperature of the epoch; null for other methods.</param>
/// <param name="Probabilities">Per choice, the softmax of its alpha (DARTS, GDAS) or the controller's probabilities (ENAS); empty for SPOS.</param>
public sealed record OneShotEpoch(int Epoch, double TrainLoss, double ValidationAccuracy, double? Temperature, double[][] Probabilities);

/// <summary>Progress of a one-shot search, reported after every step.</summary>
public sealed record OneShotProgress(OneShotMethod Method, string Phase, int Step, int TotalSteps, int Epoch, int Epochs, double? LastLoss);

/// <summary>The outcome of a one-shot search.</summary>
/// <param name="Method">The method.</param>
/// <param name="Seed">The seed.</param>
/// <param name="Path">The derived architecture, one code per choice of the context.</param>
/// <param name="Description">The path as <c>label=token;...</c> (<see cref="SupernetContext.Describe"/>).</param>
/// <param name="Labels">The choice labels, in path order.</param>
/// <param name="CandidateNames">Per choice, its candidates (the alphas' order).</param>
/// <param name="Tokens">Per choice, the derived candidate's text.</param>
/// <param name="ValidationAccuracy">Accuracy of the derived path with the supernet's weights on the scoring batches.</param>
/// <param name="History">One record per epoch.</param>
/// <param name="Seconds">Wall time.</param>
public sealed record OneShotResult(
    OneShotMethod Method,
    int Seed,
    int[] Path,
    string Description,
    IReadOnlyList<string> Labels,
    IReadOnlyList<IReadOnlyList<string>> CandidateNames,
    IReadOnlyList<string> Tokens,
    double ValidationAccuracy,
    IReadOnlyList<OneShotEpoch> History,
    double Seconds);
