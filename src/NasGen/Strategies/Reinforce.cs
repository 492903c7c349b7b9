using System;
using System.Linq;
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
}

/// <summary>
/// Policy-gradient search (REINFORCE, Williams 1992; as a NAS controller, Zoph and Le, ICLR 2017): a factorised
/// categorical policy with one vector of logits per dimension, trained with Adam to maximise the expected fitness,
/// with a moving-average baseline and an entropy bonus. Each successful outcome is one policy-gradient step;
/// failed outcomes are skipped.
/// </summary>
/// <remarks>
/// Architectures are drawn from the policy's probabilities with a seeded <see cref="Random"/>, and the logits start
/// at zero, so libtorch's global random state is never used: the same seed and tells give the same suggestions
/// whatever else runs in the process. Architectures may repeat (a converged policy proposes its favourite again).
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
    private readonly int[] _offsets;
    private readonly Parameter _logits;
    private readonly optim.Optimizer _optimizer;
    private double[]? _probabilities; // per dimension segment; null after an update
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
        _space = space;
        _random = new Random(seed);
        _counts = space.Dimensions.Select(d => d.Count).ToArray();
        _offsets = new int[_counts.Length];
        for (int i = 1; i < _counts.Length; i++) _offsets[i] = _offsets[i - 1] + _counts[i - 1];
        _logits = new Parameter(zeros(space.OneHotLength, ScalarType.Float32), requires_grad: true);
        _optimizer = optim.Adam(new[] { _logits }, lr: _options.LearningRate);
    }

    /// <inheritdoc />
    public string Name => "reinforce";

    /// <summary>The policy's probability of each candidate, per dimension (a copy).</summary>
    public double[][] Probabilities()
    {
        var p = CurrentProbabilities();
        return _counts.Select((c, d) => p.AsSpan(_offsets[d], c).ToArray()).ToArray();
    }

    /// <inheritdoc />
    public Suggestion<TArchitecture>? Ask()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var p = CurrentProbabilities();
        Span<int> codes = stackalloc int[_counts.Length];
        for (int attempt = 0; attempt < ConstraintAttempts; attempt++)
        {
            for (int d = 0; d < codes.Length; d++) codes[d] = Draw(p.AsSpan(_offsets[d], _counts[d]));
            var architecture = _space.Decode(codes);
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
            var logProbability = zeros(1);
            var entropy = zeros(1);
            for (int d = 0; d < codes.Length; d++)
            {
                var logSoftmax = _logits.narrow(0, _offsets[d], _counts[d]).log_softmax(0);
                logProbability = logProbability + logSoftmax[codes[d]];
                entropy = entropy - (logSoftmax.exp() * logSoftmax).sum();
            }
            var loss = -advantage * logProbability - _options.EntropyWeight * entropy;
            loss.backward();
            _optimizer.step();
        }
        _probabilities = null;
    }

    /// <summary>Frees the policy's tensors.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _optimizer.Dispose();
        _logits.Dispose();
    }

    private double[] CurrentProbabilities()
    {
        if (_probabilities is not null) return _probabilities;
        var p = new double[_logits.shape[0]];
        using (NewDisposeScope())
        using (no_grad())
        {
            for (int d = 0; d < _counts.Length; d++)
            {
                var segment = _logits.narrow(0, _offsets[d], _counts[d]).softmax(0).to_type(ScalarType.Float64);
                segment.data<double>().CopyTo(p, _offsets[d]);
            }
        }
        return _probabilities = p;
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
