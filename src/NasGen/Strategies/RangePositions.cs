namespace NasGen.Strategies;

/// <summary>
/// Where the continuous ranges of a space sit in its dimensions, and an architecture's normalised position in each
/// (log-transformed where the range is <c>Log</c>): the coordinates the Gaussian-process models give ranges.
/// </summary>
internal sealed class RangePositions
{
    private readonly NumericRange[] _ranges;

    private RangePositions(int[] dimensions, NumericRange[] ranges)
    {
        Dimensions = dimensions;
        _ranges = ranges;
    }

    /// <summary>No continuous ranges: a categorical space.</summary>
    public static RangePositions None { get; } = new([], []);

    /// <summary>The continuous ranges of <paramref name="space"/>.</summary>
    public static RangePositions Of(ISearchSpace space)
    {
        var dimensions = Enumerable.Range(0, space.Dimensions.Count).Where(d => space.Dimensions[d].IsContinuous).ToArray();
        return dimensions.Length == 0 ? None : new RangePositions(dimensions, dimensions.Select(d => space.Dimensions[d].Range!).ToArray());
    }

    /// <summary>The dimensions that are continuous ranges, in order.</summary>
    public int[] Dimensions { get; }

    /// <summary>How many continuous ranges there are.</summary>
    public int Count => Dimensions.Length;

    /// <summary>
    /// Writes the position of each range of <paramref name="architecture"/> to <paramref name="positions"/>, using
    /// <paramref name="numbers"/> (one slot per dimension) as scratch; nothing without ranges.
    /// </summary>
    public void Write<TArchitecture>(ISearchSpace<TArchitecture> space, in TArchitecture architecture, Span<double> numbers, Span<double> positions)
        where TArchitecture : struct, IEquatable<TArchitecture>
    {
        if (Count == 0) return;
        space.EncodeNumbers(architecture, numbers);
        for (int r = 0; r < Count; r++) positions[r] = _ranges[r].Normalise(numbers[Dimensions[r]]);
    }

    /// <summary>The positions of <paramref name="architecture"/>'s ranges as a new array (the shared empty one without ranges).</summary>
    public double[] Read<TArchitecture>(ISearchSpace<TArchitecture> space, in TArchitecture architecture)
        where TArchitecture : struct, IEquatable<TArchitecture>
    {
        if (Count == 0) return [];
        var positions = new double[Count];
        Write(space, architecture, new double[space.Dimensions.Count], positions);
        return positions;
    }
}
