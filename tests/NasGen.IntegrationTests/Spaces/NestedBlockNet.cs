using NasGen;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace NasGen.IntegrationTests.Spaces;

/// <summary>
/// A space with a module class nested in it: the exporter renames the space's constructors to the exported class,
/// never the nested class's (it once wrote <c>public Exported(int width) : base(nameof(Block))</c> inside Block).
/// </summary>
[SearchSpace]
public sealed partial class NestedBlockNet : Module<Tensor, Tensor>
{
    [Choice(4, 8)] public partial int Width { get; }

    private readonly Module<Tensor, Tensor> stem;
    private readonly Block block;

    public NestedBlockNet(Architecture architecture) : base(nameof(NestedBlockNet))
    {
        InitializeChoices(architecture);
        stem = Linear(6, Width);
        block = new Block(Width);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input) => block.call(stem.call(input.flatten(1)));

    private sealed class Block : Module<Tensor, Tensor>
    {
        private readonly Linear linear;

        public Block(int width) : base(nameof(Block))
        {
            linear = Linear(width, width);
            RegisterComponents();
        }

        public override Tensor forward(Tensor input) => linear.call(input);
    }
}
