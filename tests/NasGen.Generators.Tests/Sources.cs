namespace NasGen.Generators.Tests;

/// <summary>Valid search spaces the tests compile (each is prefixed with the test usings).</summary>
internal static class Sources
{
    // A space using classes declared beside it in its file: ConvBn directly, Padding through ConvBn; Unused by nothing.
    public const string BesideClasses = """
        namespace Demo
        {
            [SearchSpace(Name = "net")]
            public sealed partial class Net : Module<Tensor, Tensor>
            {
                [Choice(3, 5)] public partial int Kernel { get; }

                private readonly ConvBn block;

                public Net(Architecture architecture) : base(nameof(Net))
                {
                    InitializeChoices(architecture);
                    block = new ConvBn(2, Kernel);
                    RegisterComponents();
                }

                public override Tensor forward(Tensor input) => block.call(input);
            }

            internal sealed class ConvBn : Module<Tensor, Tensor>
            {
                private readonly Conv2d conv;
                private readonly BatchNorm2d norm;

                public ConvBn(int channels, int kernel) : base(nameof(ConvBn))
                {
                    conv = Conv2d(channels, channels, kernel, padding: Padding.Same(kernel));
                    norm = BatchNorm2d(channels);
                    RegisterComponents();
                }

                public override Tensor forward(Tensor x) => norm.call(conv.call(x));
            }

            internal static class Padding
            {
                public static int Same(int kernel) => kernel / 2;
            }

            internal static class Unused
            {
            }
        }
        """;

    public const string ValueOnly = """
        namespace Demo;

        public enum Optimizer { Sgd, Adam, AdamW }

        [SearchSpace]
        public partial class Hyper
        {
            [Choice(16, 32, 64)] public partial int Width { get; }
            [Choice(2L, 4L)] public partial long Groups { get; }
            [Choice(0.1, 0.01)] public partial float LearningRate { get; }
            [Choice(0.0, 0.5)] public partial double Dropout { get; }
            [Choice] public partial bool UseBias { get; }
            [Choice("max", "avg", Label = "pool")] public partial string Pooling { get; }
            [Choice] public partial Optimizer Optimizer { get; }
        }
        """;

    public const string Modules = """
        namespace Demo.Nets;

        public sealed class Identity : Module<Tensor, Tensor>
        {
            public Identity() : base(nameof(Identity)) { }
            public override Tensor forward(Tensor input) => input;
        }

        public sealed class Zero : Module<Tensor, Tensor>
        {
            public Zero() : base(nameof(Zero)) { }
            public override Tensor forward(Tensor input) => zeros_like(input);
        }

        [SearchSpace(Name = "cell")]
        public sealed partial class Cell : Module<Tensor, Tensor>
        {
            [Choice(8, 16)] public partial int Width { get; }

            [LayerChoice(nameof(Conv3x3), nameof(Conv5x5))]
            public partial Module<Tensor, Tensor> Op { get; }

            [LayerChoice(typeof(Identity), typeof(Zero))]
            public partial Module<Tensor, Tensor> Shortcut { get; }

            [InputChoice(3, 2, NasGen.InputReduction.Mean)] public partial InputChoice Skip { get; }

            [Repeat(1, 3, nameof(MakeBlock), Label = "depth")] public partial Sequential Blocks { get; }

            public Cell(Architecture architecture) : base(nameof(Cell))
            {
                InitializeChoices(architecture);
                RegisterComponents();
            }

            private Module<Tensor, Tensor> Conv3x3() => Conv2d(Width, Width, 3, padding: 1);

            private Module<Tensor, Tensor> Conv5x5() => Conv2d(Width, Width, 5, padding: 2);

            private Module<Tensor, Tensor> MakeBlock(int index) => ReLU();

            public override Tensor forward(Tensor input)
            {
                var a = Op.call(input);
                var b = Blocks.call(a);
                return Skip.Select(input, Shortcut.call(a), b);
            }
        }
        """;

    public const string Cells = """
        namespace Demo.Cells;

        public enum Op { None, Skip, Conv3x3 }

        [SearchSpace(Name = "cells")]
        public sealed partial class CellNet : Module<Tensor, Tensor>
        {
            [Choice(8, 16)] public partial int Width { get; }

            [Cell(nodes: 4, ops: typeof(Op), factory: nameof(MakeOp))] public partial Cell<Op> Normal { get; }

            [Cell(inputNodes: 2, intermediateNodes: 3, chosen: 2, ops: typeof(Op), factory: nameof(MakeOp), Label = "reduction")]
            public partial Cell<Op> Reduce { get; }

            private readonly Cell<Op> normal2;

            public CellNet(Architecture architecture) : base(nameof(CellNet))
            {
                InitializeChoices(architecture);
                normal2 = NewNormal("normal2");
                RegisterComponents();
            }

            private Module<Tensor, Tensor> MakeOp(Op op, CellEdge edge) => op switch
            {
                Op.None => new ZeroOp(),
                Op.Skip => Identity(),
                _ => Conv2d(Width, Width, 3, padding: 1),
            };

            public override Tensor forward(Tensor input)
            {
                var x = normal2.call(Normal.call(input));
                return Reduce.Forward(x, input);
            }
        }
        """;

    public const string IndexedLayers = """
        namespace Demo.Stacks;

        [SearchSpace(Name = "stack")]
        public sealed partial class Stack : Module<Tensor, Tensor>
        {
            [Choice(8, 16)] public partial int Width { get; }

            [LayerChoice(nameof(Narrow), nameof(Wide), nameof(Skip), Count = 3)]
            public partial ModuleList<Module<Tensor, Tensor>> Blocks { get; }

            public Stack(Architecture architecture) : base(nameof(Stack))
            {
                InitializeChoices(architecture);
                RegisterComponents();
            }

            private Module<Tensor, Tensor> Narrow(int block) => Conv2d(Width, Width, 3, padding: 1);

            private Module<Tensor, Tensor> Wide(int block) => Conv2d(Width, Width, 3 + 2 * block, padding: 1 + block);

            private Module<Tensor, Tensor> Skip(int block) => Identity();

            public override Tensor forward(Tensor input)
            {
                foreach (var block in Blocks) input = block.call(input);
                return input;
            }
        }
        """;

    public const string Nested = """
        namespace Demo.Nested;

        [SearchSpace]
        public sealed partial class Head : Module<Tensor, Tensor>
        {
            [Choice(16, 32)] public partial int Hidden { get; }

            private readonly Module<Tensor, Tensor> layer;

            public Head(Architecture architecture) : base(nameof(Head))
            {
                InitializeChoices(architecture);
                layer = Linear(8, Hidden);
                RegisterComponents();
            }

            public override Tensor forward(Tensor input) => layer.call(input);
        }

        [SearchSpace]
        public sealed partial class Body : Module<Tensor, Tensor>
        {
            [Choice(4, 8)] public partial int Width { get; }

            [SubSpace] public partial Head Head { get; }

            [SubSpace(Factory = nameof(MakeHead), Label = "aux")] public partial Head Auxiliary { get; }

            [Constraint]
            private static bool NarrowBodyNarrowHead(Architecture architecture) =>
                architecture.Width == 8 || architecture.Head.Hidden == 16;

            public Body(Architecture architecture) : base(nameof(Body))
            {
                InitializeChoices(architecture);
                RegisterComponents();
            }

            private Head MakeHead(Head.Architecture architecture) => new(architecture);

            public override Tensor forward(Tensor input) => Auxiliary.call(Head.call(input));
        }
        """;

    public const string GlobalNamespace = """
        [SearchSpace]
        public partial class GlobalSpace
        {
            [Choice(1, 2)] public partial int Count { get; }
        }
        """;

    public const string NestedInContainingType = """
        namespace Demo.Outer;

        public static partial class Catalog
        {
            internal partial record struct Holder
            {
                [SearchSpace]
                internal partial class Inner
                {
                    [Choice(true, false)] internal partial bool Flag { get; }
                }
            }
        }
        """;
}
