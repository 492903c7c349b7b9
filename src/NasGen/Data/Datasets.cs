using System.IO.Compression;
using static TorchSharp.torch;

namespace NasGen.Data;

/// <summary>
/// Loaders for the image classification sets NasGen knows: the embedded scikit-learn digits,
/// MNIST and Fashion-MNIST (IDX files fetched with <c>eng/fetch-data.sh</c>).
/// </summary>
public static class Datasets
{
    private const string DigitsResourceName = "NasGen.Data.Resources.digits.csv.gz";
    private const int DigitsSide = 8;
    private const float DigitsMaxPixel = 16f;
    private const float ByteMaxPixel = 255f;
    private const int MnistSide = 28;
    private const string FashionSmallImagesResourceName = "NasGen.Data.Resources.fashion-small-images-idx3-ubyte.gz";
    private const string FashionSmallLabelsResourceName = "NasGen.Data.Resources.fashion-small-labels-idx1-ubyte.gz";
    private const int FashionSmallTrainCount = 10000;

    /// <summary>
    /// The scikit-learn digits (1,797 images of 1x8x8, 10 classes), embedded in NasGen so it needs
    /// no download. Pixels are scaled from 0..16 to [0, 1].
    /// </summary>
    public static ClassificationData Digits()
    {
        using Stream resource = OpenResource(DigitsResourceName);
        using var reader = new StreamReader(new GZipStream(resource, CompressionMode.Decompress));

        const int pixelCount = DigitsSide * DigitsSide;
        var pixels = new List<float>(1797 * pixelCount);
        var labels = new List<long>(1797);
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            if (line.Length == 0)
            {
                continue;
            }

            string[] fields = line.Split(',');
            if (fields.Length != pixelCount + 1)
            {
                throw new InvalidDataException($"Embedded digits row {labels.Count + 1} has {fields.Length} fields, expected {pixelCount + 1}.");
            }

            for (int i = 0; i < pixelCount; i++)
            {
                pixels.Add(float.Parse(fields[i], CultureInfo.InvariantCulture) / DigitsMaxPixel);
            }

            labels.Add((long)double.Parse(fields[pixelCount], CultureInfo.InvariantCulture));
        }

        Tensor features = tensor(pixels.ToArray(), new long[] { labels.Count, 1, DigitsSide, DigitsSide });
        return new ClassificationData(features, tensor(labels.ToArray()), Classes: 10);
    }

    /// <summary>
    /// A subset of Fashion-MNIST embedded in NasGen, so it needs no download: the first 10,000 images of the training
    /// part and the first 2,000 of the test part, each averaged over 2x2 blocks to 1x14x14, pixels scaled by 1/255;
    /// 10 classes of clothing. Harder than the digits (a search can tell architectures apart on it) and still small
    /// enough to search in minutes on a CPU. Made by <c>eng/make-fashion-small.py</c>; Fashion-MNIST is (c) Zalando SE, MIT.
    /// </summary>
    /// <param name="part">The training (10,000) or test (2,000) images.</param>
    public static ClassificationData FashionMnistSmall(DatasetPart part = DatasetPart.Train)
    {
        var (imageShape, imageBytes) = IdxReader.ReadUnsignedBytes(OpenResource(FashionSmallImagesResourceName), FashionSmallImagesResourceName, expectedRank: 3);
        var (_, labelBytes) = IdxReader.ReadUnsignedBytes(OpenResource(FashionSmallLabelsResourceName), FashionSmallLabelsResourceName, expectedRank: 1);
        int side = imageShape[1], first = part == DatasetPart.Train ? 0 : FashionSmallTrainCount;
        int count = part == DatasetPart.Train ? FashionSmallTrainCount : imageShape[0] - FashionSmallTrainCount;
        var pixels = new float[count * side * side];
        for (int i = 0; i < pixels.Length; i++)
        {
            pixels[i] = imageBytes[(first * side * side) + i] / ByteMaxPixel;
        }

        long[] labels = labelBytes.Skip(first).Take(count).Select(b => (long)b).ToArray();
        return new ClassificationData(tensor(pixels, new long[] { count, 1, side, side }), tensor(labels), Classes: 10);
    }

    private static Stream OpenResource(string name) =>
        typeof(Datasets).Assembly.GetManifestResourceStream(name)
        ?? throw new InvalidOperationException($"Embedded resource '{name}' is missing from {typeof(Datasets).Assembly.GetName().Name}.");

    /// <summary>
    /// MNIST handwritten digits (1x28x28, 10 classes), pixels scaled by 1/255. Files of another image size are refused.
    /// </summary>
    /// <param name="dataDir">
    /// Where <c>eng/fetch-data.sh mnist</c> put the files: the folder holding the IDX files
    /// (<c>train-images-idx3-ubyte</c> ..., raw or <c>.gz</c>), or a root containing <c>mnist/</c>,
    /// <c>mnist/raw/</c> or TorchVision's <c>mnist/test_data/</c>.
    /// </param>
    /// <param name="part">The training (60,000) or test (10,000) images.</param>
    /// <exception cref="DatasetException">Files are missing or corrupt; the message names them and the fetch command.</exception>
    public static ClassificationData Mnist(string dataDir, DatasetPart part = DatasetPart.Train) =>
        LoadIdxPair(dataDir, "mnist", part);

    /// <summary>
    /// Fashion-MNIST (Zalando's clothing images, 1x28x28, 10 classes), pixels scaled by 1/255. Files of another image
    /// size are refused.
    /// </summary>
    /// <param name="dataDir">
    /// Where <c>eng/fetch-data.sh fashion-mnist</c> put the files: the folder holding the IDX files,
    /// or a root containing <c>fashion-mnist/</c>, <c>fashion-mnist/raw/</c> or <c>fashion-mnist/test_data/</c>.
    /// </param>
    /// <param name="part">The training (60,000) or test (10,000) images.</param>
    /// <exception cref="DatasetException">Files are missing or corrupt; the message names them and the fetch command.</exception>
    public static ClassificationData FashionMnist(string dataDir, DatasetPart part = DatasetPart.Train) =>
        LoadIdxPair(dataDir, "fashion-mnist", part);

    private static ClassificationData LoadIdxPair(string dataDir, string datasetName, DatasetPart part)
    {
        ArgumentNullException.ThrowIfNull(dataDir);
        string prefix = part == DatasetPart.Train ? "train" : "t10k";
        string imagesName = $"{prefix}-images-idx3-ubyte";
        string labelsName = $"{prefix}-labels-idx1-ubyte";
        string fullDataDir = Path.GetFullPath(dataDir);
        string[] folders =
        {
            fullDataDir,
            Path.Combine(fullDataDir, datasetName),
            Path.Combine(fullDataDir, datasetName, "raw"),
            Path.Combine(fullDataDir, datasetName, "test_data"),
        };

        string? imagesPath = null;
        string? labelsPath = null;
        foreach (string folder in folders)
        {
            string? imagesHere = FindRawOrGzip(folder, imagesName);
            string? labelsHere = FindRawOrGzip(folder, labelsName);
            // Remember the first folder holding either file: that is the one to report as incomplete.
            if ((imagesHere ?? labelsHere) is not null && (imagesPath ?? labelsPath) is null)
            {
                (imagesPath, labelsPath) = (imagesHere, labelsHere);
            }

            if (imagesHere is not null && labelsHere is not null)
            {
                (imagesPath, labelsPath) = (imagesHere, labelsHere);
                break;
            }
        }

        if (imagesPath is null || labelsPath is null)
        {
            var missing = new List<string>();
            if (imagesPath is null) missing.Add(imagesName);
            if (labelsPath is null) missing.Add(labelsName);
            string folderState = Directory.Exists(fullDataDir) ? "is incomplete" : "does not exist";
            throw new DatasetException(
                $"{datasetName} {part.ToString().ToLowerInvariant()} data not found: '{fullDataDir}' {folderState}. " +
                $"Missing {string.Join(" and ", missing.Select(m => $"'{m}' (or '{m}.gz')"))}; looked in {string.Join(", ", folders.Select(f => $"'{f}'"))}. " +
                $"Fetch it with: eng/fetch-data.sh {datasetName} {dataDir}");
        }

        var (imageShape, imageBytes) = IdxReader.ReadUnsignedBytes(imagesPath, expectedRank: 3);
        var (labelShape, labelBytes) = IdxReader.ReadUnsignedBytes(labelsPath, expectedRank: 1);
        if (imageShape[0] != labelShape[0])
        {
            throw new DatasetException($"'{imagesPath}' holds {imageShape[0]} images but '{labelsPath}' holds {labelShape[0]} labels; one of them is from another set or corrupt.");
        }

        if (imageShape[1] != MnistSide || imageShape[2] != MnistSide)
        {
            throw new DatasetException(
                $"'{imagesPath}' holds {imageShape[1]}x{imageShape[2]} images, but {datasetName} images are {MnistSide}x{MnistSide}; it is from another set or corrupt. Delete it and fetch it again.");
        }

        int badLabel = Array.FindIndex(labelBytes, b => b >= 10);
        if (badLabel >= 0)
        {
            throw new DatasetException($"'{labelsPath}' is corrupt: label {labelBytes[badLabel]} at index {badLabel} is not a class 0..9.");
        }

        var pixels = new float[imageBytes.Length];
        for (int i = 0; i < pixels.Length; i++)
        {
            pixels[i] = imageBytes[i] / ByteMaxPixel;
        }

        Tensor features = tensor(pixels, new long[] { imageShape[0], 1, imageShape[1], imageShape[2] });
        Tensor labels = tensor(labelBytes.Select(b => (long)b).ToArray());
        return new ClassificationData(features, labels, Classes: 10);
    }

    private static string? FindRawOrGzip(string folder, string fileName)
    {
        string raw = Path.Combine(folder, fileName);
        if (File.Exists(raw)) return raw;
        string gzip = raw + ".gz";
        return File.Exists(gzip) ? gzip : null;
    }
}
