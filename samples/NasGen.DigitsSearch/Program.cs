// The NasGen main job: a real architecture search on real data, resumable, with a report.
//
//   dotnet run --project samples/NasGen.DigitsSearch                      # embedded Fashion-MNIST subset, < 3 minutes on 2 cores
//   dotnet run --project samples/NasGen.DigitsSearch -- --dataset digits   # embedded digits, about a minute
//   dotnet run --project samples/NasGen.DigitsSearch -- --dataset mnist --data data
//
// It searches DigitsNet (DigitsNet.cs) with regularized evolution, the network and its training's learning rate and
// dropout together (log-scale and continuous ranges), training every proposed network, keeps every
// trial in a SQLite store (run it again to resume; --fresh starts over), writes plots, a markdown summary and the
// best architecture, then retrains the best network and scores it on the held-out test split.
using System;
using System.Collections.Generic;
using System.CommandLine;
using System.Data.Common;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using NasGen.Data;
using NasGen.DigitsSearch;
using NasGen.Evaluation;
using NasGen.Experiments;
using NasGen.Reporting;
using NasGen.Storage;
using NasGen.Strategies;

var dataset = new Option<string>("--dataset")
{
    Description = "fashion-small (embedded: 12,000 Fashion-MNIST images at 14x14), digits (embedded), mnist or fashion-mnist (eng/fetch-data.sh)",
    DefaultValueFactory = _ => "fashion-small",
};
dataset.AcceptOnlyFromAmong("fashion-small", "digits", "mnist", "fashion-mnist");
var dataDir = new Option<string>("--data") { Description = "Folder of the MNIST / Fashion-MNIST files (eng/fetch-data.sh)", DefaultValueFactory = _ => "data" };
var trials = new Option<int>("--trials") { Description = "Trials in the search (resumed runs count stored ones)", DefaultValueFactory = _ => 20 };
var epochs = new Option<int?>("--epochs") { Description = "Training epochs per trial (default: " + DatasetRecipe.Describe(r => r.Epochs) + ")" };
var finalEpochs = new Option<int?>("--final-epochs") { Description = "Epochs when retraining the best (default: " + DatasetRecipe.Describe(r => r.FinalEpochs) + ")" };
var searchExamples = new Option<int?>("--search-examples")
{
    Description = "Training examples per trial (default: " + DatasetRecipe.Describe(r => r.SearchExamples?.ToString(CultureInfo.InvariantCulture) ?? "all") + ")",
};
var seed = new Option<int>("--seed") { Description = "Seed of the search and of every trial", DefaultValueFactory = _ => 1 };
var output = new Option<string?>("--out") { Description = "Output folder (default runs/<dataset>)" };
var fresh = new Option<bool>("--fresh") { Description = "Delete the stored trials and start over" };
var strategy = new Option<string>("--strategy")
{
    Description = "Search strategy, with its default options: " + string.Join(", ", SearchStrategies.Names),
    DefaultValueFactory = _ => "evolution",
};
strategy.AcceptOnlyFromAmong([.. SearchStrategies.Names]);
var device = new Option<string?>("--device") { Description = "cpu, cuda or cuda:N (default: cuda when available, else cpu)" };
var fitness = new Option<string>("--fitness")
{
    Description = "A trial's fitness: the best epoch's validation accuracy (best-epoch) or the last epoch's (last-epoch)",
    DefaultValueFactory = _ => "best-epoch",
};
fitness.AcceptOnlyFromAmong("best-epoch", "last-epoch");
var keepWeights = new Option<int>("--keep-weights")
{
    Description = "Keep the trained weights of the k best trials in <out>/weights (trial-N.weights; nasgen export --trial N names the architecture)",
    DefaultValueFactory = _ => 0,
};
var concurrency = new Option<int?>("--concurrency")
{
    Description = "Trials trained at the same time, the CPU cores split between them (default 1, which keeps a seeded search reproducible; 2 trains digits about 2x faster on 2 cores, in an order that depends on timing)",
};

var baseline = new Option<bool>("--baseline")
{
    Description = "Also retrain the median of the search's random architectures (evolution's initial population, or random's trials) the same way as the winner and report its test accuracy",
};

var root = new RootCommand("Search DigitsNet's architectures with regularized evolution and real training.")
{
    dataset, dataDir, trials, epochs, finalEpochs, searchExamples, seed, output, fresh, strategy, device, fitness, keepWeights, baseline, concurrency,
};
root.SetAction((parse, cancellationToken) => SearchAsync(
    parse.GetValue(dataset)!, parse.GetValue(dataDir)!, parse.GetValue(trials), parse.GetValue(epochs), parse.GetValue(finalEpochs),
    parse.GetValue(searchExamples), parse.GetValue(seed), parse.GetValue(output), parse.GetValue(fresh),
    new SearchChoices(parse.GetValue(strategy)!, parse.GetValue(device), parse.GetValue(fitness) == "last-epoch" ? TrainingFitness.LastEpoch : TrainingFitness.BestEpoch,
        parse.GetValue(keepWeights), parse.GetValue(baseline), parse.GetValue(concurrency)),
    cancellationToken));

// Exit codes (docs/experiments.md has the table): every failure is one line on stderr, never a stack trace.
const int NoTrialFinished = 1, BadInput = 2, StoreRefused = 3, OutputFailed = 4, Interrupted = 130, InternalError = 70;
var parsed = root.Parse(args);
if (parsed.Errors.Count > 0)
{
    // Every parse error, on one line (System.CommandLine would add the whole help text).
    Console.Error.WriteLine($"error: {OneLine(string.Join("; ", parsed.Errors.Select(e => e.Message).Distinct()))} (see --help)");
    return BadInput;
}
try
{
    // Ctrl-C cancels the token; give the search time to stop cleanly (its running trial returns to the store's queue)
    // instead of System.CommandLine's default of ending the process two seconds later.
    return await parsed.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromMinutes(1), EnableDefaultExceptionHandler = false });
}
catch (Exception e) when (e is IOException or UnauthorizedAccessException)
{
    Console.Error.WriteLine($"error: cannot write the results: {OneLine(e.Message)}");
    return OutputFailed;
}
catch (Exception e)
{
    Console.Error.WriteLine($"error: internal error, please report it: {e.GetType().Name}: {OneLine(e.Message)}");
    return InternalError;
}

static async Task<int> SearchAsync(string datasetName, string dataDir, int maxTrials, int? epochs, int? finalEpochs,
    int? searchExamples, int seed, string? output, bool fresh, SearchChoices choices, CancellationToken cancellationToken)
{
    var recipe = DatasetRecipe.For(datasetName);
    string outDir = output ?? Path.Combine("runs", datasetName);
    // Every argument is checked before any data is read or libtorch is loaded.
    if ((ArgumentError(maxTrials, epochs, finalEpochs, searchExamples, choices.Concurrency) ?? OutputFolderError(outDir)) is { } argumentError)
    {
        Console.Error.WriteLine($"error: {argumentError}");
        return BadInput;
    }
    string storePath = Path.Combine(outDir, "experiment.db");
    if (!choices.TryResolveDevice(out var trainingDevice, out string? deviceError))
    {
        Console.Error.WriteLine($"error: {deviceError}");
        return BadInput;
    }

    DataSplit split;
    try
    {
        split = LoadData(datasetName, dataDir, seed);
    }
    catch (DatasetException e)
    {
        Console.Error.WriteLine($"error: {OneLine(e.Message)}");
        return BadInput;
    }
    using var _ = split;

    var searchTrain = (searchExamples ?? recipe.SearchExamples) is int n && n < split.Train.Count ? split.Train.Sample(n, seed) : null;
    var (concurrentTrials, threadsPerTrial) = choices.Parallelism(trainingDevice ?? (TorchSharp.torch.cuda.is_available() ? TorchSharp.torch.CUDA : TorchSharp.torch.CPU));
    // Every trial trains with its own architecture's learning rate (a searched [Range]); TrainerOptions.LearningRate is unused.
    var trainer = MainJobTraining.CreateTrainer(recipe.Downsample,
        searchTrain is null ? split.Train : new ClassificationData(searchTrain.Features, searchTrain.Labels, split.Train.Classes),
        split.Validation,
        new TrainerOptions
        {
            Epochs = epochs ?? recipe.Epochs, BatchSize = recipe.BatchSize, Device = trainingDevice, Fitness = choices.Fitness,
            CpuThreads = threadsPerTrial,
            KeepWeights = choices.KeepWeights > 0 ? new KeepBestWeights(Path.Combine(outDir, "weights"), choices.KeepWeights) : null,
        });

    var space = DigitsNet.Space;
    Console.WriteLine($"Searching {space.Name} ({MainJobTraining.Describe(space)}) on {datasetName}: " +
        $"{split.Train.Count} training / {split.Validation.Count} validation / {split.Test.Count} test images, " +
        $"{maxTrials} trials of {trainer.Options.Epochs} epochs ({concurrentTrials} at a time{(threadsPerTrial is int t ? $", {t} thread(s) each" : "")}), " +
        $"strategy {choices.Strategy}, fitness {choices.Fitness}, on {trainer.Options.ResolveDevice()}. Store: {storePath}");

    var objectives = new[] { new Objective(Objective.Fitness, ObjectiveDirection.Maximize), new Objective("params", ObjectiveDirection.Minimize) };
    var options = new ExperimentOptions<DigitsNet.Architecture>
    {
        Name = choices.ExperimentName(datasetName),
        Seed = seed,
        MaxTrials = maxTrials,
        Concurrency = concurrentTrials,
        Objectives = objectives,
        TrialTimeout = recipe.TrialTimeout,
        // What a trial's accuracy depends on besides the seed: a resume with other values is refused.
        EvaluationSettings = new Dictionary<string, string>
        {
            ["--epochs"] = trainer.Options.Epochs.ToString(CultureInfo.InvariantCulture),
            ["--search-examples"] = (searchTrain?.Count ?? split.Train.Count).ToString(CultureInfo.InvariantCulture),
            ["batch size"] = trainer.Options.BatchSize.ToString(CultureInfo.InvariantCulture),
            ["learning rate"] = "searched",
            ["--fitness"] = trainer.Options.Fitness.ToString(),
        },
    };
    // A small population for a small budget: the REA paper's 100 would spend the whole budget on random samples.
    var evolution = new RegularizedEvolutionOptions { PopulationSize = 8, SampleSize = 3 };

    ExperimentResult<DigitsNet.Architecture> result;
    try
    {
        // Only now that the data loaded: a bad --data with --fresh must not cost the stored trials.
        if (fresh)
        {
            SqliteExperimentStore.Delete(storePath); // refused while another run writes to it
            foreach (string file in FinalModel.Files(outDir)) File.Delete(file);
        }
        await using var store = SqliteExperimentStore.Open(storePath);
        result = await ConsoleProgress.RunAsync(observer =>
            new Experiment<DigitsNet.Architecture>(space, s => choices.CreateStrategy(space, evolution, s),
                trainer, store, options with { Observer = observer }).RunAsync(cancellationToken));
    }
    catch (StoreInUseException e)
    {
        Console.Error.WriteLine($"error: {OneLine(e.Message)}"); // never advise --fresh: it would delete the store another run is writing
        return StoreRefused;
    }
    catch (StoreException e)
    {
        Console.Error.WriteLine($"error: {OneLine(e.Message)} Use --fresh to start a new experiment in {outDir}, or --out for another folder.");
        return StoreRefused;
    }
    catch (Exception e) when (e is DbException or JsonException or FormatException or InvalidCastException)
    {
        // A row or table the store's own checks let through: no --fresh advice, the file may be worth repairing.
        Console.Error.WriteLine($"error: {Path.GetFullPath(storePath)} cannot be read as an experiment store ({OneLine(e.Message)}); " +
            "it is damaged or was not written by NasGen. Use --out for another folder.");
        return StoreRefused;
    }

    if (result.StopReason == StopReason.Cancelled)
    {
        Console.WriteLine($"Stopped: {result.Trials.Count(t => t.IsFinished)} finished trials are in {storePath}. Run the same command to resume.");
        return Interrupted;
    }

    var written = ExperimentReport.Write(result, space, outDir, objectives);
    if (result.BestArchitecture is not { } best || result.Best is not { } bestTrial)
    {
        Console.Error.WriteLine($"error: none of the {result.Trials.Count} trials finished, so there is no best architecture; see {Path.Combine(outDir, "summary.md")} for the failures.");
        return NoTrialFinished;
    }
    Console.WriteLine($"Best of {result.Trials.Count} trials (validation accuracy {bestTrial.Fitness:P2}): {best}");
    Console.WriteLine($"Its training recipe: learning rate {best.LearningRate.ToString("G4", CultureInfo.InvariantCulture)}, " +
        $"dropout {best.Dropout.ToString("G4", CultureInfo.InvariantCulture)}.");
    if (MedianTrial(result.Trials.Where(t => t.Fitness is not null)) is { } median)
        Console.WriteLine($"Median trial: validation accuracy {median.Fitness:P2} ({(bestTrial.Fitness - median.Fitness) * 100:F2} points below the best).");

    // The winner as C# source: a plain TorchSharp class (no NasGen) with the same state_dict keys as DigitsNet.
    string sourcePath = Path.Combine(outDir, "BestDigitsNet.cs");
    File.WriteAllText(sourcePath, DigitsNet.EmitSource(best, "BestDigitsNet", "MyApp.Models"));
    written = [.. written, sourcePath];

    // The winner retrains with the learning rate it was searched with. One network alone: every core (thread counts
    // stick to the OS threads that trials ran on).
    var finalOptions = trainer.Options with { Epochs = finalEpochs ?? recipe.FinalEpochs, CpuThreads = threadsPerTrial is null ? null : Environment.ProcessorCount };
    var final = new ClassificationTrainer<DigitsNet.Architecture>(
        architecture => new DigitsNet(architecture, recipe.Downsample), split.Train, split.Validation, finalOptions with { LearningRate = best.LearningRate });
    (FinalRecord Record, bool Reused) outcome;
    try
    {
        outcome = FinalModel.TrainOrReuse(outDir, datasetName, best, bestTrial.Fitness,
            () => new DigitsNet(best, recipe.Downsample), final, split.Test, seed, cancellationToken,
            onRetraining: () => Console.WriteLine($"Retraining the best for {final.Options.Epochs} epochs on all {split.Train.Count} training images ..."));
    }
    catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
    {
        Console.WriteLine($"Stopped during the final retraining: all {result.Trials.Count(t => t.IsFinished)} finished trials are in {storePath}, and " +
            $"{string.Join(", ", written.Select(Path.GetFileName))} in {outDir}; the retrained network and final.json were not written. " +
            "Run the same command to retrain (the search is replayed from the store, not repeated).");
        return Interrupted;
    }
    var (finalRecord, reused) = outcome;
    if (reused) Console.WriteLine($"Reused the retrained weights in {finalRecord.Weights}: final.json describes this winner, recipe and seed.");
    Console.WriteLine($"Test accuracy of the best architecture: {finalRecord.TestAccuracy:P2} on {split.Test.Count} held-out images.");
    if (choices.Baseline)
    {
        // The median of the architectures the strategy drew at random, retrained exactly as the winner was: what the
        // search adds over picking an architecture blindly (reported in the README next to the winner).
        var randomTrials = result.Trials.Where(t => t.Fitness is not null).OrderBy(t => t.Number).Take(choices.RandomTrialCount(evolution));
        if (MedianTrial(randomTrials) is not { } baselineTrial)
        {
            Console.Error.WriteLine("error: --baseline: no random trial finished, so there is no median random architecture.");
            return NoTrialFinished;
        }
        var baselineArchitecture = DigitsNet.Architecture.FromJson(baselineTrial.ArchitectureJson);
        Console.WriteLine($"Retraining the median random architecture (trial {baselineTrial.Number}, validation accuracy {baselineTrial.Fitness:P2}) the same way: {baselineArchitecture} ...");
        TorchSharp.torch.random.manual_seed(seed);
        using var baselineNetwork = new DigitsNet(baselineArchitecture, recipe.Downsample);
        var baselineTrainer = new ClassificationTrainer<DigitsNet.Architecture>(
            architecture => new DigitsNet(architecture, recipe.Downsample), split.Train, split.Validation, finalOptions with { LearningRate = baselineArchitecture.LearningRate });
        double baselineAccuracy = baselineTrainer.TrainAndTest(baselineNetwork, split.Test, seed, cancellationToken).TestAccuracy;
        Console.WriteLine($"Test accuracy of the median random architecture: {baselineAccuracy:P2} " +
            $"({(finalRecord.TestAccuracy - baselineAccuracy) * 100:F2} points below the best architecture's).");
    }
    string finalPath = Path.Combine(outDir, "final.json");
    written = [.. written, Path.Combine(outDir, finalRecord.Weights)];
    Console.WriteLine("Wrote " + string.Join(", ", written.Append(finalPath).Select(Path.GetFileName)) + $" to {outDir}.");
    return 0;
}

// The trial whose fitness is the median (the upper one of an even count), or null when there is none.
static TrialRecord? MedianTrial(IEnumerable<TrialRecord> trials)
{
    var ranked = trials.OrderBy(t => t.Fitness).ThenBy(t => t.Number).ToList();
    return ranked.Count == 0 ? null : ranked[ranked.Count / 2];
}

// The first problem with the numeric arguments, or null.
static string? ArgumentError(int maxTrials, int? epochs, int? finalEpochs, int? searchExamples, int? concurrency) =>
    maxTrials < 1 ? $"--trials must be at least 1, not {maxTrials}."
    : concurrency < 1 ? $"--concurrency must be at least 1, not {concurrency}."
    : epochs < 1 ? $"--epochs must be at least 1, not {epochs}."
    : finalEpochs < 1 ? $"--final-epochs must be at least 1, not {finalEpochs}."
    : searchExamples < 1 ? $"--search-examples must be at least 1, not {searchExamples}."
    : null;

// Null when the output folder exists (or can be made) and takes new files; otherwise why not, naming it.
static string? OutputFolderError(string outDir)
{
    string full = Path.GetFullPath(outDir);
    if (File.Exists(full)) return $"--out '{full}' is a file; give a folder (it is made when missing).";
    try
    {
        Directory.CreateDirectory(full);
        // A probe file: permissions, read-only mounts and full disks all show here, before an hour of training.
        string probe = Path.Combine(full, $".write-test-{Environment.ProcessId}");
        File.WriteAllBytes(probe, []);
        File.Delete(probe);
        return null;
    }
    catch (Exception e) when (e is IOException or UnauthorizedAccessException)
    {
        return $"--out '{full}' cannot be written: {OneLine(e.Message)}";
    }
}

// Messages may carry a line break (inner details); the user gets one line.
static string OneLine(string message) => string.Join(" ", message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

static DataSplit LoadData(string name, string dataDir, int seed)
{
    if (name == "digits")
    {
        using var digits = Datasets.Digits();
        return digits.Split(trainFraction: 0.7, validationFraction: 0.15, seed: seed);
    }
    if (name == "fashion-small")
    {
        // 7,799 training and 2,201 validation images from the embedded training part (at least 2,000, so that one
        // image is worth less than 0.05 points), then the embedded test part's own 2,000 images.
        using var embedded = Datasets.FashionMnistSmall(DatasetPart.Train);
        using var embeddedSplit = embedded.Split(trainFraction: 0.78, validationFraction: 0.22, seed: seed);
        return new DataSplit(Clone(embeddedSplit.Train), Clone(embeddedSplit.Validation), Datasets.FashionMnistSmall(DatasetPart.Test));
    }
    using var train = name == "mnist" ? Datasets.Mnist(dataDir, DatasetPart.Train) : Datasets.FashionMnist(dataDir, DatasetPart.Train);
    // 5,000 of the training images validate the search; the official test set stays untouched until the end.
    const int validationImages = 5000;
    if (train.Count <= validationImages)
        throw new DatasetException($"the {name} training part in '{Path.GetFullPath(dataDir)}' holds {train.Count} images, but the search " +
            $"validates on {validationImages} of them and needs more to train on; it is incomplete. Fetch it again with: eng/fetch-data.sh {name} {dataDir}");
    using var test = name == "mnist" ? Datasets.Mnist(dataDir, DatasetPart.Test) : Datasets.FashionMnist(dataDir, DatasetPart.Test);
    using var trainAndValidation = train.Split(trainFraction: 1 - (double)validationImages / train.Count,
        validationFraction: (double)validationImages / train.Count, seed: seed);
    return new DataSplit(Clone(trainAndValidation.Train), Clone(trainAndValidation.Validation), Clone(test));

    static ClassificationData Clone(ClassificationData data) => new(data.Features.clone(), data.Labels.clone(), data.Classes);
}
