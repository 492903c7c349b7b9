using static TorchSharp.torch;

namespace NasGen.Data;

/// <summary>Splitting, batching and normalising <see cref="ClassificationData"/>; every random choice is seeded.</summary>
public static class ClassificationDataExtensions
{
    /// <summary>
    /// Splits <paramref name="data"/> into train, validation and test parts, stratified by class (each
    /// part keeps the class proportions) and reproducible for a given <paramref name="seed"/>.
    /// The test part gets what the other two leave. The caller owns (and disposes) the result.
    /// </summary>
    /// <param name="data">The set to split; left unchanged.</param>
    /// <param name="trainFraction">Share of each class for training, in (0, 1].</param>
    /// <param name="validationFraction">Share of each class for validation, in [0, 1 - trainFraction].</param>
    /// <param name="seed">Seed of the shuffle.</param>
    public static DataSplit Split(this ClassificationData data, double trainFraction, double validationFraction, int seed)
    {
        ArgumentNullException.ThrowIfNull(data);
        StratifiedSplit.CheckFractions(trainFraction, validationFraction);

        var (train, validation, test) = StratifiedSplit.Indices(ReadLabels(data), trainFraction, validationFraction, seed);
        return new DataSplit(Subset(data, train), Subset(data, validation), Subset(data, test));
    }

    /// <summary>
    /// Yields mini-batches of <paramref name="batchSize"/> examples, in an order shuffled by
    /// <paramref name="shuffleSeed"/> (or in storage order when null). Each batch is disposed when the
    /// iteration moves on or ends, so a loop over it leaks nothing.
    /// </summary>
    /// <param name="data">The examples.</param>
    /// <param name="batchSize">Examples per batch; the last batch may be smaller.</param>
    /// <param name="shuffleSeed">Seed of this pass's order, or null to keep the stored order.</param>
    /// <param name="device">Where to put the batch tensors (default: where the data is).</param>
    public static IEnumerable<MiniBatch> Batches(this ClassificationData data, int batchSize, int? shuffleSeed, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        return BatchesIterator(data, batchSize, shuffleSeed, device);
    }

    /// <summary>
    /// A random sample of <paramref name="count"/> distinct examples (all of them when there are fewer),
    /// chosen by <paramref name="seed"/>. The caller owns (and disposes) the batch.
    /// </summary>
    public static MiniBatch Sample(this ClassificationData data, int count, int seed, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        long[] order = new long[data.Count];
        for (long i = 0; i < order.Length; i++) order[i] = i;
        Shuffle(order, new Random(seed));
        return Gather(data, order.Take(count).ToArray(), device);
    }

    /// <summary>
    /// Per-channel mean and standard deviation of the features (for <see cref="Normalize"/>): dimension 1 is the
    /// channel of an image <c>[N, C, H, W]</c> and the column of a table <c>[N, F]</c>.
    /// </summary>
    public static (double[] Mean, double[] Std) ChannelStatistics(this ClassificationData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        using var scope = NewDisposeScope();
        Tensor features = data.Features.to_type(ScalarType.Float64);
        long[] reduceDims = Enumerable.Range(0, (int)features.dim()).Where(d => d != 1).Select(d => (long)d).ToArray();
        double[] mean = features.mean(reduceDims).cpu().data<double>().ToArray();
        double[] std = features.std(reduceDims).cpu().data<double>().ToArray();
        return (mean, std);
    }

    /// <summary>
    /// A copy with each channel shifted by <paramref name="mean"/> and divided by <paramref name="std"/>
    /// (compute both on the training part only, then apply them to every part). The caller owns the copy.
    /// </summary>
    public static ClassificationData Normalize(this ClassificationData data, double[] mean, double[] std)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(mean);
        ArgumentNullException.ThrowIfNull(std);
        long channels = data.Features.shape[1];
        if (mean.Length != channels || std.Length != channels)
            throw new ArgumentException($"Expected {channels} channel statistics, got {mean.Length} means and {std.Length} standard deviations.");
        if (std.Any(s => !(s > 0)))
            throw new ArgumentException("Every standard deviation must be positive.", nameof(std));

        using var scope = NewDisposeScope();
        // [1, C] followed by a 1 for every further dimension, so the statistics broadcast over images and tables alike.
        long[] statisticsShape = Enumerable.Range(0, (int)data.Features.dim()).Select(d => d == 1 ? channels : 1L).ToArray();
        Tensor meanTensor = tensor(mean.Select(m => (float)m).ToArray(), statisticsShape, device: data.Features.device);
        Tensor stdTensor = tensor(std.Select(s => (float)s).ToArray(), statisticsShape, device: data.Features.device);
        Tensor normalized = ((data.Features - meanTensor) / stdTensor).MoveToOuterDisposeScope();
        Tensor labels = data.Labels.clone().MoveToOuterDisposeScope();
        return new ClassificationData(normalized, labels, data.Classes);
    }

    /// <summary>
    /// The same split with every part normalised by the <b>training</b> part's per-channel statistics, so nothing
    /// about the validation or test examples leaks into the inputs. A channel that is constant in the training part
    /// is only shifted. The caller owns (and disposes) the result; <paramref name="split"/> is left unchanged.
    /// </summary>
    public static DataSplit NormalizedByTraining(this DataSplit split)
    {
        ArgumentNullException.ThrowIfNull(split);
        var (mean, std) = split.Train.ChannelStatistics();
        double[] safeStd = std.Select(s => s > 0 ? s : 1.0).ToArray();
        return new DataSplit(split.Train.Normalize(mean, safeStd), split.Validation.Normalize(mean, safeStd), split.Test.Normalize(mean, safeStd));
    }

    private static IEnumerable<MiniBatch> BatchesIterator(ClassificationData data, int batchSize, int? shuffleSeed, Device? device)
    {
        long count = data.Count;
        long[] order = new long[count];
        for (long i = 0; i < count; i++) order[i] = i;
        if (shuffleSeed is int seed)
        {
            Shuffle(order, new Random(seed));
        }

        for (long start = 0; start < count; start += batchSize)
        {
            MiniBatch batch = Gather(data, order.AsSpan((int)start, (int)Math.Min(batchSize, count - start)).ToArray(), device);
            try
            {
                yield return batch;
            }
            finally
            {
                batch.Dispose();
            }
        }
    }

    private static MiniBatch Gather(ClassificationData data, long[] indices, Device? device)
    {
        using Tensor index = tensor(indices, new long[] { indices.Length }, device: data.Features.device);
        Tensor features = data.Features.index_select(0, index);
        Tensor labels = data.Labels.index_select(0, index);
        return device is not null && device.type != data.Features.device.type
            ? new MiniBatch(MoveAndDispose(features, device), MoveAndDispose(labels, device))
            : new MiniBatch(features, labels);
    }

    private static Tensor MoveAndDispose(Tensor source, Device device)
    {
        Tensor moved = source.to(device);
        source.Dispose();
        return moved;
    }

    private static ClassificationData Subset(ClassificationData data, long[] order)
    {
        using Tensor index = tensor(order, new long[] { order.Length }, device: data.Features.device);
        return new ClassificationData(data.Features.index_select(0, index), data.Labels.index_select(0, index), data.Classes);
    }

    private static long[] ReadLabels(ClassificationData data)
    {
        // cpu() may return a new tensor (data on a GPU) or the same one: the scope frees only a new one.
        using var scope = NewDisposeScope();
        return data.Labels.cpu().data<long>().ToArray();
    }

    internal static void Shuffle(long[] values, Random random)
    {
        for (int i = values.Length - 1; i > 0; i--)
        {
            int j = random.Next(i + 1);
            (values[i], values[j]) = (values[j], values[i]);
        }
    }
}
