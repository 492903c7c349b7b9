using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NasGen.Tests.Evaluation;

/// <summary>
/// Guards the oneDNN work-around (<see cref="NativeWorkarounds"/> and <see cref="ConvolutionGuard"/>): on the CPUs
/// where oneDNN's JIT convolution kernels compute wrong input gradients, every one-shot cell with 4 channels trained on
/// garbage gradients (and, when freed memory held NaN, on NaN). Checked at the ISA this process runs with.
/// </summary>
public sealed class ConvolutionGradientTests
{
    // The work-around must run before the first oneDNN call in this process, whichever test makes it.
    [ModuleInitializer]
    internal static void ApplyNativeWorkarounds() => RuntimeHelpers.RunModuleConstructor(typeof(NativeWorkarounds).Module.ModuleHandle);

    [Fact]
    public void Guarded_convolutions_match_float64_for_every_channel_count_kernel_and_stride()
    {
        var failures = new List<string>();
        int guarded = 0;
        manual_seed(24);
        for (int channels = 1; channels <= 64; channels++)
        foreach (int kernel in new[] { 1, 3, 5 })
        foreach (int stride in new[] { 1, 2 })
        {
            using var scope = NewDisposeScope();
            using Conv2d convolution = nn.Conv2d(channels, channels, kernel, stride: stride, padding: kernel / 2);
            if (ConvolutionGuard.Covers(convolution)) guarded++;
            using IDisposable guard = ConvolutionGuard.Attach(convolution);
            PoisonFreedMemory();

            // A ReLU before the convolution: its input gradient must flow on to earlier layers, as in a network.
            Tensor input = randn(2, channels, 7, 7).requires_grad_();
            Tensor output = convolution.call(nn.functional.relu(input));
            Tensor outputGradient = randn_like(output);
            (output * outputGradient).sum().backward();

            Tensor input64 = input.detach().to_type(ScalarType.Float64).requires_grad_();
            Tensor weight64 = convolution.weight!.detach().to_type(ScalarType.Float64).requires_grad_();
            Tensor bias64 = convolution.bias!.detach().to_type(ScalarType.Float64).requires_grad_();
            Tensor output64 = nn.functional.conv2d(nn.functional.relu(input64), weight64, bias64,
                strides: new long[] { stride, stride }, padding: new long[] { kernel / 2, kernel / 2 });
            (output64 * outputGradient.to_type(ScalarType.Float64)).sum().backward();

            double outputError = Error(output, output64);
            double inputError = Error(input.grad!, input64.grad!);
            double weightError = Error(convolution.weight!.grad!, weight64.grad!);
            double biasError = Error(convolution.bias!.grad!, bias64.grad!);
            // float32 sums of up to 64·25 unit-scale products: errors near 1e-5; the bug gives 1–30 or NaN.
            if (!(outputError < 1e-3 && inputError < 1e-3 && weightError < 1e-2 && biasError < 1e-2))
            {
                failures.Add($"{channels} channels, {kernel}x{kernel}, stride {stride}: output {outputError:G3}, input gradient {inputError:G3}, weight {weightError:G3}, bias {biasError:G3}");
            }
        }

        Assert.True(failures.Count == 0,
            $"oneDNN kernels: {ConvolutionGuard.Kernels} (DNNL_MAX_CPU_ISA={Environment.GetEnvironmentVariable("DNNL_MAX_CPU_ISA")}), " +
            $"{guarded} of 384 convolutions guarded; {failures.Count} wrong (NaN: a read of memory the kernel never wrote):\n" + string.Join("\n", failures));
    }

    [Fact]
    public void The_guard_covers_exactly_the_convolutions_its_kernels_get_wrong()
    {
        using Conv2d twelveOut = nn.Conv2d(16, 12, 3, padding: 1);
        using Conv2d twelveIn = nn.Conv2d(12, 16, 3, padding: 1);
        using Conv2d sixteen = nn.Conv2d(16, 16, 3, padding: 1);
        using Conv2d depthwise = nn.Conv2d(16, 16, 3, padding: 1, groups: 16);
        Conv2d[] all = { twelveOut, twelveIn, sixteen, depthwise };
        switch (ConvolutionGuard.Kernels)
        {
            case OneDnnConvolutionKernels.Avx2:
                Assert.True(ConvolutionGuard.Covers(twelveOut) && ConvolutionGuard.Covers(twelveIn) && ConvolutionGuard.Covers(depthwise));
                Assert.False(ConvolutionGuard.Covers(sixteen));
                break;
            case OneDnnConvolutionKernels.Avx512OrNewer:
                Assert.All(all, convolution => Assert.True(ConvolutionGuard.Covers(convolution)));
                break;
            default:
                Assert.All(all, convolution => Assert.False(ConvolutionGuard.Covers(convolution)));
                break;
        }
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
        // NasGen caps only where nobody chose: a value set before the process started stays.
        if (NativeWorkarounds.OneDnnMaxIsa is string capped) Assert.Equal("AVX2", capped);
    }

    private static void PoisonFreedMemory()
    {
        // Freed blocks full of NaN: a kernel that reads memory it never wrote gives NaN instead of a plausible number.
        for (long size = 256; size <= 65536; size *= 2) full(new[] { size }, float.NaN).Dispose();
    }

    private static double Error(Tensor actual, Tensor expected) =>
        (actual.to_type(ScalarType.Float64) - expected).abs().max().item<double>();
}
