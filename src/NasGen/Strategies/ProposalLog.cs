using System.Numerics;

namespace NasGen.Strategies;

/// <summary>
/// The architectures a strategy has proposed, and a source of architectures it has not proposed yet.
/// Membership only: nothing iterates the set, so hash order never leaks into a strategy's choices.
/// </summary>
internal sealed class ProposalLog<TArchitecture> where TArchitecture : struct, IEquatable<TArchitecture>
{
    /// <summary>Rejection sampling tries this many draws before it looks at what is left.</summary>
    private const int SampleAttempts = 256;

    /// <summary>Spaces up to this size are enumerated once the history is too dense for rejection sampling.</summary>
    private const int EnumerationLimit = 4_000_000;

    private readonly ISearchSpace<TArchitecture> _space;
    private readonly HashSet<TArchitecture> _proposed = new();
    private List<TArchitecture>? _remaining;

    public ProposalLog(ISearchSpace<TArchitecture> space) => _space = space;

    /// <summary>How many distinct architectures were proposed.</summary>
    public int Count => _proposed.Count;

    public bool Contains(in TArchitecture architecture) => _proposed.Contains(architecture);

    /// <summary>Records a proposal; false when it was proposed before.</summary>
    public bool Add(in TArchitecture architecture) => _proposed.Add(architecture);

    /// <summary>
    /// A uniformly random allowed architecture not proposed yet, or null when none is left. Once rejection
    /// sampling keeps hitting the history, a small space is enumerated once and the rest drawn from that list;
    /// a space too large to enumerate reports null only after <see cref="SampleAttempts"/> misses in a row.
    /// </summary>
    public TArchitecture? SampleUnproposed(Random random)
    {
        if (_remaining is null)
        {
            for (int attempt = 0; attempt < SampleAttempts; attempt++)
            {
                var candidate = _space.Sample(random);
                if (!_proposed.Contains(candidate)) return candidate;
            }
            if (!_space.IsFinite || _space.Cardinality > EnumerationLimit) return null;
            _remaining = new List<TArchitecture>();
            foreach (var architecture in _space.Enumerate())
                if (!_proposed.Contains(architecture)) _remaining.Add(architecture);
        }

        // Entries proposed since the list was built are dropped lazily (swap with the last, shrink).
        while (_remaining.Count > 0)
        {
            int i = random.Next(_remaining.Count);
            var candidate = _remaining[i];
            _remaining[i] = _remaining[^1];
            _remaining.RemoveAt(_remaining.Count - 1);
            if (!_proposed.Contains(candidate)) return candidate;
        }
        return null;
    }

    /// <summary>Whether the space is small enough that every allowed architecture can be proposed.</summary>
    public static bool IsEnumerable(ISearchSpace space) => space.IsFinite && space.Cardinality <= new BigInteger(EnumerationLimit);
}

/// <summary>
/// Suggestions handed out and not yet told, each with what the strategy needs to know about it. Keys compare by
/// value (architecture and fidelity), so a suggestion rebuilt from a store matches the one that was asked;
/// equal suggestions in flight are matched first-in, first-out.
/// </summary>
internal sealed class OutstandingSuggestions<TArchitecture, TSlot> where TArchitecture : struct, IEquatable<TArchitecture>
{
    private readonly Dictionary<Suggestion<TArchitecture>, Queue<TSlot>> _slots = new();

    /// <summary>How many suggestions are in flight.</summary>
    public int Count { get; private set; }

    public void Add(Suggestion<TArchitecture> suggestion, TSlot slot)
    {
        if (!_slots.TryGetValue(suggestion, out var queue))
            _slots[suggestion] = queue = new Queue<TSlot>();
        queue.Enqueue(slot);
        Count++;
    }

    /// <summary>Removes the slot of a told suggestion; false for a suggestion that is not in flight.</summary>
    public bool TryTake(Suggestion<TArchitecture> suggestion, out TSlot slot)
    {
        if (_slots.TryGetValue(suggestion, out var queue) && queue.TryDequeue(out slot!))
        {
            if (queue.Count == 0) _slots.Remove(suggestion);
            Count--;
            return true;
        }
        slot = default!;
        return false;
    }

    /// <summary>Whether an architecture is in flight at any fidelity.</summary>
    public bool Contains(Suggestion<TArchitecture> suggestion) => _slots.ContainsKey(suggestion);
}
