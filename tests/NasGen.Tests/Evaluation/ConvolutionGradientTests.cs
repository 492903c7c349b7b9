using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NasGen.Tests.Evaluation;

/// <summary>
/// Guards the oneDNN work-around (<see cref="ConvolutionGuard"/>): on the CPUs
/// where oneDNN's JIT convolution kernels compute wrong input gradients, every one-shot cell with 4 channels trained on
/// garbage gradients (and, when freed memory held NaN, on NaN). Checked at the ISA this process runs with.
/// </summary>
public sealed class ConvolutionGradientTests
{
    [Fact]
    public void Guarded_convolutions_match_float64_for_every_channel_count_kernel_and_stride()
    {
        var failures = new List<string>();
        int guarded = 0;
        manual_seed(24);
        // Every square count 1–64, and networks' mixed ones (a first layer, widening, narrowing: padding both sides).
        var channelPairs = Enumerable.Range(1, 64).Select(c => (In: c, Out: c))
            .Concat(new[] { (1, 12), (3, 16), (12, 24), (24, 12), (16, 3), (20, 40), (9, 7) });
        foreach (var (inChannels, outChannels) in channelPairs)
        foreach (int kernel in new[] { 1, 3, 5 })
        foreach (int stride in new[] { 1, 2 })
        {
            var check = ConvolutionCheck.Run(inChannels, outChannels, kernel, stride);
            if (check.Path != ConvolutionPath.OneDnn) guarded++;
            if (!check.IsRight) failures.Add(check.ToString());
        }

        Assert.True(failures.Count == 0,
            $"oneDNN kernels: {ConvolutionGuard.Kernels} (DNNL_MAX_CPU_ISA={Environment.GetEnvironmentVariable("DNNL_MAX_CPU_ISA")}), " +
            $"{guarded} of 426 convolutions guarded; {failures.Count} wrong (NaN: a read of memory the kernel never wrote):\n" + string.Join("\n", failures));
    }

    [Fact]
    public void First_layers_match_float64_with_their_output_channels_unpadded()
    {
        // A first layer's input is the data: no input gradient, so oneDNN's wrong backward_data never runs and the
        // guard leaves output channels off 8 alone (input channels off 8 from 9 up still need padding for the output).
        var failures = new List<string>();
        int unguarded = 0, cases = 0;
        manual_seed(25);
        var channelPairs =
            from inChannels in new[] { 1, 3, 8 }
            from outChannels in Enumerable.Range(1, 17).Concat(new[] { 20, 24, 31, 33, 48, 63, 64 })
            select (In: inChannels, Out: outChannels);
        foreach (var (inChannels, outChannels) in channelPairs.Concat(new[] { (12, 20), (20, 12), (9, 7), (24, 12) }))
        foreach (int kernel in new[] { 1, 3, 5 })
        foreach (int stride in new[] { 1, 2 })
        {
            var check = ConvolutionCheck.Run(inChannels, outChannels, kernel, stride, inputGradient: false);
            cases++;
            if (check.Path == ConvolutionPath.OneDnn) unguarded++;
            if (!check.IsRight) failures.Add(check.ToString());
        }

        Assert.True(failures.Count == 0,
            $"oneDNN kernels: {ConvolutionGuard.Kernels}; {unguarded} of {cases} first layers unguarded; {failures.Count} wrong:\n" + string.Join("\n", failures));
        // At AVX2 every first layer with 1–8 input channels, and 24 → 12, runs on oneDNN unchanged; at AVX-512 every
        // one with up to 16 input channels (12 → 20 and 9 → 7 too).
        if (ConvolutionGuard.Kernels == OneDnnConvolutionKernels.Avx2) Assert.Equal((3 * 24 + 1) * 6, unguarded);
        if (ConvolutionGuard.Kernels == OneDnnConvolutionKernels.Avx512OrNewer) Assert.Equal((3 * 24 + 2) * 6, unguarded);
    }

    [Fact]
    public void Depthwise_convolutions_match_float64()
    {
        // DARTS's separable and dilated convolutions and MBConv's are depthwise: the guard leaves them to oneDNN's
        // AVX2 kernels (computing them as im2col products cost 1.5x the time and 3x the memory of a DARTS supernet step).
        var failures = new List<string>();
        manual_seed(26);
        foreach (int channels in Enumerable.Range(2, 16).Concat(new[] { 24, 31, 32, 33, 48, 63, 64 }))
        foreach (int kernel in new[] { 3, 5 })
        foreach (int stride in new[] { 1, 2 })
        foreach (int dilation in new[] { 1, 2 })
        {
            var check = ConvolutionCheck.Run(channels, channels, kernel, stride, groups: channels, dilation: dilation);
            if (!check.IsRight) failures.Add($"{check} (depthwise, dilation {dilation})");
        }

        Assert.True(failures.Count == 0, $"oneDNN kernels: {ConvolutionGuard.Kernels}; {failures.Count} wrong:\n" + string.Join("\n", failures));
    }

    [Fact]
    public void The_guard_pads_channels_off_the_kernels_block_and_leaves_the_rest_to_onednn()
    {
        // oneDNN's channel block: 8 for the AVX2 kernels (and the GEMM convolution), 16 for the AVX-512 ones.
        long block = ConvolutionGuard.Kernels == OneDnnConvolutionKernels.Avx512OrNewer ? 16 : 8;
        using Conv2d offBlockOut = nn.Conv2d(2 * block, 12, 3, padding: 1);
        using Conv2d offBlockIn = nn.Conv2d(block + 4, 2 * block, 3, padding: 1);
        using Conv2d aligned = nn.Conv2d(2 * block, 2 * block, 3, padding: 1);
        using Conv2d firstLayer = nn.Conv2d(1, 2 * block, 3, padding: 1);
        using Conv2d twelveFirst = nn.Conv2d(3, 12, 3, padding: 1);
        Assert.Equal(ConvolutionPath.PaddedOneDnn, ConvolutionGuard.PathOf(offBlockOut));
        Assert.Equal(ConvolutionPath.PaddedOneDnn, ConvolutionGuard.PathOf(offBlockIn));
        Assert.Equal(ConvolutionPath.PaddedOneDnn, ConvolutionGuard.PathOf(offBlockIn, inputGradient: false));
        Assert.Equal(ConvolutionPath.OneDnn, ConvolutionGuard.PathOf(aligned));
        Assert.Equal(ConvolutionPath.OneDnn, ConvolutionGuard.PathOf(firstLayer));
        Assert.Equal(ConvolutionPath.PaddedOneDnn, ConvolutionGuard.PathOf(twelveFirst));
        Assert.Equal(ConvolutionPath.OneDnn, ConvolutionGuard.PathOf(twelveFirst, inputGradient: false));

        // At AVX-512 the strided input gradient also needs input channels in multiples of 32 (48 is wrong, 32 and 64 right).
        using Conv2d strided48 = nn.Conv2d(48, 64, 3, stride: 2, padding: 1);
        using Conv2d strided64 = nn.Conv2d(64, 64, 3, stride: 2, padding: 1);
        using Conv2d pointwise48 = nn.Conv2d(48, 64, 1, stride: 2);
        Assert.Equal(block == 16 ? ConvolutionPath.PaddedOneDnn : ConvolutionPath.OneDnn, ConvolutionGuard.PathOf(strided48));
        Assert.Equal(ConvolutionPath.OneDnn, ConvolutionGuard.PathOf(strided48, inputGradient: false));
        Assert.Equal(ConvolutionPath.OneDnn, ConvolutionGuard.PathOf(strided64));
        Assert.Equal(ConvolutionPath.OneDnn, ConvolutionGuard.PathOf(pointwise48));

        using Conv2d depthwise = nn.Conv2d(16, 16, 3, padding: 1, groups: 16);
        Assert.Equal(ConvolutionGuard.Kernels == OneDnnConvolutionKernels.Gemm ? ConvolutionPath.Columns : ConvolutionPath.OneDnn, ConvolutionGuard.PathOf(depthwise));
        using Conv2d grouped = nn.Conv2d(16, 16, 1, groups: 4);
        Assert.Equal(ConvolutionPath.Columns, ConvolutionGuard.PathOf(grouped));
        Assert.Equal(16, ConvolutionGuard.PaddedChannels(12, input: false));
        Assert.Equal(block == 16 ? 32 : 24, ConvolutionGuard.PaddedChannels(17, input: true));
        Assert.Equal(3, ConvolutionGuard.PaddedChannels(3, input: true));
        Assert.Equal(block, ConvolutionGuard.PaddedChannels(3, input: false));
    }

    [Fact]
    public void A_padded_convolution_trains_its_real_weights_only()
    {
        // The zero channels live only inside the forward: the module keeps its own shapes and its gradients match them.
        manual_seed(3);
        using var scope = NewDisposeScope();
        using Conv2d convolution = nn.Conv2d(12, 20, 3, padding: 1);
        using IDisposable guard = ConvolutionGuard.Attach(convolution);
        Tensor output = convolution.call(randn(4, 12, 9, 9));
        output.sum().backward();
        Assert.Equal(new long[] { 4, 20, 9, 9 }, output.shape);
        Assert.Equal(convolution.weight!.shape, convolution.weight.grad!.shape);
        Assert.Equal(new long[] { 20 }, convolution.bias!.grad!.shape);
    }

    [Fact]
    public void The_guards_output_matches_float64_for_grouped_strided_dilated_convolutions()
    {
        manual_seed(5);
        using var scope = NewDisposeScope();
        Tensor input = randn(new long[] { 2, 6, 11, 9 }, ScalarType.Float64);
        Tensor weight = randn(new long[] { 9, 2, 3, 5 }, ScalarType.Float64);
        Tensor bias = randn(new long[] { 9 }, ScalarType.Float64);
        long[] stride = { 2, 1 }, padding = { 1, 2 }, dilation = { 2, 1 };
        Tensor expected = nn.functional.conv2d(input, weight, bias, strides: stride, padding: padding, dilation: dilation, groups: 3);
        Tensor actual = ConvolutionGuard.Output(input, weight, bias, stride, padding, dilation, groups: 3);
        Assert.Equal(expected.shape, actual.shape);
        Assert.True(Error(actual, expected) < 1e-10, $"off by {Error(actual, expected)}");
    }

    [Fact]
    public void The_guards_input_gradient_matches_autograd_in_float64_for_grouped_strided_dilated_convolutions()
    {
        // The guard's own arithmetic, where oneDNN plays no part (float64 never reaches it).
        manual_seed(7);
        using var scope = NewDisposeScope();
        Tensor input = randn(new long[] { 2, 6, 11, 9 }, ScalarType.Float64).requires_grad_();
        Tensor weight = randn(new long[] { 9, 2, 3, 5 }, ScalarType.Float64);
        long[] stride = { 2, 1 }, padding = { 1, 2 }, dilation = { 2, 1 };
        Tensor output = nn.functional.conv2d(input, weight, strides: stride, padding: padding, dilation: dilation, groups: 3);
        Tensor outputGradient = randn_like(output);
        (output * outputGradient).sum().backward();

        Tensor guarded = ConvolutionGuard.InputGradient(outputGradient, weight, (11, 9), stride, padding, dilation, groups: 3);
        Assert.Equal(input.shape, guarded.shape);
        Assert.True(Error(guarded, input.grad!) < 1e-10, $"off by {Error(guarded, input.grad!)}");
    }

    [Fact]
    public void A_user_choice_of_isa_is_respected()
    {
        Assert.Equal(OneDnnConvolutionKernels.Gemm, ConvolutionGuard.KernelsFor("AVX"));
        Assert.Equal(OneDnnConvolutionKernels.Gemm, ConvolutionGuard.KernelsFor("sse41"));
        Assert.True(ConvolutionGuard.KernelsFor("AVX2") <= OneDnnConvolutionKernels.Avx2);
        Assert.True(ConvolutionGuard.KernelsFor("ALL") >= ConvolutionGuard.KernelsFor("AVX2"));
        // NasGen sets no limit of its own: the guard follows whatever the process runs with.
        Assert.Equal(ConvolutionGuard.KernelsFor(Environment.GetEnvironmentVariable("DNNL_MAX_CPU_ISA")), ConvolutionGuard.Kernels);
    }

    private static double Error(Tensor actual, Tensor expected) =>
        (actual.to_type(ScalarType.Float64) - expected).abs().max().item<double>();
}
