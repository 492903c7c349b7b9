// The README's quickstart, compiled and run as written (only the class name differs).
using NasGen;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace NasGen.IntegrationTests.Readme;

[SearchSpace]
public sealed partial class ReadmeDigitsNet : Module<Tensor, Tensor>
{
    [Choice(8, 16, 32)] public partial int Width { get; }
    [LayerChoice(nameof(Conv3x3), nameof(Conv5x5))] public partial Module<Tensor, Tensor> Block { get; }
    [Repeat(0, 2, nameof(ExtraBlock))] public partial Sequential Extra { get; }
    [InputChoice(candidates: 2, chosen: 1)] public partial InputChoice Shortcut { get; }

    [Constraint] static bool SmallEnough(Architecture a) => !(a.Width == 32 && a.Block == BlockChoice.Conv5x5);

    private readonly Module<Tensor, Tensor> stem, head;

    public ReadmeDigitsNet(Architecture architecture) : base(nameof(ReadmeDigitsNet))
    {
        InitializeChoices(architecture);          // generated: validates and builds only the chosen operations
        stem = Conv2d(1, Width, 3, padding: 1);
        head = Sequential(AdaptiveAvgPool2d(1), Flatten(), Linear(Width, 10));
        RegisterComponents();
    }

    Module<Tensor, Tensor> Conv3x3() => Sequential(Conv2d(Width, Width, 3, padding: 1), ReLU());
    Module<Tensor, Tensor> Conv5x5() => Sequential(Conv2d(Width, Width, 5, padding: 2), ReLU());
    Module<Tensor, Tensor> ExtraBlock(int index) => Conv3x3();

    public override Tensor forward(Tensor x)
    {
        var features = stem.call(x);
        var deeper = Extra.call(Block.call(features));
        return head.call(Shortcut.Select(deeper, features + deeper));
    }
}
