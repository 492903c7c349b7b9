using System;
using System.IO;
using System.Linq;
using NasGen.Data;

namespace NasGen.Tests.Data;

/// <summary>
/// Reads the real MNIST and Fashion-MNIST fetched by <c>eng/fetch-data.sh</c> into the repository's
/// <c>data/</c> folder. Where the data is absent these tests pass vacuously, unless
/// <c>NASGEN_REQUIRE_DATA=1</c> (set by .ci/run after fetching) makes its absence a failure.
/// </summary>
public class FetchedDatasetTests
{
    internal static string? DataRoot()
    {
        string? directory = AppContext.BaseDirectory;
        while (directory is not null && !File.Exists(Path.Combine(directory, "NasGen.sln")))
        {
            directory = Path.GetDirectoryName(directory);
        }

        string? root = directory is null ? null : Path.Combine(directory, "data");
        bool required = Environment.GetEnvironmentVariable("NASGEN_REQUIRE_DATA") == "1";
        if (root is null || !Directory.Exists(root))
        {
            Assert.False(required, $"NASGEN_REQUIRE_DATA=1 but there is no data folder at '{root}'; run eng/fetch-data.sh.");
            return null;
        }

        return root;
    }

    [Theory]
    [InlineData("mnist", DatasetPart.Train, 60000)]
    [InlineData("mnist", DatasetPart.Test, 10000)]
    [InlineData("fashion-mnist", DatasetPart.Train, 60000)]
    [InlineData("fashion-mnist", DatasetPart.Test, 10000)]
    public void Fetched_dataset_loads_with_published_shape(string dataset, DatasetPart part, long count)
    {
        if (DataRoot() is not string root) return;

        using ClassificationData data = dataset == "mnist" ? Datasets.Mnist(root, part) : Datasets.FashionMnist(root, part);

        Assert.Equal(new[] { count, 1, 28, 28 }, data.Features.shape);
        Assert.Equal(count, data.Labels.shape[0]);
        Assert.InRange(data.Features.max().item<float>(), 0.99f, 1f);
        Assert.Equal(0f, data.Features.min().item<float>());
        long[] labels = data.Labels.data<long>().ToArray();
        Assert.Equal(Enumerable.Range(0, 10).Select(c => (long)c), labels.Distinct().Order());
    }
}
