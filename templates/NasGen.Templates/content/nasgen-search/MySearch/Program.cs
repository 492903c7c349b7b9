// A neural architecture search on your own data (scaffolded by `dotnet new nasgen-search`).
//
//   dotnet run --project MySearch -- --data <your data> --trials 20 --epochs 3
//
// It searches SearchNet (SearchNet.cs), training every proposed network, keeps every trial in a store (run the same
// command again to resume; --fresh starts over), writes plots and a summary, then retrains the best network on the
// training part, scores it once on the test part and exports it as a plain TorchSharp class with its weights.
using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using MySearch;
using NasGen.Data;
using NasGen.Evaluation;
using NasGen.Experiments;
using NasGen.Reporting;
using NasGen.Storage;
using NasGen.Strategies;
using TorchSharp;
using static TorchSharp.torch;

#if (data == "csv")
var data = new Option<string>("--data") { Description = "The CSV or TSV table (a header row, numeric feature columns)", DefaultValueFactory = _ => "data.csv" };
var label = new Option<string>("--label") { Description = "The label column's name", DefaultValueFactory = _ => "label" };
#else
var data = new Option<string>("--data") { Description = "The image folder: one sub-folder of PNG/JPEG images per class", DefaultValueFactory = _ => "images" };
var imageSize = new Option<int>("--image-size") { Description = "Images are resized to this width and height", DefaultValueFactory = _ => 28 };
var rgb = new Option<bool>("--rgb") { Description = "Keep colour (3 channels) instead of converting to grayscale" };
#endif
var strategy = new Option<string>("--strategy")
{
    Description = "Search strategy: " + string.Join(", ", SearchStrategies.Names),
    DefaultValueFactory = _ => "evolution",
};
strategy.AcceptOnlyFromAmong([.. SearchStrategies.Names]);
var trials = new Option<int>("--trials") { Description = "Trials in the search (a resumed run counts the stored ones)", DefaultValueFactory = _ => 20 };
var epochs = new Option<int>("--epochs") { Description = "Training epochs per trial", DefaultValueFactory = _ => 3 };
var finalEpochs = new Option<int>("--final-epochs") { Description = "Training epochs when retraining the best", DefaultValueFactory = _ => 10 };
var device = new Option<string?>("--device") { Description = "cpu, cuda or cuda:N (default: cuda when available, else cpu)" };
var output = new Option<string>("--out") { Description = "Output folder", DefaultValueFactory = _ => Path.Combine("runs", "MySearch") };
var store = new Option<string?>("--store") { Description = "The experiment store: a SQLite file (default <out>/experiment.db) or postgresql:Host=...;Database=..." };
var seed = new Option<int>("--seed") { Description = "Seed of the split, the search and every trial", DefaultValueFactory = _ => 1 };
var fresh = new Option<bool>("--fresh") { Description = "Delete the stored trials (SQLite) and start over" };

var root = new RootCommand("Search SearchNet's architectures on your data with real training.")
{
#if (data == "csv")
    data, label,
#else
    data, imageSize, rgb,
#endif
    strategy, trials, epochs, finalEpochs, device, output, store, seed, fresh,
};
root.SetAction((parsed, cancellationToken) => SearchAsync(parsed, cancellationToken));
// Ctrl-C cancels the token: the running trial goes back to the store and the next run resumes it.
return await root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromMinutes(1) });

async Task<int> SearchAsync(ParseResult parsed, CancellationToken cancellationToken)
{
    string outDir = parsed.GetValue(output)!;
    string storeLocation = parsed.GetValue(store) ?? Path.Combine(outDir, "experiment.db");
    int seedValue = parsed.GetValue(seed);
    if (parsed.GetValue(trials) < 1 || parsed.GetValue(epochs) < 1 || parsed.GetValue(finalEpochs) < 1)
        return Fail("--trials, --epochs and --final-epochs must be at least 1.");
    string? deviceName = parsed.GetValue(device);
    if (deviceName is not null && !Regex.IsMatch(deviceName, "^(cpu|cuda(:[0-9]+)?)$"))
        return Fail($"--device '{deviceName}' is not a device: use cpu, cuda or cuda:N.");
    if (deviceName is not null && deviceName.StartsWith("cuda", StringComparison.Ordinal) && !cuda.is_available())
        return Fail($"--device {deviceName}: CUDA is not available (this project references TorchSharp-cpu, or there is no GPU).");
    Device? trainingDevice = deviceName is null ? null : torch.device(deviceName);

    // Data: a stratified 70/15/15 split, normalised with the training part's statistics only.
    DataSplit raw;
    IReadOnlyList<string> classNames;
    try
    {
#if (data == "csv")
        using CsvTable table = CsvTable.Load(parsed.GetValue(data)!, parsed.GetValue(label)!);
        using ClassificationData all = table.ToClassificationData();
        classNames = table.ClassNames;
        raw = all.Split(trainFraction: 0.7, validationFraction: 0.15, seed: seedValue);
#else
        int size = parsed.GetValue(imageSize);
        using ImageFolder images = ImageFolder.Load(parsed.GetValue(data)!, size, size, parsed.GetValue(rgb) ? ImageColor.Rgb : ImageColor.Grayscale);
        classNames = images.ClassNames;
        raw = images.Data.Split(trainFraction: 0.7, validationFraction: 0.15, seed: seedValue);
#endif
    }
    catch (DatasetException e)
    {
        return Fail(e.Message);
    }
    using var rawSplit = raw;
    using DataSplit split = raw.NormalizedByTraining();
    Directory.CreateDirectory(outDir);
    var (mean, std) = raw.Train.ChannelStatistics();
    // What an application needs to prepare its inputs as the network was trained.
    File.WriteAllText(Path.Combine(outDir, "preprocessing.json"), JsonSerializer.Serialize(new { mean, std, classes = classNames }));

    int inputs = (int)split.Train.Features.shape[1];   // feature columns, or image channels
#if (data == "csv")
    SearchNet CreateNetwork(SearchNet.Architecture architecture) => new(architecture, features: inputs, classes: split.Train.Classes);
#else
    SearchNet CreateNetwork(SearchNet.Architecture architecture) => new(architecture, channels: inputs, classes: split.Train.Classes);
#endif
    var trainerOptions = new TrainerOptions
    {
        Epochs = parsed.GetValue(epochs), Optimizer = OptimizerKind.Adam, LearningRate = 0.003, Device = trainingDevice,
    };
    var trainer = new ClassificationTrainer<SearchNet.Architecture>(CreateNetwork, split.Train, split.Validation, trainerOptions);
    var space = SearchNet.Space;
    Console.WriteLine($"Searching {space.Name} ({space.CountAllowed()} architectures): {split.Train.Count} training / {split.Validation.Count} validation / " +
        $"{split.Test.Count} test examples of {classNames.Count} classes, {parsed.GetValue(trials)} trials of {trainerOptions.Epochs} epochs, " +
        $"strategy {parsed.GetValue(strategy)}, on {trainerOptions.ResolveDevice()}. Store: {ExperimentStores.Describe(storeLocation)}");

    var objectives = new[] { new Objective(Objective.Fitness, ObjectiveDirection.Maximize), new Objective("params", ObjectiveDirection.Minimize) };
    var options = new ExperimentOptions<SearchNet.Architecture>
    {
        Name = "mysearch-" + parsed.GetValue(strategy),
        Seed = seedValue,
        MaxTrials = parsed.GetValue(trials),
        Objectives = objectives,
        TrialTimeout = TimeSpan.FromMinutes(30),
        // A resume with other values is refused: the stored trials were scored with these.
        EvaluationSettings = new Dictionary<string, string>
        {
            ["--epochs"] = trainerOptions.Epochs.ToString(CultureInfo.InvariantCulture),
            ["--data"] = Path.GetFullPath(parsed.GetValue(data)!),
        },
    };

    ExperimentResult<SearchNet.Architecture> result;
    try
    {
        if (parsed.GetValue(fresh) && !ExperimentStores.TryGetPostgres(storeLocation, out _))
            SqliteExperimentStore.Delete(storeLocation);
        await using IExperimentStore experimentStore = await ExperimentStores.OpenAsync(storeLocation, cancellationToken);
        result = await ConsoleProgress.RunAsync(observer =>
            new Experiment<SearchNet.Architecture>(space, s => SearchStrategies.Create(parsed.GetValue(strategy)!, space, s),
                trainer, experimentStore, options with { Observer = observer }).RunAsync(cancellationToken));
    }
    catch (StoreException e)
    {
        return Fail($"{e.Message} Use --fresh to start over, or --out / --store for another store.");
    }
    if (result.StopReason == StopReason.Cancelled)
    {
        Console.WriteLine("Stopped. Run the same command to resume.");
        return 130;
    }

    ExperimentReport.Write(result, space, outDir, objectives);   // best-so-far.png, trials.png, pareto-front.png, summary.md, best.arch.json
    if (result.BestArchitecture is not { } best)
        return Fail($"none of the {result.Trials.Count} trials finished; see {Path.Combine(outDir, "summary.md")} for the failures.");
    Console.WriteLine($"Best of {result.Trials.Count} trials (validation accuracy {result.Best!.Fitness:P2}): {best}");

    // Export: the winner as a plain TorchSharp class (no NasGen needed) and its retrained weights, which that class loads
    // with load(path, strict: true).
    File.WriteAllText(Path.Combine(outDir, "BestSearchNet.cs"), SearchNet.EmitSource(best, "BestSearchNet", "MySearch.Models"));
    var final = new ClassificationTrainer<SearchNet.Architecture>(CreateNetwork, split.Train, split.Validation,
        trainerOptions with { Epochs = parsed.GetValue(finalEpochs) });
    Console.WriteLine($"Retraining the best for {final.Options.Epochs} epochs ...");
    random.manual_seed(seedValue);
    using var network = CreateNetwork(best);
    TestReport test;
    try
    {
        test = final.TrainAndTest(network, split.Test, seedValue, cancellationToken);
    }
    catch (OperationCanceledException)
    {
        Console.WriteLine("Stopped during the final retraining; the search is in the store. Run the same command to retrain.");
        return 130;
    }
    network.save(Path.Combine(outDir, "BestSearchNet.weights"));
    Console.WriteLine($"Test accuracy of the best architecture: {test.TestAccuracy:P2} on {split.Test.Count} held-out examples.");
    Console.WriteLine($"Wrote summary.md, plots, best.arch.json, BestSearchNet.cs, BestSearchNet.weights and preprocessing.json to {outDir}.");
    return 0;
}

static int Fail(string message)
{
    Console.Error.WriteLine("error: " + message);
    return 2;
}
