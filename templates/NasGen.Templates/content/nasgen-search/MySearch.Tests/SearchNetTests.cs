using MySearch;
using static TorchSharp.torch;

namespace MySearch.Tests;

public class SearchNetTests
{
    // Every architecture of the space builds and gives one score per class for every example: a change to
    // SearchNet.cs that breaks any combination of choices fails here, not hours into a search.
    [Fact]
    public void Every_architecture_gives_one_score_per_class()
    {
        const int classes = 3;
        foreach (SearchNet.Architecture architecture in SearchNet.Space.Enumerate())
        {
#if (data == "csv")
            using var network = new SearchNet(architecture, features: 5, classes: classes);
            using Tensor input = randn(4, 5);
#else
            using var network = new SearchNet(architecture, channels: 1, classes: classes);
            using Tensor input = randn(4, 1, 16, 16);
#endif
            network.eval();
            using Tensor scores = network.call(input);
            Assert.Equal(new long[] { 4, classes }, scores.shape);
            Assert.False(scores.isnan().any().item<bool>(), $"{architecture} gives NaN");
        }
    }
}
