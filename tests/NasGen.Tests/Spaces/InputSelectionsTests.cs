using System;
using System.Linq;
using NasGen.OneShot;
using static TorchSharp.torch;

namespace NasGen.Tests.Spaces;

/// <summary>Input selections are computed (ranked and unranked), never listed, in the order they were always listed in.</summary>
public sealed class InputSelectionsTests
{
    [Fact]
    public void Computed_selections_are_the_listed_ones_in_the_same_order()
    {
        for (int n = 1; n <= 12; n++)
        {
            for (int k = 1; k <= n; k++)
            {
                var listed = ChosenInputs.All(n, k);
                var computed = new InputSelections(n, k);
                Assert.Equal(listed.Length, computed.Count);
                Assert.Equal(listed, computed.ToArray());
                for (int i = 0; i < listed.Length; i++) Assert.Equal(i, computed.IndexOf(listed[i]));
            }
        }
        Assert.Equal(-1, new InputSelections(4, 2).IndexOf(new ChosenInputs(4, 0, 1, 2)));
        Assert.Equal(-1, new InputSelections(4, 2).IndexOf(new ChosenInputs(5, 0, 1)));
    }

    [Fact]
    public void The_last_selections_of_64_inputs_unrank_and_rank_exactly()
    {
        var selections = new InputSelections(64, 5);
        Assert.Equal(7_624_512, selections.Count);
        Assert.Equal(new ChosenInputs(64, 59, 60, 61, 62, 63), selections[selections.Count - 1]);
        Assert.Equal(new ChosenInputs(64, 0, 1, 2, 3, 4), selections[0]);
        var random = new Random(3);
        for (int i = 0; i < 1000; i++)
        {
            int index = random.Next(selections.Count);
            Assert.Equal(index, selections.IndexOf(selections[index]));
        }
    }

    [Fact]
    public void More_selections_than_an_int_can_number_are_refused_with_the_diagnostic_id()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new InputSelections(64, 32));
        Assert.Contains("1832624140942590534 selections", error.Message);
        Assert.Contains("NASG035", error.Message);
    }

    [Fact]
    public void A_supernet_input_choice_of_64_inputs_keeps_one_weight_per_input_and_lists_nothing()
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        using var context = new SupernetContext(seed: 4, dtype: ScalarType.Float64);
        var choice = context.RegisterInputs("skips", candidates: 64, chosen: 5);
        var mixed = new MixedInput(choice, InputReduction.Sum);
        Assert.Equal(7_624_512, choice.CodeCount);
        Assert.Equal(new long[] { 64 }, choice.Alpha.shape);
        var dimension = Assert.Single(context.PathDimensions());
        Assert.Equal(7_624_512, dimension.Count);

        var inputs = Enumerable.Range(0, 64).Select(i => full(2, (double)(1L << (i % 20)), dtype: ScalarType.Float64)).ToArray();
        context.Mode = SupernetMode.Fixed;
        int[] path = context.SamplePath();
        var selected = choice.InputSets[path[choice.Index]];
        using (Tensor single = mixed.Select(inputs))
            Assert.Equal(selected.ToArray().Sum(i => (double)(1L << (i % 20))), single[0].item<double>());
        int derived = context.Derive()[choice.Index];
        Assert.Equal(5, choice.InputSets[derived].Count);
        foreach (var t in inputs) t.Dispose();

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated < 8_000_000, $"{allocated:N0} bytes allocated");
    }
}
