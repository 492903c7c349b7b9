namespace NasGen.Strategies;

/// <summary>
/// Uniform random search: every suggestion is an allowed architecture drawn uniformly from those not proposed
/// yet. It never proposes an architecture twice and returns null once the allowed space is exhausted.
/// The baseline every other strategy must beat (Li and Talwalkar 2019).
/// </summary>
public sealed class RandomSearch<TArchitecture> : ISearchStrategy<TArchitecture>
    where TArchitecture : struct, IEquatable<TArchitecture>
{
    private readonly Random _random;
    private readonly ProposalLog<TArchitecture> _proposals;

    /// <summary>Creates a random search over <paramref name="space"/>.</summary>
    public RandomSearch(ISearchSpace<TArchitecture> space, int seed)
    {
        ArgumentNullException.ThrowIfNull(space);
        _random = new Random(seed);
        _proposals = new ProposalLog<TArchitecture>(space);
    }

    /// <inheritdoc />
    public string Name => "random";

    /// <inheritdoc />
    public Suggestion<TArchitecture>? Ask()
    {
        var architecture = _proposals.SampleUnproposed(_random);
        if (architecture is null) return null;
        _proposals.Add(architecture.Value);
        return new Suggestion<TArchitecture>(architecture.Value);
    }

    /// <inheritdoc />
    public void Tell(Suggestion<TArchitecture> suggestion, TrialOutcome outcome)
    {
        // Random search learns nothing from outcomes; the arguments are still checked like everywhere else.
        ArgumentNullException.ThrowIfNull(suggestion);
        ArgumentNullException.ThrowIfNull(outcome);
    }
}
