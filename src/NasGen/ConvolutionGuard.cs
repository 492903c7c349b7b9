using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NasGen;

/// <summary>
/// Keeps oneDNN's fast convolution kernels on the channel counts they get right: a convolution with channels off the
/// kernels' block (8 for AVX2, 16 for AVX-512) runs on oneDNN with zero channels padded in
/// (<see cref="ConvolutionPath.PaddedOneDnn"/>); grouped ones other than depthwise run without oneDNN as matrix products
/// (<see cref="ConvolutionPath.Columns"/>): the output as <c>W · im2col(x)</c>, the input gradient as
/// <c>col2im(Wᵀ · grad_output)</c>, the weight gradient as <c>grad_output · im2col(x)ᵀ</c>.
/// </summary>
/// <remarks>
/// <para>
/// oneDNN 3.7.1 (libtorch 2.10) reads memory its JIT convolution kernels never wrote, measured on AMD EPYC with NaN
/// left in freed memory (docs/guides/troubleshooting.md): the forward output is wrong or NaN for input channel counts
/// above one block that are not a multiple of it (the GEMM convolution at AVX takes AVX2's rule), and with the JIT
/// kernels the input gradient is wrong whenever the output channel count is not a multiple of the block. At AVX-512
/// the strided input gradient (<c>brgconv_strided</c>, 3×3 and 5×5) is also wrong for input channels that are an odd
/// multiple of 16 above 16 (48, 80 ... 240), so those go to multiples of 32. With the channels padded so, every pair
/// checked is right (bench/NasGen.PeerBench's <c>sweep</c>: every pair up to 64 at AVX2 and AVX-512, multiples of 16 up
/// to 256, inputs of 7×7 to 28×28).
/// </para>
/// <para>
/// It applies to <see cref="Conv2d"/> modules with zero padding, inside networks that NasGen trains and validates
/// (<c>ClassificationTrainer</c>, one-shot search) or that you pass to <see cref="Attach"/>; a convolution called
/// through <c>nn.functional.conv2d</c> directly, or a network used outside these, is not covered.
/// </para>
/// </remarks>
public static class ConvolutionGuard
{
    // Conv2d modules with a guard attached now, so that attaching twice (a trainer inside a caller's guard) is harmless.
    private static readonly ConditionalWeakTable<Conv2d, object> Guarded = new();

    /// <summary>
    /// Which of oneDNN's convolution kernels this process can run, from the CPU and <c>DNNL_MAX_CPU_ISA</c> as it was at
    /// the first call (oneDNN too reads it once).
    /// </summary>
    public static OneDnnConvolutionKernels Kernels => ProcessKernels.Value;

    // Read once: the padded path asks for the block on every forward call.
    private static readonly Lazy<OneDnnConvolutionKernels> ProcessKernels =
        new(() => KernelsFor(Environment.GetEnvironmentVariable("DNNL_MAX_CPU_ISA")));

    /// <summary>Which oneDNN convolution kernels a <c>DNNL_MAX_CPU_ISA</c> value (null: unset) allows on this CPU.</summary>
    public static OneDnnConvolutionKernels KernelsFor(string? maxIsa)
    {
        var cpu = Avx512F.IsSupported ? OneDnnConvolutionKernels.Avx512OrNewer
            : Avx2.IsSupported ? OneDnnConvolutionKernels.Avx2
            : OneDnnConvolutionKernels.Gemm;
        string isa = (maxIsa ?? "ALL").Trim().ToUpperInvariant();
        // oneDNN's names (dnnl_cpu_isa_t): SSE41 and AVX run the GEMM convolution; the AVX2 family the AVX2 kernels.
        var allowed = isa switch
        {
            "SSE41" or "AVX" => OneDnnConvolutionKernels.Gemm,
            "AVX2" or "AVX2_VNNI" or "AVX2_VNNI_2" => OneDnnConvolutionKernels.Avx2,
            _ => OneDnnConvolutionKernels.Avx512OrNewer,
        };
        return (OneDnnConvolutionKernels)Math.Min((int)cpu, (int)allowed);
    }

    /// <summary>
    /// Whether <paramref name="convolution"/> runs through the guard (<see cref="PathOf"/> is not
    /// <see cref="ConvolutionPath.OneDnn"/>).
    /// </summary>
    public static bool Covers(Conv2d convolution) => PathOf(convolution) != ConvolutionPath.OneDnn;

    /// <summary>
    /// How <paramref name="convolution"/> is computed under the guard: unchanged when its channel counts are multiples
    /// of oneDNN's block (or it is one the guard cannot take); through oneDNN with its channels padded when they are
    /// not (<see cref="PaddedChannels"/>); unchanged when it is depthwise (groups = channels) and oneDNN runs its JIT
    /// kernels; as matrix products when it is otherwise grouped.
    /// </summary>
    /// <param name="convolution">The convolution.</param>
    /// <param name="inputGradient">Whether its input needs a gradient. A network's first layer, whose input is the
    /// data, does not: oneDNN's wrong input gradients cannot reach it, so its output channels need no padding.</param>
    public static ConvolutionPath PathOf(Conv2d convolution, bool inputGradient = true)
    {
        ArgumentNullException.ThrowIfNull(convolution);
        if (!Supported(convolution)) return ConvolutionPath.OneDnn;
        // Depthwise convolutions (DARTS's separable and dilated ones, MBConv's) are right on oneDNN's JIT kernels for
        // every channel count (sweep --depthwise); other grouped ones were never checked.
        if (convolution.groups != 1)
            return IsDepthwise(convolution) && Kernels != OneDnnConvolutionKernels.Gemm ? ConvolutionPath.OneDnn : ConvolutionPath.Columns;
        bool strided = IsStrided(Pair(convolution.stride), Pair(convolution.kernel_size));
        bool offBlock = ExtraChannels(convolution.in_channels, input: true, inputGradient, strided) != 0
            || ExtraChannels(convolution.out_channels, input: false, inputGradient, strided) != 0;
        return offBlock ? ConvolutionPath.PaddedOneDnn : ConvolutionPath.OneDnn;
    }

    private static bool IsDepthwise(Conv2d convolution) =>
        convolution.groups == convolution.in_channels && convolution.out_channels == convolution.in_channels;

    // The zero channels the padded path adds: output channels only matter to the input gradient (oneDNN's
    // backward_data), so without one they stay as they are (ConvolutionGradientTests checks both cases).
    private static long ExtraChannels(long channels, bool input, bool inputGradient, bool strided)
    {
        if (!input && !inputGradient) return 0;
        long padded = PaddedChannels(channels, input);
        // At AVX-512 the strided backward_data (brgconv_strided) is wrong for input channels that are an odd multiple
        // of 16 above 16 (48, 80, 112 ...: sweep --no-guard --step 16 --max 256): it gets multiples of 32 there.
        if (input && inputGradient && strided && Block == 16 && padded > Block) padded = RoundUp(padded, 2 * Block);
        return padded - channels;
    }

    // A strided convolution whose kernel is wider than 1×1: what oneDNN's brgconv_strided computes the input gradient of.
    private static bool IsStrided(long[] stride, long[] kernel) => stride.Any(s => s > 1) && kernel.Any(k => k > 1);

    /// <summary>
    /// The channel count the guard gives oneDNN for <paramref name="channels"/>: the next multiple of oneDNN's channel
    /// block (8 floats in an AVX2 register, 16 in an AVX-512 one), except for input channels up to one block, which
    /// oneDNN's kernels take as they are (bench/NasGen.PeerBench's <c>sweep</c> checks both on the machine it runs on).
    /// On top of this, at AVX-512 the guard gives a strided 3×3 or 5×5 convolution whose input needs a gradient its
    /// input channels above 16 in multiples of 32.
    /// </summary>
    /// <param name="channels">Input or output channels of a convolution.</param>
    /// <param name="input">Whether they are the input channels.</param>
    public static long PaddedChannels(long channels, bool input) =>
        input && channels <= Block ? channels : RoundUp(channels, Block);

    private static long RoundUp(long channels, long multiple) => (channels + multiple - 1) / multiple * multiple;

    // oneDNN's channel block for the kernels this process runs: 8 for AVX2 (and the GEMM convolution, whose rule is
    // AVX2's), 16 for AVX-512.
    private static long Block => Kernels == OneDnnConvolutionKernels.Avx512OrNewer ? 16 : 8;

    /// <summary>
    /// Guards every <see cref="Conv2d"/> in <paramref name="model"/> (itself included) that <see cref="Covers"/>;
    /// dispose the result to remove the guard. Use it around your own training loop; NasGen's trainers attach it
    /// themselves.
    /// </summary>
    public static IDisposable Attach(nn.Module model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var attached = new List<(Conv2d Convolution, Action Remove)>();
        var all = new[] { model }.Concat(model.modules());
        foreach (Conv2d convolution in all.OfType<Conv2d>().Distinct())
        {
            if (!Covers(convolution) || Guarded.TryGetValue(convolution, out _)) continue;
            Guarded.Add(convolution, new object());
            attached.Add((convolution, Hook(convolution)));
        }

        return new Detacher(attached);
    }

    // Zero padding given as numbers (or "valid", or a symmetric "same"): the input the hooks see is what oneDNN convolves.
    private static bool Supported(Conv2d convolution) =>
        convolution.padding_mode == PaddingModes.Zeros && !convolution.transposed && Padding(convolution) is not null;

    // TorchSharp keeps one number for a square kernel, stride, padding or dilation given as one number.
    private static long[] Pair(long[] values) => values.Length == 1 ? new[] { values[0], values[0] } : values;

    private static long[]? Padding(Conv2d convolution)
    {
        long[] kernel = Pair(convolution.kernel_size), dilation = Pair(convolution.dilation);
        return convolution.padding_type switch
        {
            TorchSharp.Padding.Valid => new long[] { 0, 0 },
            TorchSharp.Padding.Same when kernel.Zip(dilation).All(kd => kd.Second * (kd.First - 1) % 2 == 0) =>
                kernel.Zip(dilation, (k, d) => d * (k - 1) / 2).ToArray(),
            null when convolution.padding is long[] padding => Pair(padding),
            _ => null,
        };
    }

    private static Action Hook(Conv2d convolution)
    {
        Tensor? pendingInput = null;
        // The module's own forward gets an empty batch, so oneDNN computes nothing (an empty output of the right rank)...
        var beforeHook = convolution.register_forward_pre_hook((_, input) =>
        {
            // Data that needs no gradient (a first layer) may need no guard: then oneDNN runs as it is.
            if (!input.requires_grad && PathOf(convolution, inputGradient: false) == ConvolutionPath.OneDnn) return input;
            pendingInput = input;
            return input.narrow(0, 0, 0);
        });
        // ...and the real output comes from the guard: oneDNN on channels padded with zeros, or matrix products.
        bool columns = PathOf(convolution) == ConvolutionPath.Columns;
        var afterHook = convolution.register_forward_hook((_, _, emptyOutput) =>
        {
            if (pendingInput is not Tensor input) return emptyOutput;
            pendingInput = null;
            emptyOutput.Dispose();
            Tensor weight = convolution.weight!;
            var shape = new ConvolutionShape(new[] { weight.shape[2], weight.shape[3] }, Pair(convolution.stride), Padding(convolution)!,
                Pair(convolution.dilation), convolution.groups, input.requires_grad, convolution.bias is not null);
            return columns ? GuardedConvolution.apply(input, weight, convolution.bias, shape) : PaddedOutput(input, weight, convolution.bias, shape);
        });
        return () =>
        {
            beforeHook.remove();
            afterHook.remove();
            Guarded.Remove(convolution);
        };
    }

    /// <summary>
    /// A 2-D convolution's output without oneDNN: the input unfolded into columns (im2col), times the weight, per group.
    /// </summary>
    /// <param name="input">[N, C_in, H, W].</param>
    /// <param name="weight">[C_out, C_in / groups, kH, kW].</param>
    /// <param name="bias">[C_out], or null.</param>
    /// <param name="stride">Stride (height, width).</param>
    /// <param name="padding">Zero padding (height, width).</param>
    /// <param name="dilation">Dilation (height, width).</param>
    /// <param name="groups">Groups.</param>
    public static Tensor Output(Tensor input, Tensor weight, Tensor? bias, long[] stride, long[] padding, long[] dilation, long groups = 1)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(weight);
        using var scope = NewDisposeScope();
        var shape = new ConvolutionShape(new[] { weight.shape[2], weight.shape[3] }, stride, padding, dilation, groups, false);
        Tensor columns = Columns(input, shape);
        long batch = input.shape[0], outChannels = weight.shape[0];
        Tensor output = WeightByGroup(weight, groups).matmul(columns)
            .reshape(batch, outChannels, OutputLength(input.shape[2], 0, shape), OutputLength(input.shape[3], 1, shape));
        if (bias is not null) output = output.add_(bias.reshape(1, outChannels, 1, 1));
        return output.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The input gradient of a 2-D convolution without oneDNN: for each group, the columns <c>Wᵀ · grad_output</c>
    /// folded back onto the input (each input pixel sums what it contributed to every output it touched).
    /// </summary>
    /// <param name="gradOutput">The gradient of the convolution's output, [N, C_out, H_out, W_out].</param>
    /// <param name="weight">The convolution's weight, [C_out, C_in / groups, kH, kW].</param>
    /// <param name="inputSize">The input's height and width.</param>
    /// <param name="stride">Stride (height, width).</param>
    /// <param name="padding">Zero padding (height, width).</param>
    /// <param name="dilation">Dilation (height, width).</param>
    /// <param name="groups">Groups.</param>
    public static Tensor InputGradient(Tensor gradOutput, Tensor weight, (long Height, long Width) inputSize,
        long[] stride, long[] padding, long[] dilation, long groups = 1)
    {
        ArgumentNullException.ThrowIfNull(gradOutput);
        ArgumentNullException.ThrowIfNull(weight);
        using var scope = NewDisposeScope();
        long batch = gradOutput.shape[0], outChannels = weight.shape[0];
        long positions = gradOutput.shape[2] * gradOutput.shape[3];
        Tensor columns = WeightByGroup(weight, groups).transpose(1, 2)
            .matmul(gradOutput.reshape(batch, groups, outChannels / groups, positions));
        Tensor input = nn.functional.fold(columns.reshape(batch, -1, positions),
            inputSize, (weight.shape[2], weight.shape[3]), (dilation[0], dilation[1]),
            (padding[0], padding[1]), (stride[0], stride[1]));
        return input.MoveToOuterDisposeScope();
    }

    // oneDNN on zero channels appended to the input and the weight (and the bias), the extra outputs cut off; autograd
    // carries the gradients back through the padding, so the zeros never reach the parameters.
    private static Tensor PaddedOutput(Tensor input, Tensor weight, Tensor? bias, ConvolutionShape shape)
    {
        using var scope = NewDisposeScope();
        long inChannels = weight.shape[1], outChannels = weight.shape[0];
        bool strided = IsStrided(shape.Stride, shape.Kernel);
        long extraIn = ExtraChannels(inChannels, input: true, shape.InputNeedsGradient, strided);
        long extraOut = ExtraChannels(outChannels, input: false, shape.InputNeedsGradient, strided);
        // pad's sizes run from the last dimension: width, height, then channels (and, for the weight, output channels).
        Tensor paddedInput = extraIn == 0 ? input : nn.functional.pad(input, new[] { 0L, 0, 0, 0, 0, extraIn });
        Tensor paddedWeight = nn.functional.pad(weight, new[] { 0L, 0, 0, 0, 0, extraIn, 0, extraOut });
        Tensor? paddedBias = bias is null ? null : nn.functional.pad(bias, new[] { 0L, extraOut });
        Tensor output = nn.functional.conv2d(paddedInput, paddedWeight, paddedBias, shape.Stride, shape.Padding, shape.Dilation);
        return (extraOut == 0 ? output : output.narrow(1, 0, outChannels)).MoveToOuterDisposeScope();
    }

    // [groups, C_out / groups, C_in / groups · kH · kW]
    private static Tensor WeightByGroup(Tensor weight, long groups) => weight.reshape(groups, weight.shape[0] / groups, -1);

    // [N, groups, C_in / groups · kH · kW, positions]
    private static Tensor Columns(Tensor input, ConvolutionShape shape)
    {
        Tensor columns = nn.functional.unfold(input, (shape.Kernel[0], shape.Kernel[1]), (shape.Dilation[0], shape.Dilation[1]),
            (shape.Padding[0], shape.Padding[1]), (shape.Stride[0], shape.Stride[1]));
        return columns.reshape(input.shape[0], shape.Groups, -1, columns.shape[2]);
    }

    private static long OutputLength(long inputLength, int axis, ConvolutionShape shape) =>
        (inputLength + 2 * shape.Padding[axis] - shape.Dilation[axis] * (shape.Kernel[axis] - 1) - 1) / shape.Stride[axis] + 1;

    private sealed record ConvolutionShape(long[] Kernel, long[] Stride, long[] Padding, long[] Dilation, long Groups, bool InputNeedsGradient, bool HasBias = false);

    private sealed class GuardedConvolution : autograd.SingleTensorFunction<GuardedConvolution>
    {
        public override string Name => nameof(GuardedConvolution);

        // Inputs: the input, the weight, the bias (or null), the shape.
        public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
        {
            var (input, weight, bias, shape) = ((Tensor)vars[0], (Tensor)vars[1], vars[2] as Tensor, (ConvolutionShape)vars[3]);
            ctx.save_for_backward(new List<Tensor> { input, weight });
            ctx.save_data(nameof(ConvolutionShape), shape);
            return Output(input, weight, bias, shape.Stride, shape.Padding, shape.Dilation, shape.Groups);
        }

        public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor gradOutput)
        {
            List<Tensor> saved = ctx.get_saved_variables();
            using Tensor input = saved[0], weight = saved[1];
            var shape = (ConvolutionShape)ctx.get_data(nameof(ConvolutionShape));
            using var scope = NewDisposeScope();
            long batch = gradOutput.shape[0], outChannels = weight.shape[0];
            Tensor byGroup = gradOutput.reshape(batch, shape.Groups, outChannels / shape.Groups, -1);
            // sum(new[] { 0L }), not sum(0): a literal 0 converts to ScalarType and sums everything.
            Tensor weightGradient = byGroup.matmul(Columns(input, shape).transpose(2, 3)).sum(new long[] { 0 }).reshape(weight.shape);
            Tensor? biasGradient = shape.HasBias ? gradOutput.sum(new long[] { 0, 2, 3 }) : null;
            Tensor? inputGradient = shape.InputNeedsGradient
                ? InputGradient(gradOutput, weight, (input.shape[2], input.shape[3]), shape.Stride, shape.Padding, shape.Dilation, shape.Groups)
                : null;
            var gradients = new List<Tensor> { inputGradient!, weightGradient, biasGradient!, null! };
            gradients.ForEach(gradient => gradient?.MoveToOuterDisposeScope());
            return gradients;
        }
    }

    private sealed class Detacher(List<(Conv2d Convolution, Action Remove)> attached) : IDisposable
    {
        public void Dispose()
        {
            attached.ForEach(entry => entry.Remove());
            attached.Clear();
        }
    }
}

/// <summary>How <see cref="ConvolutionGuard"/> computes a convolution.</summary>
public enum ConvolutionPath
{
    /// <summary>Unchanged: oneDNN, whose kernels are right for these channel counts.</summary>
    OneDnn,

    /// <summary>oneDNN on channels padded with zeros to multiples of its block, where its kernels are right; the extra outputs cut off.</summary>
    PaddedOneDnn,

    /// <summary>Matrix products (im2col) for the output and both gradients, without oneDNN.</summary>
    Columns,
}

/// <summary>Which family of oneDNN convolution kernels a process can run.</summary>
public enum OneDnnConvolutionKernels
{
    /// <summary>No AVX2 (the CPU lacks it or <c>DNNL_MAX_CPU_ISA</c> is AVX or lower): oneDNN's GEMM convolution; its forward output is wrong for input channels off 8.</summary>
    Gemm,

    /// <summary>The AVX2 JIT kernels: wrong outputs and input gradients when the channels are not multiples of 8.</summary>
    Avx2,

    /// <summary>AVX-512 or newer JIT kernels: wrong outputs and input gradients when the channels are not multiples of 16, and strided input gradients for odd multiples of 16 above 16.</summary>
    Avx512OrNewer,
}
