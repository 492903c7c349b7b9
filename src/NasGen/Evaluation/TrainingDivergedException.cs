namespace NasGen.Evaluation;

/// <summary>The training loss became NaN or infinite; the experiment records the trial as failed.</summary>
public sealed class TrainingDivergedException : Exception
{
    /// <summary>Creates the exception for a loss of <paramref name="loss"/> at the given point of training.</summary>
    public TrainingDivergedException(double loss, int epoch, int step, double learningRate)
        : base($"Training diverged: the loss became {loss} at epoch {epoch}, step {step} (learning rate {learningRate:G4}). " +
               "Lower the learning rate, or check the network for an operation that overflows or produces NaN.")
    {
        Loss = loss;
        Epoch = epoch;
        Step = step;
    }

    /// <summary>The non-finite loss value.</summary>
    public double Loss { get; }

    /// <summary>1-based epoch where it happened.</summary>
    public int Epoch { get; }

    /// <summary>1-based step within that epoch.</summary>
    public int Step { get; }
}
