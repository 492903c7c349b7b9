using SkiaSharp;
using static TorchSharp.torch;

namespace NasGen.Data;

/// <summary>How <see cref="ImageFolder"/> turns the pixels of an image into input channels.</summary>
public enum ImageColor
{
    /// <summary>One channel: the ITU-R BT.601 luma of the red, green and blue values (a gray image keeps its values).</summary>
    Grayscale,

    /// <summary>Three channels: red, green and blue. Alpha is dropped.</summary>
    Rgb,
}

/// <summary>
/// A labelled image set read from a folder with one sub-folder per class (the layout of TorchVision's
/// <c>ImageFolder</c> and ML.NET Model Builder): <c>root/cat/001.png</c>, <c>root/dog/a.jpg</c>, ...
/// </summary>
/// <param name="Data">The images, float32 <c>[N, C, Height, Width]</c> scaled to [0, 1], and their class indices.</param>
/// <param name="ClassNames">The sub-folder names in ordinal order; class <c>i</c> is <c>ClassNames[i]</c>.</param>
/// <param name="Files">The image of each example, in the order of <see cref="ClassificationData.Features"/>.</param>
public sealed record ImageFolder(ClassificationData Data, IReadOnlyList<string> ClassNames, IReadOnlyList<string> Files) : IDisposable
{
    /// <summary>The file extensions read (any case); other files, and sub-folders whose names start with a dot, are ignored.</summary>
    public static IReadOnlyList<string> ImageExtensions { get; } = new[] { ".png", ".jpg", ".jpeg" };

    // ITU-R BT.601 luma weights, the ones PIL's convert("L") uses.
    private const float RedLuma = 0.299f, GreenLuma = 0.587f, BlueLuma = 0.114f;

    /// <summary>
    /// Reads every PNG and JPEG image under the class sub-folders of <paramref name="root"/>, resized to
    /// <paramref name="width"/> x <paramref name="height"/> (bilinear; the aspect ratio is not kept).
    /// Classes and files are taken in ordinal name order, so the same folder always gives the same tensors.
    /// </summary>
    /// <param name="root">The folder holding one sub-folder per class.</param>
    /// <param name="width">Width of every example, in pixels.</param>
    /// <param name="height">Height of every example, in pixels.</param>
    /// <param name="color">One gray channel or three RGB channels.</param>
    /// <exception cref="DatasetException">
    /// The folder is missing, has no class with images, a class folder holds no image, or an image cannot be decoded;
    /// the message names the folder or the image. Nothing is returned half-loaded.
    /// </exception>
    public static ImageFolder Load(string root, int width, int height, ImageColor color = ImageColor.Grayscale)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        if (!Enum.IsDefined(color)) throw new ArgumentOutOfRangeException(nameof(color), color, "Choose Grayscale or Rgb.");

        string fullRoot = Path.GetFullPath(root);
        if (!Directory.Exists(fullRoot))
        {
            throw new DatasetException($"Image folder '{fullRoot}' does not exist. It should hold one sub-folder per class, each with PNG or JPEG images.");
        }

        string[] classFolders = Directory.GetDirectories(fullRoot)
            .Where(d => !Path.GetFileName(d).StartsWith('.'))
            .OrderBy(d => d, StringComparer.Ordinal)
            .ToArray();
        if (classFolders.Length == 0)
        {
            throw new DatasetException($"Image folder '{fullRoot}' has no class sub-folders. Put the images of each class in a sub-folder named after the class (e.g. '{Path.Combine(fullRoot, "cat")}').");
        }

        var files = new List<string>();
        var labels = new List<long>();
        for (int label = 0; label < classFolders.Length; label++)
        {
            string[] images = Directory.GetFiles(classFolders[label])
                .Where(IsImageFile)
                .OrderBy(f => f, StringComparer.Ordinal)
                .ToArray();
            if (images.Length == 0)
            {
                throw new DatasetException($"Class folder '{classFolders[label]}' holds no PNG or JPEG image ({string.Join(", ", ImageExtensions)}). Add images or remove the folder.");
            }

            files.AddRange(images);
            labels.AddRange(Enumerable.Repeat((long)label, images.Length));
        }

        int channels = color == ImageColor.Rgb ? 3 : 1;
        int planeSize = width * height;
        var pixels = new float[(long)files.Count * channels * planeSize];
        for (int i = 0; i < files.Count; i++)
        {
            DecodeInto(files[i], width, height, color, pixels.AsSpan(i * channels * planeSize, channels * planeSize));
        }

        // Tensors are made only once every image has been decoded: an error above leaves nothing behind.
        Tensor features = tensor(pixels, new long[] { files.Count, channels, height, width });
        var data = new ClassificationData(features, tensor(labels.ToArray()), classFolders.Length);
        return new ImageFolder(data, classFolders.Select(Path.GetFileName).ToArray()!, files);
    }

    /// <inheritdoc />
    public void Dispose() => Data.Dispose();

    private static bool IsImageFile(string path) =>
        ImageExtensions.Contains(Path.GetExtension(path), StringComparer.OrdinalIgnoreCase);

    private static void DecodeInto(string path, int width, int height, ImageColor color, Span<float> destination)
    {
        SKBitmap? decoded;
        try
        {
            decoded = SKBitmap.Decode(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DatasetException($"Image '{path}' cannot be read: {e.Message}", e);
        }

        if (decoded is null)
        {
            throw new DatasetException($"Image '{path}' cannot be decoded: it is corrupt, truncated or not a PNG or JPEG despite its name. Replace or remove it.");
        }

        // Resizing to an explicit 8-bit RGBA, unpremultiplied format also converts every source format
        // (gray, palette, 16-bit, premultiplied) to one layout.
        var target = new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        using (decoded)
        using (SKBitmap? resized = decoded.Resize(target, new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.None)))
        {
            if (resized is null)
            {
                throw new DatasetException($"Image '{path}' ({decoded.Width}x{decoded.Height}, {decoded.ColorType}) cannot be resized to {width}x{height}.");
            }

            ReadOnlySpan<byte> rgba = resized.GetPixelSpan();
            int planeSize = width * height;
            for (int p = 0; p < planeSize; p++)
            {
                float red = rgba[4 * p] / 255f, green = rgba[4 * p + 1] / 255f, blue = rgba[4 * p + 2] / 255f;
                if (color == ImageColor.Rgb)
                {
                    destination[p] = red;
                    destination[planeSize + p] = green;
                    destination[2 * planeSize + p] = blue;
                }
                else
                {
                    destination[p] = RedLuma * red + GreenLuma * green + BlueLuma * blue;
                }
            }
        }
    }
}
