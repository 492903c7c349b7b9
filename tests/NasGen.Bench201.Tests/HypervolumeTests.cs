using System.Collections.Generic;

namespace NasGen.Bench201.Tests;

public sealed class HypervolumeTests
{
    private static readonly FrontPoint Reference = new(0, 10);

    [Fact]
    public void One_point_dominates_a_rectangle()
    {
        Assert.Equal(3.0 * 4.0, Hypervolume.Of([new FrontPoint(3, 6)], Reference), 12);
    }

    [Fact]
    public void A_staircase_is_the_union_of_its_rectangles()
    {
        // (fitness, cost): (2, 2), (5, 6), (6, 8): areas 2*(6-2) + 5*(8-6) + 6*(10-8) = 8 + 10 + 12.
        FrontPoint[] front = [new(5, 6), new(2, 2), new(6, 8)];
        Assert.Equal(30.0, Hypervolume.Of(front, Reference), 12);
    }

    [Fact]
    public void Dominated_duplicate_and_out_of_range_points_add_nothing()
    {
        FrontPoint[] front = [new(2, 2), new(5, 6), new(6, 8)];
        var more = new List<FrontPoint>(front) { new(1, 3), new(5, 6), new(4, 7), new(9, 12), new(-1, 1) };
        Assert.Equal(Hypervolume.Of(front, Reference), Hypervolume.Of(more, Reference), 12);
        Assert.Equal(3, Hypervolume.Front(front).Length);
        Assert.Equal(new FrontPoint(2, 8), Hypervolume.Nadir(Hypervolume.Front(front)));
    }

    [Fact]
    public void The_true_front_against_its_own_nadir_has_ratio_one_and_a_subset_less()
    {
        FrontPoint[] front = [new(2, 2), new(5, 6), new(6, 8), new(7, 9)];
        var nadir = Hypervolume.Nadir(front);
        double whole = Hypervolume.Of(front, nadir);
        Assert.True(whole > 0);
        Assert.True(Hypervolume.Of([new(5, 6), new(7, 9)], nadir) < whole);
    }

    [Fact]
    public void Epsilon_indicator_is_positive_when_ahead_and_negative_when_dominated()
    {
        double[] fitness = [1, 2, 3, 0.5];
        double[] cost = [1, 2, 3, 2.5];
        var queried = new List<int> { 0, 1, 2 };
        Assert.True(BenchmarkRunner.EpsilonIndicator(fitness, cost, queried, 1) > 0);
        Assert.True(BenchmarkRunner.EpsilonIndicator(fitness, cost, queried, 3) < 0);
    }
}
