using System.Collections.Generic;
using System.Linq;
using NasGen.Data;
using static TorchSharp.torch;

namespace NasGen.Tests.Data;

public class SplitAndBatchTests
{
    private static long[] ClassCounts(ClassificationData data)
    {
        long[] labels = data.Labels.data<long>().ToArray();
        return Enumerable.Range(0, data.Classes).Select(c => labels.LongCount(l => l == c)).ToArray();
    }

    [Fact]
    public void Split_is_stratified_and_covers_every_example_once()
    {
        using ClassificationData digits = Datasets.Digits();

        using DataSplit split = digits.Split(0.6, 0.2, seed: 3);

        Assert.Equal(digits.Count, split.Train.Count + split.Validation.Count + split.Test.Count);
        long[] all = ClassCounts(digits);
        long[] train = ClassCounts(split.Train);
        long[] validation = ClassCounts(split.Validation);
        for (int c = 0; c < 10; c++)
        {
            // Each class splits 60/20/20 up to rounding.
            Assert.InRange(train[c], (long)(all[c] * 0.6) - 1, (long)(all[c] * 0.6) + 1);
            Assert.InRange(validation[c], (long)(all[c] * 0.2) - 1, (long)(all[c] * 0.2) + 1);
        }

        // No example is in two parts: the features of all three parts together are the digits, reordered.
        double totalPixels = digits.Features.sum().item<float>();
        double splitPixels = split.Train.Features.sum().item<float>() + split.Validation.Features.sum().item<float>() + split.Test.Features.sum().item<float>();
        Assert.Equal(totalPixels, splitPixels, precision: 0);
    }

    [Fact]
    public void Split_with_the_same_seed_is_identical_and_another_seed_differs()
    {
        using ClassificationData digits = Datasets.Digits();

        using DataSplit first = digits.Split(0.7, 0.15, seed: 11);
        using DataSplit again = digits.Split(0.7, 0.15, seed: 11);
        using DataSplit other = digits.Split(0.7, 0.15, seed: 12);

        Assert.True(first.Train.Features.equal(again.Train.Features).all().item<bool>());
        Assert.True(first.Test.Labels.equal(again.Test.Labels).all().item<bool>());
        Assert.False(first.Train.Features.equal(other.Train.Features).all().item<bool>());
    }

    [Fact]
    public void Batches_cover_the_data_in_a_seeded_order_and_free_their_tensors()
    {
        using ClassificationData digits = Datasets.Digits();

        List<long> SeenLabels(int seed) => digits.Batches(100, seed).SelectMany(b => b.Labels.data<long>().ToArray()).ToList();
        var first = SeenLabels(5);

        Assert.Equal(SeenLabels(5), first);
        Assert.NotEqual(SeenLabels(6), first);
        Assert.Equal(digits.Labels.data<long>().ToArray().Order(), first.Order());

        var batches = new List<MiniBatch>();
        var counts = new List<long>();
        foreach (MiniBatch batch in digits.Batches(500, shuffleSeed: null))
        {
            Assert.False(batch.Features.IsInvalid);
            batches.Add(batch);
            counts.Add(batch.Count);
        }

        Assert.Equal(new long[] { 500, 500, 500, 297 }, counts);
        Assert.All(batches, b => Assert.True(b.Features.IsInvalid)); // disposed by the iterator
    }

    [Fact]
    public void Normalize_with_training_statistics_gives_zero_mean_and_unit_std()
    {
        using ClassificationData digits = Datasets.Digits();

        var (mean, std) = digits.ChannelStatistics();
        using ClassificationData normalized = digits.Normalize(mean, std);

        Assert.Single(mean);
        Assert.InRange(mean[0], 0.30, 0.32); // 4.88 / 16 for scikit-learn digits
        Assert.Equal(0, normalized.Features.mean().item<float>(), precision: 4);
        Assert.Equal(1, normalized.Features.std().item<float>(), precision: 3);
        Assert.True(normalized.Labels.equal(digits.Labels).all().item<bool>());
    }
}
