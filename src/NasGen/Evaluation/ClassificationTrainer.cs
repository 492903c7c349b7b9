using System.Diagnostics;
using NasGen.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace NasGen.Evaluation;

/// <summary>
/// Evaluates an architecture by training its network on a classification set and measuring the
/// validation accuracy. Fitness is the <b>best</b> validation accuracy over the epochs by default (so early
/// stopping and pruning never make a trial worse than it was), or the last epoch's with
/// <see cref="TrainerOptions.Fitness"/> = <see cref="TrainingFitness.LastEpoch"/>; the metrics carry both.
/// </summary>
/// <remarks>
/// Reproducible: each trial calls <c>torch.manual_seed(context.Seed)</c> before building the network
/// and shuffles batches with a seed derived from it, so the same seed gives the same fitness on the
/// same device. Training runs on the calling thread; the returned task is already complete.
/// </remarks>
/// <typeparam name="TArchitecture">The architecture type of the search space.</typeparam>
public sealed class ClassificationTrainer<TArchitecture> : IEvaluator<TArchitecture>
    where TArchitecture : struct, IEquatable<TArchitecture>
{
    private readonly Func<TArchitecture, nn.Module<Tensor, Tensor>> _modelFactory;
    private readonly ClassificationData _train;
    private readonly ClassificationData _validation;
    private readonly Func<TArchitecture, double>? _learningRate;

    /// <summary>Creates a trainer.</summary>
    /// <param name="modelFactory">Builds a fresh, untrained network for an architecture; the trainer disposes it.</param>
    /// <param name="train">Data the weights are trained on.</param>
    /// <param name="validation">Data the fitness is measured on.</param>
    /// <param name="options">How to train; defaults to <see cref="TrainerOptions"/>'s defaults.</param>
    /// <param name="learningRate">
    /// The initial learning rate of an architecture, in place of <see cref="TrainerOptions.LearningRate"/>: searches the
    /// training recipe with the network, typically <c>a =&gt; a.LearningRate</c> for a <c>[Range(..., Log = true)]</c>
    /// property of the space. The schedule applies to it as to the fixed one; a value that is not positive and finite
    /// fails the trial. Null: every architecture trains with <see cref="TrainerOptions.LearningRate"/>.
    /// </param>
    public ClassificationTrainer(
        Func<TArchitecture, nn.Module<Tensor, Tensor>> modelFactory,
        ClassificationData train,
        ClassificationData validation,
        TrainerOptions? options = null,
        Func<TArchitecture, double>? learningRate = null)
    {
        _modelFactory = modelFactory ?? throw new ArgumentNullException(nameof(modelFactory));
        _learningRate = learningRate;
        _train = train ?? throw new ArgumentNullException(nameof(train));
        _validation = validation ?? throw new ArgumentNullException(nameof(validation));
        Options = options ?? new TrainerOptions();
        Options.Validate();
        if (train.Count == 0) throw new ArgumentException("The training set is empty.", nameof(train));
        if (validation.Count == 0) throw new ArgumentException("The validation set is empty.", nameof(validation));
    }

    /// <summary>How each architecture is trained.</summary>
    public TrainerOptions Options { get; }

    /// <inheritdoc />
    /// <remarks>
    /// Metrics: <c>val_acc</c> (best), <c>final_val_acc</c>, <c>val_loss</c> and <c>train_loss</c> (last epoch),
    /// <c>params</c>, <c>epochs</c> (run), <c>best_epoch</c>, <c>seconds</c>, <c>stopped_early</c> (1 when training
    /// ended before its planned epochs), <c>learning_rate</c> (the initial one the trial trained with). Throws <see cref="TrainingDivergedException"/> on a NaN or infinite loss.
    /// </remarks>
    public Task<EvaluationResult> EvaluateAsync(TArchitecture architecture, EvaluationContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        try
        {
            TrainingReport report = TrainArchitecture(architecture, context.Seed, context.Fidelity, context.ReportIntermediate, cancellationToken,
                (model, trained) =>
                {
                    if (Options.KeepWeights is { } keep && context.TrialNumber is int trial)
                        keep.Offer(trial, FitnessOf(trained), model);
                });
            var metrics = new Dictionary<string, double>
            {
                ["val_acc"] = report.BestValidationAccuracy,
                ["final_val_acc"] = report.Final.ValidationAccuracy,
                ["val_loss"] = report.Final.ValidationLoss,
                ["train_loss"] = report.Final.TrainLoss,
                ["params"] = report.Parameters,
                ["epochs"] = report.History.Count,
                ["best_epoch"] = report.BestEpoch,
                ["seconds"] = report.Seconds,
                ["stopped_early"] = report.Stop == TrainingStop.Completed ? 0 : 1,
                ["learning_rate"] = LearningRateOf(architecture),
            };
            return Task.FromResult(new EvaluationResult(FitnessOf(report), metrics));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<EvaluationResult>(cancellationToken);
        }
        catch (Exception e)
        {
            return Task.FromException<EvaluationResult>(e);
        }
    }

    /// <summary>
    /// Builds the network for <paramref name="architecture"/> (seeded), trains it at full fidelity and
    /// scores it once on <paramref name="test"/>: the "retrain the best and report test accuracy" step.
    /// </summary>
    public TestReport TrainAndTest(TArchitecture architecture, ClassificationData test, int seed, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(test);
        ClassificationScore score = default;
        TrainingReport report = TrainArchitecture(architecture, seed, 1.0, null, cancellationToken,
            (model, _) => score = Score(model, test, Options.EvaluationBatchSize));
        return new TestReport(report, score.Accuracy, score.Loss);
    }

    /// <summary>
    /// Trains <paramref name="model"/> (moved to the trainer's device) on the training set and scores it
    /// once on <paramref name="test"/>. The caller owns the model and should have seeded its initialisation.
    /// </summary>
    public TestReport TrainAndTest(nn.Module<Tensor, Tensor> model, ClassificationData test, int seed, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(test);
        TrainingReport report = Train(model, seed, 1.0, null, cancellationToken);
        ClassificationScore score = Score(model, test, Options.EvaluationBatchSize);
        return new TestReport(report, score.Accuracy, score.Loss);
    }

    /// <summary>
    /// Trains <paramref name="model"/> in place (moved to the trainer's device) and validates it after each epoch.
    /// </summary>
    /// <param name="model">The network; the caller owns it.</param>
    /// <param name="seed">Seed of the batch order and of random layers (dropout).</param>
    /// <param name="fidelity">Share of <see cref="TrainerOptions.Epochs"/> to train (at least one epoch).</param>
    /// <param name="reportIntermediate">Told <c>(epoch, validation accuracy)</c> after each epoch; returning false stops training.</param>
    /// <param name="cancellationToken">Checked before every step.</param>
    /// <exception cref="TrainingDivergedException">The loss became NaN or infinite.</exception>
    public TrainingReport Train(
        nn.Module<Tensor, Tensor> model,
        int seed,
        double fidelity = 1.0,
        Func<int, double, bool>? reportIntermediate = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (!(fidelity > 0)) throw new ArgumentOutOfRangeException(nameof(fidelity), fidelity, "The fidelity must be positive.");
        return Train(model, seed, fidelity, reportIntermediate, Options.LearningRate, cancellationToken);
    }

    private TrainingReport Train(
        nn.Module<Tensor, Tensor> model, int seed, double fidelity, Func<int, double, bool>? reportIntermediate, double initialLearningRate,
        CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        Device device = Options.ResolveDevice();
        // OpenMP thread counts are per OS thread: set it on the thread that trains.
        if (device.type == DeviceType.CPU && Options.CpuThreads is int threads) torch.set_num_threads(threads);
        model.to(device);
        // oneDNN's wrong input gradients (ConvolutionGuard): CPU only, where oneDNN runs.
        using IDisposable? guard = device.type == DeviceType.CPU ? ConvolutionGuard.Attach(model) : null;
        lock (TrialRandomness.GlobalGenerator) torch.random.manual_seed(seed);
        // Dropout masks from the trial's own generator: the global one is shared by trials trained at the same time.
        using var dropoutGenerator = new Generator(unchecked((ulong)seed), device);
        using IDisposable ownDropout = TrialRandomness.OwnDropout(model, dropoutGenerator);
        int epochs = Math.Max(1, (int)Math.Round(Options.Epochs * fidelity));
        long stepsPerEpoch = (_train.Count + Options.BatchSize - 1) / Options.BatchSize;
        long totalSteps = epochs * stepsPerEpoch;

        using optim.Optimizer optimizer = CreateOptimizer(model, initialLearningRate);
        var history = new List<EpochRecord>(epochs);
        double bestAccuracy = double.NegativeInfinity;
        int bestEpoch = 0;
        TrainingStop stop = TrainingStop.Completed;
        long globalStep = 0;
        for (int epoch = 1; epoch <= epochs; epoch++)
        {
            model.train();
            double lossSum = 0;
            long examples = 0;
            int step = 0;
            // A distinct, reproducible order per epoch (no HashCode: it is randomised per process).
            int orderSeed = unchecked(seed * 1_000_003 + epoch);
            foreach (MiniBatch batch in _train.Batches(Options.BatchSize, orderSeed, device))
            {
                cancellationToken.ThrowIfCancellationRequested();
                step++;
                double learningRate = LearningRateAt(initialLearningRate, globalStep++, totalSteps);
                SetLearningRate(optimizer, learningRate);
                using var scope = NewDisposeScope();
                optimizer.zero_grad();
                Tensor loss = nn.functional.cross_entropy(model.call(batch.Features), batch.Labels);
                double lossValue = loss.item<float>();
                if (!double.IsFinite(lossValue))
                {
                    throw new TrainingDivergedException(lossValue, epoch, step, learningRate);
                }

                loss.backward();
                optimizer.step();
                lossSum += lossValue * batch.Count;
                examples += batch.Count;
            }

            ClassificationScore validation = Score(model, _validation, Options.EvaluationBatchSize);
            history.Add(new EpochRecord(epoch, lossSum / examples, validation.Loss, validation.Accuracy));
            if (validation.Accuracy > bestAccuracy)
            {
                bestAccuracy = validation.Accuracy;
                bestEpoch = epoch;
            }

            bool keepGoing = reportIntermediate?.Invoke(epoch, validation.Accuracy) ?? true;
            if (epoch == epochs) break;
            if (!keepGoing)
            {
                stop = TrainingStop.Pruned;
                break;
            }

            if (Options.EarlyStoppingPatience is int patience && epoch - bestEpoch >= patience)
            {
                stop = TrainingStop.EarlyStopping;
                break;
            }

            if (Options.MaxWallTime is TimeSpan limit && stopwatch.Elapsed >= limit)
            {
                stop = TrainingStop.TimeLimit;
                break;
            }
        }

        return new TrainingReport(bestAccuracy, bestEpoch, Profilers.CountParameters(model), stopwatch.Elapsed.TotalSeconds, stop, history);
    }

    /// <summary>Accuracy and mean cross-entropy of <paramref name="model"/> on <paramref name="data"/>, without gradients.</summary>
    /// <param name="model">The network (put in evaluation mode; left there).</param>
    /// <param name="data">The examples to score.</param>
    /// <param name="batchSize">Examples per forward pass.</param>
    public static ClassificationScore Score(nn.Module<Tensor, Tensor> model, ClassificationData data, int batchSize = 512)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        if (data.Count == 0) throw new ArgumentException("Cannot score on an empty dataset.", nameof(data));
        model.eval();
        Device device = Profilers.DeviceOf(model);
        using var noGrad = no_grad();
        double lossSum = 0;
        long correct = 0;
        foreach (MiniBatch batch in data.Batches(batchSize, shuffleSeed: null, device))
        {
            using var scope = NewDisposeScope();
            Tensor logits = model.call(batch.Features);
            lossSum += nn.functional.cross_entropy(logits, batch.Labels, reduction: nn.Reduction.Sum).item<float>();
            correct += logits.argmax(1).eq(batch.Labels).sum().item<long>();
        }

        return new ClassificationScore((double)correct / data.Count, lossSum / data.Count);
    }

    private TrainingReport TrainArchitecture(
        TArchitecture architecture,
        int seed,
        double fidelity,
        Func<int, double, bool>? reportIntermediate,
        CancellationToken cancellationToken,
        Action<nn.Module<Tensor, Tensor>, TrainingReport> afterTraining)
    {
        // Seed before construction so weight initialisation is reproducible too; one trial at a time, since trials
        // running at once (ExperimentOptions.Concurrency) share libtorch's global generator.
        nn.Module<Tensor, Tensor>? built;
        lock (TrialRandomness.GlobalGenerator)
        {
            torch.random.manual_seed(seed);
            built = _modelFactory(architecture);
        }
        using nn.Module<Tensor, Tensor> model = built
            ?? throw new InvalidOperationException($"The model factory returned null for architecture {architecture}.");
        TrainingReport report = Train(model, seed, fidelity, reportIntermediate, LearningRateOf(architecture), cancellationToken);
        afterTraining(model, report);
        return report;
    }

    private double FitnessOf(TrainingReport report) =>
        Options.Fitness == TrainingFitness.LastEpoch ? report.Final.ValidationAccuracy : report.BestValidationAccuracy;

    // The architecture's own learning rate when the trainer was given one, checked here so a bad one fails only its trial.
    private double LearningRateOf(TArchitecture architecture)
    {
        if (_learningRate is null) return Options.LearningRate;
        double learningRate = _learningRate(architecture);
        return learningRate > 0 && double.IsFinite(learningRate) ? learningRate
            : throw new ArgumentOutOfRangeException(nameof(architecture), learningRate,
                $"The learning rate of architecture {architecture} must be positive and finite.");
    }

    private optim.Optimizer CreateOptimizer(nn.Module<Tensor, Tensor> model, double learningRate) => Options.Optimizer switch
    {
        OptimizerKind.SgdMomentum => optim.SGD(model.parameters(), learningRate, momentum: Options.Momentum, weight_decay: Options.WeightDecay),
        OptimizerKind.Adam => optim.Adam(model.parameters(), learningRate, weight_decay: Options.WeightDecay),
        OptimizerKind.AdamW => optim.AdamW(model.parameters(), learningRate, weight_decay: Options.WeightDecay),
        _ => throw new ArgumentOutOfRangeException(nameof(Options.Optimizer), Options.Optimizer, "Unknown optimizer."),
    };

    private double LearningRateAt(double initial, long step, long totalSteps) => Options.Schedule switch
    {
        LearningRateSchedule.Cosine => initial * 0.5 * (1 + Math.Cos(Math.PI * step / totalSteps)),
        _ => initial,
    };

    private static void SetLearningRate(optim.Optimizer optimizer, double learningRate)
    {
        foreach (var group in optimizer.ParamGroups)
        {
            group.LearningRate = learningRate;
        }
    }
}
