using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using NasGen;
using NasGen.Data;
using NasGen.Evaluation;
using NasGen.OneShot;
using NasGen.OneShotSearch;
using TorchSharp;
using static TorchSharp.torch;

// One-shot search of an NB201-style cell on Fashion-MNIST (or MNIST) on CPU: DARTS and GDAS each train a supernet
// and derive a cell; each derived cell's fixed network is retrained from scratch and scored on the test set next to
// random cells trained the same way. Usage:
//   bash eng/fetch-data.sh fashion-mnist data
//   dotnet run -c Release --project samples/NasGen.OneShotSearch -- [data-dir] [out-dir] [fashion-mnist|mnist]
string dataDir = args.Length > 0 ? args[0] : "data";
string outDir = args.Length > 1 ? args[1] : "oneshot-results";
string dataset = args.Length > 2 ? args[2] : "fashion-mnist";
const int Seed = 1;
const int Channels = 8;
const int SearchEpochs = 4;
const int RetrainEpochs = 3;
const int RandomArchitectures = 5;
torch.set_num_threads(Environment.ProcessorCount);

using ClassificationData full = dataset == "mnist" ? Datasets.Mnist(dataDir) : Datasets.FashionMnist(dataDir);
using ClassificationData testFull = dataset == "mnist" ? Datasets.Mnist(dataDir, DatasetPart.Test) : Datasets.FashionMnist(dataDir, DatasetPart.Test);
// A CPU budget: 6,000 training and 2,000 validation images from the training file, 5,000 test images.
using DataSplit split = full.Split(0.1, 1.0 / 30, Seed);
using DataSplit testSplit = testFull.Split(0.5, 0, Seed);
ClassificationData train = split.Train, validation = split.Validation, test = testSplit.Train;
Console.WriteLine($"{dataset}: {train.Count} train, {validation.Count} validation, {test.Count} test images");

var searchOptions = new OneShotOptions { Epochs = SearchEpochs, BatchSize = 64, Device = CPU, ArchitectureLearningRate = 3e-3 };
var results = new List<(string Name, CellArchitecture<Nb201Op> Cell, double Seconds)>();
foreach (var method in new[] { OneShotMethod.DartsFirstOrder, OneShotMethod.Gdas })
{
    torch.random.manual_seed(Seed);
    using var context = new SupernetContext(Seed);
    using var supernet = CellNet.CreateSupernet(context, create: architecture => new CellNet(architecture, Channels));
    var search = new OneShotSearch(supernet, context, train, validation, searchOptions);
    OneShotResult result = OneShotReport.WithProgress(method.ToString(), progress => search.Run(method, Seed, progress));
    OneShotReport.Write(result, outDir);
    CellNet.Architecture derived = supernet.ArchitectureOnPath(result.Path);
    CellArchitecture<Nb201Op> cell = derived.Dag;
    // The derived network leaves as JSON and as a plain TorchSharp class (no NasGen needed to use it).
    File.WriteAllText(Path.Combine(outDir, $"{method.ToString().ToLowerInvariant()}-cellnet.arch.json"), derived.ToJson());
    File.WriteAllText(Path.Combine(outDir, $"{method}CellNet.cs"), CellNet.EmitSource(derived, $"{method}CellNet", "OneShot.Exported"));
    Console.WriteLine($"{method}: {cell} in {result.Seconds:F0} s (supernet validation accuracy on the path {result.ValidationAccuracy:P1})");
    results.Add((method.ToString(), cell, result.Seconds));
}

// Retrain from scratch, as DARTS and GDAS do, with the same recipe for every cell.
var trainer = new ClassificationTrainer<int>(_ => throw new NotSupportedException(), train, validation, new TrainerOptions
{
    Epochs = RetrainEpochs, BatchSize = 64, Optimizer = OptimizerKind.SgdMomentum, LearningRate = 0.05,
    Schedule = LearningRateSchedule.Cosine, Device = CPU,
});
double Retrain(CellArchitecture<Nb201Op> cell)
{
    torch.random.manual_seed(Seed);
    using var net = new CellNet(new CellNet.Architecture(cell), Channels);
    return trainer.TrainAndTest(net, test, Seed).TestAccuracy;
}

var lines = new List<string> { "| cell | architecture | search s | test accuracy |", "|---|---|--:|--:|" };
foreach (var (name, cell, seconds) in results)
{
    double accuracy = Retrain(cell);
    lines.Add(string.Create(CultureInfo.InvariantCulture, $"| {name} | `{Escape(cell)}` | {seconds:F0} | {accuracy:P2} |"));
}

var random = new Random(Seed);
var dims = CellNet.Space.Dimensions;
var randomAccuracies = new List<double>();
for (int i = 0; i < RandomArchitectures; i++)
{
    var cell = CellNet.Space.Decode(dims.Select(d => random.Next(d.Count)).ToArray()).Dag;
    double accuracy = Retrain(cell);
    randomAccuracies.Add(accuracy);
    lines.Add(string.Create(CultureInfo.InvariantCulture, $"| random {i + 1} | `{Escape(cell)}` | – | {accuracy:P2} |"));
}
double mean = randomAccuracies.Average();
double sd = Math.Sqrt(randomAccuracies.Sum(a => (a - mean) * (a - mean)) / (randomAccuracies.Count - 1));
lines.Add(string.Create(CultureInfo.InvariantCulture, $"| random mean ± sd ({RandomArchitectures}) | | | {mean:P2} ± {sd:P2} |"));
Directory.CreateDirectory(outDir);
File.WriteAllLines(Path.Combine(outDir, "summary.md"), lines);
foreach (string line in lines) Console.WriteLine(line);

// A '|' inside a markdown table cell must be escaped, even in a code span.
static string Escape(CellArchitecture<Nb201Op> cell) => cell.ToString().Replace("|", "\\|", StringComparison.Ordinal);
