using System;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Security.Cryptography;
using NasGen.Data;
using static TorchSharp.torch;

namespace NasGen.Tests.Data;

public class FashionMnistSmallTests
{
    [Theory]
    // sha256 of the decoded IDX files eng/make-fashion-small.py writes from Fashion-MNIST.
    [InlineData("NasGen.Data.Resources.fashion-small-images-idx3-ubyte.gz", "7057939878d8a2ae21d58c2d64de9ccb14b0fdda5334ac21c7d5045ed37fd1ae")]
    [InlineData("NasGen.Data.Resources.fashion-small-labels-idx1-ubyte.gz", "634da11b10afcfb4ad822d36425b80d2d5b911b283a56e92553062290855b65e")]
    public void Embedded_files_have_the_published_checksums(string resource, string sha256)
    {
        using Stream stream = typeof(Datasets).Assembly.GetManifestResourceStream(resource)!;
        using var decoded = new GZipStream(stream, CompressionMode.Decompress);
        Assert.Equal(sha256, Convert.ToHexStringLower(SHA256.HashData(decoded)));
    }

    [Theory]
    [InlineData(DatasetPart.Train, 10000)]
    [InlineData(DatasetPart.Test, 2000)]
    public void Parts_hold_14x14_images_of_all_ten_classes_scaled_to_unit_range(DatasetPart part, long count)
    {
        using ClassificationData data = Datasets.FashionMnistSmall(part);

        Assert.Equal(new long[] { count, 1, 14, 14 }, data.Features.shape);
        Assert.Equal(new long[] { count }, data.Labels.shape);
        Assert.Equal(10, data.Classes);
        Assert.InRange(data.Features.min().item<float>(), 0f, 0f);
        Assert.InRange(data.Features.max().item<float>(), 0.9f, 1f);
        long[] labels = data.Labels.data<long>().ToArray();
        // Fashion-MNIST is balanced; its first images are close to it: every class has at least 8 % of the part.
        Assert.All(Enumerable.Range(0, 10), c => Assert.True(labels.LongCount(l => l == c) > count * 8 / 100, $"class {c} is rare"));
    }

    [Fact]
    public void Images_are_the_fetched_Fashion_MNIST_averaged_over_2x2_blocks()
    {
        if (FetchedDatasetTests.DataRoot() is not { } root) return;
        using ClassificationData full = Datasets.FashionMnist(root, DatasetPart.Test);
        using ClassificationData small = Datasets.FashionMnistSmall(DatasetPart.Test);

        // The first test image: the embedded test part starts at the official test part's first image.
        using Tensor expected = nn.functional.avg_pool2d(full.Features[..1], 2) * 255;
        using Tensor actual = small.Features[..1] * 255;
        Assert.True((expected - actual).abs().max().item<float>() <= 0.5f + 1e-3f, "the embedded image is not the 2x2 average, rounded");
        Assert.Equal(full.Labels[..2000].data<long>().ToArray(), small.Labels.data<long>().ToArray());
    }
}
