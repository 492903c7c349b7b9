using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NasGen;

/// <summary>
/// One float32 convolution (after a ReLU, as in a network) and its gradients, compared with the same computed in
/// float64, with freed memory full of NaN first so that a kernel reading memory it never wrote shows as NaN: how
/// <c>ConvolutionGradientTests</c> and <c>NasGen.PeerBench sweep</c> prove <see cref="ConvolutionGuard"/> right on the
/// machine they run on, at the oneDNN ISA the process runs with.
/// </summary>
/// <param name="InChannels">Input channels.</param>
/// <param name="OutChannels">Output channels.</param>
/// <param name="Kernel">Square kernel size; the padding keeps the size (kernel / 2).</param>
/// <param name="Stride">Stride.</param>
/// <param name="Path">How the guard computed it (<see cref="ConvolutionPath.OneDnn"/> when unguarded).</param>
/// <param name="OutputError">Largest absolute error of the output.</param>
/// <param name="InputGradientError">Largest absolute error of the input gradient.</param>
/// <param name="WeightGradientError">Largest absolute error of the weight gradient.</param>
/// <param name="BiasGradientError">Largest absolute error of the bias gradient.</param>
public sealed record ConvolutionCheck(int InChannels, int OutChannels, int Kernel, int Stride, ConvolutionPath Path,
    double OutputError, double InputGradientError, double WeightGradientError, double BiasGradientError)
{
    /// <summary>
    /// Whether every error is within float32 rounding: sums of up to 64·25 unit-scale products give errors near 1e-5;
    /// oneDNN's bug gives 0.1–30 or NaN.
    /// </summary>
    public bool IsRight => OutputError < 1e-3 && InputGradientError < 1e-3 && WeightGradientError < 1e-2 && BiasGradientError < 1e-2;

    /// <summary>Checks one convolution on a random 2 × <paramref name="inChannels"/> × <paramref name="size"/> × <paramref name="size"/> batch.</summary>
    /// <param name="inChannels">Input channels.</param>
    /// <param name="outChannels">Output channels.</param>
    /// <param name="kernel">Square kernel size.</param>
    /// <param name="stride">Stride.</param>
    /// <param name="guarded">Whether to attach <see cref="ConvolutionGuard"/>; false checks oneDNN alone.</param>
    /// <param name="inputGradient">Whether the input needs a gradient; false checks a network's first layer, whose
    /// input is the data (<see cref="InputGradientError"/> is then 0).</param>
    /// <param name="groups">Groups (<paramref name="inChannels"/> for a depthwise convolution).</param>
    /// <param name="dilation">Dilation; the padding keeps the size (dilation · (kernel / 2)).</param>
    /// <param name="size">The input's height and width.</param>
    public static ConvolutionCheck Run(int inChannels, int outChannels, int kernel, int stride, bool guarded = true, bool inputGradient = true,
        int groups = 1, int dilation = 1, int size = 7)
    {
        using var scope = NewDisposeScope();
        int padding = dilation * (kernel / 2);
        using Conv2d convolution = nn.Conv2d(inChannels, outChannels, kernel, stride: stride, padding: padding, dilation: dilation, groups: groups);
        var path = guarded ? ConvolutionGuard.PathOf(convolution, inputGradient) : ConvolutionPath.OneDnn;
        using IDisposable? guard = guarded ? ConvolutionGuard.Attach(convolution) : null;
        // Freed blocks full of NaN: a kernel that reads memory it never wrote gives NaN instead of a plausible number.
        for (long block = 256; block <= 65536; block *= 2) full(new[] { block }, float.NaN).Dispose();

        Tensor input = randn(2, inChannels, size, size).requires_grad_(inputGradient);
        Tensor output = convolution.call(nn.functional.relu(input));
        Tensor outputGradient = randn_like(output);
        (output * outputGradient).sum().backward();

        Tensor input64 = input.detach().to_type(ScalarType.Float64).requires_grad_();
        Tensor weight64 = convolution.weight!.detach().to_type(ScalarType.Float64).requires_grad_();
        Tensor bias64 = convolution.bias!.detach().to_type(ScalarType.Float64).requires_grad_();
        Tensor output64 = nn.functional.conv2d(nn.functional.relu(input64), weight64, bias64,
            strides: new long[] { stride, stride }, padding: new long[] { padding, padding }, dilation: new long[] { dilation, dilation }, groups: groups);
        (output64 * outputGradient.to_type(ScalarType.Float64)).sum().backward();
        double inputGradientError = inputGradient ? Error(input.grad!, input64.grad!) : 0;
        return new ConvolutionCheck(inChannels, outChannels, kernel, stride, path, Error(output, output64), inputGradientError,
            Error(convolution.weight.grad!, weight64.grad!), Error(convolution.bias.grad!, bias64.grad!));
    }

    /// <inheritdoc/>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{InChannels} -> {OutChannels} channels, {Kernel}x{Kernel}, stride {Stride} ({Path}): output {OutputError:G3}, " +
        $"input gradient {InputGradientError:G3}, weight {WeightGradientError:G3}, bias {BiasGradientError:G3}");

    private static double Error(Tensor actual, Tensor expected) =>
        (actual.to_type(ScalarType.Float64) - expected).abs().max().item<double>();
}
