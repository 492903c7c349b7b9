using System.Diagnostics;
using NasGen.Data;
using NasGen.Strategies;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NasGen.OneShot;

/// <summary>
/// Runs a one-shot search on a supernet: bilevel training on a train/validation split (weights: SGD with momentum,
/// cosine schedule, gradient clipping; architecture: Adam as in DARTS), then the method's derivation.
/// </summary>
/// <remarks>
/// Reproducible: <see cref="Run"/> seeds torch and every batch order from its seed, and the context's generator
/// drives paths and Gumbel noise, so the same supernet (built after the same <c>manual_seed</c>), context seed and
/// run seed give the same result on the same device. Paths are scored with batch statistics (training-mode batch
/// norm, no gradient), as weight-sharing methods share no running statistics across paths.
/// </remarks>
public sealed class OneShotSearch
{
    private readonly nn.Module<Tensor, Tensor> _supernet;
    private readonly SupernetContext _context;
    private readonly ClassificationData _train;
    private readonly ClassificationData _validation;

    /// <summary>Creates a search over <paramref name="supernet"/>, whose mixed modules follow <paramref name="context"/>.</summary>
    public OneShotSearch(nn.Module<Tensor, Tensor> supernet, SupernetContext context, ClassificationData train, ClassificationData validation, OneShotOptions? options = null)
    {
        _supernet = supernet ?? throw new ArgumentNullException(nameof(supernet));
        _context = context ?? throw new ArgumentNullException(nameof(context));
        _train = train ?? throw new ArgumentNullException(nameof(train));
        _validation = validation ?? throw new ArgumentNullException(nameof(validation));
        Options = options ?? new OneShotOptions();
        Options.Validate();
        if (context.Choices.Count == 0) throw new ArgumentException("The context has no registered choice: build the supernet with it first.", nameof(context));
        if (train.Count == 0 || validation.Count == 0) throw new ArgumentException("The training and validation sets must not be empty.");
    }

    /// <summary>How the search trains.</summary>
    public OneShotOptions Options { get; }

    /// <summary>
    /// Trains the supernet with <paramref name="method"/> and derives an architecture. Leaves the context in
    /// <see cref="SupernetMode.Fixed"/> mode on the derived path, with the trained weights in the supernet.
    /// </summary>
    public OneShotResult Run(OneShotMethod method, int seed, IProgress<OneShotProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var stopwatch = Stopwatch.StartNew();
        Device device = Options.ResolveDevice();
        if (device.type == DeviceType.CPU && Options.CpuThreads is int threads) torch.set_num_threads(threads);
        _supernet.to(device);
        // oneDNN's wrong input gradients (ConvolutionGuard): CPU only, where oneDNN runs.
        using IDisposable? guard = device.type == DeviceType.CPU ? ConvolutionGuard.Attach(_supernet) : null;
        torch.random.manual_seed(seed);

        Parameter[] weights = _supernet.parameters().ToArray();
        using var weightOptimizer = optim.SGD(weights, Options.WeightLearningRate, momentum: Options.Momentum, weight_decay: Options.WeightDecay);
        using var architectureOptimizer = optim.Adam(_context.ArchitectureParameters, Options.ArchitectureLearningRate,
            beta1: Options.ArchitectureBeta1, beta2: Options.ArchitectureBeta2, weight_decay: Options.ArchitectureWeightDecay);
        var space = new PathSpace(_context);
        using Reinforce<SupernetPath>? controller = method == OneShotMethod.Enas
            ? new Reinforce<SupernetPath>(space, new ReinforceOptions { LearningRate = Options.ControllerLearningRate }, seed)
            : null;

        _context.Mode = method switch
        {
            OneShotMethod.Gdas => SupernetMode.Gumbel,
            OneShotMethod.Spos => SupernetMode.UniformPath,
            OneShotMethod.Enas => SupernetMode.ControlledPath,
            _ => SupernetMode.Weighted,
        };

        int stepsPerEpoch = (int)((_train.Count + Options.BatchSize - 1) / Options.BatchSize);
        long totalSteps = (long)stepsPerEpoch * Options.Epochs;
        long globalStep = 0;
        var history = new List<OneShotEpoch>(Options.Epochs);
        using var validationBatches = new CyclingBatches(_validation, Options.BatchSize, seed, device);
        for (int epoch = 1; epoch <= Options.Epochs; epoch++)
        {
            double? temperature = null;
            if (method == OneShotMethod.Gdas)
            {
                // Linear annealing from τ_max to τ_min over the epochs (GDAS, §3.3).
                double t = Options.Epochs == 1 ? 1 : (epoch - 1) / (double)(Options.Epochs - 1);
                _context.Temperature = Options.InitialTemperature + (Options.FinalTemperature - Options.InitialTemperature) * t;
                temperature = _context.Temperature;
            }

            _supernet.train();
            double lossSum = 0;
            long examples = 0;
            int step = 0;
            foreach (MiniBatch batch in _train.Batches(Options.BatchSize, unchecked(seed * 1_000_003 + epoch), device))
            {
                cancellationToken.ThrowIfCancellationRequested();
                double learningRate = Options.MinWeightLearningRate
                    + 0.5 * (Options.WeightLearningRate - Options.MinWeightLearningRate) * (1 + Math.Cos(Math.PI * globalStep++ / totalSteps));
                foreach (var group in weightOptimizer.ParamGroups) group.LearningRate = learningRate;

                switch (method)
                {
                    case OneShotMethod.DartsFirstOrder:
                    case OneShotMethod.DartsSecondOrder:
                        ArchitectureStep(architectureOptimizer, weights, batch, validationBatches.Next(), method == OneShotMethod.DartsSecondOrder ? learningRate : 0);
                        break;
                    case OneShotMethod.Spos:
                        _context.SamplePath();
                        break;
                    case OneShotMethod.Enas:
                        _context.SetPath(controller!.Ask()!.Architecture.Codes.ToArray());
                        break;
                    case OneShotMethod.Gdas:
                        _context.Resample();
                        break;
                }

                double loss = WeightStep(weightOptimizer, weights, batch, epoch, step + 1);
                if (method == OneShotMethod.Gdas)
                {
                    _context.Resample();
                    ArchitectureStep(architectureOptimizer, weights, batch, validationBatches.Next(), 0);
                }
                lossSum += loss * batch.Count;
                examples += batch.Count;
                progress?.Report(new OneShotProgress(method, "train", ++step, stepsPerEpoch, epoch, Options.Epochs, loss));
            }

            if (controller is not null)
            {
                for (int s = 0; s < Options.ControllerSteps; s++)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    var suggestion = controller.Ask()!;
                    _context.SetPath(suggestion.Architecture.Codes.ToArray());
                    controller.Tell(suggestion, new TrialOutcome(BatchAccuracy(validationBatches.Next())));
                    progress?.Report(new OneShotProgress(method, "controller", s + 1, Options.ControllerSteps, epoch, Options.Epochs, null));
                }
            }

            int[] current = method switch
            {
                OneShotMethod.Enas => Argmax(controller!.Probabilities()),
                OneShotMethod.Spos => _context.SamplePath(),
                _ => _context.Derive(),
            };
            double[][] probabilities = method switch
            {
                OneShotMethod.Enas => controller!.Probabilities(),
                OneShotMethod.Spos => [],
                _ => _context.Probabilities(),
            };
            history.Add(new OneShotEpoch(epoch, lossSum / examples, ScorePath(current, device), temperature, probabilities));
        }

        int[] path = method switch
        {
            OneShotMethod.Spos => Evolve(space, seed, device, progress, cancellationToken),
            OneShotMethod.Enas => BestOfController(controller!, device),
            _ => _context.Derive(),
        };
        double accuracy = ScorePath(path, device);
        _context.Mode = SupernetMode.Fixed;
        _context.SetPath(path);
        return new OneShotResult(method, seed, path, _context.Describe(path),
            _context.Choices.Select(c => c.Label).ToArray(),
            _context.Choices.Select(c => (IReadOnlyList<string>)c.CandidateNames.ToArray()).ToArray(),
            _context.Choices.Select((c, i) => c.Token(path[i])).ToArray(),
            accuracy, history, stopwatch.Elapsed.TotalSeconds);
    }

    /// <summary>
    /// Accuracy of the supernet on <paramref name="path"/> (weights inherited, <see cref="SupernetMode.Fixed"/>) on the first
    /// <see cref="OneShotOptions.ScoreBatches"/> validation batches in storage order. Restores the mode.
    /// </summary>
    public double ScorePath(IReadOnlyList<int> path, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        device ??= Options.ResolveDevice();
        SupernetMode mode = _context.Mode;
        int[] previous = _context.Path.ToArray();
        _context.Mode = SupernetMode.Fixed;
        _context.SetPath(path.ToArray());
        long correct = 0, total = 0;
        int batches = 0;
        using (no_grad())
        {
            foreach (MiniBatch batch in _validation.Batches(Options.ScoreBatchSize, shuffleSeed: null, device))
            {
                using var scope = NewDisposeScope();
                correct += _supernet.call(batch.Features).argmax(1).eq(batch.Labels).sum().item<long>();
                total += batch.Count;
                if (++batches >= Options.ScoreBatches) break;
            }
        }
        _context.Mode = mode;
        _context.SetPath(previous);
        return (double)correct / total;
    }

    private double WeightStep(optim.Optimizer optimizer, Parameter[] weights, MiniBatch batch, int epoch, int step)
    {
        using var scope = NewDisposeScope();
        optimizer.zero_grad();
        Tensor loss = nn.functional.cross_entropy(_supernet.call(batch.Features), batch.Labels);
        double value = loss.ToDouble();
        if (!double.IsFinite(value)) throw new Evaluation.TrainingDivergedException(value, epoch, step, optimizer.ParamGroups.First().LearningRate);
        loss.backward();
        nn.utils.clip_grad_norm_(weights, Options.GradientClip);
        optimizer.step();
        return value;
    }

    // ξ = 0: the first-order gradient ∇_α L_val(w, α); ξ > 0: the unrolled second-order gradient.
    private void ArchitectureStep(optim.Optimizer optimizer, Parameter[] weights, MiniBatch train, MiniBatch validation, double xi)
    {
        using var scope = NewDisposeScope();
        optimizer.zero_grad();
        var alphas = _context.ArchitectureParameters;
        if (xi > 0)
        {
            Tensor[] gradient = DartsGradients.Unrolled(weights, alphas,
                () => nn.functional.cross_entropy(_supernet.call(train.Features), train.Labels),
                () => nn.functional.cross_entropy(_supernet.call(validation.Features), validation.Labels), xi);
            // Give every alpha a gradient buffer through autograd (a zero backward), then copy the result into it.
            foreach (var alpha in alphas)
                if (alpha.grad is null) (alpha.sum() * 0).backward();
            using (no_grad())
                for (int i = 0; i < alphas.Count; i++) alphas[i].grad!.copy_(gradient[i]);
        }
        else
        {
            nn.functional.cross_entropy(_supernet.call(validation.Features), validation.Labels).backward();
        }
        optimizer.step();
        foreach (var w in weights) w.grad?.zero_();
    }

    private double BatchAccuracy(MiniBatch batch)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        return _supernet.call(batch.Features).argmax(1).eq(batch.Labels).to_type(ScalarType.Float64).mean().item<double>();
    }

    private int[] Evolve(PathSpace space, int seed, Device device, IProgress<OneShotProgress>? progress, CancellationToken cancellationToken)
    {
        var evolution = new RegularizedEvolution<SupernetPath>(space,
            new RegularizedEvolutionOptions { PopulationSize = Options.EvolutionPopulation, SampleSize = Options.EvolutionTournament }, seed);
        int[]? best = null;
        double bestScore = double.NegativeInfinity;
        for (int i = 0; i < Options.EvolutionSamples; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var suggestion = evolution.Ask();
            if (suggestion is null) break;
            int[] codes = suggestion.Architecture.Codes.ToArray();
            double score = ScorePath(codes, device);
            evolution.Tell(suggestion, new TrialOutcome(score));
            if (score > bestScore)
            {
                bestScore = score;
                best = codes;
            }
            progress?.Report(new OneShotProgress(OneShotMethod.Spos, "evolution", i + 1, Options.EvolutionSamples, Options.Epochs, Options.Epochs, null));
        }
        return best ?? _context.SamplePath();
    }

    // ENAS derives by sampling from the trained controller and keeping the best on validation (Pham et al., 2018, §2.2).
    private int[] BestOfController(Reinforce<SupernetPath> controller, Device device)
    {
        int[] best = Argmax(controller.Probabilities());
        double bestScore = ScorePath(best, device);
        for (int i = 0; i < Options.ControllerFinalSamples; i++)
        {
            int[] codes = controller.Ask()!.Architecture.Codes.ToArray();
            double score = ScorePath(codes, device);
            if (score > bestScore)
            {
                bestScore = score;
                best = codes;
            }
        }
        return best;
    }

    private static int[] Argmax(double[][] probabilities) =>
        probabilities.Select(p => Array.IndexOf(p, p.Max())).ToArray();

    // Validation batches for the architecture steps: a fresh seeded order each pass, as long as needed.
    private sealed class CyclingBatches(ClassificationData data, int batchSize, int seed, Device device) : IDisposable
    {
        private IEnumerator<MiniBatch>? _batches;
        private int _pass;

        public MiniBatch Next()
        {
            if (_batches is null || !_batches.MoveNext())
            {
                _batches?.Dispose();
                _batches = data.Batches(batchSize, unchecked(seed * 7_919 + ++_pass), device).GetEnumerator();
                _batches.MoveNext();
            }
            return _batches.Current;
        }

        public void Dispose() => _batches?.Dispose();
    }
}
