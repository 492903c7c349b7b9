using System.Collections.Generic;
using System.Linq;
using NasGen.Experiments;

namespace NasGen.Tests.Experiments;

public sealed class ParetoFrontTests
{
    private static readonly ObjectiveDirection[] MaxAccMinParams = { ObjectiveDirection.Maximize, ObjectiveDirection.Minimize };

    [Fact]
    public void Dominance_needs_no_worse_everywhere_and_better_somewhere()
    {
        Assert.True(ParetoFront.Dominates(new[] { 0.9, 1.0 }, new[] { 0.8, 2.0 }, MaxAccMinParams));
        Assert.True(ParetoFront.Dominates(new[] { 0.9, 1.0 }, new[] { 0.9, 2.0 }, MaxAccMinParams));
        Assert.False(ParetoFront.Dominates(new[] { 0.9, 1.0 }, new[] { 0.9, 1.0 }, MaxAccMinParams));
        Assert.False(ParetoFront.Dominates(new[] { 0.9, 3.0 }, new[] { 0.8, 2.0 }, MaxAccMinParams));
    }

    [Fact]
    public void Front_of_hand_made_points()
    {
        // (accuracy, params): a staircase of four optimal points plus dominated ones and a duplicate.
        var points = new Dictionary<string, double[]>
        {
            ["tiny"] = new[] { 0.70, 1.0 },
            ["small"] = new[] { 0.80, 2.0 },
            ["mid"] = new[] { 0.85, 4.0 },
            ["big"] = new[] { 0.90, 8.0 },
            ["bloated"] = new[] { 0.85, 6.0 },   // dominated by mid
            ["weak"] = new[] { 0.60, 3.0 },      // dominated by small and tiny
            ["huge-worse"] = new[] { 0.89, 9.0 }, // dominated by big
            ["mid-twin"] = new[] { 0.85, 4.0 },  // equal to mid: kept
            ["broken"] = new[] { double.NaN, 1.0 },
        };
        var front = ParetoFront.Compute(points.Keys, k => points[k], MaxAccMinParams);
        Assert.Equal(new[] { "tiny", "small", "mid", "big", "mid-twin" }, front);
    }

    [Fact]
    public void Three_objectives_and_a_single_point()
    {
        var directions = new[] { ObjectiveDirection.Maximize, ObjectiveDirection.Minimize, ObjectiveDirection.Minimize };
        var items = new[] { new[] { 1.0, 5.0, 5.0 }, new[] { 0.5, 1.0, 9.0 }, new[] { 0.5, 9.0, 1.0 }, new[] { 0.5, 9.0, 9.0 } };
        var front = ParetoFront.Compute(Enumerable.Range(0, items.Length), i => items[i], directions);
        Assert.Equal(new[] { 0, 1, 2 }, front);
        Assert.Single(ParetoFront.Compute(new[] { 7 }, _ => new[] { 1.0, 1.0, 1.0 }, directions));
    }
}
