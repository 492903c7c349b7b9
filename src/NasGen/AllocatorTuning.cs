using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace NasGen;

/// <summary>
/// Keeps the memory a training step frees inside the process for the next step, instead of glibc's default of handing
/// it back to the kernel and faulting it in again (docs/performance.md, "glibc's malloc and the training step").
/// </summary>
/// <remarks>
/// Every training step frees its activations and gradients (megabytes each) and allocates the same sizes again. With
/// glibc's defaults the larger blocks are mapped and unmapped each time, and the top of the heap is trimmed whenever
/// more than twice the mmap threshold is free, so each step pays for page faults on memory the kernel zeroes: measured
/// on MnistNet at batch 64, 0.8–1.9 s of system time in 60 steps and 2.4–2.8× the CPU time per sample of the tuned
/// allocator. Applied once when NasGen's assembly loads, on Linux, unless the environment already sets glibc's malloc
/// (<c>MALLOC_*_</c> variables or <c>GLIBC_TUNABLES</c>), which then stays as the user chose.
/// </remarks>
internal static class AllocatorTuning
{
    // mallopt's parameters (malloc.h).
    private const int TrimThreshold = -1, TopPad = -2, MmapThreshold = -3;

    /// <summary>Whether NasGen set glibc's malloc parameters in this process.</summary>
    public static bool Applied { get; private set; }

#pragma warning disable CA2255 // Deliberate: before the first tensor, whoever makes it.
    [ModuleInitializer]
#pragma warning restore CA2255
    public static void Apply()
    {
        if (!OperatingSystem.IsLinux() || UserChoseMallocSettings()) return;
        try
        {
            // Blocks up to 32 MiB (glibc's largest threshold) from the heap, not from mmap; up to 1 GiB of free heap
            // kept rather than trimmed; the heap grown 64 MiB at a time. Setting the threshold explicitly also stops
            // glibc's dynamic threshold, which trimming alone would leave at 128 KiB (slower still: measured).
            Applied = MallOpt(MmapThreshold, 32 << 20) == 1 & MallOpt(TrimThreshold, 1 << 30) == 1 & MallOpt(TopPad, 64 << 20) == 1;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            // Not glibc: its own allocator stays as it is.
        }
    }

    private static bool UserChoseMallocSettings() =>
        Environment.GetEnvironmentVariable("GLIBC_TUNABLES") is not null
        || Environment.GetEnvironmentVariables().Keys.Cast<string>().Any(name => name.StartsWith("MALLOC_", StringComparison.Ordinal) && name.EndsWith('_'));

    [DllImport("libc", EntryPoint = "mallopt")]
    private static extern int MallOpt(int parameter, int value);
}
