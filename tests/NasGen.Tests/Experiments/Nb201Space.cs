using System;
using System.Linq;
using NasGen.Strategies;

namespace NasGen.Tests.Experiments;

public enum Nb201Op { None, SkipConnect, NorConv1x1, NorConv3x3, AvgPool3x3 }

/// <summary>The NAS-Bench-201 cell: one operation on each of the six edges 1&lt;-0, 2&lt;-0, 2&lt;-1, 3&lt;-0, 3&lt;-1, 3&lt;-2.</summary>
public readonly record struct Nb201Cell(Nb201Op E10, Nb201Op E20, Nb201Op E21, Nb201Op E30, Nb201Op E31, Nb201Op E32)
{
    private static readonly string[] Official = { "none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3" };

    /// <summary>The benchmark's <c>arch</c> string.</summary>
    public static string ToOfficialString(Nb201Cell c) =>
        $"|{Official[(int)c.E10]}~0|+|{Official[(int)c.E20]}~0|{Official[(int)c.E21]}~1|+|{Official[(int)c.E30]}~0|{Official[(int)c.E31]}~1|{Official[(int)c.E32]}~2|";
}

/// <summary>A hand-written NAS-Bench-201 space (what the generator would emit for a 4-node cell).</summary>
public sealed class Nb201Space : SearchSpace<Nb201Cell>
{
    public static Nb201Space Instance { get; } = new();

    private Nb201Space() : base("Nb201Cell",
        new[] { "1<-0", "2<-0", "2<-1", "3<-0", "3<-1", "3<-2" }
            .Select(label => Dimension.OfNamed(label, ChoiceKind.Layer, Enum.GetValues<Nb201Op>(), Enum.GetNames<Nb201Op>())).ToArray(),
        hasConstraints: false)
    { }

    public override void EncodeCore(in Nb201Cell c, Span<int> codes)
    {
        codes[0] = (int)c.E10; codes[1] = (int)c.E20; codes[2] = (int)c.E21;
        codes[3] = (int)c.E30; codes[4] = (int)c.E31; codes[5] = (int)c.E32;
        for (int i = 0; i < 6; i++) if ((uint)codes[i] > 4) codes[i] = -1;
    }

    public override Nb201Cell Decode(ReadOnlySpan<int> c) =>
        new((Nb201Op)c[0], (Nb201Op)c[1], (Nb201Op)c[2], (Nb201Op)c[3], (Nb201Op)c[4], (Nb201Op)c[5]);

    public override string DescribeValue(in Nb201Cell c, int dimension) => dimension switch
    {
        0 => c.E10.ToString(), 1 => c.E20.ToString(), 2 => c.E21.ToString(), 3 => c.E30.ToString(), 4 => c.E31.ToString(), _ => c.E32.ToString(),
    };
}

/// <summary>Uniform random sampling: the test's own minimal strategy (the real ones live in NasGen.Strategies).</summary>
public sealed class RandomStrategy<T>(ISearchSpace<T> space, int seed) : ISearchStrategy<T> where T : struct, IEquatable<T>
{
    private readonly Random _random = new(seed);

    public string Name => "random";

    public Suggestion<T>? Ask() => new(space.Sample(_random));

    public void Tell(Suggestion<T> suggestion, TrialOutcome outcome) { }
}
