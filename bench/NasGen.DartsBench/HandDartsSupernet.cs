using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace NasGen.DartsBench;

/// <summary>
/// The DARTS search network written by hand in TorchSharp, computing what NasGen's <c>Darts.CreateSupernet</c> computes in
/// <c>SupernetMode.Weighted</c>: every edge <c>Σ softmax(α)_i · op_i(x)</c> over the 8 operations (the zero op adds
/// nothing and is skipped), every intermediate node <c>2 · Σ softmax(β)_j · edge_j</c> over its predecessors (NasGen's
/// input choice with Sum), the normal and reduction cells sharing their α and β across positions; the same stem,
/// preprocessing, cell layout and classifier as <c>NasGen.Spaces.Darts</c>. The paired harness's reference.
/// </summary>
internal sealed class HandDartsSupernet : Module<Tensor, Tensor>
{
    private const int Nodes = 4, Ops = 8;
    private readonly Sequential stem;
    private readonly ModuleList<Module<Tensor, Tensor>> preprocess0 = new(), preprocess1 = new();
    private readonly ModuleList<ModuleList<ModuleList<Module<Tensor, Tensor>>>> cells = new(); // cell → edge → op (None left out)
    private readonly bool[] reductions;
    private readonly AdaptiveAvgPool2d globalPooling = AdaptiveAvgPool2d(1);
    private readonly Linear classifier;

    public HandDartsSupernet(int channels, int layers, int classes, int inputChannels = 3) : base(nameof(HandDartsSupernet))
    {
        int edges = Enumerable.Range(0, Nodes).Sum(m => 2 + m);
        NormalAlpha = (randn(edges, Ops) * 1e-3).requires_grad_();
        ReduceAlpha = (randn(edges, Ops) * 1e-3).requires_grad_();
        NormalBeta = Enumerable.Range(0, Nodes).Select(m => (randn(2 + m) * 1e-3).requires_grad_()).ToArray();
        ReduceBeta = Enumerable.Range(0, Nodes).Select(m => (randn(2 + m) * 1e-3).requires_grad_()).ToArray();
        stem = Sequential(Conv2d(inputChannels, 3 * channels, 3, padding: 1, bias: false), BatchNorm2d(3 * channels));
        reductions = new bool[layers];
        int previousPrevious = 3 * channels, previous = 3 * channels, current = channels;
        bool reductionBefore = false;
        for (int layer = 0; layer < layers; layer++)
        {
            bool reduction = reductions[layer] = layer == layers / 3 || layer == 2 * layers / 3;
            if (reduction) current *= 2;
            preprocess0.append(reductionBefore ? new FactorizedReduce(previousPrevious, current) : ReluConvBn(previousPrevious, current));
            preprocess1.append(ReluConvBn(previous, current));
            var cell = new ModuleList<ModuleList<Module<Tensor, Tensor>>>();
            for (int m = 0; m < Nodes; m++)
            for (int from = 0; from < 2 + m; from++)
            {
                int stride = reduction && from < 2 ? 2 : 1;
                cell.append(new ModuleList<Module<Tensor, Tensor>>(Enumerable.Range(1, Ops - 1).Select(op => Op(op, current, stride)).ToArray()));
            }
            cells.append(cell);
            (previousPrevious, previous, reductionBefore) = (previous, 4 * current, reduction);
        }
        classifier = Linear(previous, classes);
        RegisterComponents();
    }

    public Tensor NormalAlpha { get; }
    public Tensor ReduceAlpha { get; }
    public Tensor[] NormalBeta { get; }
    public Tensor[] ReduceBeta { get; }

    public IEnumerable<Tensor> ArchitectureParameters => new[] { NormalAlpha, ReduceAlpha }.Concat(NormalBeta).Concat(ReduceBeta);

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        Tensor s0 = stem.call(input), s1 = s0;
        Tensor normalWeights = NormalAlpha.softmax(-1), reduceWeights = ReduceAlpha.softmax(-1);
        Tensor[] normalInputs = NormalBeta.Select(b => b.softmax(-1)).ToArray(), reduceInputs = ReduceBeta.Select(b => b.softmax(-1)).ToArray();
        for (int layer = 0; layer < cells.Count; layer++)
        {
            bool reduction = reductions[layer];
            Tensor weights = reduction ? reduceWeights : normalWeights;
            Tensor[] inputWeights = reduction ? reduceInputs : normalInputs;
            var states = new List<Tensor> { preprocess0[layer].call(s0), preprocess1[layer].call(s1) };
            int edge = 0;
            for (int m = 0; m < Nodes; m++)
            {
                Tensor? node = null;
                for (int from = 0; from < 2 + m; from++, edge++)
                {
                    Tensor? mixed = null;
                    for (int op = 1; op < Ops; op++)
                    {
                        Tensor term = weights[edge][op] * cells[layer][edge][op - 1].call(states[from]);
                        mixed = mixed is null ? term : mixed.add_(term);
                    }
                    Tensor weighted = (inputWeights[m][from] * 2) * mixed!;
                    node = node is null ? weighted : node.add_(weighted);
                }
                states.Add(node!);
            }
            (s0, s1) = (s1, cat(states.Skip(2).ToArray(), 1));
        }
        return classifier.call(globalPooling.call(s1).flatten(1)).MoveToOuterDisposeScope();
    }

    // DARTS's PRIMITIVES after none: max pool, average pool, skip, sep 3/5, dil 3/5.
    private static Module<Tensor, Tensor> Op(int op, int channels, int stride) => op switch
    {
        1 => MaxPool2d(3, stride: stride, padding: 1),
        2 => AvgPool2d(3, stride: stride, padding: 1, count_include_pad: false),
        3 => stride == 1 ? Identity() : new FactorizedReduce(channels, channels),
        4 => SepConv(channels, 3, stride),
        5 => SepConv(channels, 5, stride),
        6 => DilConv(channels, 3, stride),
        _ => DilConv(channels, 5, stride),
    };

    private static Sequential ReluConvBn(int input, int output) =>
        Sequential(ReLU(), Conv2d(input, output, 1, bias: false), BatchNorm2d(output));

    private static Sequential DilConv(int channels, int kernel, int stride) => Sequential(
        ReLU(), Conv2d(channels, channels, kernel, stride: stride, padding: kernel - 1, dilation: 2, groups: channels, bias: false),
        Conv2d(channels, channels, 1, bias: false), BatchNorm2d(channels));

    private static Sequential SepConv(int channels, int kernel, int stride) => Sequential(
        ReLU(), Conv2d(channels, channels, kernel, stride: stride, padding: kernel / 2, groups: channels, bias: false),
        Conv2d(channels, channels, 1, bias: false), BatchNorm2d(channels),
        ReLU(), Conv2d(channels, channels, kernel, padding: kernel / 2, groups: channels, bias: false),
        Conv2d(channels, channels, 1, bias: false), BatchNorm2d(channels));

    private sealed class FactorizedReduce : Module<Tensor, Tensor>
    {
        private readonly ReLU relu = ReLU();
        private readonly Conv2d conv1, conv2;
        private readonly BatchNorm2d bn;

        public FactorizedReduce(int input, int output) : base(nameof(FactorizedReduce))
        {
            conv1 = Conv2d(input, output / 2, 1, stride: 2, bias: false);
            conv2 = Conv2d(input, output - output / 2, 1, stride: 2, bias: false);
            bn = BatchNorm2d(output);
            RegisterComponents();
        }

        public override Tensor forward(Tensor x)
        {
            Tensor activated = relu.call(x);
            Tensor shifted = activated[TensorIndex.Ellipsis, TensorIndex.Slice(1), TensorIndex.Slice(1)];
            return bn.call(cat([conv1.call(activated), conv2.call(shifted)], 1));
        }
    }
}
