using System.IO;
using NasGen.Bench201;

namespace NasGen.Bench201.Tests;

/// <summary>The shared NAS-Bench-201 table, never copied into the repository: tests that need it are skipped without it.</summary>
internal static class Nb201Data
{
    public static string Path { get; } = BenchmarkOptions.DefaultDataPath();

    public static bool Exists => File.Exists(Path);
}

/// <summary>A fact that is skipped, saying why, when the shared NAS-Bench-201 table is absent.</summary>
public sealed class Nb201FactAttribute : FactAttribute
{
    /// <summary>Sets <see cref="FactAttribute.Skip"/> when the table is missing.</summary>
    public Nb201FactAttribute()
    {
        if (!Nb201Data.Exists)
            Skip = $"NAS-Bench-201 table not found at {Nb201Data.Path} (it lives in ../shared beside the repository; it is never copied in).";
    }
}
