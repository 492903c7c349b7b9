namespace NasGen.Strategies;

/// <summary>Options of <see cref="LocalSearch{TArchitecture}"/>.</summary>
public sealed record LocalSearchOptions
{
    /// <summary>How many random architectures are evaluated to pick each starting point (at the start and at every restart).</summary>
    public int InitialSamples { get; init; } = 5;

    /// <summary>
    /// Move to the first neighbour told better than the current architecture (true), instead of evaluating the whole
    /// neighbourhood and moving to its best (false). First improvement spends far fewer queries per step.
    /// </summary>
    public bool FirstImprovement { get; init; } = true;
}

/// <summary>
/// Hill climbing with random restarts (White, Nolen, Savani and Zela, "Exploring the Loss Landscape in Neural
/// Architecture Search", UAI 2021). It starts from the best of a few random architectures, evaluates its neighbours
/// (one choice changed) in a seeded random order, moves to the first neighbour told better than the current
/// architecture (or, with <see cref="LocalSearchOptions.FirstImprovement"/> off, to the best of the whole
/// neighbourhood), and restarts from new random samples at a local optimum (no neighbour is better).
/// </summary>
/// <remarks>
/// No architecture is evaluated twice: a neighbour seen before counts with its recorded fitness. Once every
/// neighbour of the current architecture has been handed out, <see cref="Ask"/> returns null until the
/// outstanding ones are told (null with nothing in flight means the space is exhausted).
/// </remarks>
public sealed class LocalSearch<TArchitecture> : ISearchStrategy<TArchitecture>
    where TArchitecture : struct, IEquatable<TArchitecture>
{
    private readonly ISearchSpace<TArchitecture> _space;
    private readonly LocalSearchOptions _options;
    private readonly Random _random;
    private readonly ProposalLog<TArchitecture> _proposals;
    private readonly HashSet<TArchitecture> _inFlight = new();
    private readonly Dictionary<TArchitecture, double> _fitness = new(); // successful outcomes only

    // The architectures of the current phase: random starting candidates, or the current architecture's neighbours.
    private readonly List<TArchitecture> _batch = new();
    private int _nextInBatch;
    private bool _climbing;
    private TArchitecture _current;
    private double _currentFitness;

    /// <summary>Creates a local search over <paramref name="space"/>.</summary>
    public LocalSearch(ISearchSpace<TArchitecture> space, LocalSearchOptions? options, int seed)
    {
        ArgumentNullException.ThrowIfNull(space);
        _options = options ?? new LocalSearchOptions();
        if (_options.InitialSamples < 1) throw new ArgumentOutOfRangeException(nameof(options), "InitialSamples must be at least 1.");
        _space = space;
        _random = new Random(seed);
        _proposals = new ProposalLog<TArchitecture>(space);
    }

    /// <inheritdoc />
    public string Name => "local-search";

    /// <summary>How many times the search reached a local optimum and restarted.</summary>
    public int Restarts { get; private set; }

    /// <inheritdoc />
    public Suggestion<TArchitecture>? Ask()
    {
        // Each pass either hands out an architecture, waits, or finishes a phase and starts the next one. Phases
        // whose architectures were all evaluated before finish at once, so several can pass in one ask; each move
        // strictly improves the fitness and each restart samples an unproposed architecture, so this ends. The
        // bound only guards against a bug turning into a hang.
        for (int guard = 0; guard < 1_000_000; guard++)
        {
            if (_climbing && _options.FirstImprovement && MoveToImprovingNeighbour()) continue;
            if (!_climbing && _batch.Count < _options.InitialSamples && _nextInBatch == _batch.Count)
            {
                var sample = _proposals.SampleUnproposed(_random);
                if (sample is not null) _batch.Add(sample.Value);
            }
            while (_nextInBatch < _batch.Count)
            {
                var candidate = _batch[_nextInBatch++];
                if (_proposals.Contains(candidate)) continue; // evaluated before: its fitness is on record
                return Propose(candidate);
            }
            foreach (var member in _batch)
                if (_inFlight.Contains(member)) return null; // the phase ends when its last outcome arrives
            if (!FinishPhase()) return null;
        }
        return null;
    }

    /// <inheritdoc />
    public void Tell(Suggestion<TArchitecture> suggestion, TrialOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(suggestion);
        ArgumentNullException.ThrowIfNull(outcome);
        _inFlight.Remove(suggestion.Architecture);
        if (!outcome.Failed) _fitness[suggestion.Architecture] = outcome.Fitness!.Value;
    }

    private Suggestion<TArchitecture> Propose(TArchitecture architecture)
    {
        _proposals.Add(architecture);
        _inFlight.Add(architecture);
        return new Suggestion<TArchitecture>(architecture);
    }

    /// <summary>Moves, restarts or begins climbing once a phase is complete; false when the space is exhausted.</summary>
    private bool FinishPhase()
    {
        bool found = false;
        TArchitecture best = default;
        double bestFitness = double.NegativeInfinity;
        foreach (var member in _batch) // batch order is seeded, so ties resolve the same way every run
        {
            if (_fitness.TryGetValue(member, out double f) && f > bestFitness)
            {
                best = member;
                bestFitness = f;
                found = true;
            }
        }

        bool improves = found && (!_climbing || bestFitness > _currentFitness);
        if (!_climbing && !found && _batch.Count < _options.InitialSamples)
            return false; // no new architecture could be sampled: the space is exhausted
        if (improves)
        {
            _current = best;
            _currentFitness = bestFitness;
            _climbing = true;
            LoadNeighbours();
        }
        else
        {
            if (_climbing) Restarts++;
            _climbing = false;
            _batch.Clear();
            _nextInBatch = 0;
        }
        return true;
    }

    /// <summary>
    /// First improvement: moves to the best neighbour handed out so far that is told better than the current
    /// architecture (one told at a time makes it the first such). Neighbours still in flight are not waited for.
    /// </summary>
    private bool MoveToImprovingNeighbour()
    {
        bool found = false;
        for (int i = 0; i < _nextInBatch; i++)
        {
            if (_fitness.TryGetValue(_batch[i], out double f) && f > _currentFitness)
            {
                _current = _batch[i];
                _currentFitness = f;
                found = true;
            }
        }
        if (found) LoadNeighbours();
        return found;
    }

    private void LoadNeighbours()
    {
        _batch.Clear();
        _nextInBatch = 0;
        _batch.AddRange(_space.Neighbours(_current));
        for (int i = _batch.Count - 1; i > 0; i--)
        {
            int j = _random.Next(i + 1);
            (_batch[i], _batch[j]) = (_batch[j], _batch[i]);
        }
    }
}
