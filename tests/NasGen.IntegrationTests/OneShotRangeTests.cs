using System;
using System.Linq;
using NasGen.IntegrationTests.Spaces;
using NasGen.OneShot;

namespace NasGen.IntegrationTests;

/// <summary>A supernet pins numeric ranges at CreateSupernet's arguments, and asking its context to search one says so.</summary>
public sealed class OneShotRangeTests
{
    [Fact]
    public void A_supernet_pins_its_ranges_and_refuses_to_search_them_by_name()
    {
        using var context = new SupernetContext(seed: 1);
        using var supernet = DropoutNet.CreateSupernet(context, hidden: 8, dropout: 0.25);
        string dropout = DropoutNet.Space.Dimensions.Single(d => d.IsContinuous).Label;
        string hidden = DropoutNet.Space.Dimensions.Single(d => d.Range is { IsContinuous: false }).Label;

        // The network is built at the pinned values, and the one-shot path has nothing to choose for them.
        var architecture = supernet.ArchitectureOnPath([]);
        Assert.Equal(0.25, architecture.Dropout);
        Assert.Equal(8, architecture.Hidden);
        Assert.Empty(context.PathDimensions());

        var error = Assert.Throws<NotSupportedException>(() => context[dropout]);
        Assert.Contains($"'{dropout}' is a numeric range, pinned when the supernet was built ({dropout} = 0.25 in [0, 0.5])", error.Message);
        Assert.Contains($"{hidden} = 8 in [4, 16] step 4", error.Message);
        Assert.Contains("multi-trial strategy", error.Message);
        var setPath = Assert.Throws<NotSupportedException>(() => context.SetPath(hidden, 1));
        Assert.Contains($"'{hidden}' is a numeric range", setPath.Message);
        Assert.Equal(2, context.PinnedRanges.Count);

        // A label that is neither a choice nor a range keeps the plain error.
        Assert.Throws<System.Collections.Generic.KeyNotFoundException>(() => context["nothing"]);
    }
}
