using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NasGen.Strategies;

/// <summary>Options of <see cref="Reinforce{TArchitecture}"/>.</summary>
public sealed record ReinforceOptions
{
    /// <summary>Adam's learning rate on the policy's logits.</summary>
    public double LearningRate { get; init; } = 0.1;

    /// <summary>Weight of the policy's entropy in the objective; keeps it from collapsing too early.</summary>
    public double EntropyWeight { get; init; } = 0.01;

    /// <summary>Decay of the exponential moving average of rewards used as the baseline.</summary>
    public double BaselineDecay { get; init; } = 0.9;

    /// <summary>
    /// Divide the advantage by a moving estimate of its standard deviation, so that the learning rate does not
    /// depend on the scale of the fitness.
    /// </summary>
    public bool NormalizeAdvantage { get; init; } = true;

    /// <summary>The controller: factorised logits (the default) or an LSTM over the choices in order.</summary>
    public ReinforceController Controller { get; init; } = ReinforceController.Factorized;

    /// <summary>Hidden size of the LSTM controller.</summary>
    public int HiddenSize { get; init; } = 64;
}

/// <summary>
/// Policy-gradient search (REINFORCE, Williams 1992; as a NAS controller, Zoph and Le, ICLR 2017): a categorical
/// policy over the choices — one vector of logits per dimension, or an LSTM controller
/// (<see cref="ReinforceOptions.Controller"/>) — trained with Adam to maximise the expected fitness, with a
/// moving-average baseline and an entropy bonus. Each successful outcome is one policy-gradient step; failed
/// outcomes are skipped. A continuous range is drawn from a truncated normal over its normalised position with a
/// learned mean and log deviation (<see cref="RangePolicy"/>), independent of the categorical policy.
/// </summary>
/// <remarks>
/// Architectures are drawn from the policy's probabilities with a seeded <see cref="Random"/>; the factorised logits
/// start at zero and the LSTM's weights are drawn from the same seeded <see cref="Random"/>, so libtorch's global
/// random state is never used: the same seed and tells give the same suggestions whatever else runs in the process. Architectures may repeat (a converged policy proposes its favourite again).
/// The strategy owns native tensors: dispose it.
/// </remarks>
public sealed class Reinforce<TArchitecture> : ISearchStrategy<TArchitecture>, IDisposable
    where TArchitecture : struct, IEquatable<TArchitecture>
{
    private const int ConstraintAttempts = 10_000;

    private readonly ISearchSpace<TArchitecture> _space;
    private readonly ReinforceOptions _options;
    private readonly Random _random;
    private readonly int[] _counts;
    private readonly IReinforcePolicy _policy;
    private readonly RangePositions _rangePositions;
    private readonly RangePolicy _ranges;
    private readonly optim.Optimizer _optimizer;
    private double _baseline;
    private double _advantageVariance;
    private int _rewards;
    private bool _disposed;

    /// <summary>Creates a policy-gradient search over <paramref name="space"/>.</summary>
    public Reinforce(ISearchSpace<TArchitecture> space, ReinforceOptions? options, int seed)
    {
        ArgumentNullException.ThrowIfNull(space);
        _options = options ?? new ReinforceOptions();
        if (!(_options.LearningRate > 0)) throw new ArgumentOutOfRangeException(nameof(options), "LearningRate must be positive.");
        if (_options.BaselineDecay is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(options), "BaselineDecay must be in [0, 1).");
        CandidateLimits.Check(space, "REINFORCE");
        _space = space;
        _random = new Random(seed);
        // A continuous range is one candidate to the categorical policy (always code 0); RangePolicy draws its value.
        _counts = space.Dimensions.Select(d => d.IsContinuous ? 1 : d.Count).ToArray();
        _rangePositions = RangePositions.Of(space);
        _ranges = new RangePolicy(_rangePositions.Count);
        _policy = _options.Controller switch
        {
            ReinforceController.Factorized => new FactorizedPolicy(_counts),
            ReinforceController.Lstm when _options.HiddenSize > 0 => new LstmPolicy(_counts, _options.HiddenSize, _random),
            _ => throw new ArgumentOutOfRangeException(nameof(options), "Unknown controller, or a hidden size below 1."),
        };
        _optimizer = optim.Adam(_rangePositions.Count == 0 ? _policy.Parameters() : _policy.Parameters().Concat(_ranges.Parameters()), lr: _options.LearningRate);
    }

    /// <inheritdoc />
    public string Name => "reinforce";

    /// <summary>
    /// The policy's probability of each candidate, per dimension. For the LSTM controller, the conditional
    /// probabilities along the most likely choices.
    /// </summary>
    public double[][] Probabilities()
    {
        var result = new double[_counts.Length][];
        int dimension = 0;
        Span<int> codes = stackalloc int[_counts.Length];
        _policy.Sample(codes, p =>
        {
            result[dimension++] = p.ToArray();
            int best = 0;
            for (int i = 1; i < p.Length; i++) if (p[i] > p[best]) best = i;
            return best;
        });
        return result;
    }

    /// <summary>
    /// The policy's truncated normal for each continuous range, in dimension order: mean and deviation in normalised
    /// position (0 at the lower bound, 1 at the upper, log-transformed where <c>Log</c>). Empty without ranges.
    /// </summary>
    internal (double[] Means, double[] Deviations) RangeDistributions()
    {
        var (means, deviations) = _ranges.Distribution();
        return ((double[])means.Clone(), (double[])deviations.Clone());
    }

    /// <inheritdoc />
    public Suggestion<TArchitecture>? Ask()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        Span<int> codes = stackalloc int[_counts.Length];
        Span<double> numbers = stackalloc double[_counts.Length];
        Span<double> positions = stackalloc double[_ranges.Count];
        for (int attempt = 0; attempt < ConstraintAttempts; attempt++)
        {
            _policy.Sample(codes, Draw);
            var architecture = _space.Decode(codes);
            if (_ranges.Count > 0)
            {
                _ranges.Sample(positions, _random);
                for (int r = 0; r < positions.Length; r++)
                    numbers[_rangePositions.Dimensions[r]] = _space.Dimensions[_rangePositions.Dimensions[r]].Range!.Denormalise(positions[r]);
                architecture = _space.Decode(codes, numbers);
            }
            if (!_space.HasConstraints || _space.IsAllowed(architecture)) return new Suggestion<TArchitecture>(architecture);
        }
        // The policy concentrates on ruled-out architectures: fall back to a uniform allowed one.
        return new Suggestion<TArchitecture>(_space.Sample(_random));
    }

    /// <inheritdoc />
    public void Tell(Suggestion<TArchitecture> suggestion, TrialOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(suggestion);
        ArgumentNullException.ThrowIfNull(outcome);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (outcome.Failed) return;

        double reward = outcome.Fitness!.Value;
        if (_rewards++ == 0) _baseline = reward;
        double advantage = reward - _baseline;
        double decay = _options.BaselineDecay;
        _baseline = decay * _baseline + (1 - decay) * reward;
        _advantageVariance = decay * _advantageVariance + (1 - decay) * advantage * advantage;
        if (_options.NormalizeAdvantage) advantage /= Math.Sqrt(_advantageVariance) + 1e-8;

        int[] codes = _space.EncodeCategorical(suggestion.Architecture);
        using (NewDisposeScope())
        {
            _optimizer.zero_grad();
            var (logProbability, entropy) = _policy.Score(codes);
            if (_ranges.Count > 0)
            {
                var (rangeLogProbability, rangeEntropy) = _ranges.Score(_rangePositions.Read(_space, suggestion.Architecture));
                logProbability = logProbability + rangeLogProbability;
                entropy = entropy + rangeEntropy;
            }
            var loss = -advantage * logProbability - _options.EntropyWeight * entropy;
            loss.backward();
            _optimizer.step();
        }
        _policy.Invalidate();
        _ranges.Invalidate();
    }

    /// <summary>Frees the policy's tensors.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _optimizer.Dispose();
        _policy.Dispose();
        _ranges.Dispose();
    }

    private int Draw(ReadOnlySpan<double> probabilities)
    {
        double u = _random.NextDouble();
        double cumulative = 0;
        for (int i = 0; i < probabilities.Length - 1; i++)
        {
            cumulative += probabilities[i];
            if (u < cumulative) return i;
        }
        return probabilities.Length - 1;
    }
}
