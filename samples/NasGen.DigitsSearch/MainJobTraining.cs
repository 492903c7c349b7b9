using System.Globalization;
using System.Linq;
using System.Numerics;
using NasGen.Data;
using NasGen.Evaluation;

namespace NasGen.DigitsSearch;

/// <summary>
/// How the main job trains DigitsNet: each trial with its own architecture's learning rate, searched on a log scale
/// beside the network (<see cref="DigitsNet.LearningRate"/>). Public so that the tests run the job's own wiring.
/// </summary>
public static class MainJobTraining
{
    /// <summary>A trainer for the job's trials: <paramref name="options"/>' learning rate is replaced by each architecture's.</summary>
    public static ClassificationTrainer<DigitsNet.Architecture> CreateTrainer(bool downsample, ClassificationData train, ClassificationData validation, TrainerOptions options) =>
        new(architecture => new DigitsNet(architecture, downsample), train, validation, options, learningRate: architecture => architecture.LearningRate);

    /// <summary>
    /// The space's size for the job's first line. DigitsNet has continuous ranges, so it is infinite: the line gives the
    /// combinations of its finite choices (before the constraint) and names the ranges searched with them.
    /// </summary>
    public static string Describe(ISearchSpace<DigitsNet.Architecture> space)
    {
        if (space.IsFinite) return space.Cardinality.ToString(CultureInfo.InvariantCulture) + " architectures";
        var finite = space.Dimensions.Where(d => !d.IsContinuous).Aggregate(BigInteger.One, (product, d) => product * d.Count);
        string ranges = string.Join(", ", space.Dimensions.Where(d => d.IsContinuous).Select(d => d.ToString()));
        return $"{finite.ToString(CultureInfo.InvariantCulture)} combinations of its choices before the constraint, with {ranges}";
    }
}
