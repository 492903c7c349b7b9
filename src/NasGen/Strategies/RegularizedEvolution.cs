namespace NasGen.Strategies;

/// <summary>Options of <see cref="RegularizedEvolution{TArchitecture}"/>.</summary>
public sealed record RegularizedEvolutionOptions
{
    /// <summary>Population size P: the number of most recent successful trials that can be parents.</summary>
    public int PopulationSize { get; init; } = 100;

    /// <summary>Tournament size S: how many population members are drawn to pick a parent.</summary>
    public int SampleSize { get; init; } = 25;

    /// <summary>How many dimensions a mutation changes.</summary>
    public int MutatedChoices { get; init; } = 1;

    /// <summary>Probability that a child is the uniform crossover of two tournament winners before mutation.</summary>
    public double CrossoverProbability { get; init; }

    /// <summary>
    /// Never propose an architecture twice (mutations are redrawn until they are new). Real et al. do not
    /// deduplicate; with deterministic evaluations a repeat only wastes budget, so it is on by default. With it
    /// on, the strategy returns null once the allowed space is exhausted.
    /// </summary>
    public bool AvoidDuplicates { get; init; } = true;
}

/// <summary>
/// Regularized (aging) evolution (Real, Aggarwal, Huang and Le, AAAI 2019): a population of the P most recent
/// trials; each child mutates the best of S members drawn at random, and the oldest member dies. Asynchronous:
/// with several suggestions in flight each one is bred from the population as it stands.
/// </summary>
public sealed class RegularizedEvolution<TArchitecture> : ISearchStrategy<TArchitecture>
    where TArchitecture : struct, IEquatable<TArchitecture>
{
    private readonly ISearchSpace<TArchitecture> _space;
    private readonly RegularizedEvolutionOptions _options;
    private readonly Random _random;
    private readonly ProposalTracker<TArchitecture> _tracker;
    private readonly List<(TArchitecture Architecture, double Fitness)> _population = new(); // oldest first
    private readonly int _mutatedChoices;

    /// <summary>Creates an evolution over <paramref name="space"/>.</summary>
    public RegularizedEvolution(ISearchSpace<TArchitecture> space, RegularizedEvolutionOptions? options, int seed)
    {
        ArgumentNullException.ThrowIfNull(space);
        _options = options ?? new RegularizedEvolutionOptions();
        if (_options.PopulationSize < 1) throw new ArgumentOutOfRangeException(nameof(options), "PopulationSize must be at least 1.");
        if (_options.SampleSize < 1) throw new ArgumentOutOfRangeException(nameof(options), "SampleSize must be at least 1.");
        _mutatedChoices = Mutations.ChoicesPerMutation(space, _options.MutatedChoices, nameof(options));
        if (_options.CrossoverProbability is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(options), "CrossoverProbability must be in [0, 1].");
        _space = space;
        _random = new Random(seed);
        _tracker = new ProposalTracker<TArchitecture>(space);
    }

    /// <inheritdoc />
    public string Name => "regularized-evolution";

    /// <summary>The current population, oldest first.</summary>
    public IReadOnlyList<(TArchitecture Architecture, double Fitness)> Population => _population;

    /// <inheritdoc />
    public Suggestion<TArchitecture>? Ask()
    {
        bool initial = _population.Count + _tracker.InitialInFlight < _options.PopulationSize || _population.Count == 0 || _mutatedChoices == 0;
        return _tracker.Issue(initial ? SampleInitial() : Breed(), initial);
    }

    /// <inheritdoc />
    public void Tell(Suggestion<TArchitecture> suggestion, TrialOutcome outcome)
    {
        if (!_tracker.Settle(suggestion, outcome)) return; // a failed child never joins; a failed initial member is replaced by a new sample

        _population.Add((suggestion.Architecture, outcome.Fitness!.Value));
        if (_population.Count > _options.PopulationSize) _population.RemoveAt(0); // aging: the oldest dies
    }

    private TArchitecture? SampleInitial()
    {
        if (_options.AvoidDuplicates) return _tracker.Proposals.SampleUnproposed(_random);
        return _space.Sample(_random);
    }

    private TArchitecture? Breed()
    {
        for (int attempt = 0; attempt < Mutations.MaxAttempts; attempt++)
        {
            var parent = Tournament();
            if (_options.CrossoverProbability > 0 && _population.Count > 1 && _random.NextDouble() < _options.CrossoverProbability)
                parent = _space.Crossover(parent, Tournament(), _random);
            var child = _space.Mutate(parent, _random, _mutatedChoices);
            if (!_options.AvoidDuplicates || !_tracker.Proposals.Contains(child)) return child;
        }
        // The neighbourhood of the population is used up: a fresh random architecture keeps the search going.
        return SampleInitial();
    }

    /// <summary>The fittest of S members drawn without replacement (ties go to the first drawn).</summary>
    private TArchitecture Tournament()
    {
        int size = Math.Min(_options.SampleSize, _population.Count);
        Span<int> order = _population.Count <= 1024 ? stackalloc int[_population.Count] : new int[_population.Count];
        for (int i = 0; i < order.Length; i++) order[i] = i;
        int best = -1;
        for (int i = 0; i < size; i++)
        {
            int j = i + _random.Next(order.Length - i);
            (order[i], order[j]) = (order[j], order[i]);
            if (best < 0 || _population[order[i]].Fitness > _population[best].Fitness) best = order[i];
        }
        return _population[best].Architecture;
    }
}
