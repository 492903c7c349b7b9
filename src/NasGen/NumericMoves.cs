namespace NasGen;

/// <summary>The fixed moves the space makes on <c>[Range]</c> dimensions (docs/guides/numeric-ranges.md).</summary>
internal static class NumericMoves
{
    /// <summary>
    /// A continuous dimension's neighbours: its normalised position moved by these fractions of the (log-)range,
    /// clipped at the bounds. Coarse and fine moves, so a local search both travels and settles.
    /// </summary>
    public static readonly double[] ContinuousNeighbourMoves = [-0.2, -0.05, -0.01, 0.01, 0.05, 0.2];

    /// <summary>
    /// A stepped dimension's neighbours: the values 1, 2, 4, 8 … steps below and above, within the range. About
    /// 2·log2(n) of them instead of n − 1, still reaching every value in a few moves.
    /// </summary>
    public static IEnumerable<int> SteppedNeighbours(int code, int count)
    {
        var below = new List<int>();
        for (long distance = 1; code - distance >= 0; distance *= 2) below.Add(code - (int)distance);
        below.Reverse();
        foreach (int c in below) yield return c; // in code order, like other dimensions' neighbours
        for (long distance = 1; code + distance < count; distance *= 2) yield return code + (int)distance;
    }

    /// <summary>A standard normal draw (Box–Muller) on the seeded generator: reproducible and independent of torch's global RNG.</summary>
    public static double Gaussian(Random random)
    {
        double u1 = 1.0 - random.NextDouble(); // in (0, 1]: the log is finite
        double u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }
}
