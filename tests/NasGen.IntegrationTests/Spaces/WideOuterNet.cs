using NasGen;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace NasGen.IntegrationTests.Spaces;

/// <summary>Two properties of one space with wide input choices: their selections travel in this space's numbers vector.</summary>
[SearchSpace(Name = "wide-outer-net")]
public sealed partial class WideOuterNet : Module<Tensor, Tensor>
{
    [SubSpace] public partial WideSelectNet First { get; }

    [SubSpace] public partial WideSelectNet Second { get; }

    public WideOuterNet(Architecture architecture) : base(nameof(WideOuterNet))
    {
        InitializeChoices(architecture);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input) => First.call(input) + Second.call(input);
}
