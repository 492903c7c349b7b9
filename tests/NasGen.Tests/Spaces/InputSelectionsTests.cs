using System;
using System.Linq;
using NasGen.OneShot;
using NasGen.Strategies;
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
    public void More_selections_than_an_int_can_number_are_wide_and_rank_and_unrank_by_long()
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        var selections = new InputSelections(64, 32);
        Assert.True(selections.IsWide);
        Assert.False(new InputSelections(64, 5).IsWide);
        Assert.Equal(1_832_624_140_942_590_534, selections.LongCount);
        Assert.Equal(new ChosenInputs(64, Enumerable.Range(0, 32).ToArray()), selections.ElementAt(0));
        Assert.Equal(new ChosenInputs(64, Enumerable.Range(32, 32).ToArray()), selections.ElementAt(selections.LongCount - 1));
        var random = new Random(11);
        for (int i = 0; i < 1000; i++)
        {
            long index = random.NextInt64(selections.LongCount);
            var selection = selections.ElementAt(index);
            Assert.Equal(index, selections.LongIndexOf(selection));
            // The numbers vector carries the mask's bits exactly, NaN patterns included.
            Assert.Equal(selection, selections.FromNumber(InputSelections.ToNumber(selection)));
            var swapped = selections.RandomSwap(selection, random);
            Assert.True(selections.Contains(swapped));
            Assert.Equal(2, System.Numerics.BitOperations.PopCount(swapped.Mask ^ selection.Mask));
        }
        Assert.Equal(32 * 32, selections.Swaps(selections.ElementAt(7)).Distinct().Count());
        // The asserts box their arguments; listing the selections would take exabytes.
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated < 4_000_000, $"{allocated:N0} bytes allocated");

        // The int views refuse, naming what to use instead; a number that carries no selection is refused.
        Assert.Contains("use LongCount", Assert.Throws<NotSupportedException>(() => selections.Count).Message);
        Assert.Contains("use ElementAt", Assert.Throws<NotSupportedException>(() => selections[0]).Message);
        Assert.Contains("use LongIndexOf", Assert.Throws<NotSupportedException>(() => selections.IndexOf(selections.ElementAt(0))).Message);
        Assert.Throws<ArgumentException>(() => selections.FromNumber(0.5));
        Assert.Equal(-1, selections.LongIndexOf(new ChosenInputs(64, 0, 1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => selections.ElementAt(selections.LongCount));
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

    [Fact]
    public void Strategies_that_keep_a_number_per_candidate_refuse_millions_of_selections_by_name()
    {
        using var context = new SupernetContext(seed: 5);
        context.RegisterInputs("skips", candidates: 64, chosen: 5);
        var space = new PathSpace(context);
        var reinforce = Assert.Throws<NotSupportedException>(() => new Reinforce<SupernetPath>(space, null, seed: 1));
        Assert.Contains("REINFORCE keeps a number per candidate, and 'skips' has 7624512 candidates", reinforce.Message);
        var bayesian = Assert.Throws<NotSupportedException>(() => new BayesianOptimization<SupernetPath>(space, null, seed: 1));
        Assert.Contains("'skips' has 7624512 candidates", bayesian.Message);
        // The sampling strategies need no number per candidate.
        var path = space.Mutate(space.Sample(new Random(2)), new Random(3));
        Assert.Equal(path, space.FromIndex(space.IndexOf(path)));
    }
}
