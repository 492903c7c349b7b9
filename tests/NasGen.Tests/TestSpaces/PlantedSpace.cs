using System;
using System.Collections.Generic;
using NasGen;
using NasGen.Strategies;

namespace NasGen.Tests.TestSpaces;

/// <summary>The candidate operations of <see cref="PlantedSpace"/>'s layer choice.</summary>
public enum PlantedOp
{
    Skip,
    Conv3x3,
    Conv5x5,
    MaxPool,
    AvgPool,
}

/// <summary>An architecture of <see cref="PlantedSpace"/>, shaped like the generated ones: one typed member per choice.</summary>
public readonly record struct PlantedArchitecture(int Width, int Depth, PlantedOp Op, double Dropout, string Activation, int Kernel);

/// <summary>
/// A hand-written search space as the source generator will emit it: six dimensions (4 × 4 × 5 × 4 × 4 × 5 = 6,400
/// grid points) and one constraint (no width 128 at depth 4), leaving 6,000 allowed architectures. Shared by the
/// runtime tests until generated spaces are available.
/// </summary>
public sealed class PlantedSpace : SearchSpace<PlantedArchitecture>
{
    private static readonly int[] Widths = [16, 32, 64, 128];
    private static readonly int[] Depths = [1, 2, 3, 4];
    private static readonly PlantedOp[] Ops = [PlantedOp.Skip, PlantedOp.Conv3x3, PlantedOp.Conv5x5, PlantedOp.MaxPool, PlantedOp.AvgPool];
    private static readonly double[] Dropouts = [0.0, 0.1, 0.2, 0.3];
    private static readonly string[] Activations = ["relu", "gelu", "tanh", "silu"];
    private static readonly int[] Kernels = [1, 3, 5, 7, 9];

    private PlantedSpace()
        : base("PlantedSpace",
            new Dimension[]
            {
                Dimension.Of("width", Widths),
                Dimension.Of("depth", Depths),
                Dimension.OfNamed("op", ChoiceKind.Layer, Ops, Array.ConvertAll(Ops, o => o.ToString())),
                Dimension.Of("dropout", Dropouts),
                Dimension.Of("activation", Activations),
                Dimension.Of("kernel", Kernels),
            },
            hasConstraints: true)
    {
    }

    /// <summary>The one instance, as generated spaces expose it.</summary>
    public static PlantedSpace Instance { get; } = new();

    /// <summary>Grid points the constraint allows.</summary>
    public const int AllowedCount = 6_000;

    /// <inheritdoc />
    public override void EncodeCore(in PlantedArchitecture architecture, Span<int> codes)
    {
        codes[0] = Array.IndexOf(Widths, architecture.Width);
        codes[1] = Array.IndexOf(Depths, architecture.Depth);
        codes[2] = Array.IndexOf(Ops, architecture.Op);
        codes[3] = Array.IndexOf(Dropouts, architecture.Dropout);
        codes[4] = Array.IndexOf(Activations, architecture.Activation);
        codes[5] = Array.IndexOf(Kernels, architecture.Kernel);
    }

    /// <inheritdoc />
    public override PlantedArchitecture Decode(ReadOnlySpan<int> codes) =>
        new(Widths[codes[0]], Depths[codes[1]], Ops[codes[2]], Dropouts[codes[3]], Activations[codes[4]], Kernels[codes[5]]);

    /// <inheritdoc />
    public override string DescribeValue(in PlantedArchitecture architecture, int dimension) => dimension switch
    {
        0 => architecture.Width.ToString(System.Globalization.CultureInfo.InvariantCulture),
        1 => architecture.Depth.ToString(System.Globalization.CultureInfo.InvariantCulture),
        2 => architecture.Op.ToString(),
        3 => architecture.Dropout.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
        4 => architecture.Activation is null ? "null" : "\"" + architecture.Activation + "\"",
        5 => architecture.Kernel.ToString(System.Globalization.CultureInfo.InvariantCulture),
        _ => throw new ArgumentOutOfRangeException(nameof(dimension)),
    };

    /// <inheritdoc />
    public override bool SatisfiesConstraints(in PlantedArchitecture architecture) =>
        !(architecture.Width == 128 && architecture.Depth == 4);
}

/// <summary>
/// A planted objective on <see cref="PlantedSpace"/>: a per-dimension score, each table peaking at one candidate,
/// plus two pairwise bonuses that pay only at the peak. Its maximum, <see cref="Optimum"/>, is unique, and every
/// other architecture has a neighbour that scores higher.
/// </summary>
public static class PlantedObjective
{
    private static readonly double[][] Scores =
    [
        [0.1, 0.5, 1.0, 0.3],            // width: 64
        [0.2, 0.4, 0.6, 1.0],            // depth: 4
        [0.0, 1.0, 0.7, 0.3, 0.4],       // op: Conv3x3
        [0.6, 1.0, 0.5, 0.2],            // dropout: 0.1
        [1.0, 0.8, 0.1, 0.7],            // activation: relu
        [0.2, 0.6, 1.0, 0.5, 0.1],       // kernel: 5
    ];

    private static readonly int[] Peak = [2, 3, 1, 1, 0, 2];

    /// <summary>The unique best architecture.</summary>
    public static PlantedArchitecture Optimum { get; } = new(64, 4, PlantedOp.Conv3x3, 0.1, "relu", 5);

    /// <summary>The objective at full fidelity (maximum 8).</summary>
    public static double Evaluate(in PlantedArchitecture architecture)
    {
        Span<int> codes = stackalloc int[6];
        PlantedSpace.Instance.Encode(architecture, codes);
        double score = 0;
        for (int d = 0; d < codes.Length; d++) score += Scores[d][codes[d]];
        if (codes[0] == Peak[0] && codes[1] == Peak[1]) score += 1.0;
        if (codes[2] == Peak[2] && codes[5] == Peak[5]) score += 1.0;
        return score;
    }

    /// <summary>The objective at a fidelity: rank-preserving, lower at lower fidelity, like a shorter training run.</summary>
    public static double Evaluate(in PlantedArchitecture architecture, double fidelity) => Evaluate(architecture) * (0.5 + 0.5 * fidelity);
}

/// <summary>Drives a strategy against <see cref="PlantedObjective"/> the way an experiment would.</summary>
public static class SearchLoop
{
    /// <summary>
    /// Asks and tells up to <paramref name="budget"/> suggestions, keeping up to <paramref name="parallel"/> in flight
    /// (told oldest first when full or when the strategy has nothing to propose). Every
    /// <paramref name="failEvery"/>-th outcome is a failure (alternately null and NaN); 0 means none fail.
    /// </summary>
    public static List<Suggestion<PlantedArchitecture>> Run(ISearchStrategy<PlantedArchitecture> strategy, int budget,
        int parallel = 1, int failEvery = 0, Func<Suggestion<PlantedArchitecture>, bool>? stopWhen = null)
    {
        var asked = new List<Suggestion<PlantedArchitecture>>();
        var inFlight = new Queue<Suggestion<PlantedArchitecture>>();
        int told = 0;
        while (asked.Count < budget)
        {
            var suggestion = inFlight.Count < parallel ? strategy.Ask() : null;
            if (suggestion is null)
            {
                if (inFlight.Count == 0) break; // nothing in flight and nothing to propose: finished
                var oldest = inFlight.Dequeue();
                told++;
                strategy.Tell(oldest, OutcomeOf(oldest, told, failEvery));
                continue;
            }
            asked.Add(suggestion);
            inFlight.Enqueue(suggestion);
            if (stopWhen?.Invoke(suggestion) == true) break;
        }
        while (inFlight.Count > 0)
        {
            var oldest = inFlight.Dequeue();
            told++;
            strategy.Tell(oldest, OutcomeOf(oldest, told, failEvery));
        }
        return asked;
    }

    private static TrialOutcome OutcomeOf(Suggestion<PlantedArchitecture> suggestion, int told, int failEvery)
    {
        if (failEvery > 0 && told % failEvery == 0)
            return told / failEvery % 2 == 0 ? TrialOutcome.Failure : new TrialOutcome(double.NaN);
        return new TrialOutcome(PlantedObjective.Evaluate(suggestion.Architecture, suggestion.Fidelity));
    }
}
