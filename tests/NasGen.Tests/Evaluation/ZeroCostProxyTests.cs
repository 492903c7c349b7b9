using System.Linq;
using NasGen.Data;
using NasGen.Evaluation;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace NasGen.Tests.Evaluation;

public class ZeroCostProxyTests
{
    private static Module<Tensor, Tensor> Net(int width, int seed)
    {
        random.manual_seed(seed);
        return TestNetworks.SmallConvNet(width);
    }

    [Fact]
    public void Synflow_is_deterministic_finite_and_leaves_the_weights_unchanged()
    {
        using var net = Net(8, seed: 1);
        float[] before = net.parameters().SelectMany(p => p.data<float>().ToArray()).ToArray();

        double first = ZeroCostProxies.Synflow(net, 1, 8, 8);
        double again = ZeroCostProxies.Synflow(net, 1, 8, 8);

        Assert.Equal(first, again);
        Assert.True(double.IsFinite(first) && first > 0, $"synflow {first}");
        float[] after = net.parameters().SelectMany(p => p.data<float>().ToArray()).ToArray();
        Assert.Equal(before, after);
        Assert.All(net.parameters(), p => Assert.Equal(ScalarType.Float32, p.dtype));
    }

    [Fact]
    public void Synflow_ranks_a_wider_net_above_a_narrow_one_and_a_blocked_net_at_zero()
    {
        using var wide = Net(16, seed: 1);
        using var narrow = Net(2, seed: 1);
        using var blocked = Net(16, seed: 1);
        using (no_grad())
        {
            // A classifier with zero weights and bias passes no signal: nothing in the net matters.
            blocked.named_parameters().Single(p => p.name == "fc.weight").parameter.zero_();
            blocked.named_parameters().Single(p => p.name == "fc.bias").parameter.zero_();
        }

        double wideScore = ZeroCostProxies.Synflow(wide, 1, 8, 8);
        double narrowScore = ZeroCostProxies.Synflow(narrow, 1, 8, 8);

        Assert.True(wideScore > narrowScore, $"wide {wideScore} <= narrow {narrowScore}");
        Assert.Equal(0, ZeroCostProxies.Synflow(blocked, 1, 8, 8));
    }

    [Fact]
    public void Naswot_is_deterministic_and_ranks_a_wide_net_above_a_dead_one()
    {
        using ClassificationData digits = Datasets.Digits();
        using var wide = Net(16, seed: 3);
        using var dead = Net(16, seed: 3);
        using (no_grad())
        {
            // Every ReLU input is negative: all examples share one activation pattern.
            dead.named_parameters().Single(p => p.name == "conv.weight").parameter.zero_();
            dead.named_parameters().Single(p => p.name == "conv.bias").parameter.fill_(-1);
        }

        double first = ZeroCostProxies.Naswot(wide, digits, batchSize: 32, seed: 5);
        double again = ZeroCostProxies.Naswot(wide, digits, batchSize: 32, seed: 5);
        double deadScore = ZeroCostProxies.Naswot(dead, digits, batchSize: 32, seed: 5);

        Assert.Equal(first, again);
        Assert.True(double.IsFinite(first), $"naswot {first}");
        Assert.True(first > deadScore, $"wide {first} <= dead {deadScore}");
    }

    [Fact]
    public void Naswot_scores_more_relu_units_higher()
    {
        using ClassificationData digits = Datasets.Digits();
        using var wide = Net(16, seed: 3);
        using var narrow = Net(1, seed: 3);

        double wideScore = ZeroCostProxies.Naswot(wide, digits, batchSize: 32, seed: 5);
        double narrowScore = ZeroCostProxies.Naswot(narrow, digits, batchSize: 32, seed: 5);

        Assert.True(wideScore > narrowScore, $"wide {wideScore} <= narrow {narrowScore}");
    }

    [Fact]
    public void Naswot_without_relu_modules_explains_what_it_needs()
    {
        using ClassificationData digits = Datasets.Digits();
        using var linear = Sequential(Flatten(), Linear(64, 10));

        var error = Assert.Throws<System.InvalidOperationException>(() => ZeroCostProxies.Naswot(linear, digits));

        Assert.Contains("ReLU", error.Message);
    }
}
