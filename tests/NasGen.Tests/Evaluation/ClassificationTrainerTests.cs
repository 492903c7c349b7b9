using System;
using System.Collections.Generic;
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
    public void Invalid_options_are_rejected_at_construction()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => Trainer(FastOptions with { Epochs = 0 }));
        Assert.Equal("Epochs", error.ParamName);
    }
}
