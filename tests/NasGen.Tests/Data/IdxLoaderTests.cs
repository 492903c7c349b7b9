using System;
using System.IO;
using System.IO.Compression;
using System.Linq;
using NasGen.Data;

namespace NasGen.Tests.Data;

public sealed class IdxLoaderTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("nasgen-idx-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static byte[] Idx(byte rank, int[] shape, byte[] data)
    {
        var bytes = new byte[4 + 4 * rank + data.Length];
        bytes[2] = 0x08;
        bytes[3] = rank;
        for (int d = 0; d < rank; d++)
        {
            bytes[4 + 4 * d] = (byte)(shape[d] >> 24);
            bytes[5 + 4 * d] = (byte)(shape[d] >> 16);
            bytes[6 + 4 * d] = (byte)(shape[d] >> 8);
            bytes[7 + 4 * d] = (byte)shape[d];
        }

        data.CopyTo(bytes, 4 + 4 * rank);
        return bytes;
    }

    // Three 28x28 images (the only size MNIST files may have) with pixels 0, 51, 102, ... and labels 7, 0, 9.
    private const int Side = 28;
    private static readonly byte[] ImagePixels = Enumerable.Range(0, 3 * Side * Side).Select(i => (byte)(i * 51 % 256)).ToArray();
    private static readonly byte[] LabelBytes = { 7, 0, 9 };

    private void WriteSet(string folder, string prefix, bool gzip)
    {
        Directory.CreateDirectory(folder);
        Write(Path.Combine(folder, $"{prefix}-images-idx3-ubyte"), Idx(3, new[] { 3, Side, Side }, ImagePixels), gzip);
        Write(Path.Combine(folder, $"{prefix}-labels-idx1-ubyte"), Idx(1, new[] { 3 }, LabelBytes), gzip);
    }

    private static void Write(string path, byte[] content, bool gzip)
    {
        if (!gzip)
        {
            File.WriteAllBytes(path, content);
            return;
        }

        using var file = File.Create(path + ".gz");
        using var stream = new GZipStream(file, CompressionLevel.Fastest);
        stream.Write(content);
    }

    [Fact]
    public void Mnist_reads_raw_idx_files_scaled_by_1_over_255()
    {
        WriteSet(Path.Combine(_root, "mnist"), "train", gzip: false);

        using ClassificationData data = Datasets.Mnist(_root);

        Assert.Equal(new long[] { 3, 1, Side, Side }, data.Features.shape);
        Assert.Equal(new long[] { 7, 0, 9 }, data.Labels.data<long>().ToArray());
        float[] pixels = data.Features.data<float>().ToArray();
        Assert.Equal(ImagePixels.Select(p => p / 255f).ToArray(), pixels);
    }

    [Fact]
    public void FashionMnist_reads_gzipped_test_files_in_torchvision_layout()
    {
        WriteSet(Path.Combine(_root, "fashion-mnist", "test_data"), "t10k", gzip: true);

        using ClassificationData data = Datasets.FashionMnist(_root, DatasetPart.Test);

        Assert.Equal(new long[] { 3, 1, Side, Side }, data.Features.shape);
        Assert.Equal(new long[] { 7, 0, 9 }, data.Labels.data<long>().ToArray());
        Assert.Equal(ImagePixels[Side * Side + 1] / 255f, data.Features[1, 0, 0, 1].item<float>());
    }

    [Fact]
    public void Missing_folder_message_names_the_files_and_the_fetch_command()
    {
        string absent = Path.Combine(_root, "nowhere");

        var error = Assert.Throws<DatasetException>(() => Datasets.Mnist(absent));

        Assert.Contains("does not exist", error.Message);
        Assert.Contains("train-images-idx3-ubyte", error.Message);
        Assert.Contains("train-labels-idx1-ubyte", error.Message);
        Assert.Contains($"eng/fetch-data.sh mnist {absent}", error.Message);
    }

    [Fact]
    public void Incomplete_folder_message_names_only_the_missing_file()
    {
        WriteSet(_root, "t10k", gzip: false);
        File.Delete(Path.Combine(_root, "t10k-labels-idx1-ubyte"));

        var error = Assert.Throws<DatasetException>(() => Datasets.FashionMnist(_root, DatasetPart.Test));

        Assert.Contains("is incomplete", error.Message);
        Assert.Contains("t10k-labels-idx1-ubyte", error.Message);
        Assert.DoesNotContain("'t10k-images-idx3-ubyte'", error.Message);
        Assert.Contains("eng/fetch-data.sh fashion-mnist", error.Message);
    }

    [Fact]
    public void Bad_magic_number_names_the_file()
    {
        WriteSet(_root, "train", gzip: false);
        string images = Path.Combine(_root, "train-images-idx3-ubyte");
        byte[] bytes = File.ReadAllBytes(images);
        bytes[2] = 0x0D; // float data, not unsigned bytes
        File.WriteAllBytes(images, bytes);

        var error = Assert.Throws<DatasetException>(() => Datasets.Mnist(_root));

        Assert.Contains(images, error.Message);
        Assert.Contains("bad magic number 0x00000D03", error.Message);
    }

    [Fact]
    public void Truncated_gzip_file_reports_wrong_length_and_names_the_file()
    {
        Directory.CreateDirectory(_root);
        Write(Path.Combine(_root, "train-images-idx3-ubyte"), Idx(3, new[] { 3, Side, Side }, ImagePixels)[..^2], gzip: true);
        Write(Path.Combine(_root, "train-labels-idx1-ubyte"), Idx(1, new[] { 3 }, LabelBytes), gzip: true);

        var error = Assert.Throws<DatasetException>(() => Datasets.Mnist(_root));

        Assert.Contains(Path.Combine(_root, "train-images-idx3-ubyte.gz"), error.Message);
        Assert.Contains("wrong length", error.Message);
    }

    [Fact]
    public void Images_and_labels_of_different_counts_are_rejected()
    {
        Directory.CreateDirectory(_root);
        Write(Path.Combine(_root, "train-images-idx3-ubyte"), Idx(3, new[] { 3, Side, Side }, ImagePixels), gzip: false);
        Write(Path.Combine(_root, "train-labels-idx1-ubyte"), Idx(1, new[] { 2 }, LabelBytes[..2]), gzip: false);

        var error = Assert.Throws<DatasetException>(() => Datasets.Mnist(_root));

        Assert.Contains("3 images", error.Message);
        Assert.Contains("2 labels", error.Message);
    }

    [Fact]
    public void Images_of_another_size_than_28x28_are_refused()
    {
        Directory.CreateDirectory(_root);
        string images = Path.Combine(_root, "train-images-idx3-ubyte");
        Write(images, Idx(3, new[] { 3, 2, 2 }, ImagePixels[..12]), gzip: false);
        Write(Path.Combine(_root, "train-labels-idx1-ubyte"), Idx(1, new[] { 3 }, LabelBytes), gzip: false);

        var error = Assert.Throws<DatasetException>(() => Datasets.Mnist(_root));

        Assert.Contains(images, error.Message);
        Assert.Contains("2x2 images", error.Message);
    }

    [Fact]
    public void Header_whose_dimensions_overflow_is_refused_before_anything_is_allocated()
    {
        Directory.CreateDirectory(_root);
        string images = Path.Combine(_root, "train-images-idx3-ubyte");
        Write(images, Idx(3, new[] { 16, 1 << 30, 1 << 30 }, ImagePixels), gzip: false);
        Write(Path.Combine(_root, "train-labels-idx1-ubyte"), Idx(1, new[] { 3 }, LabelBytes), gzip: false);

        var error = Assert.Throws<DatasetException>(() => Datasets.Mnist(_root));

        Assert.Contains(images, error.Message);
        Assert.Contains("[16, 1073741824, 1073741824]", error.Message);
    }

    [Fact]
    public void Gzip_bomb_stops_at_the_size_its_header_declares()
    {
        Directory.CreateDirectory(_root);
        string images = Path.Combine(_root, "train-images-idx3-ubyte.gz");
        // A header for three images, then 256 MiB of zeros: a file of about 256 KB.
        using (var file = File.Create(images))
        using (var gzip = new GZipStream(file, CompressionLevel.Fastest))
        {
            gzip.Write(Idx(3, new[] { 3, Side, Side }, Array.Empty<byte>()));
            var zeros = new byte[1 << 20];
            for (int i = 0; i < 256; i++) gzip.Write(zeros);
        }
        Write(Path.Combine(_root, "train-labels-idx1-ubyte"), Idx(1, new[] { 3 }, LabelBytes), gzip: false);
        long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();

        var error = Assert.Throws<DatasetException>(() => Datasets.Mnist(_root));

        Assert.Contains(images, error.Message);
        Assert.Contains("wrong length", error.Message);
        Assert.InRange(GC.GetAllocatedBytesForCurrentThread() - allocatedBefore, 0, 64L << 20);
    }
}
