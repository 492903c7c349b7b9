using System.Linq;
using NasGen;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace NasGen.IntegrationTests.Spaces;

/// <summary>
/// An input choice of 32 of 64 inputs (C(64, 32) ≈ 1.8 × 10^18 selections, more than an int numbers) beside a width:
/// the selection travels beside the codes, and the fixed network, the supernet and the search strategies work on it.
/// </summary>
[SearchSpace(Name = "wide-input-net")]
public sealed partial class WideInputNet : Module<Tensor, Tensor>
{
    [InputChoice(64, 32, InputReduction.Mean)] public partial InputChoice Skips { get; }

    [Choice(4, 8)] public partial int Width { get; }

    private readonly Module<Tensor, Tensor> stem, head;

    public WideInputNet(Architecture architecture) : base(nameof(WideInputNet))
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
        // Input i is the stem's output times i + 1: each selection gives its own mean.
        var candidates = Enumerable.Range(1, 64).Select(i => x * i).ToArray();
        return head.call(Skips.Select(candidates)).MoveToOuterDisposeScope();
    }
}
