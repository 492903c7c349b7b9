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
    /// <summary>Whether oneDNN was limited to AVX2 in this process (see <see cref="Apply"/>).</summary>
    public static bool OneDnnLimitedToAvx2 { get; private set; }

    /// <summary>
    /// oneDNN 3.7 (inside libtorch 2.10) gives NaN gradients, at random steps, from its AVX-512 convolution
    /// kernels on AMD EPYC CPUs with AVX-512 (seen on this project's build machines: 10 of 10 runs clean with
    /// <c>DNNL_MAX_CPU_ISA=AVX2</c>, 4 of 10 with NaN without it). Where the CPU is such a one and the user has
    /// not chosen an ISA, limit oneDNN to AVX2. Set <c>DNNL_MAX_CPU_ISA</c> yourself to override, e.g. to
    /// <c>ALL</c> to keep AVX-512.
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
            if (!cpuInfo.Contains("AuthenticAMD", StringComparison.Ordinal) || !cpuInfo.Contains(" avx512f", StringComparison.Ordinal)) return;
            // The native environment, which oneDNN reads: Environment.SetEnvironmentVariable does not reach it on Unix.
            if (SetEnv("DNNL_MAX_CPU_ISA", "AVX2", 0) == 0) OneDnnLimitedToAvx2 = true;
            Environment.SetEnvironmentVariable("DNNL_MAX_CPU_ISA", "AVX2");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or DllNotFoundException or EntryPointNotFoundException)
        {
            // Best effort: without the work-around training still runs, with the documented risk.
        }
    }

    [DllImport("libc", EntryPoint = "setenv")]
    private static extern int SetEnv(string name, string value, int overwrite);
}
