using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NasGen.Strategies;

/// <summary>The controller that <see cref="Reinforce{TArchitecture}"/> trains.</summary>
public enum ReinforceController
{
    /// <summary>Independent logits per dimension (no interaction between choices).</summary>
    Factorized,

    /// <summary>An LSTM that picks the choices in order, each conditioned on the ones before (Zoph and Le).</summary>
    Lstm,
}

/// <summary>Draws one candidate from a dimension's probabilities.</summary>
internal delegate int CandidateDraw(ReadOnlySpan<double> probabilities);

/// <summary>A stochastic policy over architectures' categorical codes.</summary>
internal interface IReinforcePolicy : IDisposable
{
    /// <summary>The trainable parameters.</summary>
    IEnumerable<Parameter> Parameters();

    /// <summary>Draws every choice in dimension order.</summary>
    void Sample(Span<int> codes, CandidateDraw draw);

    /// <summary>Σ log π(code) and Σ entropy over the dimensions, differentiable, in the caller's dispose scope.</summary>
    (Tensor LogProbability, Tensor Entropy) Score(int[] codes);

    /// <summary>Called after a parameter update.</summary>
    void Invalidate();
}

/// <summary>One vector of logits per dimension, starting at zero (uniform).</summary>
internal sealed class FactorizedPolicy : IReinforcePolicy
{
    private readonly int[] _counts;
    private readonly int[] _offsets;
    private readonly Parameter _logits;
    private double[]? _probabilities;

    public FactorizedPolicy(int[] counts)
    {
        _counts = counts;
        _offsets = Offsets(counts);
        _logits = new Parameter(zeros(counts.Sum(), ScalarType.Float32), requires_grad: true);
    }

    public IEnumerable<Parameter> Parameters() => [_logits];

    public void Sample(Span<int> codes, CandidateDraw draw)
    {
        var p = Probabilities();
        for (int d = 0; d < codes.Length; d++) codes[d] = draw(p.AsSpan(_offsets[d], _counts[d]));
    }

    public (Tensor LogProbability, Tensor Entropy) Score(int[] codes)
    {
        var logProbability = zeros(1);
        var entropy = zeros(1);
        for (int d = 0; d < codes.Length; d++)
        {
            var logSoftmax = _logits.narrow(0, _offsets[d], _counts[d]).log_softmax(0);
            logProbability = logProbability + logSoftmax[codes[d]];
            entropy = entropy - (logSoftmax.exp() * logSoftmax).sum();
        }
        return (logProbability, entropy);
    }

    public void Invalidate() => _probabilities = null;

    /// <summary>Each dimension's candidate probabilities, concatenated.</summary>
    public double[] Probabilities()
    {
        if (_probabilities is not null) return _probabilities;
        var p = new double[_offsets[^1] + _counts[^1]];
        using (NewDisposeScope())
        using (no_grad())
        {
            for (int d = 0; d < _counts.Length; d++)
                _logits.narrow(0, _offsets[d], _counts[d]).softmax(0).to_type(ScalarType.Float64).data<double>().CopyTo(p, _offsets[d]);
        }
        return _probabilities = p;
    }

    public void Dispose() => _logits.Dispose();

    internal static int[] Offsets(int[] counts)
    {
        var offsets = new int[counts.Length];
        for (int i = 1; i < counts.Length; i++) offsets[i] = offsets[i - 1] + counts[i - 1];
        return offsets;
    }
}

/// <summary>
/// Zoph and Le's controller: an LSTM cell reads the embedding of the previous choice (a start token first) and a
/// linear head per dimension turns its state into that dimension's logits. Weights are initialised from the
/// strategy's seeded <see cref="Random"/> (uniform ±1/√hidden, as PyTorch does), never from libtorch's generator.
/// </summary>
internal sealed class LstmPolicy : nn.Module, IReinforcePolicy
{
    private readonly int[] _counts;
    private readonly int[] _offsets;
    private readonly int _hiddenSize;
    private readonly Embedding embedding;
    private readonly LSTMCell cell;
    private readonly ModuleList<Linear> heads;

    public LstmPolicy(int[] counts, int hiddenSize, Random random) : base("reinforce_lstm")
    {
        _counts = counts;
        _offsets = FactorizedPolicy.Offsets(counts);
        _hiddenSize = hiddenSize;
        embedding = nn.Embedding(counts.Sum() + 1, hiddenSize);
        cell = nn.LSTMCell(hiddenSize, hiddenSize);
        heads = new ModuleList<Linear>(counts.Select(c => nn.Linear(hiddenSize, c)).ToArray());
        RegisterComponents();

        double bound = 1 / Math.Sqrt(hiddenSize);
        using var _ = no_grad();
        foreach (var parameter in parameters())
        {
            var values = new float[parameter.numel()];
            for (int i = 0; i < values.Length; i++) values[i] = (float)((2 * random.NextDouble() - 1) * bound);
            using var initial = tensor(values).reshape(parameter.shape);
            parameter.copy_(initial);
        }
    }

    public IEnumerable<Parameter> Parameters() => parameters();

    public void Sample(Span<int> codes, CandidateDraw draw)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var input = embedding.call(tensor(new long[] { 0 }));
        (Tensor, Tensor) state = (zeros(1, _hiddenSize), zeros(1, _hiddenSize));
        for (int d = 0; d < codes.Length; d++)
        {
            var (hidden, memory) = cell.call(input, state);
            state = (hidden, memory);
            var probabilities = heads[d].call(hidden).softmax(1).to_type(ScalarType.Float64).data<double>().ToArray();
            codes[d] = draw(probabilities);
            input = embedding.call(tensor(new long[] { 1 + _offsets[d] + codes[d] }));
        }
    }

    public (Tensor LogProbability, Tensor Entropy) Score(int[] codes)
    {
        var logProbability = zeros(1);
        var entropy = zeros(1);
        var input = embedding.call(tensor(new long[] { 0 }));
        (Tensor, Tensor) state = (zeros(1, _hiddenSize), zeros(1, _hiddenSize));
        for (int d = 0; d < codes.Length; d++)
        {
            var (hidden, memory) = cell.call(input, state);
            state = (hidden, memory);
            var logSoftmax = heads[d].call(hidden).log_softmax(1)[0];
            logProbability = logProbability + logSoftmax[codes[d]];
            entropy = entropy - (logSoftmax.exp() * logSoftmax).sum();
            input = embedding.call(tensor(new long[] { 1 + _offsets[d] + codes[d] }));
        }
        return (logProbability, entropy);
    }

    public void Invalidate()
    {
        // Nothing is cached: every sample runs the LSTM.
    }
}

/// <summary>
/// REINFORCE's policy over the continuous ranges: per range, a normal distribution over its normalised position
/// (log-transformed where <c>Log</c>) with a learned mean and log standard deviation, truncated to [0, 1] — the
/// Gaussian policy of Williams (1992, section 6) on a bounded interval. It starts at mean 0.5 and deviation 0.5, nearly
/// flat over the range; the log-likelihood includes the truncation's normaliser, so the gradient stays unbiased near
/// a bound. The entropy bonus is the untruncated normal's, Σ log σ (plus a constant): it keeps σ from collapsing early.
/// </summary>
internal sealed class RangePolicy : IDisposable
{
    private const double MinLogDeviation = -5, MaxLogDeviation = 0; // σ from 0.7 % of the range to the whole range
    private const int TruncationAttempts = 1_000;

    private readonly Parameter _mean;
    private readonly Parameter _logDeviation;
    private double[]? _means;
    private double[]? _deviations;

    public RangePolicy(int ranges)
    {
        Count = ranges;
        _mean = new Parameter(full(ranges, 0.5, ScalarType.Float64), requires_grad: true);
        _logDeviation = new Parameter(full(ranges, Math.Log(0.5), ScalarType.Float64), requires_grad: true);
    }

    /// <summary>How many ranges the policy draws.</summary>
    public int Count { get; }

    public IEnumerable<Parameter> Parameters() => [_mean, _logDeviation];

    /// <summary>Each range's current mean and deviation in normalised position.</summary>
    public (double[] Means, double[] Deviations) Distribution()
    {
        if (_means is null || _deviations is null)
        {
            using var _ = no_grad();
            _means = _mean.data<double>().ToArray();
            _deviations = _logDeviation.data<double>().ToArray().Select(Math.Exp).ToArray();
        }
        return (_means, _deviations);
    }

    /// <summary>Draws each range's position from its truncated normal (Box–Muller on <paramref name="random"/>, rejection outside [0, 1]).</summary>
    public void Sample(Span<double> positions, Random random)
    {
        var (means, deviations) = Distribution();
        for (int r = 0; r < Count; r++)
        {
            double position = random.NextDouble(); // uniform when the normal's mass has left [0, 1] (the mean is kept inside, so hardly ever)
            for (int attempt = 0; attempt < TruncationAttempts; attempt++)
            {
                double normal = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
                double candidate = means[r] + deviations[r] * normal;
                if (candidate is >= 0 and <= 1)
                {
                    position = candidate;
                    break;
                }
            }
            positions[r] = position;
        }
    }

    /// <summary>Σ log p(position) under the truncated normals and Σ log σ, differentiable, in the caller's dispose scope.</summary>
    public (Tensor LogProbability, Tensor Entropy) Score(double[] positions)
    {
        var x = tensor(positions, ScalarType.Float64);
        var deviation = _logDeviation.exp();
        var z = (x - _mean) / deviation;
        var upper = StandardNormalCdf((1 - _mean) / deviation);
        var lower = StandardNormalCdf(-_mean / deviation);
        var logDensity = -0.5 * z * z - _logDeviation - 0.5 * Math.Log(2 * Math.PI) - (upper - lower).clamp_min(1e-12).log();
        return (logDensity.sum().to_type(ScalarType.Float32), _logDeviation.sum().to_type(ScalarType.Float32));
    }

    /// <summary>After a step: keeps each mean inside [0, 1] and each deviation within its bounds.</summary>
    public void Invalidate()
    {
        using (no_grad())
        {
            _mean.clamp_(0, 1);
            _logDeviation.clamp_(MinLogDeviation, MaxLogDeviation);
        }
        _means = null;
        _deviations = null;
    }

    public void Dispose()
    {
        _mean.Dispose();
        _logDeviation.Dispose();
    }

    private static Tensor StandardNormalCdf(Tensor z) => 0.5 * (1 + (z / Math.Sqrt(2)).erf());
}
