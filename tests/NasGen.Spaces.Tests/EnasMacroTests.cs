using System;
using System.Linq;
using System.Numerics;
using NasGen.Evaluation;
using NasGen.OneShot;
using Xunit.Abstractions;
using static TorchSharp.torch;
using Op = NasGen.Spaces.EnasMacro.LayersChoice;
using Connection = NasGen.Spaces.EnasMacro.SkipsChoice;

namespace NasGen.Spaces.Tests;

/// <summary>The ENAS macro space against the ENAS paper.</summary>
public sealed class EnasMacroTests(ITestOutputHelper output)
{
    // Every layer a 3×3 convolution, no skip connection: the plain chain.
    private static EnasMacro.Architecture Chain { get; } = new(
        LayerChoices<Op>.Repeat(Op.Conv3x3, EnasMacro.LayerCount), LayerChoices<Connection>.Repeat(Connection.NoSkip, EnasMacro.SkipCount));

    [Fact]
    public void The_cardinality_is_six_operations_per_layer_times_a_subset_of_earlier_outputs()
    {
        // Layer i (0-based) chooses any subset of its i earlier outputs: 2^(0 + 1 + … + 11) = 2^66 in all.
        BigInteger expected = BigInteger.Pow(6, 12) * BigInteger.Pow(2, 12 * 11 / 2);
        Assert.Equal(expected, EnasMacro.Space.Cardinality);
        Assert.Equal(BigInteger.Parse("160618186625454535808756219904"), EnasMacro.Space.Cardinality);
        // The paper's figure (section 2.3): 1.6 × 10^29.
        Assert.Equal(16, (int)(EnasMacro.Space.Cardinality / BigInteger.Pow(10, 28)));
        Assert.Equal(12 + 66, EnasMacro.Space.Dimensions.Count);
        Assert.Equal(new[] { "Conv3x3", "SepConv3x3", "Conv5x5", "SepConv5x5", "AvgPool3x3", "MaxPool3x3" },
            EnasMacro.Space.Dimensions[0].Candidates.Select(c => c.Token));
    }

    [Fact]
    public void Skip_positions_enumerate_every_earlier_output_of_every_layer_once()
    {
        var positions = Enumerable.Range(1, EnasMacro.LayerCount - 1)
            .SelectMany(layer => Enumerable.Range(0, layer).Select(from => EnasMacro.SkipPosition(layer, from))).ToList();
        Assert.Equal(Enumerable.Range(0, EnasMacro.SkipCount), positions);
        Assert.Throws<ArgumentOutOfRangeException>(() => EnasMacro.SkipPosition(3, 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => EnasMacro.SkipPosition(0, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => EnasMacro.SkipPosition(12, 0));
    }

    [Fact]
    public void A_skip_connection_adds_the_earlier_output_and_nothing_else_changes()
    {
        var connected = Chain with { Skips = Chain.Skips.With(EnasMacro.SkipPosition(5, 0), Connection.Skip) };
        EnasMacro.Space.Validate(connected);
        using var chain = new EnasMacro(Chain, channels: 4, classes: 3, dropout: 0);
        using var skip = new EnasMacro(connected, channels: 4, classes: 3, dropout: 0);
        // A connection has no weights of its own; it costs one factorized reduction of the stem's output, which layer 5
        // reads after the first reduction point (two 1×1 convolutions 4 → 2 and a BN of 4: 24 weights).
        Assert.Equal(Profilers.CountParameters(chain) + 24, Profilers.CountParameters(skip));
        var (missing, unexpected) = skip.load_state_dict(chain.state_dict(), strict: false);
        Assert.Empty(unexpected);
        Assert.All(missing, key => Assert.StartsWith("reductions.0.0.", key));
        using var scope = NewDisposeScope();
        manual_seed(3);
        var input = randn(4, 3, 16, 16);
        // The same shared weights: the outputs differ only because layer 5 adds the (reduced) stem. (Training mode:
        // batch statistics keep every layer's scale, where freshly initialised running statistics let it shrink.)
        var difference = (chain.call(input) - skip.call(input)).abs().max().item<float>();
        Assert.True(difference > 1e-3, $"the outputs differ by {difference} only");
        Assert.Equal(Connection.Skip, connected.Skips[10]); // 5 · 4 / 2 + 0
    }

    [Fact]
    public void Parameters_follow_the_operations_and_are_printed_for_the_doc()
    {
        foreach (var op in Enum.GetValues<Op>())
        {
            using var uniform = EnasMacro.CreateCifar(Chain with { Layers = LayerChoices<Op>.Repeat(op, EnasMacro.LayerCount) });
            output.WriteLine($"ENAS macro, 36 channels, every layer {op}: {Profilers.CountParameters(uniform)} parameters");
        }
        // By hand at 36 channels: the stem's convolution and BN; per layer the 1×1 convolution and BN, the 3×3 convolution
        // and BN, the layer's BN; at each of the two reduction points a factorized reduction (two 1×1 convolutions to
        // 18 channels, BN) of the one output read later, the last; the classifier.
        long perLayer = 36 * 36 + 72 + 36 * 36 * 9 + 72 + 72;
        long expected = 3 * 36 * 9 + 72 + 12 * perLayer + 2 * (2 * 36 * 18 + 72) + 36 * 10 + 10;
        using var net = EnasMacro.CreateCifar(Chain);
        Assert.Equal(expected, Profilers.CountParameters(net));
    }

    [Fact]
    public void The_fixed_network_trains()
    {
        foreach (var architecture in SpaceChecks.Sample(EnasMacro.Space, seed: 12, count: 2).Append(Chain))
        {
            using var net = new EnasMacro(architecture, channels: 4, classes: 3);
            SpaceChecks.ForwardBackward(net, [3, 8, 8], 3);
        }
    }

    [Fact]
    public void The_supernet_mixes_operations_and_connections_and_runs_a_darts_and_a_spos_step()
    {
        using var context = new SupernetContext(seed: 1);
        using var supernet = EnasMacro.CreateSupernet(context, create: a => new EnasMacro(a, channels: 4, classes: 2));
        Assert.Equal(12 + 66, context.Choices.Count);
        Assert.All(supernet.Layers, layer => Assert.Equal(6, Assert.IsType<MixedOperation>(layer).Candidates.Count));
        Assert.All(supernet.Skips, skip => Assert.Equal(2, Assert.IsType<MixedOperation>(skip).Candidates.Count));
        var path = context.SamplePath();
        Assert.Equal(path.Skip(12).Select(code => (Connection)code), supernet.ArchitectureOnPath(path).Skips);
        SpaceChecks.DartsAndSposSteps(supernet, context, supernet.ArchitectureOnPath, EnasMacro.Space, [3, 8, 8], 2);
    }

    [Fact]
    public void Emitted_sources_compile_alone_and_compute_the_same_outputs()
    {
        var architectures = SpaceChecks.Sample(EnasMacro.Space, seed: 13, count: 2);
        SpaceChecks.ExportRoundTrip(EnasMacro.Space, architectures, a => new EnasMacro(a, 4, 3, 3, 0.1), [4, 3, 3, 0.1], [3, 8, 8], "EnasMacro");
    }
}
