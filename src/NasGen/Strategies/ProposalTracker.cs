using System;

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

    /// <summary>Marks a suggestion as told (one not asked through this tracker is recorded as proposed).</summary>
    public void Settle(Suggestion<TArchitecture> suggestion)
    {
        if (_outstanding.TryTake(suggestion, out bool initial) && initial) InitialInFlight--;
        Proposals.Add(suggestion.Architecture);
    }
}
