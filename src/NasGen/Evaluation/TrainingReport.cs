namespace NasGen.Evaluation;

/// <summary>What happened in one epoch.</summary>
/// <param name="Epoch">1-based epoch number.</param>
/// <param name="TrainLoss">Mean cross-entropy over the epoch's training steps.</param>
/// <param name="ValidationLoss">Mean cross-entropy on the validation set after the epoch.</param>
/// <param name="ValidationAccuracy">Validation accuracy in [0, 1] after the epoch.</param>
public sealed record EpochRecord(int Epoch, double TrainLoss, double ValidationLoss, double ValidationAccuracy);

/// <summary>Why training ended before its last epoch (or that it did not).</summary>
public enum TrainingStop
{
    /// <summary>All planned epochs ran.</summary>
    Completed,

    /// <summary>The validation accuracy stopped improving for the patience.</summary>
    EarlyStopping,

    /// <summary>The experiment asked to stop (an intermediate report returned false).</summary>
    Pruned,

    /// <summary>The maximum wall time passed.</summary>
    TimeLimit,
}

/// <summary>The outcome of training one network.</summary>
/// <param name="BestValidationAccuracy">Best validation accuracy over the epochs (the trainer's fitness).</param>
/// <param name="BestEpoch">The epoch that reached it.</param>
/// <param name="Parameters">Number of parameters of the network.</param>
/// <param name="Seconds">Wall time of training and validation.</param>
/// <param name="Stop">Why training ended.</param>
/// <param name="History">One record per epoch run.</param>
public sealed record TrainingReport(
    double BestValidationAccuracy,
    int BestEpoch,
    long Parameters,
    double Seconds,
    TrainingStop Stop,
    IReadOnlyList<EpochRecord> History)
{
    /// <summary>The last epoch's record.</summary>
    public EpochRecord Final => History[^1];
}

/// <summary>A network trained, then scored once on held-out test data.</summary>
/// <param name="Training">How training went.</param>
/// <param name="TestAccuracy">Accuracy on the test set in [0, 1].</param>
/// <param name="TestLoss">Mean cross-entropy on the test set.</param>
public sealed record TestReport(TrainingReport Training, double TestAccuracy, double TestLoss);

/// <summary>Accuracy and mean cross-entropy of a network on a dataset.</summary>
/// <param name="Accuracy">Share of examples whose arg-max class is the label, in [0, 1].</param>
/// <param name="Loss">Mean cross-entropy.</param>
public readonly record struct ClassificationScore(double Accuracy, double Loss);
