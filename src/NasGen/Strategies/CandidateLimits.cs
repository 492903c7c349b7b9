namespace NasGen.Strategies;

/// <summary>The bound on candidates per dimension of the strategies that keep a number per candidate.</summary>
internal static class CandidateLimits
{
    /// <summary>
    /// The most candidates one dimension may have for REINFORCE (a logit each) and the Gaussian-process strategies
    /// (a kernel weight each). Only a large input choice passes it (one candidate per selection: 64 inputs, 4 chosen).
    /// </summary>
    public const int MaxPerDimension = 1 << 16;

    /// <summary>
    /// Refuses a space with a dimension over <see cref="MaxPerDimension"/> candidates, naming it. A continuous range has
    /// no candidates: these strategies model it by its normalised position instead.
    /// </summary>
    public static void Check(ISearchSpace space, string strategy)
    {
        // CandidateCount: a wide input choice lists no candidates but has more than an int counts.
        var huge = space.Dimensions.FirstOrDefault(d => d.CandidateCount > MaxPerDimension);
        if (huge is not null)
            throw new NotSupportedException(
                $"{strategy} keeps a number per candidate, and '{huge.Label}' has {huge.CandidateCount} candidates (more than {MaxPerDimension}); " +
                "search this space with random search, regularized evolution, local search or Hyperband, which sample and mutate without them.");
    }
}
