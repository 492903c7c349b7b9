using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using NasGen.Evaluation;
using NasGen.Strategies;

namespace NasGen.CrashHarness;

/// <summary>A candidate operation of the test space.</summary>
public enum TestOp { Conv3x3, Conv5x5, MaxPool, Skip }

/// <summary>The architecture of <see cref="TestSpace"/>, shaped like a generated one.</summary>
public readonly record struct TestArch(int Width, TestOp Op, int Depth, bool Residual);

/// <summary>A hand-written space, as the generator would write it: 4 widths x 4 ops x 3 depths x 2 = 96 architectures.</summary>
public sealed class TestSpace : SearchSpace<TestArch>
{
    private static readonly string[] OpNames = Enum.GetNames<TestOp>();
    private readonly int[] _widths;

    /// <summary>The default space.</summary>
    public static TestSpace Default { get; } = new(8, 16, 32, 64);

    /// <summary>A space over other widths (another fingerprint).</summary>
    public TestSpace(params int[] widths)
        : base("TestSpace", new[]
        {
            Dimension.Of("width", widths),
            Dimension.OfNamed("op", ChoiceKind.Layer, Enum.GetValues<TestOp>(), OpNames),
            Dimension.Depth("depth", 1, 3),
            Dimension.Of("residual", new[] { false, true }),
        }, hasConstraints: false) => _widths = widths;

    /// <inheritdoc />
    public override void EncodeCore(in TestArch a, Span<int> codes)
    {
        codes[0] = Array.IndexOf(_widths, a.Width);
        codes[1] = Enum.IsDefined(a.Op) ? (int)a.Op : -1;
        codes[2] = a.Depth is >= 1 and <= 3 ? a.Depth - 1 : -1;
        codes[3] = a.Residual ? 1 : 0;
    }

    /// <inheritdoc />
    public override TestArch Decode(ReadOnlySpan<int> codes) => new(_widths[codes[0]], (TestOp)codes[1], codes[2] + 1, codes[3] == 1);

    /// <inheritdoc />
    public override string DescribeValue(in TestArch a, int dimension) => dimension switch
    {
        0 => a.Width.ToString(System.Globalization.CultureInfo.InvariantCulture),
        1 => a.Op.ToString(),
        2 => a.Depth.ToString(System.Globalization.CultureInfo.InvariantCulture),
        _ => a.Residual ? "true" : "false",
    };

    /// <summary>A known, smooth score: what the synthetic evaluator returns before noise.</summary>
    public static double Score(TestArch a) =>
        Math.Log2(a.Width) * 10 + (a.Op == TestOp.Conv3x3 ? 5 : a.Op == TestOp.Conv5x5 ? 4 : 1) + a.Depth * 2 + (a.Residual ? 3 : 0);

    /// <summary>Parameters of a toy network of the architecture (for cost limits and objectives).</summary>
    public static double Parameters(TestArch a) => a.Width * a.Width * a.Depth * (a.Op == TestOp.Conv5x5 ? 25 : a.Op == TestOp.Conv3x3 ? 9 : 1);
}

/// <summary>
/// A small deterministic strategy whose proposals depend on what it was told: half the time it mutates the best
/// architecture so far, otherwise it samples. A wrong replay order changes its proposals, which resume tests detect.
/// </summary>
public sealed class HillClimbStrategy(ISearchSpace<TestArch> space, int seed, int? maxAsks = null) : ISearchStrategy<TestArch>
{
    private readonly Random _random = new(seed);
    private TestArch? _best;
    private double _bestFitness = double.NegativeInfinity;
    private int _asks;

    /// <inheritdoc />
    public string Name => "hill-climb";

    /// <summary>How many outcomes it was told.</summary>
    public int Tells { get; private set; }

    /// <inheritdoc />
    public Suggestion<TestArch>? Ask()
    {
        if (maxAsks is { } max && _asks >= max) return null;
        _asks++;
        bool mutate = _random.NextDouble() < 0.5 && _best is not null;
        return new Suggestion<TestArch>(mutate ? space.Mutate(_best!.Value, _random) : space.Sample(_random));
    }

    /// <inheritdoc />
    public void Tell(Suggestion<TestArch> suggestion, TrialOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(suggestion);
        ArgumentNullException.ThrowIfNull(outcome);
        Tells++;
        if (!outcome.Failed && outcome.Fitness!.Value > _bestFitness)
        {
            _bestFitness = outcome.Fitness.Value;
            _best = suggestion.Architecture;
        }
    }
}

/// <summary>Proposes a fixed list of architectures, in order, then stops.</summary>
public sealed class ListStrategy(IEnumerable<TestArch> architectures) : ISearchStrategy<TestArch>
{
    private readonly Queue<TestArch> _queue = new(architectures);

    /// <inheritdoc />
    public string Name => "list";

    /// <summary>Every outcome told, in order.</summary>
    public List<(TestArch Architecture, TrialOutcome Outcome)> Told { get; } = new();

    /// <inheritdoc />
    public Suggestion<TestArch>? Ask() => _queue.TryDequeue(out var a) ? new Suggestion<TestArch>(a) : null;

    /// <inheritdoc />
    public void Tell(Suggestion<TestArch> suggestion, TrialOutcome outcome) => Told.Add((suggestion!.Architecture, outcome));
}

/// <summary>
/// A deterministic evaluator: fitness = <see cref="TestSpace.Score"/> plus noise from the trial seed, reported over
/// <see cref="Steps"/> intermediate steps. Hooks make chosen architectures throw, return NaN or hang.
/// </summary>
public sealed class SyntheticEvaluator : IEvaluator<TestArch>
{
    private int _calls;

    /// <summary>Evaluations started.</summary>
    public int Calls => Volatile.Read(ref _calls);

    /// <summary>Wall time of one step.</summary>
    public TimeSpan StepDelay { get; init; }

    /// <summary>Intermediate steps per evaluation.</summary>
    public int Steps { get; init; } = 4;

    /// <summary>Architectures for which the evaluator throws.</summary>
    public Func<TestArch, bool> Throws { get; init; } = _ => false;

    /// <summary>Architectures whose fitness is NaN.</summary>
    public Func<TestArch, bool> ReturnsNaN { get; init; } = _ => false;

    /// <summary>Architectures whose evaluation never ends (until cancelled).</summary>
    public Func<TestArch, bool> Hangs { get; init; } = _ => false;

    /// <summary>Architectures whose evaluation blocks for five seconds, ignoring its cancellation token.</summary>
    public Func<TestArch, bool> BlocksIgnoringCancellation { get; init; } = _ => false;

    /// <summary>Called with the number of evaluations started so far (1 for the first), as each starts.</summary>
    public Action<int> OnStart { get; init; } = _ => { };

    /// <summary>Architectures evaluated, in start order.</summary>
    public List<TestArch> Evaluated { get; } = new();

    /// <summary>Trials that were told to stop early, and at which step.</summary>
    public List<(TestArch Architecture, int Step)> StoppedAt { get; } = new();

    /// <inheritdoc />
    public async Task<EvaluationResult> EvaluateAsync(TestArch architecture, EvaluationContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        OnStart(Interlocked.Increment(ref _calls));
        lock (Evaluated) Evaluated.Add(architecture);
        if (Hangs(architecture)) await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
        if (BlocksIgnoringCancellation(architecture)) Thread.Sleep(5000);
        if (Throws(architecture)) throw new InvalidOperationException($"synthetic failure of {architecture}");
        double noise = new Random(context.Seed).NextDouble() * 0.01;
        double fitness = TestSpace.Score(architecture) + noise;
        double value = 0;
        for (int step = 1; step <= Steps; step++)
        {
            if (StepDelay > TimeSpan.Zero) await Task.Delay(StepDelay, cancellationToken).ConfigureAwait(false);
            value = fitness * step / Steps;
            if (!context.ReportIntermediate(step, value))
            {
                lock (StoppedAt) StoppedAt.Add((architecture, step));
                break;
            }
        }
        if (ReturnsNaN(architecture)) value = double.NaN;
        return new EvaluationResult(value, new Dictionary<string, double> { ["params"] = TestSpace.Parameters(architecture), ["score"] = TestSpace.Score(architecture) });
    }
}
