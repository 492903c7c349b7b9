using System;
using NasGen.Strategies;

namespace NasGen.Quickstart;

/// <summary>The simplest strategy: a seeded sample of the space each time it is asked (constraints respected).</summary>
public sealed class SamplingStrategy(ISearchSpace<DigitsNet.Architecture> space, int seed) : ISearchStrategy<DigitsNet.Architecture>
{
    private readonly Random _random = new(seed);

    /// <inheritdoc />
    public string Name => "sampling";

    /// <inheritdoc />
    public Suggestion<DigitsNet.Architecture>? Ask() => new(space.Sample(_random));

    /// <inheritdoc />
    public void Tell(Suggestion<DigitsNet.Architecture> suggestion, TrialOutcome outcome) { }
}
