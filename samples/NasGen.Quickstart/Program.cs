// NasGen quickstart: declare a space (DigitsNet.cs), inspect it, and train fixed networks from it on the
// embedded scikit-learn digits (1,797 8x8 images). Runs in about a minute on 2 CPU cores.
using System;
using System.Linq;
using NasGen.Data;
using NasGen.Evaluation;
using NasGen.Quickstart;

var space = DigitsNet.Space;
Console.WriteLine($"Search space '{space.Name}': {space.Cardinality} architectures in the grid, {space.CountAllowed()} allowed by its constraint.");
foreach (var dimension in space.Dimensions)
    Console.WriteLine($"  {dimension.Label,-10} {dimension.Kind,-7} {dimension.DescribeCandidates()}");

int enumerated = 0;
foreach (var _ in space.Enumerate()) enumerated++;
Console.WriteLine($"Enumerated {enumerated} architectures.");

var random = new Random(7);
var sampled = Enumerable.Range(0, 3).Select(_ => space.Sample(random)).ToList();
Console.WriteLine("Three sampled architectures:");
foreach (var architecture in sampled) Console.WriteLine($"  {architecture}");

using var digits = Datasets.Digits();
using var split = digits.Split(trainFraction: 0.7, validationFraction: 0.15, seed: 7);
var trainer = new ClassificationTrainer<DigitsNet.Architecture>(
    architecture => new DigitsNet(architecture), split.Train, split.Validation,
    new TrainerOptions { Epochs = 15, BatchSize = 32, LearningRate = 0.05 });

Console.WriteLine($"Training each sampled network for {trainer.Options.Epochs} epochs on {split.Train.Count} digits:");
foreach (var architecture in sampled)
{
    var report = trainer.TrainAndTest(architecture, split.Test, seed: 7);
    Console.WriteLine($"  test accuracy {report.TestAccuracy:P1}  (best validation {report.Training.History.Max(e => e.ValidationAccuracy):P1})  {architecture}");
}
Console.WriteLine("Next: search the space with a strategy; see docs/ and the README.");
