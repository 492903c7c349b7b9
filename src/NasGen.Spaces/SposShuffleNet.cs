namespace NasGen.Spaces;

/// <summary>
/// The Single Path One-Shot ShuffleNet space (Guo et al., "Single Path One-Shot Neural Architecture Search with
/// Uniform Sampling", ECCV 2020, table 1): a stride-2 3×3 stem to 16 channels, 20 choice blocks in four stages of
/// 4, 4, 8 and 4 blocks with 64, 160, 320 and 640 channels (the first block of a stage halves the resolution), a 1×1
/// convolution to 1024 channels, global pooling and the classifier. Each block chooses one of four ShuffleNetV2-style
/// units: depthwise 3×3, 5×5 or 7×7, or the Xception-like unit of three depthwise 3×3 convolutions.
/// </summary>
/// <remarks>
/// The blocks are one indexed layer choice (<c>Count = 20</c>), so the supernet has one mixed operation per block,
/// which SPOS samples uniformly. SPOS's channel search (the middle width of each block scaled by 0.2…2.0) needs one
/// weight sliced for several widths, which NasGen's supernets do not do; the fixed network takes the scales as a
/// constructor argument instead, which is enough to build the published block-and-channel architecture
/// (<see cref="SposArchitectures"/>). docs/spaces/spos.md has the details.
/// </remarks>
[SearchSpace(Name = "spos-shufflenet")]
public sealed partial class SposShuffleNet : Module<Tensor, Tensor>
{
    /// <summary>The 20 choice blocks: per block a ShuffleNetV2 unit with a 3×3, 5×5 or 7×7 depthwise kernel, or the Xception-like unit.</summary>
    [LayerChoice(nameof(Shuffle3x3), nameof(Shuffle5x5), nameof(Shuffle7x7), nameof(Xception), Count = 20)]
    public partial ModuleList<Module<Tensor, Tensor>> Blocks { get; }

    // SPOS table 1: blocks and output channels per stage.
    private static readonly int[] StageBlocks = [4, 4, 8, 4];
    private static readonly int[] StageChannels = [64, 160, 320, 640];
    private const int StemChannels = 16;
    private const int LastChannels = 1024;

    // Set before the blocks are built: whether the first stage keeps the resolution (32×32 inputs), and each block's
    // middle-width scale (1 = half the block's output channels, SPOS's default).
    private readonly int firstStageStride;
    private readonly double[] middleScales;
    private readonly Sequential stem;
    private readonly Sequential last;
    private readonly Dropout dropout;
    private readonly Linear classifier;

    /// <summary>The network of <paramref name="architecture"/>.</summary>
    /// <param name="architecture">The unit of each of the 20 blocks.</param>
    /// <param name="classes">Classes of the classifier (1000 for ImageNet).</param>
    /// <param name="inputChannels">Image channels (3 for colour images).</param>
    /// <param name="imageNet">ImageNet strides (stem and first stage stride 2: 224 → 7); false keeps both at stride 1
    /// for 32×32 inputs (32 → 4), as CIFAR adaptations of SPOS do.</param>
    /// <param name="middleScales">Per block, the middle width as a multiple of half the block's output channels
    /// (SPOS's channel search: 0.2 to 2.0 by 0.2); null: 1 for every block, the search space of the paper's block search.</param>
    public SposShuffleNet(Architecture architecture, int classes = 1000, int inputChannels = 3, bool imageNet = true, double[]? middleScales = null)
        : base(nameof(SposShuffleNet))
    {
        if (classes < 1 || inputChannels < 1) throw new ArgumentOutOfRangeException(nameof(classes), "Classes and input channels must be at least 1.");
        if (middleScales is not null && (middleScales.Length != 20 || Array.Exists(middleScales, s => !(s > 0))))
            throw new ArgumentException("Give 20 positive middle-width scales, one per block.", nameof(middleScales));
        firstStageStride = imageNet ? 2 : 1;
        this.middleScales = middleScales ?? [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1];
        InitializeChoices(architecture);
        stem = Sequential(
            ("0", Conv2d(inputChannels, StemChannels, 3, stride: imageNet ? 2 : 1, padding: 1, bias: false)),
            ("1", BatchNorm2d(StemChannels)), ("2", ReLU()));
        last = Sequential(("0", Conv2d(StageChannels[^1], LastChannels, 1, bias: false)), ("1", BatchNorm2d(LastChannels)), ("2", ReLU()));
        dropout = Dropout(0.1);
        classifier = Linear(LastChannels, classes, hasBias: false);
        RegisterComponents();
    }

    /// <summary>The ImageNet network (1000 classes, 224×224 inputs; any multiple of 32 works through global pooling).</summary>
    public static SposShuffleNet CreateImageNet(Architecture architecture, int classes = 1000, double[]? middleScales = null) =>
        new(architecture, classes, 3, imageNet: true, middleScales);

    /// <summary>The network for 32×32 colour images (CIFAR-sized): stem and first stage at stride 1.</summary>
    public static SposShuffleNet CreateCifar(Architecture architecture, int classes = 10) => new(architecture, classes, 3, imageNet: false);

    private Module<Tensor, Tensor> Shuffle3x3(int block) => Unit(block, 3, xception: false);

    private Module<Tensor, Tensor> Shuffle5x5(int block) => Unit(block, 5, xception: false);

    private Module<Tensor, Tensor> Shuffle7x7(int block) => Unit(block, 7, xception: false);

    private Module<Tensor, Tensor> Xception(int block) => Unit(block, 3, xception: true);

    // Block `block`'s widths and stride: the first block of a stage takes the previous stage's channels at stride 2.
    private Module<Tensor, Tensor> Unit(int block, int kernel, bool xception)
    {
        int stage = 0, first = 0;
        while (block >= first + StageBlocks[stage]) first += StageBlocks[stage++];
        int output = StageChannels[stage];
        bool reduces = block == first;
        int input = !reduces ? output : stage == 0 ? StemChannels : StageChannels[stage - 1];
        int stride = !reduces ? 1 : stage == 0 ? firstStageStride : 2;
        // SPOS's int(base_mid_channels * scale); the epsilon keeps 80 × 0.6 at 48.
        int middle = (int)(output / 2 * middleScales[block] + 1e-9);
        return new ShuffleUnit(input, output, middle, kernel, stride, xception).Registered();
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        Tensor x = stem.call(input);
        foreach (var block in Blocks) x = block.call(x);
        x = last.call(x).mean([2, 3]);
        return classifier.call(dropout.call(x)).MoveToOuterDisposeScope();
    }

    // A ShuffleNetV2 unit (Ma et al., ECCV 2018) as SPOS builds it. At stride 1 the input's channels are split into
    // alternate halves (the channel shuffle of the previous unit's concatenation): one passes through, the other
    // goes through the main branch. At stride 2 both branches see the whole input; the projection branch is a
    // depthwise k×k (3×3 for Xception) and a 1×1 convolution. The main branch ends at output − (its input) channels.
    // (A primary constructor runs no body: Registered() registers the fields once their initializers have run.)
    private sealed class ShuffleUnit(int input, int output, int middle, int kernel, int stride, bool xception)
        : Module<Tensor, Tensor>(nameof(ShuffleUnit))
    {
        private readonly bool split = stride == 1;
        private readonly Sequential main = xception
            ? XceptionBranch(stride == 1 ? input / 2 : input, middle, output - (stride == 1 ? input / 2 : input), stride)
            : ShuffleBranch(stride == 1 ? input / 2 : input, middle, output - (stride == 1 ? input / 2 : input), kernel, stride);
        private readonly Module<Tensor, Tensor> projection = stride == 1 ? Identity() : Sequential(
            ("0", Conv2d(input, input, kernel, stride: stride, padding: kernel / 2, groups: input, bias: false)), ("1", BatchNorm2d(input)),
            ("2", Conv2d(input, input, 1, bias: false)), ("3", BatchNorm2d(input)), ("4", ReLU()));

        public ShuffleUnit Registered()
        {
            RegisterComponents();
            return this;
        }

        private static Sequential ShuffleBranch(int input, int middle, int output, int kernel, int stride) => Sequential(
            ("0", Conv2d(input, middle, 1, bias: false)), ("1", BatchNorm2d(middle)), ("2", ReLU()),
            ("3", Conv2d(middle, middle, kernel, stride: stride, padding: kernel / 2, groups: middle, bias: false)), ("4", BatchNorm2d(middle)),
            ("5", Conv2d(middle, output, 1, bias: false)), ("6", BatchNorm2d(output)), ("7", ReLU()));

        private static Sequential XceptionBranch(int input, int middle, int output, int stride) => Sequential(
            ("0", Conv2d(input, input, 3, stride: stride, padding: 1, groups: input, bias: false)), ("1", BatchNorm2d(input)),
            ("2", Conv2d(input, middle, 1, bias: false)), ("3", BatchNorm2d(middle)), ("4", ReLU()),
            ("5", Conv2d(middle, middle, 3, padding: 1, groups: middle, bias: false)), ("6", BatchNorm2d(middle)),
            ("7", Conv2d(middle, middle, 1, bias: false)), ("8", BatchNorm2d(middle)), ("9", ReLU()),
            ("10", Conv2d(middle, middle, 3, padding: 1, groups: middle, bias: false)), ("11", BatchNorm2d(middle)),
            ("12", Conv2d(middle, output, 1, bias: false)), ("13", BatchNorm2d(output)), ("14", ReLU()));

        public override Tensor forward(Tensor x)
        {
            if (!split) return cat([projection.call(x), main.call(x)], 1);
            long channels = x.shape[1];
            var pairs = x.reshape(x.shape[0], channels / 2, 2, x.shape[2], x.shape[3]);
            return cat([pairs.select(2, 0), main.call(pairs.select(2, 1))], 1);
        }
    }
}
