using System;
using System.IO;
using System.Text.Json;
using System.Threading;
using NasGen.Data;
using NasGen.Evaluation;
using TorchSharp;
using static TorchSharp.torch;

namespace NasGen.DigitsSearch;

/// <summary>What the main job wrote about its retrained winner (<c>final.json</c>).</summary>
internal sealed record FinalRecord(
    string Dataset, string Architecture, double? ValidationAccuracy, double TestAccuracy, long TestExamples, int Epochs, int Seed, string Weights);

/// <summary>
/// The last step of the main job: retrain the winner on the whole training split, score it once on the test split and
/// save its weights (TorchSharp's format) next to the exported class, which loads them with <c>load(path, strict: true)</c>.
/// A finished run that already did this for the same winner, recipe and seed reuses the saved weights instead.
/// </summary>
internal static class FinalModel
{
    private const string RecordName = "final.json";
    private const string WeightsName = "BestDigitsNet.weights";

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public static (FinalRecord Record, bool Reused) TrainOrReuse(
        string outDir, string datasetName, DigitsNet.Architecture best, double? validationAccuracy,
        Func<nn.Module<Tensor, Tensor>> createNetwork, ClassificationTrainer<DigitsNet.Architecture> trainer,
        ClassificationData test, int seed, CancellationToken cancellationToken)
    {
        string recordPath = Path.Combine(outDir, RecordName);
        string weightsPath = Path.Combine(outDir, WeightsName);
        var expected = new FinalRecord(datasetName, best.ToString(), validationAccuracy, 0, test.Count, trainer.Options.Epochs, seed, WeightsName);

        if (ReadRecord(recordPath) is { } previous && File.Exists(weightsPath)
            && previous with { TestAccuracy = 0, ValidationAccuracy = validationAccuracy } == expected)
        {
            using var saved = createNetwork();
            saved.load(weightsPath, strict: true);
            saved.to(trainer.Options.ResolveDevice());
            double accuracy = ClassificationTrainer<DigitsNet.Architecture>.Score(saved, test, trainer.Options.EvaluationBatchSize).Accuracy;
            return (previous with { TestAccuracy = accuracy }, Reused: true);
        }

        // Seeded before construction, as the search's trials are, so the retrained weights are reproducible.
        random.manual_seed(seed);
        using var network = createNetwork();
        TestReport report = trainer.TrainAndTest(network, test, seed, cancellationToken);
        // Written to a new file then moved, so an interrupted save never leaves weights that final.json does not describe.
        string partial = weightsPath + ".partial";
        network.save(partial);
        File.Move(partial, weightsPath, overwrite: true);
        var record = expected with { TestAccuracy = report.TestAccuracy };
        File.WriteAllText(recordPath, JsonSerializer.Serialize(record, Json));
        return (record, Reused: false);
    }

    /// <summary>The files of this step that exist in <paramref name="outDir"/> (deleted by <c>--fresh</c>).</summary>
    public static string[] Files(string outDir) =>
        Array.FindAll(new[] { Path.Combine(outDir, RecordName), Path.Combine(outDir, WeightsName) }, File.Exists);

    private static FinalRecord? ReadRecord(string path)
    {
        try
        {
            return File.Exists(path) ? JsonSerializer.Deserialize<FinalRecord>(File.ReadAllText(path), Json) : null;
        }
        catch (JsonException)
        {
            return null;   // an older or damaged final.json: retrain and write a new one
        }
    }
}
