namespace NasGen.Strategies;

/// <summary>
/// For strategies that start with random architectures before they breed or model (evolution, Bayesian
/// optimization): records every proposal and counts the random ones still in flight, so that parallel asks do
/// not draw more of them than the initial design needs.
/// </summary>
internal sealed class ProposalTracker<TArchitecture> where TArchitecture : struct, IEquatable<TArchitecture>
{
    private readonly OutstandingSuggestions<TArchitecture, bool> _outstanding = new();

    public ProposalTracker(ISearchSpace<TArchitecture> space) => Proposals = new ProposalLog<TArchitecture>(space);

    /// <summary>Every architecture proposed (or told) so far.</summary>
    public ProposalLog<TArchitecture> Proposals { get; }

    /// <summary>Random initial architectures proposed and not told yet.</summary>
    public int InitialInFlight { get; private set; }

    /// <summary>Records and wraps a proposal; null stays null (nothing to propose).</summary>
    public Suggestion<TArchitecture>? Issue(TArchitecture? architecture, bool initial)
    {
        if (architecture is null) return null;
        Proposals.Add(architecture.Value);
        var suggestion = new Suggestion<TArchitecture>(architecture.Value);
        _outstanding.Add(suggestion, initial);
        if (initial) InitialInFlight++;
        return suggestion;
    }

    /// <summary>
    /// A random unproposed architecture while the initial design of <paramref name="initialDesign"/> lasts (the
    /// <paramref name="observations"/> so far and the random ones in flight), then what <paramref name="fromModel"/>
    /// proposes; recorded and wrapped by <see cref="Issue"/>.
    /// </summary>
    public Suggestion<TArchitecture>? IssueAfterInitialDesign(int observations, int initialDesign, Random random, Func<TArchitecture?> fromModel)
    {
        bool initial = observations + InitialInFlight < initialDesign;
        return Issue(initial ? Proposals.SampleUnproposed(random) : fromModel(), initial);
    }

    /// <summary>
    /// Checks a tell's arguments and marks the suggestion as told (one not asked through this tracker is recorded as
    /// proposed); true when the outcome succeeded.
    /// </summary>
    public bool Settle(Suggestion<TArchitecture> suggestion, TrialOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(suggestion);
        ArgumentNullException.ThrowIfNull(outcome);
        if (_outstanding.TryTake(suggestion, out bool initial) && initial) InitialInFlight--;
        Proposals.Add(suggestion.Architecture);
        return !outcome.Failed;
    }
}
