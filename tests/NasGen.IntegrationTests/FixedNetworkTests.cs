using System;
using System.Linq;
using NasGen.IntegrationTests.Spaces;
using TorchSharp;
using static TorchSharp.torch;

namespace NasGen.IntegrationTests;

/// <summary>Generated fixed networks run forward and backward on CPU, with only the chosen operations.</summary>
public sealed class FixedNetworkTests
{
    [Fact]
    public void Every_sampled_architecture_runs_forward_and_backward()
    {
        var random = new Random(42);
        torch.manual_seed(42);
        for (int i = 0; i < 12; i++)
        {
            var architecture = TinyConvNet.Space.Sample(random);
            using var net = new TinyConvNet(architecture);
            using var scope = NewDisposeScope();
            var input = randn(2, 1, 8, 8);
            var logits = net.call(input);
            Assert.Equal(new long[] { 2, 10 }, logits.shape);
            logits.sum().backward();
            // Gradients reach the stem and the head on every path (the input choice may leave a block unused).
            Assert.All(net.named_parameters().Where(p => p.name.StartsWith("stem") || p.name.StartsWith("head")),
                p => Assert.NotNull(p.parameter.grad));
            Assert.Equal(architecture, net.CurrentArchitecture);
        }
    }

    [Fact]
    public void Only_the_chosen_operations_exist_under_deterministic_names()
    {
        var architecture = TinyConvNet.Space.FromIndex(0) with
        {
            Width = 4,
            BatchNorm = false,
            Block = TinyConvNet.BlockChoice.Conv5x5,
            Extra = 2,
        };
        using var net = new TinyConvNet(architecture);
        var keys = net.state_dict().Keys.ToHashSet();

        // The chosen 5x5 block: a conv with a 5x5 kernel under the field name "block".
        Assert.Contains("block.0.weight", keys);
        Assert.Equal(new long[] { 4, 4, 5, 5 }, net.state_dict()["block.0.weight"].shape);
        // Two extra blocks named 0 and 1; the nested head under "head".
        Assert.Contains("extra.0.0.weight", keys);
        Assert.Contains("extra.1.0.weight", keys);
        Assert.DoesNotContain("extra.2.0.weight", keys);
        Assert.Contains("head.hiddenLayer.weight", keys);
        // Nothing else was built: no batch norm buffers, no depthwise convs.
        Assert.DoesNotContain(keys, k => k.Contains("running_mean"));
        Assert.Equal(new[] { "block", "extra", "head", "stem", "toHead" }, keys.Select(k => k.Split('.')[0]).Distinct().Order());

        // Same architecture, same keys and shapes: the state_dict is part of the contract.
        using var twin = new TinyConvNet(architecture);
        Assert.Equal(net.state_dict().Keys.Order(), twin.state_dict().Keys.Order());
    }

    [Fact]
    public void Zero_extra_blocks_is_the_identity()
    {
        var architecture = TinyConvNet.Space.FromIndex(0) with { Extra = 0 };
        using var net = new TinyConvNet(architecture);
        Assert.Empty(net.Extra.children());
        using var x = randn(1, 4, 8, 8);
        using var y = net.Extra.call(x);
        Assert.Equal(0f, (y - x).abs().max().item<float>());
    }

    [Fact]
    public void An_invalid_architecture_is_refused_before_anything_is_built()
    {
        var bad = TinyConvNet.Space.FromIndex(0) with { Width = 5 };
        var error = Assert.Throws<InvalidArchitectureException>(() => new TinyConvNet(bad));
        Assert.Equal("width", error.Label);
    }

    [Fact]
    public void Input_choice_combines_the_selected_inputs()
    {
        using var a = ones(2, 3);
        using var b = full(2, 3, 2f);
        using var c = full(2, 3, 4f);
        Assert.Equal(6f, new InputChoice(new ChosenInputs(3, 1, 2), InputReduction.Sum).Select(a, b, c)[0, 0].item<float>());
        Assert.Equal(2.5f, new InputChoice(new ChosenInputs(3, 0, 2), InputReduction.Mean).Select(a, b, c)[0, 0].item<float>());
        Assert.Equal(new long[] { 2, 6 }, new InputChoice(new ChosenInputs(3, 0, 1), InputReduction.Concat).Select(a, b, c).shape);
        Assert.Same(b, new InputChoice(new ChosenInputs(3, 1), InputReduction.Sum).Select(a, b, c));
        Assert.Throws<ArgumentException>(() => new InputChoice(new ChosenInputs(3, 1), InputReduction.Sum).Select(a, b));
    }

    [Fact]
    public void A_fixed_network_trains()
    {
        torch.manual_seed(0);
        var architecture = TinyConvNet.Space.Sample(new Random(0));
        using var net = new TinyConvNet(architecture);
        // An own training loop attaches the guard, as NasGen's trainers do: oneDNN's kernels get these channel
        // counts wrong (8 at AVX-512: the loss went to NaN without it; docs/guides/troubleshooting.md).
        using var guard = ConvolutionGuard.Attach(net);
        using var optimizer = optim.Adam(net.parameters(), 0.01);
        var input = randn(16, 1, 8, 8);
        var target = randint(0, 10, 16);
        float first = 0, last = 0;
        for (int step = 0; step < 80; step++)
        {
            optimizer.zero_grad();
            using (NewDisposeScope())
            {
                var loss = nn.functional.cross_entropy(net.call(input), target);
                loss.backward();
                last = loss.item<float>();
                if (step == 0) first = last;
            }
            // Outside the scope: the optimizer creates its state tensors lazily in its first step.
            optimizer.step();
        }
        Assert.True(last < first * 0.7f, $"loss {first} -> {last}");
    }
}
