namespace NasGen.Evaluation;

/// <summary>Which validation accuracy of a trial's training run a <see cref="ClassificationTrainer{TArchitecture}"/> reports as its fitness.</summary>
public enum TrainingFitness
{
    /// <summary>
    /// The best epoch's (the default). Never lower than the last epoch's, so pruning and early stopping cannot make a trial
    /// worse; optimistic, because the epoch is picked on the same validation data that ranks the architectures.
    /// </summary>
    BestEpoch,

    /// <summary>The last trained epoch's: what the network scores at the end of its training, with no epoch picked on validation data.</summary>
    LastEpoch,
}
