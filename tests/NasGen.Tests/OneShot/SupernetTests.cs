using System;
using System.Collections.Generic;
using System.Linq;
using NasGen.OneShot;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace NasGen.Tests.OneShot;

public sealed class SupernetTests
{
    private static Tensor Batch(int seed, int n = 3)
    {
        torch.random.manual_seed(seed);
        return randn(n, 1, 6, 6);
    }

    [Fact]
    public void Supernet_forward_and_backward_give_shapes_and_separate_gradients()
    {
        torch.random.manual_seed(1);
        using var context = new SupernetContext(seed: 1);
        using var net = new TinyNet(context);
        context.Mode = SupernetMode.Weighted;
        // Its 4-channel convolutions are ones oneDNN's JIT kernels get wrong, as one-shot search guards them.
        using var guard = ConvolutionGuard.Attach(net);

        using Tensor logits = net.call(Batch(2));
        Assert.Equal(new long[] { 3, 10 }, logits.shape);
        using Tensor loss = logits.square().mean();
        loss.backward();

        // 1 layer choice + 6 NB201 edges + 3 DARTS input choices + 2+3+4 DARTS edges.
        Assert.Equal(1 + 6 + 3 + 9, context.Choices.Count);
        foreach (var alpha in context.ArchitectureParameters)
        {
            Assert.NotNull(alpha.grad);
            Assert.True(alpha.grad!.abs().sum().item<float>() > 0, "every alpha gets a gradient in weighted mode");
        }
        Assert.Contains(net.parameters(), p => p.grad is not null && p.grad.abs().sum().item<float>() > 0);

        var weightHandles = net.parameters().Select(p => p.Handle).ToHashSet();
        Assert.DoesNotContain(context.ArchitectureParameters, a => weightHandles.Contains(a.Handle));
        var stateHandles = net.state_dict().Values.Select(t => t.Handle).ToHashSet();
        Assert.DoesNotContain(context.ArchitectureParameters, a => stateHandles.Contains(a.Handle));
        Assert.Contains("block.Conv3x3.weight", net.state_dict().Keys);
        Assert.Contains("nb.e3_1.Conv3x3.conv.weight", net.state_dict().Keys);
        Assert.Contains("darts.e4_3.Conv1x1.bn.running_mean", net.state_dict().Keys);
    }

    [Fact]
    public void A_weight_optimiser_step_leaves_the_alphas_alone()
    {
        torch.random.manual_seed(3);
        using var context = new SupernetContext(seed: 3);
        using var net = new TinyNet(context);
        double[][] before = context.Choices.Select(c => c.Logits()).ToArray();
        using var optimizer = optim.SGD(net.parameters(), 0.5);
        using Tensor loss = net.call(Batch(4)).square().mean();
        loss.backward();
        optimizer.step();
        Assert.Equal(before, context.Choices.Select(c => c.Logits()).ToArray());
    }

    [Fact]
    public void Weighted_output_is_the_softmax_weighted_sum_of_the_candidates()
    {
        torch.random.manual_seed(5);
        using var context = new SupernetContext(seed: 5, dtype: ScalarType.Float64);
        var choice = context.Register("op", ["a", "b", "c"]);
        using (no_grad()) choice.Alpha.copy_(tensor(new[] { 0.3, -1.0, 2.0 }, dtype: ScalarType.Float64));
        var candidates = new Module<Tensor, Tensor>[] { Linear(4, 3), Linear(4, 3), Linear(4, 3) };
        foreach (var c in candidates) c.to(ScalarType.Float64);
        using var mixed = new MixedOperation("op", choice, candidates);
        using Tensor x = randn(5, 4, dtype: ScalarType.Float64);

        using Tensor actual = mixed.call(x);
        double[] w = Softmax([0.3, -1.0, 2.0]);
        using Tensor expected = w[0] * candidates[0].call(x) + w[1] * candidates[1].call(x) + w[2] * candidates[2].call(x);
        Assert.True(allclose(actual, expected, rtol: 1e-12, atol: 1e-12));
    }

    [Fact]
    public void Gumbel_forward_weights_are_exactly_one_hot_and_only_the_sample_runs()
    {
        torch.random.manual_seed(6);
        using var context = new SupernetContext(seed: 6) { Mode = SupernetMode.Gumbel, Temperature = 1.5 };
        var choice = context.Register("op", ["a", "b", "c", "d"]);
        var candidates = Enumerable.Range(0, 4).Select(_ => (Module<Tensor, Tensor>)Linear(4, 3)).ToArray();
        using var mixed = new MixedOperation("op", choice, candidates);
        using Tensor x = randn(5, 4);
        var seen = new HashSet<int>();
        for (int draw = 0; draw < 40; draw++)
        {
            context.Resample();
            using Tensor weights = choice.ForwardWeights()!;
            float[] values = weights.data<float>().ToArray();
            Assert.Equal(1, values.Count(v => v == 1f));
            Assert.Equal(3, values.Count(v => v == 0f));
            int sampled = Array.IndexOf(values, 1f);
            Assert.Equal(sampled, choice.LastSample);
            seen.Add(sampled);

            using Tensor output = mixed.call(x);
            using Tensor direct = candidates[sampled].call(x);
            Assert.True(output.eq(direct).all().item<bool>(), "the forward value is exactly the sampled candidate's");
        }
        Assert.True(seen.Count > 1, "different draws sample different candidates");

        choice.Alpha.grad?.zero_();
        using Tensor loss = mixed.call(x).sum();
        loss.backward();
        Assert.True(choice.Alpha.grad!.abs().sum().item<float>() > 0, "the straight-through estimator passes a gradient to alpha");
    }

    [Fact]
    public void Uniform_path_sampling_is_uniform()
    {
        using var context = new SupernetContext(seed: 11);
        var op = context.Register("op", ["a", "b", "c", "d", "e"]);
        var inputs = context.RegisterInputs("in", candidates: 4, chosen: 2); // C(4,2) = 6 codes
        const int draws = 6000;
        var opCounts = new int[5];
        var inputCounts = new int[6];
        for (int i = 0; i < draws; i++)
        {
            int[] path = context.SamplePath();
            opCounts[path[op.Index]]++;
            inputCounts[path[inputs.Index]]++;
        }
        // Chi-square goodness of fit at p = 0.001: critical values 18.47 (4 dof) and 20.52 (5 dof).
        Assert.True(ChiSquare(opCounts, draws) < 18.47, $"op counts {string.Join(",", opCounts)}");
        Assert.True(ChiSquare(inputCounts, draws) < 20.52, $"input counts {string.Join(",", inputCounts)}");
    }

    [Theory]
    [InlineData(21)]
    [InlineData(22)]
    [InlineData(23)]
    [InlineData(24)]
    public void A_fixed_network_with_extracted_weights_equals_the_supernet_on_its_path(int seed)
    {
        torch.random.manual_seed(seed);
        using var context = new SupernetContext(seed);
        using var supernet = new TinyNet(context);
        // Its 4-channel convolutions are ones oneDNN's JIT kernels get wrong (ConvolutionGuard).
        using var supernetGuard = ConvolutionGuard.Attach(supernet);
        // Train a little so batch-norm statistics and weights are not at their initial values.
        context.Mode = SupernetMode.UniformPath;
        using (var optimizer = optim.SGD(supernet.parameters(), 0.05))
        {
            for (int step = 0; step < 3; step++)
            {
                context.SamplePath();
                optimizer.zero_grad();
                using Tensor loss = supernet.call(Batch(seed + step)).square().mean();
                loss.backward();
                optimizer.step();
            }
        }

        context.Mode = SupernetMode.Fixed;
        context.SamplePath();
        TinyArchitecture architecture = supernet.ArchitectureOnPath(context);
        using var fixedNet = new TinyNet(architecture);
        Supernets.InheritWeights(supernet, context, fixedNet);
        using var fixedGuard = ConvolutionGuard.Attach(fixedNet);

        supernet.eval();
        fixedNet.eval();
        using Tensor x = Batch(99, 4);
        using Tensor expected = supernet.call(x);
        using Tensor actual = fixedNet.call(x);
        Assert.True(allclose(actual, expected, rtol: 1e-5, atol: 1e-6), $"architecture {architecture}");
        Assert.True(fixedNet.parameters().Sum(p => p.numel()) < supernet.parameters().Sum(p => p.numel()));
    }

    [Fact]
    public void Extraction_keeps_only_the_chosen_darts_edges_and_drops_the_candidate_level()
    {
        torch.random.manual_seed(30);
        using var context = new SupernetContext(30);
        using var supernet = new TinyNet(context);
        var path = new int[context.Choices.Count];
        context.SetPath(path); // every input choice code 0 = inputs [0,1]; every op code 0 = None / Conv3x3
        context.SetPath("darts.node2.inputs", context["darts.node2.inputs"].CodeOf(new ChosenInputs(4, 1, 3)));
        context.SetPath("darts.edge4-3", (int)TinyOp.Conv3x3);
        context.SetPath("darts.edge4-1", (int)TinyOp.Conv1x1);
        var dict = Supernets.ExtractFixedStateDict(supernet, context);
        Assert.Contains("block.weight", dict.Keys);
        Assert.Contains("darts.e4_3.conv.weight", dict.Keys);
        Assert.Contains("darts.e4_1.bn.running_var", dict.Keys);
        Assert.DoesNotContain(dict.Keys, k => k.StartsWith("darts.e4_0.", StringComparison.Ordinal) || k.StartsWith("darts.e4_2.", StringComparison.Ordinal));
        Assert.DoesNotContain(dict.Keys, k => k.Contains(".Conv3x3.", StringComparison.Ordinal));
        foreach (var t in dict.Values) t.Dispose();
    }

    [Fact]
    public void Derive_skips_none_and_takes_the_top_k_inputs()
    {
        using var context = new SupernetContext(seed: 7, dtype: ScalarType.Float64);
        var op = context.Register("op", ["None", "Conv", "Pool", "zero"]);
        var inputs = context.RegisterInputs("in", candidates: 4, chosen: 2);
        using (no_grad())
        {
            op.Alpha.copy_(tensor(new[] { 5.0, 1.0, 2.0, 9.0 }, dtype: ScalarType.Float64));
            inputs.Alpha.copy_(tensor(new[] { 0.1, 3.0, -1.0, 2.0 }, dtype: ScalarType.Float64));
        }
        int[] derived = context.Derive();
        Assert.Equal("Pool", op.Token(derived[op.Index]));
        Assert.Equal(new ChosenInputs(4, 1, 3), inputs.InputSets[derived[inputs.Index]]);
        Assert.Equal("op=Pool;in=[1,3]", context.Describe(derived));
    }

    [Fact]
    public void Concat_input_choices_cannot_be_mixed()
    {
        using var context = new SupernetContext(seed: 8);
        var choice = context.RegisterInputs("shortcut", candidates: 3, chosen: 2);
        var error = Assert.Throws<NotSupportedException>(() => new MixedInput(choice, InputReduction.Concat));
        Assert.Contains("shortcut", error.Message);
        Assert.Contains("cannot be mixed", error.Message);
    }

    [Fact]
    public void Mixed_input_weighted_sum_and_single_path()
    {
        using var context = new SupernetContext(seed: 9, dtype: ScalarType.Float64);
        var choice = context.RegisterInputs("in", candidates: 3, chosen: 2);
        var mixed = new MixedInput(choice, InputReduction.Sum);
        using Tensor a = ones(2, dtype: ScalarType.Float64), b = 2 * ones(2, dtype: ScalarType.Float64), c = 4 * ones(2, dtype: ScalarType.Float64);
        double[] w = choice.Probabilities();
        using Tensor weighted = mixed.Select(a, b, c);
        Assert.Equal(2 * (w[0] + 2 * w[1] + 4 * w[2]), weighted[0].item<double>(), 12);

        context.Mode = SupernetMode.Fixed;
        context.SetPath("in", choice.CodeOf(new ChosenInputs(3, 0, 2)));
        using Tensor single = mixed.Select(a, null!, c);
        Assert.Equal(5.0, single[0].item<double>());
    }

    [Fact]
    public void Candidates_of_different_output_shapes_fail_on_the_first_forward_with_a_clear_message()
    {
        using var context = new SupernetContext(seed: 10);
        var choice = context.Register("proj", ["narrow", "wide"]);
        using var mixed = new MixedOperation("proj", choice, [Linear(4, 3), Linear(4, 5)]);
        var error = Assert.Throws<InvalidOperationException>(() => mixed.call(zeros(2, 4)));
        Assert.Contains("'proj'", error.Message);
        Assert.Contains("narrow → [2, 3]", error.Message);
    }

    [Fact]
    public void Registering_a_label_again_shares_the_choice()
    {
        using var context = new SupernetContext(seed: 12);
        var first = context.Register("normal.edge1-0", ["a", "b"]);
        Assert.Same(first, context.Register("normal.edge1-0", ["a", "b"]));
        Assert.Throws<ArgumentException>(() => context.Register("normal.edge1-0", ["a", "c"]));
        Assert.Single(context.ArchitectureParameters);
    }

    [Fact]
    public void Same_seed_gives_the_same_alphas_and_paths()
    {
        double[] Alphas(int seed, out int[] path)
        {
            using var context = new SupernetContext(seed);
            context.Register("x", ["a", "b", "c"]);
            context.Register("y", ["a", "b", "c"]);
            path = context.SamplePath();
            return context.Choices.SelectMany(c => c.Logits()).ToArray();
        }
        Assert.Equal(Alphas(4, out var p1), Alphas(4, out var p2));
        Assert.Equal(p1, p2);
        Assert.NotEqual(Alphas(4, out _), Alphas(5, out _));
        Assert.All(Alphas(4, out _), a => Assert.True(Math.Abs(a) < 0.01, "DARTS initialisation is 1e-3 · N(0, 1)"));
    }

    private static double[] Softmax(double[] logits)
    {
        double max = logits.Max();
        double[] e = logits.Select(l => Math.Exp(l - max)).ToArray();
        double sum = e.Sum();
        return e.Select(v => v / sum).ToArray();
    }

    private static double ChiSquare(int[] counts, int total)
    {
        double expected = (double)total / counts.Length;
        return counts.Sum(c => (c - expected) * (c - expected) / expected);
    }
}
