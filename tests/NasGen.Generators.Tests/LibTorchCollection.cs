namespace NasGen.Generators.Tests;

/// <summary>
/// Tests that run networks in libtorch, which keeps native global state (threads, RNG): one at a time, and never beside
/// another test of this assembly.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class LibTorchCollection
{
    public const string Name = "libtorch";
}
