using System;
using System.IO;
using System.Linq;
using NasGen.Data;
using NasGen.Tests.Experiments;
using SkiaSharp;
using static TorchSharp.torch;

namespace NasGen.Tests.Data;

/// <summary>
/// Real PNG and JPEG files, encoded with SkiaSharp from Fashion-MNIST images (from the repository's <c>data/</c>
/// folder, or from the embedded digits where it was not fetched), read back with <see cref="ImageFolder"/>.
/// </summary>
public sealed class ImageFolderTests : IDisposable
{
    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    /// <summary>The first <paramref name="perClass"/> images of classes 0..2, as 8-bit gray rows.</summary>
    private static (byte[][] Images, int Side) SourceImages(int perClass)
    {
        string? repository = AppContext.BaseDirectory;
        while (repository is not null && !File.Exists(Path.Combine(repository, "NasGen.sln"))) repository = Path.GetDirectoryName(repository);
        string? fashion = repository is null ? null : Path.Combine(repository, "data", "fashion-mnist");
        using ClassificationData source = fashion is not null && Directory.Exists(fashion) ? Datasets.FashionMnist(fashion, DatasetPart.Test) : Datasets.Digits();
        int side = (int)source.Features.shape[3];
        long[] labels = source.Labels.data<long>().ToArray();
        var images = Enumerable.Range(0, 3)
            .SelectMany(c => Enumerable.Range(0, labels.Length).Where(i => labels[i] == c).Take(perClass))
            .Select(i => source.Features[i].flatten().data<float>().Select(p => (byte)Math.Round(p * 255)).ToArray())
            .ToArray();
        return (images, side);
    }

    private static void WriteGray(string path, byte[] pixels, int side, SKEncodedImageFormat format)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(side, side, SKColorType.Gray8, SKAlphaType.Opaque));
        for (int p = 0; p < pixels.Length; p++) bitmap.SetPixel(p % side, p / side, new SKColor(pixels[p], pixels[p], pixels[p]));
        Write(path, bitmap, format);
    }

    private static void Write(string path, SKBitmap bitmap, SKEncodedImageFormat format)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using SKData encoded = bitmap.Encode(format, 95);
        using FileStream file = File.Create(path);
        encoded.SaveTo(file);
    }

    private static void WriteSolid(string path, SKColor color, int width, int height, SKEncodedImageFormat format)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        bitmap.Erase(color);
        Write(path, bitmap, format);
    }

    [Fact]
    public void Gray_pngs_read_back_exactly_with_class_indices_in_folder_order()
    {
        var (images, side) = SourceImages(perClass: 4);
        string[] classes = { "ankle-boot", "Bag", "coat" };   // ordinal order: "Bag" < "ankle-boot" < "coat"
        for (int i = 0; i < images.Length; i++) WriteGray(_folder.File(Path.Combine(classes[i / 4], $"{i % 4:D2}.png")), images[i], side, SKEncodedImageFormat.Png);
        File.WriteAllText(_folder.File(Path.Combine("coat", "notes.txt")), "not an image: ignored");

        using ImageFolder folder = ImageFolder.Load(_folder.Path, side, side);

        Assert.Equal(new[] { "Bag", "ankle-boot", "coat" }, folder.ClassNames);
        Assert.Equal(new long[] { 12, 1, side, side }, folder.Data.Features.shape);
        Assert.Equal(3, folder.Data.Classes);
        Assert.Equal(new long[] { 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2 }, folder.Data.Labels.data<long>().ToArray());
        // "Bag" holds the second source class: example 0 is source image 4.
        float[] first = folder.Data.Features[0].flatten().data<float>().ToArray();
        Assert.Equal(images[4].Select(b => b / 255f), first, (a, b) => Math.Abs(a - b) < 1e-6);
        Assert.EndsWith(Path.Combine("Bag", "00.png"), folder.Files[0]);
    }

    [Fact]
    public void Rgb_and_jpeg_images_are_resized_and_converted_per_channel()
    {
        WriteSolid(_folder.File(Path.Combine("red", "a.png")), new SKColor(255, 0, 0), 10, 6, SKEncodedImageFormat.Png);
        WriteSolid(_folder.File(Path.Combine("teal", "b.JPG")), new SKColor(0, 128, 128), 5, 9, SKEncodedImageFormat.Jpeg);

        using ImageFolder rgb = ImageFolder.Load(_folder.Path, width: 4, height: 3, ImageColor.Rgb);
        using ImageFolder gray = ImageFolder.Load(_folder.Path, width: 4, height: 3, ImageColor.Grayscale);

        Assert.Equal(new long[] { 2, 3, 3, 4 }, rgb.Data.Features.shape);
        Assert.Equal(new long[] { 2, 1, 3, 4 }, gray.Data.Features.shape);
        float[] redMeans = rgb.Data.Features[0].mean(new long[] { 1, 2 }).data<float>().ToArray();
        Assert.Equal(new[] { 1f, 0f, 0f }, redMeans, (a, b) => Math.Abs(a - b) < 1e-6);
        float[] tealMeans = rgb.Data.Features[1].mean(new long[] { 1, 2 }).data<float>().ToArray();
        Assert.Equal(new[] { 0f, 128 / 255f, 128 / 255f }, tealMeans, (a, b) => Math.Abs(a - b) < 0.03);   // JPEG is lossy
        Assert.Equal(0.299, gray.Data.Features[0].mean().item<float>(), precision: 5);
    }

    [Fact]
    public void A_corrupt_image_is_named_and_nothing_is_returned()
    {
        var (images, side) = SourceImages(perClass: 1);
        WriteGray(_folder.File(Path.Combine("a", "good.png")), images[0], side, SKEncodedImageFormat.Png);
        string corrupt = _folder.File(Path.Combine("b", "broken.png"));
        Directory.CreateDirectory(Path.GetDirectoryName(corrupt)!);
        File.WriteAllBytes(corrupt, new byte[] { 0x89, 0x50, 0x4E, 0x47, 1, 2, 3 });

        var error = Assert.Throws<DatasetException>(() => ImageFolder.Load(_folder.Path, side, side));

        Assert.Contains(corrupt, error.Message);
        Assert.Contains("cannot be decoded", error.Message);
    }

    [Fact]
    public void Missing_root_empty_root_and_empty_class_folder_each_get_a_clear_error()
    {
        string missing = _folder.File("nowhere");
        Assert.Contains("does not exist", Assert.Throws<DatasetException>(() => ImageFolder.Load(missing, 8, 8)).Message);
        Assert.Contains("no class sub-folders", Assert.Throws<DatasetException>(() => ImageFolder.Load(_folder.Path, 8, 8)).Message);

        Directory.CreateDirectory(_folder.File("empty-class"));
        var error = Assert.Throws<DatasetException>(() => ImageFolder.Load(_folder.Path, 8, 8));
        Assert.Contains(_folder.File("empty-class"), error.Message);
        Assert.Contains("holds no PNG or JPEG", error.Message);
    }
}
