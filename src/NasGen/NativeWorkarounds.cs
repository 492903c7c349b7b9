using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;

namespace NasGen;

/// <summary>
/// Work-arounds for native libraries that NasGen applies once, when its assembly loads, before any
/// TorchSharp operation runs.
/// </summary>
internal static class NativeWorkarounds
{
    /// <summary>The instruction set NasGen limited oneDNN to in this process (<c>"AVX2"</c>), or null when it left it alone.</summary>
    public static string? OneDnnMaxIsa { get; private set; }

    /// <summary>
    /// oneDNN 3.7.1 (inside libtorch 2.10) reads memory its convolution kernels never wrote (docs/guides/troubleshooting.md):
    /// at AVX (GEMM convolution) and AVX2 the forward output is wrong or NaN for input channel counts from 9 up that
    /// are not a multiple of 8, and with the AVX2 kernels the input gradient is wrong when the output channel count is
    /// not a multiple of 8 — rules <see cref="ConvolutionGuard"/> routes around; with the AVX-512 kernels it also
    /// happens for multiples of 8 and 16, with no rule to route around. So where the CPU has AVX-512 and the user has
    /// not chosen an ISA, cap oneDNN at AVX2. Set <c>DNNL_MAX_CPU_ISA</c> yourself to override: the guard then covers
    /// every convolution beyond AVX2. <c>ConvolutionGradientTests</c> checks the results on the machine that runs the tests.
    /// </summary>
#pragma warning disable CA2255 // Deliberate: it must run before the first TorchSharp call, whoever makes it.
    [ModuleInitializer]
#pragma warning restore CA2255
    public static void Apply()
    {
        try
        {
            if (!OperatingSystem.IsLinux() || Environment.GetEnvironmentVariable("DNNL_MAX_CPU_ISA") is not null) return;
            if (!Avx512F.IsSupported) return;
            // The native environment, which oneDNN reads: Environment.SetEnvironmentVariable does not reach it on Unix.
            if (SetEnv("DNNL_MAX_CPU_ISA", "AVX2", 0) != 0) return;
            OneDnnMaxIsa = "AVX2";
            Environment.SetEnvironmentVariable("DNNL_MAX_CPU_ISA", "AVX2");
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            // Best effort: without the cap the guard covers every convolution (ConvolutionGuard.Kernels).
        }
    }

    [DllImport("libc", EntryPoint = "setenv")]
    private static extern int SetEnv(string name, string value, int overwrite);
}
