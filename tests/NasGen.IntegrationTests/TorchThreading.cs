using TorchSharp;

namespace NasGen.IntegrationTests;

/// <summary>
/// Base of tests that run libtorch. On this machine libtorch 2.10's multi-threaded CPU convolution backward
/// intermittently yields NaN (see docs/guides/troubleshooting.md), so each test uses one intra-op thread.
/// The setting is per OS thread (OpenMP), hence set in the constructor, on the thread that runs the test.
/// </summary>
public abstract class TorchTest
{
    protected TorchTest() => torch.set_num_threads(1);
}
