using System.Linq;
using NasGen.Data;
using static TorchSharp.torch;

namespace NasGen.Tests.Data;

public class DigitsTests
{
    [Fact]
    public void Digits_has_1797_images_of_1x8x8_scaled_to_unit_range()
    {
        using ClassificationData digits = Datasets.Digits();

        Assert.Equal(new long[] { 1797, 1, 8, 8 }, digits.Features.shape);
        Assert.Equal(ScalarType.Float32, digits.Features.dtype);
        Assert.Equal(new long[] { 1797 }, digits.Labels.shape);
        Assert.Equal(ScalarType.Int64, digits.Labels.dtype);
        Assert.Equal(10, digits.Classes);
        Assert.Equal(0f, digits.Features.min().item<float>());
        Assert.Equal(1f, digits.Features.max().item<float>());
    }

    [Fact]
    public void Digits_labels_cover_all_ten_classes_with_sklearn_counts()
    {
        using ClassificationData digits = Datasets.Digits();
        long[] labels = digits.Labels.data<long>().ToArray();

        long[] counts = Enumerable.Range(0, 10).Select(c => labels.LongCount(l => l == c)).ToArray();
        // scikit-learn's load_digits: 178, 182, 177, 183, 181, 182, 181, 179, 174, 180.
        Assert.Equal(new long[] { 178, 182, 177, 183, 181, 182, 181, 179, 174, 180 }, counts);
        // First row of the file: label 0, pixel (0, 2) = 5/16.
        Assert.Equal(0, labels[0]);
        Assert.Equal(5f / 16f, digits.Features[0, 0, 0, 2].item<float>());
    }
}
