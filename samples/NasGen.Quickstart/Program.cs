// NasGen quickstart: declare a space (DigitsNet.cs), inspect it, train fixed networks from it on the embedded
// scikit-learn digits (1,797 8x8 images), then run a short search recorded in runs/quickstart.db (or the path given
// as the first argument; the search seed is the second, 7 by default), which the nasgen tool reads. Runs in about two minutes on 2 CPU cores.
using System;
using System.IO;
using System.Linq;
using NasGen.Data;
using NasGen.Evaluation;
using NasGen.Experiments;
using NasGen.Quickstart;
using NasGen.Reporting;
using NasGen.Storage;

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
// A short search: eight sampled architectures, each trained for 5 epochs, every trial recorded in a SQLite store.
// Running again resumes the stored experiment (here: finds it finished).
string storePath = args.Length > 0 ? args[0] : Path.Combine("runs", "quickstart.db");
int searchSeed = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 7;
var searchTrainer = new ClassificationTrainer<DigitsNet.Architecture>(
    architecture => new DigitsNet(architecture), split.Train, split.Validation,
    new TrainerOptions { Epochs = 5, BatchSize = 32, LearningRate = 0.05 });
await using (var store = SqliteExperimentStore.Open(storePath))
{
    var result = await new Experiment<DigitsNet.Architecture>(space, seed => new SamplingStrategy(space, seed), searchTrainer, store,
        new ExperimentOptions<DigitsNet.Architecture>
        {
            Name = "quickstart",
            Seed = searchSeed,
            MaxTrials = 8,
            Objectives = new[] { new Objective(Objective.Fitness, ObjectiveDirection.Maximize), new Objective("params", ObjectiveDirection.Minimize) },
            Observer = new ConsoleProgress.PlainLinesObserver(Console.Out),
        }).RunAsync();
    Console.WriteLine($"Search 'quickstart': {result.Trials.Count} trials in {store.Location}; best validation accuracy {result.Best?.Fitness:P1}: {result.Best?.Canonical}");
}
Console.WriteLine("Next: inspect the search with the nasgen tool (see the README), or try the strategies in docs/.");
