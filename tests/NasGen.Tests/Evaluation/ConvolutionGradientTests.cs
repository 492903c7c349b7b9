using System;
using System.Runtime.CompilerServices;
using static TorchSharp.torch;

namespace NasGen.Tests.Evaluation;

/// <summary>
/// Guards the oneDNN work-around (<see cref="NativeWorkarounds"/>): on the CPUs where oneDNN's JIT convolution
/// kernels compute wrong input gradients for channel counts that are not a multiple of their block, every one-shot
/// cell with 4 channels trained on garbage gradients (and, when freed memory held NaN, on NaN).
/// </summary>
public sealed class ConvolutionGradientTests
{
    // The work-around must run before the first oneDNN call in this process, whichever test makes it.
    [ModuleInitializer]
    internal static void ApplyNativeWorkarounds() => RuntimeHelpers.RunModuleConstructor(typeof(NativeWorkarounds).Module.ModuleHandle);

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(6)]
    [InlineData(8)]
    [InlineData(12)]
    [InlineData(16)]
    public void Convolution_input_gradients_match_a_float64_reference(int channels)
    {
        manual_seed(channels);
        for (int attempt = 0; attempt < 5; attempt++)
        {
            using var scope = NewDisposeScope();
            // Freed blocks full of NaN: a kernel that reads memory it never wrote gives NaN instead of a plausible number.
            for (long size = 1024; size <= 65536; size *= 2) full(new[] { size }, float.NaN).Dispose();

            Tensor input = randn(64, channels, 8, 8).requires_grad_();
            Tensor weight = randn(channels, channels, 3, 3).requires_grad_();
            Tensor outputGradient = randn(64, channels, 8, 8);
            (nn.functional.conv2d(nn.functional.relu(input), weight, padding: [1, 1]) * outputGradient).sum().backward();

            Tensor input64 = input.detach().to_type(ScalarType.Float64).requires_grad_();
            Tensor weight64 = weight.detach().to_type(ScalarType.Float64).requires_grad_();
            (nn.functional.conv2d(nn.functional.relu(input64), weight64, padding: [1, 1]) * outputGradient.to_type(ScalarType.Float64)).sum().backward();

            double inputError = (input.grad!.to_type(ScalarType.Float64) - input64.grad!).abs().max().item<double>();
            double weightError = (weight.grad!.to_type(ScalarType.Float64) - weight64.grad!).abs().max().item<double>();
            Assert.True(inputError < 1e-3, $"{channels} channels, try {attempt}: input gradient off by {inputError} (NaN: a read of memory the kernel never wrote)");
            Assert.True(weightError < 1e-2, $"{channels} channels, try {attempt}: weight gradient off by {weightError}");
        }
    }
}
