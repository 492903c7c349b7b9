using NasGen;

namespace NasGen.Benchmarks.Core;

/// <summary>The five operations of a NAS-Bench-201 cell edge.</summary>
public enum Nb201Op { None, SkipConnect, Conv1x1, Conv3x3, AvgPool3x3 }

/// <summary>
/// A NAS-Bench-201-shaped space: one operation on each of the cell's six edges, 5^6 = 15,625 architectures.
/// Only the space maths is benchmarked, so the class is not a module.
/// </summary>
[SearchSpace(Name = "nb201-cell")]
public sealed partial class Nb201Cell
{
    [Choice] public partial Nb201Op Edge0 { get; }
    [Choice] public partial Nb201Op Edge1 { get; }
    [Choice] public partial Nb201Op Edge2 { get; }
    [Choice] public partial Nb201Op Edge3 { get; }
    [Choice] public partial Nb201Op Edge4 { get; }
    [Choice] public partial Nb201Op Edge5 { get; }

    public Nb201Cell(Architecture architecture) => InitializeChoices(architecture);
}
