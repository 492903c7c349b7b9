using System;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using NasGen.Data;
using NasGen.DigitsSearch;
using NasGen.Evaluation;
using NasGen.Experiments;
using NasGen.Storage;

namespace NasGen.IntegrationTests;

/// <summary>
/// The main job searches its training recipe with the network: its trainer (MainJobTraining, the wiring Program.cs
/// uses) trains each trial with the trial's own learning rate, recorded with the trial, and a seeded run repeats.
/// Real training on the embedded digits, a few one-epoch trials in SQLite stores.
/// </summary>
public sealed class MainJobRecipeSearchTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "nasgen-recipe-search-" + Guid.NewGuid().ToString("N"));

    public MainJobRecipeSearchTests() => Directory.CreateDirectory(_folder);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void The_space_is_infinite_and_the_job_describes_its_finite_part_and_ranges()
    {
        Assert.False(DigitsNet.Space.IsFinite);
        Assert.Equal("54 combinations of its choices before the constraint, with dropout ∈ [0, 0.5], learningRate ∈ [0.01, 0.2] log",
            MainJobTraining.Describe(DigitsNet.Space));
    }

    [Fact]
    public async Task Each_trial_trains_with_its_own_learning_rate_and_the_same_seed_gives_the_same_search()
    {
        var first = await SearchAsync("a.db");
        var completed = first.Trials.Where(t => t.Status == TrialStatus.Completed).ToList();
        Assert.Equal(4, completed.Count);
        foreach (var trial in completed)
        {
            var architecture = DigitsNet.Architecture.FromJson(trial.ArchitectureJson);
            Assert.InRange(architecture.LearningRate, 0.01, 0.2);
            Assert.InRange(architecture.Dropout, 0.0, 0.5);
            // The rate the trainer used is the architecture's, bit for bit, not TrainerOptions.LearningRate.
            Assert.Equal(architecture.LearningRate, trial.Metrics["learning_rate"]);
        }
        Assert.Equal(4, completed.Select(t => t.Metrics["learning_rate"]).Distinct().Count());
        Assert.DoesNotContain(new TrainerOptions().LearningRate, completed.Select(t => t.Metrics["learning_rate"]));

        // Read back from the file: the rate is recorded with each trial.
        await using (var reader = await ExperimentStores.OpenReadOnlyAsync(Path.Combine(_folder, "a.db")))
        {
            var stored = await reader.GetTrialsAsync(first.Experiment.Id);
            Assert.Equal(completed.Select(t => t.Metrics["learning_rate"]), stored.Where(t => t.Status == TrialStatus.Completed).Select(t => t.Metrics["learning_rate"]));
        }

        var again = await SearchAsync("b.db");
        Assert.Equal(first.Trials.Select(t => (t.Canonical, t.Fitness, t.Seed)), again.Trials.Select(t => (t.Canonical, t.Fitness, t.Seed)));
    }

    [Fact]
    public void The_learning_rate_changes_what_training_learns()
    {
        // Same network, seed and data, two rates: the trainer must really use the architecture's rate.
        using var digits = Datasets.Digits();
        using var split = digits.Split(trainFraction: 0.7, validationFraction: 0.15, seed: 1);
        var trainer = MainJobTraining.CreateTrainer(false, split.Train, split.Validation, new TrainerOptions { Epochs = 1, BatchSize = 32 });
        var architecture = DigitsNet.Space.Sample(new Random(3));
        var slow = trainer.TrainAndTest(architecture with { LearningRate = 0.01 }, split.Test, seed: 1);
        var fast = trainer.TrainAndTest(architecture with { LearningRate = 0.2 }, split.Test, seed: 1);
        var slowAgain = trainer.TrainAndTest(architecture with { LearningRate = 0.01 }, split.Test, seed: 1);
        Assert.NotEqual(slow.Training.Final.TrainLoss, fast.Training.Final.TrainLoss);
        Assert.Equal(slow.Training.Final.TrainLoss, slowAgain.Training.Final.TrainLoss);
    }

    private async Task<ExperimentResult<DigitsNet.Architecture>> SearchAsync(string store)
    {
        using var digits = Datasets.Digits();
        using var split = digits.Split(trainFraction: 0.7, validationFraction: 0.15, seed: 1);
        var trainer = MainJobTraining.CreateTrainer(false, split.Train, split.Validation, new TrainerOptions { Epochs = 1, BatchSize = 32 });
        return await DigitsNet.Space.SearchAsync(trainer, strategy: "evolution", trials: 4, store: Path.Combine(_folder, store), seed: 1);
    }
}
