using NasGen;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace NasGen.IntegrationTests.Spaces;

/// <summary>
/// Two wide input choices (32 of 64 inputs, C(64, 32) ≈ 1.8 × 10^18 selections; 20 of 40, C(40, 20) ≈ 1.4 × 10^11)
/// used through <c>Select</c> with one argument per input, the form the exporter inlines: EmitSource and
/// [FixedArchitecture] write the chosen inputs' arguments. Input i is scaled by i + 1, so each selection computes its
/// own output.
/// </summary>
[SearchSpace(Name = "wide-select-net")]
public sealed partial class WideSelectNet : Module<Tensor, Tensor>
{
    [InputChoice(64, 32, InputReduction.Mean)] public partial InputChoice Skips { get; }

    [InputChoice(40, 20)] public partial InputChoice Taps { get; }

    [Choice(4, 8)] public partial int Width { get; }

    private readonly Module<Tensor, Tensor> stem, head;

    public WideSelectNet(Architecture architecture) : base(nameof(WideSelectNet))
    {
        InitializeChoices(architecture);
        stem = Linear(3, Width);
        head = Linear(Width, 2);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = stem.call(input);
        var y = Skips.Select(
            x * 1f, x * 2f, x * 3f, x * 4f, x * 5f, x * 6f, x * 7f, x * 8f, x * 9f, x * 10f, x * 11f, x * 12f,
            x * 13f, x * 14f, x * 15f, x * 16f, x * 17f, x * 18f, x * 19f, x * 20f, x * 21f, x * 22f, x * 23f,
            x * 24f, x * 25f, x * 26f, x * 27f, x * 28f, x * 29f, x * 30f, x * 31f, x * 32f, x * 33f, x * 34f,
            x * 35f, x * 36f, x * 37f, x * 38f, x * 39f, x * 40f, x * 41f, x * 42f, x * 43f, x * 44f, x * 45f,
            x * 46f, x * 47f, x * 48f, x * 49f, x * 50f, x * 51f, x * 52f, x * 53f, x * 54f, x * 55f, x * 56f,
            x * 57f, x * 58f, x * 59f, x * 60f, x * 61f, x * 62f, x * 63f, x * 64f);
        var z = Taps.Select(
            y * 1f, y * 2f, y * 3f, y * 4f, y * 5f, y * 6f, y * 7f, y * 8f, y * 9f, y * 10f, y * 11f, y * 12f,
            y * 13f, y * 14f, y * 15f, y * 16f, y * 17f, y * 18f, y * 19f, y * 20f, y * 21f, y * 22f, y * 23f,
            y * 24f, y * 25f, y * 26f, y * 27f, y * 28f, y * 29f, y * 30f, y * 31f, y * 32f, y * 33f, y * 34f,
            y * 35f, y * 36f, y * 37f, y * 38f, y * 39f, y * 40f);
        return head.call(z).MoveToOuterDisposeScope();
    }
}
