using System.Numerics;

namespace NasGen.Strategies;

/// <summary>Options of <see cref="GridSearch{TArchitecture}"/>.</summary>
public sealed record GridSearchOptions
{
    /// <summary>
    /// Visit the grid in a seeded random order instead of index order. The order is a lazy Fisher–Yates
    /// permutation of grid indices: memory grows with the number of suggestions made, not with the space, and
    /// spaces of more than <see cref="long.MaxValue"/> grid points cannot be shuffled.
    /// </summary>
    public bool Shuffle { get; init; }
}

/// <summary>
/// Exhaustive search: every allowed architecture exactly once, in the space's enumeration order or in a seeded
/// random order, then null. Outcomes do not steer it.
/// </summary>
public sealed class GridSearch<TArchitecture> : ISearchStrategy<TArchitecture>
    where TArchitecture : struct, IEquatable<TArchitecture>
{
    private readonly ISearchSpace<TArchitecture> _space;
    private readonly Random _random;
    private readonly bool _shuffle;
    private readonly long _gridSize;
    private ArchitectureEnumerator<TArchitecture> _ordered;

    // Lazy Fisher–Yates: only positions that were swapped are stored; absent means "holds its own index".
    private readonly Dictionary<long, long> _swapped = new();
    private long _position;

    /// <summary>Creates a grid search over <paramref name="space"/>.</summary>
    public GridSearch(ISearchSpace<TArchitecture> space, GridSearchOptions? options, int seed)
    {
        ArgumentNullException.ThrowIfNull(space);
        _space = space;
        _random = new Random(seed);
        _shuffle = (options ?? new GridSearchOptions()).Shuffle;
        if (!space.IsFinite)
            throw new NotSupportedException(
                $"Grid search needs a finite space, and {space.Name} has continuous ranges ({string.Join(", ", space.Dimensions.Where(d => d.IsContinuous).Select(d => d.Label))}); " +
                "give each a Step to search it on a grid, or use random, evolution, local or tpe.");
        if (_shuffle && space.Cardinality > long.MaxValue)
            throw new NotSupportedException($"{space.Name} has {space.Cardinality} grid points; a shuffled grid search supports at most {long.MaxValue}.");
        _gridSize = space.Cardinality > long.MaxValue ? long.MaxValue : (long)space.Cardinality;
        _ordered = space.Enumerate().GetEnumerator();
    }

    /// <summary>Creates a grid search in index order.</summary>
    public GridSearch(ISearchSpace<TArchitecture> space, int seed) : this(space, null, seed)
    {
    }

    /// <inheritdoc />
    public string Name => "grid";

    /// <inheritdoc />
    public Suggestion<TArchitecture>? Ask()
    {
        if (!_shuffle)
            return _ordered.MoveNext() ? new Suggestion<TArchitecture>(_ordered.Current) : null;

        while (_position < _gridSize)
        {
            long j = _random.NextInt64(_position, _gridSize);
            long atJ = _swapped.TryGetValue(j, out long a) ? a : j;
            long atPosition = _swapped.TryGetValue(_position, out long b) ? b : _position;
            _swapped[j] = atPosition;
            _swapped.Remove(_position); // never read again
            _position++;
            var architecture = _space.FromIndex(new BigInteger(atJ));
            if (_space.IsAllowed(architecture)) return new Suggestion<TArchitecture>(architecture);
        }
        return null;
    }

    /// <inheritdoc />
    public void Tell(Suggestion<TArchitecture> suggestion, TrialOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(suggestion);
        ArgumentNullException.ThrowIfNull(outcome);
    }
}
