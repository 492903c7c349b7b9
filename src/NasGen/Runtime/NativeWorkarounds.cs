using System;
using System.IO;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace NasGen;

/// <summary>
/// Work-arounds for native libraries that NasGen applies once, when its assembly loads, before any
/// TorchSharp operation runs.
/// </summary>
public static class NativeWorkarounds
{
    /// <summary>The instruction set NasGen limited oneDNN to in this process (<c>"AVX"</c>), or null when it left it alone.</summary>
    public static string? OneDnnMaxIsa { get; private set; }

    /// <summary>
    /// oneDNN 3.7.1 (inside libtorch 2.10) computes wrong input gradients in its JIT convolution kernels
    /// (<c>jit:avx2</c> and <c>jit:avx512</c> <c>backward_data</c>) when the channel count is not a multiple of the
    /// kernel's channel block (8 for AVX2, 16 for AVX-512): part of the result is read from memory the kernel never
    /// wrote, so the gradient is silently wrong, or NaN when that memory held NaN. Measured on this project's build
    /// machines (AMD EPYC, family 26): a 4-channel 3×3 convolution's input gradient was wrong in 30 of 30 tries with
    /// AVX2 and in 19 of 30 with AVX-512, right in 30 of 30 with <c>DNNL_MAX_CPU_ISA=AVX</c>, where oneDNN uses its
    /// GEMM convolution. Where the CPU is an AMD one with AVX2 and the user has not chosen an ISA, limit oneDNN to
    /// AVX. Set <c>DNNL_MAX_CPU_ISA</c> yourself to override (e.g. <c>ALL</c>). The cost is in docs/performance.md;
    /// <c>ConvolutionGradientTests</c> checks the gradients on the machine that runs the tests.
    /// </summary>
#pragma warning disable CA2255 // Deliberate: it must run before the first TorchSharp call, whoever makes it.
    [ModuleInitializer]
#pragma warning restore CA2255
    public static void Apply()
    {
        try
        {
            if (!OperatingSystem.IsLinux() || Environment.GetEnvironmentVariable("DNNL_MAX_CPU_ISA") is not null) return;
            if (!File.Exists("/proc/cpuinfo")) return;
            string cpuInfo = File.ReadAllText("/proc/cpuinfo");
            if (!cpuInfo.Contains("AuthenticAMD", StringComparison.Ordinal) || !cpuInfo.Contains(" avx2", StringComparison.Ordinal)) return;
            // The native environment, which oneDNN reads: Environment.SetEnvironmentVariable does not reach it on Unix.
            if (SetEnv("DNNL_MAX_CPU_ISA", "AVX", 0) == 0) OneDnnMaxIsa = "AVX";
            Environment.SetEnvironmentVariable("DNNL_MAX_CPU_ISA", "AVX");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or DllNotFoundException or EntryPointNotFoundException)
        {
            // Best effort: without the work-around training still runs, with the documented risk.
        }
    }

    [DllImport("libc", EntryPoint = "setenv")]
    private static extern int SetEnv(string name, string value, int overwrite);
}
