using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using NasGen.Data;
using NasGen.Evaluation;
using static TorchSharp.torch;

namespace NasGen.Tests.Evaluation;

public sealed class ClassificationTrainerTests : IDisposable
{
    private readonly ClassificationData _digits = Datasets.Digits();
    private readonly DataSplit _split;

    public ClassificationTrainerTests() => _split = _digits.Split(0.5, 0.25, seed: 2);

    public void Dispose()
    {
        _split.Dispose();
        _digits.Dispose();
    }

    private static readonly TrainerOptions FastOptions = new()
    {
        Epochs = 3, BatchSize = 64, Optimizer = OptimizerKind.SgdMomentum, LearningRate = 0.05, Device = CPU,
    };

    private ClassificationTrainer<WidthArchitecture> Trainer(TrainerOptions? options = null) =>
        new(TestNetworks.Create, _split.Train, _split.Validation, options ?? FastOptions);

    [Fact]
    public async Task Same_seed_gives_identical_fitness_and_metrics()
    {
        var trainer = Trainer();

        EvaluationResult first = await trainer.EvaluateAsync(new WidthArchitecture(4), new EvaluationContext { Seed = 9 }, CancellationToken.None);
        EvaluationResult again = await trainer.EvaluateAsync(new WidthArchitecture(4), new EvaluationContext { Seed = 9 }, CancellationToken.None);
        EvaluationResult other = await trainer.EvaluateAsync(new WidthArchitecture(4), new EvaluationContext { Seed = 10 }, CancellationToken.None);

        Assert.Equal(first.Fitness, again.Fitness);
        Assert.Equal(first.Metrics["train_loss"], again.Metrics["train_loss"]);
        Assert.NotEqual(first.Metrics["train_loss"], other.Metrics["train_loss"]);
        Assert.Equal(first.Metrics["val_acc"], first.Fitness);
        Assert.Equal(3, first.Metrics["epochs"]);
        Assert.Equal(4 * 9 + 4 + 4 * 16 * 10 + 10, first.Metrics["params"]);
        foreach (string key in new[] { "val_loss", "final_val_acc", "seconds", "best_epoch", "stopped_early" })
        {
            Assert.True(first.Metrics.ContainsKey(key), key);
        }
    }

    [Fact]
    public async Task Trials_trained_at_the_same_time_match_the_same_trials_trained_alone()
    {
        // Dropout and weight initialisation draw random numbers: trials at once (ExperimentOptions.Concurrency) share
        // libtorch's global generator, so without their own each would get the other's draws.
        var trainer = new ClassificationTrainer<WidthArchitecture>(
            architecture => nn.Sequential(nn.Flatten(), nn.Linear(64, architecture.Width), nn.ReLU(), nn.Dropout(0.5), nn.Linear(architecture.Width, 10)),
            _split.Train, _split.Validation, FastOptions with { CpuThreads = 1 });
        var architectures = new[] { new WidthArchitecture(24), new WidthArchitecture(32) };
        Task<EvaluationResult> Evaluate(int i) => trainer.EvaluateAsync(architectures[i], new EvaluationContext { Seed = 30 + i }, CancellationToken.None);

        var alone = new List<EvaluationResult>();
        for (int i = 0; i < architectures.Length; i++) alone.Add(await Evaluate(i));
        EvaluationResult[] together = await Task.WhenAll(Enumerable.Range(0, architectures.Length).Select(i => Task.Run(() => Evaluate(i))));

        for (int i = 0; i < architectures.Length; i++)
        {
            Assert.Equal(alone[i].Metrics["train_loss"], together[i].Metrics["train_loss"]);
            Assert.Equal(alone[i].Fitness, together[i].Fitness);
        }
    }

    [Fact]
    public async Task A_trial_leaves_no_live_tensor_behind()
    {
        static long Live() => TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        var trainer = Trainer(FastOptions with { Epochs = 2 });
        await trainer.EvaluateAsync(new WidthArchitecture(2), new EvaluationContext { Seed = 1 }, CancellationToken.None); // warm-up
        // TorchSharp's own Conv2d construction leaves a tensor alive; only what the trial adds beyond that counts.
        long beforeModel = Live();
        TestNetworks.SmallConvNet(4).Dispose();
        long constructionLeftovers = Live() - beforeModel;
        long before = Live();

        await trainer.EvaluateAsync(new WidthArchitecture(4), new EvaluationContext { Seed = 1 }, CancellationToken.None);

        Assert.Equal(before + constructionLeftovers, Live());
    }

    [Fact]
    public async Task Nan_loss_fails_the_trial_with_a_clear_exception()
    {
        var trainer = new ClassificationTrainer<WidthArchitecture>(_ => new NanLogitsNet(), _split.Train, _split.Validation, FastOptions);

        var error = await Assert.ThrowsAsync<TrainingDivergedException>(
            () => trainer.EvaluateAsync(new WidthArchitecture(1), new EvaluationContext { Seed = 1 }, CancellationToken.None));

        Assert.Equal(1, error.Epoch);
        Assert.Equal(1, error.Step);
        Assert.Contains("NaN", error.Message);
        Assert.Contains("learning rate", error.Message);
    }

    [Fact]
    public async Task Intermediate_report_returning_false_stops_training()
    {
        var reports = new List<(int Epoch, double Accuracy)>();
        var context = new EvaluationContext
        {
            Seed = 4,
            ReportIntermediate = (epoch, accuracy) =>
            {
                reports.Add((epoch, accuracy));
                return epoch < 2;
            },
        };

        EvaluationResult result = await Trainer(FastOptions with { Epochs = 5 }).EvaluateAsync(new WidthArchitecture(4), context, CancellationToken.None);

        Assert.Equal(new[] { 1, 2 }, reports.ConvertAll(r => r.Epoch));
        Assert.Equal(2, result.Metrics["epochs"]);
        Assert.Equal(1, result.Metrics["stopped_early"]);
        Assert.Equal(Math.Max(reports[0].Accuracy, reports[1].Accuracy), result.Fitness);
    }

    [Fact]
    public void Early_stopping_ends_training_when_validation_accuracy_stops_improving()
    {
        // A learning rate this small leaves the weights, and so the accuracy, as they were after epoch 1.
        var trainer = Trainer(FastOptions with { Epochs = 6, LearningRate = 1e-12, Schedule = LearningRateSchedule.Constant, EarlyStoppingPatience = 2 });
        using var model = TestNetworks.SmallConvNet(4);

        TrainingReport report = trainer.Train(model, seed: 1);

        Assert.Equal(TrainingStop.EarlyStopping, report.Stop);
        Assert.Equal(3, report.History.Count);
        Assert.Equal(1, report.BestEpoch);
    }

    [Fact]
    public void Max_wall_time_stops_after_the_current_epoch()
    {
        var trainer = Trainer(FastOptions with { Epochs = 5, MaxWallTime = TimeSpan.Zero });
        using var model = TestNetworks.SmallConvNet(2);

        TrainingReport report = trainer.Train(model, seed: 1);

        Assert.Equal(TrainingStop.TimeLimit, report.Stop);
        Assert.Single(report.History);
    }

    [Fact]
    public async Task Fidelity_scales_the_epochs_to_at_least_one()
    {
        var trainer = Trainer(FastOptions with { Epochs = 4 });

        EvaluationResult half = await trainer.EvaluateAsync(new WidthArchitecture(2), new EvaluationContext { Seed = 1, Fidelity = 0.5 }, CancellationToken.None);
        EvaluationResult tiny = await trainer.EvaluateAsync(new WidthArchitecture(2), new EvaluationContext { Seed = 1, Fidelity = 0.01 }, CancellationToken.None);

        Assert.Equal(2, half.Metrics["epochs"]);
        Assert.Equal(1, tiny.Metrics["epochs"]);
    }

    [Fact]
    public async Task Cancellation_cancels_the_task()
    {
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => Trainer().EvaluateAsync(new WidthArchitecture(2), new EvaluationContext { Seed = 1 }, cancelled.Token));
    }

    [Fact]
    public async Task Fitness_is_the_best_epochs_accuracy_by_default_and_the_last_epochs_when_chosen()
    {
        // A constant, large learning rate makes validation accuracy move between epochs, so best and last differ for some seed.
        var options = FastOptions with { Epochs = 4, Schedule = LearningRateSchedule.Constant, LearningRate = 0.3 };
        bool sawDifference = false;
        for (int seed = 1; seed <= 8 && !sawDifference; seed++)
        {
            var context = new EvaluationContext { Seed = seed };
            EvaluationResult best = await Trainer(options).EvaluateAsync(new WidthArchitecture(4), context, CancellationToken.None);
            EvaluationResult last = await Trainer(options with { Fitness = TrainingFitness.LastEpoch }).EvaluateAsync(new WidthArchitecture(4), context, CancellationToken.None);

            Assert.Equal(best.Metrics["val_acc"], best.Fitness);
            Assert.Equal(last.Metrics["final_val_acc"], last.Fitness);
            Assert.Equal(best.Metrics["final_val_acc"], last.Metrics["final_val_acc"]);   // the same training run
            sawDifference = best.Fitness != last.Fitness;
        }

        Assert.True(sawDifference, "no seed gave a last epoch worse than the best one, so the choice was not exercised");
    }

    [Fact]
    public async Task Keeps_the_weights_of_the_best_k_trials_only_and_they_load_strictly()
    {
        using var folder = new NasGen.Tests.Experiments.TempDirectory();
        var keep = new KeepBestWeights(folder.File("weights"), Count: 2);
        var trainer = Trainer(FastOptions with { Epochs = 2, KeepWeights = keep, Fitness = TrainingFitness.LastEpoch });
        var fitness = new Dictionary<int, double>();
        int[] widths = { 1, 8, 2, 6 };
        for (int trial = 1; trial <= widths.Length; trial++)
        {
            var result = await trainer.EvaluateAsync(new WidthArchitecture(widths[trial - 1]), new EvaluationContext { Seed = trial, TrialNumber = trial }, CancellationToken.None);
            fitness[trial] = result.Fitness;
        }

        // Outside an experiment (no trial number) nothing is kept.
        await trainer.EvaluateAsync(new WidthArchitecture(8), new EvaluationContext { Seed = 9 }, CancellationToken.None);

        int[] best = fitness.OrderByDescending(f => f.Value).ThenBy(f => f.Key).Take(2).Select(f => f.Key).ToArray();
        Assert.Equal(best, keep.Kept().Select(k => k.Trial));
        Assert.Equal(best.Select(t => $"trial-{t}.weights").Order(), Directory.GetFiles(keep.Directory, "*.weights").Select(Path.GetFileName).Order());
        foreach (int trial in best)
        {
            using var network = TestNetworks.Create(new WidthArchitecture(widths[trial - 1]));
            network.load(keep.PathOf(trial), strict: true);
            // The kept weights are the trained network: they score exactly the trial's (last-epoch) fitness.
            Assert.Equal(fitness[trial], ClassificationTrainer<WidthArchitecture>.Score(network, _split.Validation).Accuracy);
        }
    }

    [Fact]
    public void Invalid_options_are_rejected_at_construction()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => Trainer(FastOptions with { Epochs = 0 }));
        Assert.Equal("Epochs", error.ParamName);
    }
}
