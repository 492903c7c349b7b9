using System;
using System.Collections.Generic;
using System.Linq;
using System.Numerics;
using NasGen.IntegrationTests.Spaces;
using NasGen.OneShot;
using NasGen.Strategies;
using static TorchSharp.torch;

namespace NasGen.IntegrationTests;

/// <summary>
/// [InputChoice(64, 32)]: about 1.8 × 10^18 selections, more than an int candidate code numbers. Every space operation
/// ranks or unranks one selection (the selection travels in the numbers vector), so each is answered in a few
/// kilobytes; the fixed network, the supernet and the sampling strategies work on it, and what keeps a number per
/// candidate refuses it by name.
/// </summary>
public sealed class WideInputChoiceTests
{
    private static readonly BigInteger Selections = BigInteger.Parse("1832624140942590534");
    private static readonly WideInputNet.SpaceDescriptor Space = WideInputNet.Space;

    [Fact]
    public void Every_space_operation_answers_without_listing_the_selections()
    {
        var random = new Random(5);
        long before = GC.GetAllocatedBytesForCurrentThread();
        Assert.Equal(Selections * 2, Space.Cardinality);
        var skips = Space.Dimensions[0];
        Assert.True(skips.IsWide);
        Assert.Equal(Selections, skips.CandidateCount);
        for (int i = 0; i < 200; i++)
        {
            var sampled = Space.Sample(random);
            Space.Validate(sampled);
            Assert.Equal(32, sampled.Skips.Count);

            var mutated = Space.Mutate(sampled, random);
            Assert.NotEqual(sampled, mutated);
            // One choice changed: the width, or the selection by one swapped input.
            Assert.True(mutated.Width != sampled.Width
                ? mutated.Skips == sampled.Skips
                : BitOperations.PopCount(mutated.Skips.Mask ^ sampled.Skips.Mask) == 2);

            var child = Space.Crossover(sampled, mutated, random);
            Assert.True(child.Skips == sampled.Skips || child.Skips == mutated.Skips);

            var index = Space.IndexOf(mutated);
            Assert.InRange(index, BigInteger.Zero, Space.Cardinality - 1);
            Assert.Equal(mutated, Space.FromIndex(index));
            Assert.Equal(mutated, Space.FromJson(Space.ToJson(mutated)));
            Assert.Equal(mutated, Space.Parse(Space.ToCanonicalString(mutated)));
            Assert.All(Space.EncodeNormalised(mutated), u => Assert.InRange(u, 0.0, 1.0));
        }
        var last = Space.FromIndex(Space.Cardinality - 1);
        Assert.Equal("skips=[" + string.Join(",", Enumerable.Range(32, 32)) + "];width=8", Space.ToCanonicalString(last));
        Assert.Equal([1.0, 1.0], Space.EncodeNormalised(last));
        // Neighbours: each of the 32 chosen inputs swapped for each of the 32 others, and the other width.
        Assert.Equal(32 * 32 + 1, Space.Neighbours(last).Distinct().Count());
        // Enumeration is lazy and in index order.
        int n = 0;
        foreach (var architecture in Space.Enumerate())
        {
            Assert.Equal(Space.FromIndex(n), architecture);
            if (++n == 5) break;
        }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        // About 5.6 MB for the 200 rounds of eight operations, the 1,025 neighbours and the texts; listing would take exabytes.
        Assert.True(allocated < 8_000_000, $"{allocated:N0} bytes allocated");
    }

    [Fact]
    public void Bad_selections_and_int_encodings_are_refused_by_name()
    {
        var architecture = Space.FromIndex(12345);
        var categorical = Assert.Throws<NotSupportedException>(() => Space.EncodeCategorical(architecture));
        Assert.Contains("'skips' has 1832624140942590534 selections", categorical.Message);
        var oneHot = Assert.Throws<NotSupportedException>(() => Space.EncodeOneHot(architecture));
        Assert.Contains("'skips' has 1832624140942590534", oneHot.Message);
        Assert.Contains("EncodeNormalised", oneHot.Message);
        // Its forward passes Select an array, which the exporter cannot inline (Export/WideExportTests: the form it can).
        var export = Assert.Throws<NotSupportedException>(() => Space.EmitSource(architecture, "Fixed", "Demo"));
        Assert.Contains("calls Skips.Select with 1 arguments", export.Message);

        // 31 inputs chosen where 32 must be: every reader names the label and what it needs.
        var tooFew = architecture with { Skips = new ChosenInputs(64, Enumerable.Range(0, 31).ToArray()) };
        Assert.False(Space.IsAllowed(tooFew));
        var invalid = Assert.Throws<InvalidArchitectureException>(() => Space.Validate(tooFew));
        Assert.Contains("not a selection of 32 of its 64 inputs", invalid.Message);
        string text = Space.ToCanonicalString(architecture);
        string shortened = text.Replace("[0,", "[", StringComparison.Ordinal);
        Assert.Contains("not a selection of 32 of its 64 inputs", Assert.Throws<InvalidArchitectureException>(() => Space.Parse(shortened)).Message);
        string json = "{ \"skips\": [" + string.Join(", ", Enumerable.Range(0, 31)) + "], \"width\": 4 }";
        Assert.Contains("which is not any 32 of the inputs 0..63", Assert.Throws<InvalidArchitectureException>(() => Space.FromJson(json)).Message);
    }

    [Fact]
    public void The_fixed_network_averages_the_chosen_inputs_and_the_supernet_runs_forward_and_backward()
    {
        var architecture = Space.Sample(new Random(8));
        manual_seed(1);
        using var net = new WideInputNet(architecture);
        using (var scope = NewDisposeScope())
        {
            var input = randn(5, 3);
            var output = net.call(input);
            Assert.Equal(new long[] { 5, 2 }, output.shape);
            // The mean of inputs (i + 1) · x over the chosen i is x times the mean of (i + 1).
            double factor = architecture.Skips.ToArray().Average(i => i + 1.0);
            var (stem, head) = ((TorchSharp.Modules.Linear)net.named_children().First(c => c.name == "stem").module,
                (TorchSharp.Modules.Linear)net.named_children().First(c => c.name == "head").module);
            var expected = head.call(stem.call(input) * factor);
            Assert.True(output.allclose(expected, rtol: 1e-5, atol: 1e-5));
        }

        using var context = new SupernetContext(seed: 3);
        using var supernet = WideInputNet.CreateSupernet(context, width: 4);
        var skips = Assert.Single(context.Choices, c => c.Label == "skips");
        Assert.Equal(new long[] { 64 }, skips.Alpha.shape); // one weight per input, not per selection
        context.Mode = SupernetMode.Weighted;
        supernet.train();
        using (var scope = NewDisposeScope())
        {
            var output = supernet.call(randn(5, 3));
            Assert.Equal(new long[] { 5, 2 }, output.shape);
            output.sum().backward();
            Assert.NotNull(skips.Alpha.grad);
        }
        context.Mode = SupernetMode.Gumbel;
        using (var scope = NewDisposeScope())
            Assert.Equal(new long[] { 5, 2 }, supernet.call(randn(5, 3)).shape);
        Assert.Equal(32, skips.LastSampledInputs.Count);
        // A path numbers each choice's selection by an int: asking for one says what works instead.
        context.Mode = SupernetMode.Fixed;
        var path = Assert.Throws<NotSupportedException>(() => context.SamplePath());
        Assert.Contains("'skips' selects 32 of 64 inputs: 1832624140942590534 selections, more than a path's int code numbers", path.Message);
    }

    public static TheoryData<string> Sampling => new() { "random", "evolution", "local", "hyperband", "pareto-evolution" };

    [Theory]
    [MemberData(nameof(Sampling))]
    public void Sampling_and_mutating_strategies_search_the_space(string name)
    {
        var strategy = SearchStrategies.Create(name, Space, seed: 2);
        var seen = new HashSet<WideInputNet.Architecture>();
        for (int i = 0; i < 40 && strategy.Ask() is { } suggestion; i++)
        {
            var a = suggestion.Architecture;
            Assert.True(Space.IsAllowed(a));
            seen.Add(a);
            // Best: the 32 lowest inputs and width 8.
            double fitness = -BitOperations.PopCount(a.Skips.Mask >> 32) - (a.Width == 8 ? 0 : 1);
            strategy.Tell(suggestion, new TrialOutcome(fitness) { Objectives = [fitness, -a.Width] });
        }
        (strategy as IDisposable)?.Dispose();
        Assert.True(seen.Count >= 10, $"{name} proposed only {seen.Count} distinct architectures");
    }

    public static TheoryData<string> PerCandidate => new() { "reinforce", "bo", "tpe", "tpe-multivariate", "parego", "ehvi" };

    [Theory]
    [MemberData(nameof(PerCandidate))]
    public void Strategies_that_keep_a_number_per_candidate_refuse_the_choice_by_name(string name)
    {
        var error = Assert.Throws<NotSupportedException>(() =>
        {
            var strategy = SearchStrategies.Create(name, Space, seed: 2);
            (strategy as IDisposable)?.Dispose();
        });
        Assert.Contains("'skips' has 1832624140942590534 candidates", error.Message);
    }
}
