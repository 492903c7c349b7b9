using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using NasGen.Data;
using NasGen.Evaluation;
using NasGen.OneShot;
using NasGen.Spaces;
using TorchSharp;
using static TorchSharp.torch;

namespace NasGen.DartsBench;

/// <summary>
/// Issue 23's one-shot run: first-order DARTS on the reduced DARTS space (5 cells, 16 channels) on Fashion-MNIST,
/// the derived architecture retrained from scratch and scored on the test set next to random architectures of the
/// same space trained the same way (as samples/NasGen.OneShotSearch does for the NB201 cell).
/// </summary>
internal static class SearchRun
{
    private const int Seed = 1;
    private const int Channels = 16;
    private const int Cells = 5;

    /// <summary>
    /// <c>search [data-dir] [out-dir] [search-epochs] [retrain-epochs] [random-architectures] [train-images]</c>;
    /// defaults: data, darts-search-results, 4, 3, 3, 6000 (validation a third of the training images, 5,000 test images).
    /// </summary>
    public static int Run(string[] args)
    {
        string dataDir = Argument(args, 1, "data");
        string outDir = Argument(args, 2, "darts-search-results");
        int searchEpochs = int.Parse(Argument(args, 3, "4"), CultureInfo.InvariantCulture);
        int retrainEpochs = int.Parse(Argument(args, 4, "3"), CultureInfo.InvariantCulture);
        int randomCount = int.Parse(Argument(args, 5, "3"), CultureInfo.InvariantCulture);
        int trainImages = int.Parse(Argument(args, 6, "6000"), CultureInfo.InvariantCulture);
        torch.set_num_threads(Environment.ProcessorCount);
        var clock = System.Diagnostics.Stopwatch.StartNew();

        using ClassificationData full = Datasets.FashionMnist(dataDir);
        using ClassificationData testFull = Datasets.FashionMnist(dataDir, DatasetPart.Test);
        using DataSplit split = full.Split(trainImages / (double)full.Count, trainImages / 3.0 / full.Count, Seed);
        using DataSplit testSplit = testFull.Split(Math.Min(0.5, trainImages / (double)testFull.Count), 0, Seed);
        ClassificationData train = split.Train, validation = split.Validation, test = testSplit.Train;
        Console.WriteLine($"fashion-mnist: {train.Count} train, {validation.Count} validation, {test.Count} test images; DARTS space, {Cells} cells, {Channels} channels");

        Darts Create(Darts.Architecture architecture) => new(architecture, Channels, Cells, classes: 10, inputChannels: 1);

        torch.random.manual_seed(Seed);
        Darts.Architecture derived;
        double searchSeconds;
        using (var context = new SupernetContext(Seed))
        using (var supernet = Darts.CreateSupernet(context, create: Create))
        {
            var options = new OneShotOptions { Epochs = searchEpochs, BatchSize = 64, Device = CPU, ArchitectureLearningRate = 3e-3 };
            var search = new OneShotSearch(supernet, context, train, validation, options);
            OneShotResult result = OneShotReport.WithProgress("DARTS (first order)", progress => search.Run(OneShotMethod.DartsFirstOrder, Seed, progress));
            OneShotReport.Write(result, outDir);
            derived = supernet.ArchitectureOnPath(result.Path);
            searchSeconds = result.Seconds;
            Console.WriteLine($"derived in {result.Seconds:F0} s: {derived}");
        }
        Directory.CreateDirectory(outDir);
        File.WriteAllText(Path.Combine(outDir, "derived.arch.json"), derived.ToJson());

        // Retrain from scratch with the same recipe for every architecture.
        var trainer = new ClassificationTrainer<int>(_ => throw new NotSupportedException(), train, validation, new TrainerOptions
        {
            Epochs = retrainEpochs, BatchSize = 64, Optimizer = OptimizerKind.SgdMomentum, LearningRate = 0.05,
            Schedule = LearningRateSchedule.Cosine, Device = CPU,
        });
        double Retrain(Darts.Architecture architecture)
        {
            torch.random.manual_seed(Seed);
            using var net = Create(architecture);
            return trainer.TrainAndTest(net, test, Seed).TestAccuracy;
        }

        var lines = new List<string> { "| architecture | search s | test accuracy |", "|---|--:|--:|" };
        lines.Add(string.Create(CultureInfo.InvariantCulture, $"| DARTS-derived | {searchSeconds:F0} | {Retrain(derived):P2} |"));
        var random = new Random(Seed);
        var accuracies = new List<double>();
        for (int i = 0; i < randomCount; i++)
        {
            double accuracy = Retrain(Darts.Space.Sample(random));
            accuracies.Add(accuracy);
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"| random {i + 1} | – | {accuracy:P2} |"));
        }
        if (accuracies.Count > 1)
        {
            double mean = accuracies.Average();
            double sd = Math.Sqrt(accuracies.Sum(a => (a - mean) * (a - mean)) / (accuracies.Count - 1));
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"| random mean ± sd ({accuracies.Count}) | | {mean:P2} ± {sd:P2} |"));
        }
        lines.Add(string.Create(CultureInfo.InvariantCulture, $"\nTotal wall time {clock.Elapsed.TotalMinutes:F1} min (search {searchEpochs} epochs, retrain {retrainEpochs} epochs, {trainImages} training images)."));
        File.WriteAllLines(Path.Combine(outDir, "summary.md"), lines);
        foreach (string line in lines) Console.WriteLine(line);
        return 0;
    }

    private static string Argument(string[] args, int index, string fallback) => args.Length > index ? args[index] : fallback;
}
