using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using NasGen;
using static TorchSharp.torch;

/// <summary>
/// Every convolution from S, 2S .. C input to output channels (--step S, --max C), kernel 1/3/5, stride 1/2, checked
/// with <see cref="ConvolutionCheck"/> at the ISA this process runs with: through <see cref="ConvolutionGuard"/>, or
/// (--no-guard) through oneDNN alone, to see which shapes its kernels get wrong; --no-input-gradient checks them as a
/// network's first layer (an input without gradient); --depthwise checks depthwise convolutions (groups = channels). The tests check the square ones in CI.
/// </summary>
internal static class GradientSweep
{
    public static int Run(string[] args)
    {
        bool guarded = !args.Contains("--no-guard"), inputGradient = !args.Contains("--no-input-gradient");
        int max = Option(args, "--max", 64), step = Option(args, "--step", 1), size = Option(args, "--size", 7);
        var wrong = new List<ConvolutionCheck>();
        var paths = new Dictionary<ConvolutionPath, int>();
        manual_seed(24);
        if (args.Contains("--depthwise")) return Depthwise(guarded, max, size);
        for (int inChannels = step; inChannels <= max; inChannels += step)
        for (int outChannels = step; outChannels <= max; outChannels += step)
        foreach (int kernel in new[] { 1, 3, 5 })
        foreach (int stride in new[] { 1, 2 })
        {
            var check = ConvolutionCheck.Run(inChannels, outChannels, kernel, stride, guarded, inputGradient, size: size);
            paths[check.Path] = paths.GetValueOrDefault(check.Path) + 1;
            if (!check.IsRight) wrong.Add(check);
        }

        foreach (var check in wrong.Take(args.Contains("--all") ? int.MaxValue : 40)) Console.WriteLine(check);
        Console.WriteLine(FormattableString.Invariant(
            $"sweep kernels={ConvolutionGuard.Kernels} guard={guarded} input_gradient={inputGradient} size={size} cases={paths.Values.Sum()} wrong={wrong.Count} paths={string.Join(",", paths.Select(p => $"{p.Key}:{p.Value}"))}"));
        return wrong.Count == 0 ? 0 : 1;
    }

    // Depthwise convolutions (groups = channels, as DARTS's separable and dilated ones): every count 1..max, kernel
    // 3/5, stride 1/2, dilation 1/2.
    private static int Depthwise(bool guarded, int max, int size)
    {
        var wrong = new List<ConvolutionCheck>();
        int cases = 0;
        for (int channels = 1; channels <= max; channels++)
        foreach (int kernel in new[] { 3, 5 })
        foreach (int stride in new[] { 1, 2 })
        foreach (int dilation in new[] { 1, 2 })
        {
            var check = ConvolutionCheck.Run(channels, channels, kernel, stride, guarded, groups: channels, dilation: dilation, size: size);
            cases++;
            if (!check.IsRight) wrong.Add(check);
        }

        foreach (var check in wrong.Take(40)) Console.WriteLine(check);
        Console.WriteLine(FormattableString.Invariant($"sweep depthwise kernels={ConvolutionGuard.Kernels} guard={guarded} cases={cases} wrong={wrong.Count}"));
        return wrong.Count == 0 ? 0 : 1;
    }

    private static int Option(string[] args, string name, int fallback)
    {
        int at = Array.IndexOf(args, name);
        return at >= 0 ? int.Parse(args[at + 1], CultureInfo.InvariantCulture) : fallback;
    }
}
