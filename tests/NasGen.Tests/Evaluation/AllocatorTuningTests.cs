using System;
using System.Linq;

namespace NasGen.Tests.Evaluation;

public sealed class AllocatorTuningTests
{
    [Fact]
    public void Glibcs_malloc_keeps_freed_memory_unless_the_user_set_it()
    {
        // AllocatorTuning runs when NasGen loads (reading Applied loads it): on Linux without MALLOC_*_ variables it
        // must have set glibc's malloc, or every training step pays for page faults again (docs/performance.md).
        bool userChose = Environment.GetEnvironmentVariable("GLIBC_TUNABLES") is not null
            || Environment.GetEnvironmentVariables().Keys.Cast<string>().Any(name => name.StartsWith("MALLOC_", StringComparison.Ordinal) && name.EndsWith('_'));
        Assert.Equal(OperatingSystem.IsLinux() && !userChose, AllocatorTuning.Applied);
    }
}
