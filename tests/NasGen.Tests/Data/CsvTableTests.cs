using System;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using NasGen.Data;
using NasGen.Evaluation;
using NasGen.Tests.Experiments;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace NasGen.Tests.Data;

/// <summary>Real CSV and TSV files written by the tests (one from the embedded digits), read with <see cref="CsvTable"/>.</summary>
public sealed class CsvTableTests : IDisposable
{
    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    /// <summary>The digits as a CSV: 64 pixel columns (0..16) then a "digit" column.</summary>
    private string WriteDigitsCsv(ClassificationData digits)
    {
        float[] pixels = digits.Features.flatten().data<float>().ToArray();
        long[] labels = digits.Labels.data<long>().ToArray();
        var text = new StringBuilder(string.Join(",", Enumerable.Range(0, 64).Select(i => $"p{i}")) + ",digit\n");
        for (int row = 0; row < labels.Length; row++)
        {
            text.Append(string.Join(",", pixels.Skip(64 * row).Take(64).Select(p => (p * 16).ToString(CultureInfo.InvariantCulture))));
            text.Append(',').Append(labels[row]).Append('\n');
        }

        string path = _folder.File("digits.csv");
        File.WriteAllText(path, text.ToString());
        return path;
    }

    [Fact]
    public void Digits_csv_reads_back_every_value_and_trains_a_classifier()
    {
        using ClassificationData digits = Datasets.Digits();
        string path = WriteDigitsCsv(digits);

        using CsvTable table = CsvTable.Load(path, "digit");

        Assert.Equal(new long[] { digits.Count, 64 }, table.Features.shape);
        Assert.Equal("p0", table.FeatureNames[0]);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => i.ToString(CultureInfo.InvariantCulture)), table.ClassNames);
        Assert.True(table.Targets.equal(digits.Labels).all().item<bool>());
        Assert.True((table.Features / 16).allclose(digits.Features.flatten(1)));

        // The table plugs into the stratified split, training-only normalisation and the trainer.
        using ClassificationData data = table.ToClassificationData();
        using DataSplit split = data.Split(0.7, 0.15, seed: 1);
        using DataSplit normalized = split.NormalizedByTraining();
        var trainer = new ClassificationTrainer<int>(_ => throw new NotSupportedException(), normalized.Train, normalized.Validation, new TrainerOptions { Epochs = 3, CpuThreads = 1 });
        random.manual_seed(1);
        using var model = Sequential(Linear(64, 32), ReLU(), Linear(32, 10));
        TestReport report = trainer.TrainAndTest(model, normalized.Test, seed: 1);
        Assert.True(report.TestAccuracy > 0.85, $"A 64-32-10 MLP should pass 85 % on the digits table, got {report.TestAccuracy:P1}.");
    }

    [Fact]
    public void Normalisation_uses_the_training_part_only()
    {
        using ClassificationData digits = Datasets.Digits();
        using CsvTable table = CsvTable.Load(WriteDigitsCsv(digits), "digit");
        using ClassificationData data = table.ToClassificationData();
        using DataSplit split = data.Split(0.6, 0.2, seed: 4);

        using DataSplit normalized = split.NormalizedByTraining();

        Tensor trainMean = split.Train.Features.mean(new long[] { 0 });
        Tensor trainStd = split.Train.Features.std(new long[] { 0 });
        trainStd = where(trainStd.gt(0), trainStd, ones_like(trainStd));
        Assert.True(normalized.Validation.Features.allclose((split.Validation.Features - trainMean) / trainStd, rtol: 1e-4, atol: 1e-5));
        // Centred on the training part, so the training means are ~0 and the validation means are not all ~0.
        Assert.True(normalized.Train.Features.mean(new long[] { 0 }).abs().max().item<float>() < 1e-4);
        Assert.True(normalized.Validation.Features.mean(new long[] { 0 }).abs().max().item<float>() > 1e-3);
    }

    [Fact]
    public void Tsv_with_quoted_fields_text_classes_and_a_regression_target()
    {
        string path = _folder.File("flowers.tsv");
        File.WriteAllText(path, "name\tlength\twidth\tspecies\tweight\n\"rose, red\"\t1.5\t2\tsetosa\t10.25\nlily\t-3e-1\t4\tversicolor\t11\n\"iris\"\t7\t8\tsetosa\t-2\n\n");

        using CsvTable classes = CsvTable.Load(path, "species", featureColumns: new[] { "width", "length" });
        using CsvTable weights = CsvTable.Load(path, "weight", TableTarget.Regression, featureColumns: new[] { "length", "width" });

        Assert.Equal(new[] { "setosa", "versicolor" }, classes.ClassNames);
        Assert.Equal(new long[] { 0, 1, 0 }, classes.Targets.data<long>().ToArray());
        Assert.Equal(new[] { 2f, 1.5f, 4f, -0.3f, 8f, 7f }, classes.Features.flatten().data<float>().ToArray());
        Assert.Equal(new[] { 10.25f, 11f, -2f }, weights.Targets.data<float>().ToArray());
        Assert.Empty(weights.ClassNames);
        Assert.Throws<InvalidOperationException>(() => weights.ToClassificationData());
    }

    [Fact]
    public void Regression_split_is_seeded_complete_and_normalised_by_the_training_part()
    {
        string path = _folder.File("line.csv");
        File.WriteAllText(path, "x,y\n" + string.Concat(Enumerable.Range(0, 50).Select(i => $"{i},{2 * i + 1}\n")));
        using CsvTable table = CsvTable.Load(path, "y", TableTarget.Regression);

        var (train, validation, test) = table.Split(0.6, 0.2, seed: 9);
        var (again, _, _) = table.Split(0.6, 0.2, seed: 9);
        using (train) using (validation) using (test) using (again)
        {
            Assert.Equal(new long[] { 30, 10, 10 }, new[] { train.Count, validation.Count, test.Count });
            Assert.True(train.Targets.equal(again.Targets).all().item<bool>());
            float[] allTargets = train.Targets.data<float>().Concat(validation.Targets.data<float>()).Concat(test.Targets.data<float>()).OrderBy(v => v).ToArray();
            Assert.Equal(Enumerable.Range(0, 50).Select(i => (float)(2 * i + 1)), allTargets);
            Assert.True(train.Features.mean().abs().item<float>() < 1e-5);
            // Each row keeps its target: y = 2x + 1 holds after undoing the training part's standardisation.
            float[] xs = train.Targets.data<float>().Select(y => (y - 1) / 2).ToArray();
            double mean = xs.Average(), std = Math.Sqrt(xs.Sum(x => (x - mean) * (x - mean)) / (xs.Length - 1));
            Assert.Equal(xs.Select(x => (float)((x - mean) / std)), train.Features.flatten().data<float>().ToArray(), (a, b) => Math.Abs(a - b) < 1e-4);
        }
    }

    [Theory]
    [InlineData("a,b,label\n1,2,x\n3,oops,y\n", "line 3, column 'b': 'oops' is not a number")]
    [InlineData("a,b,label\n1,2,x\n3,4\n", "line 3: 2 field(s), but the header has 3")]
    [InlineData("a,b,label\n1,,x\n", "line 2, column 'b': the value is missing")]
    [InlineData("a,b,label\n1,2,x\n5,6,\n", "line 3, column 'label': the label is empty")]
    [InlineData("a,b,kind\n1,2,x\n", "has no label column 'label'. Its columns are: 'a', 'b', 'kind'")]
    [InlineData("a,a,label\n1,2,x\n", "the column name 'a' appears twice")]
    [InlineData("a,b,label\n", "has a header but no rows")]
    [InlineData("", "is empty")]
    [InlineData("a,b,label\n1,\"2,x\n", "line 2")]
    public void Malformed_tables_name_the_file_line_and_column(string content, string expected)
    {
        string path = _folder.File("bad.csv");
        File.WriteAllText(path, content);

        var error = Assert.Throws<DatasetException>(() => CsvTable.Load(path, "label"));

        Assert.Contains(path, error.Message);
        Assert.Contains(expected, error.Message);
    }
}
