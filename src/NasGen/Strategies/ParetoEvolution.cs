namespace NasGen.Strategies;

/// <summary>Options of <see cref="ParetoEvolution{TArchitecture}"/>.</summary>
public sealed record ParetoEvolutionOptions
{
    /// <summary>
    /// Population size μ: random architectures first, then the μ survivors of the steady-state selection. Small
    /// enough that a budget of a few hundred trials is mostly spent breeding, large enough to hold a front.
    /// </summary>
    public int PopulationSize { get; init; } = 20;

    /// <summary>How many dimensions a mutation changes.</summary>
    public int MutatedChoices { get; init; } = 1;
}

/// <summary>
/// Steady-state multi-objective evolution in the manner of SMS-EMOA (Beume, Naujoks and Emmerich, "SMS-EMOA:
/// Multiobjective selection based on dominated hypervolume", EJOR 2007): a population of μ architectures; each child
/// mutates a parent chosen by binary tournament on NSGA-II's crowded comparison (non-domination rank, then crowding
/// distance; Deb et al., IEEE TEVC 2002); once the child is told, the population's worst front loses the member with
/// the smallest exclusive hypervolume contribution (two objectives; the front's extremes are always kept) or, with
/// more objectives, the smallest crowding distance. Ties remove the oldest. Never proposes an architecture twice.
/// </summary>
/// <remarks>
/// Objectives come from <see cref="TrialOutcome.Objectives"/> (all maximised); told the fitness alone, the search is
/// a (μ + 1) evolution on the fitness. Asynchronous: with several suggestions in flight, each is bred from the
/// population as it stands.
/// </remarks>
public sealed class ParetoEvolution<TArchitecture> : IMultiObjectiveStrategy<TArchitecture>
    where TArchitecture : struct, IEquatable<TArchitecture>
{
    private readonly ISearchSpace<TArchitecture> _space;
    private readonly ParetoEvolutionOptions _options;
    private readonly Random _random;
    private readonly ProposalTracker<TArchitecture> _tracker;
    private readonly int _mutatedChoices;
    private readonly ObjectiveArchive<TArchitecture> _archive = new();
    private readonly List<Member> _population = new(); // oldest first

    private sealed record Member(TArchitecture Architecture, IReadOnlyList<double> Objectives);

    /// <summary>Creates the evolution over <paramref name="space"/>.</summary>
    public ParetoEvolution(ISearchSpace<TArchitecture> space, ParetoEvolutionOptions? options, int seed)
    {
        ArgumentNullException.ThrowIfNull(space);
        _options = options ?? new ParetoEvolutionOptions();
        if (_options.PopulationSize < 2) throw new ArgumentOutOfRangeException(nameof(options), "PopulationSize must be at least 2.");
        _mutatedChoices = Mutations.ChoicesPerMutation(space, _options.MutatedChoices, nameof(options));
        _space = space;
        _random = new Random(seed);
        _tracker = new ProposalTracker<TArchitecture>(space);
    }

    /// <inheritdoc />
    public string Name => "pareto-evolution";

    /// <summary>The current population, oldest first, with its objective values.</summary>
    public IReadOnlyList<(TArchitecture Architecture, IReadOnlyList<double> Objectives)> Population =>
        _population.Select(m => (m.Architecture, m.Objectives)).ToList();

    /// <inheritdoc />
    public IReadOnlyList<(TArchitecture Architecture, IReadOnlyList<double> Objectives)> ParetoSet => _archive.ParetoSet;

    /// <inheritdoc />
    public Suggestion<TArchitecture>? Ask()
    {
        bool initial = _population.Count + _tracker.InitialInFlight < _options.PopulationSize || _population.Count < 2 || _mutatedChoices == 0;
        return _tracker.Issue(initial ? _tracker.Proposals.SampleUnproposed(_random) : Breed(), initial);
    }

    /// <inheritdoc />
    public void Tell(Suggestion<TArchitecture> suggestion, TrialOutcome outcome)
    {
        _tracker.Settle(suggestion, outcome);
        var objectives = _archive.Add(suggestion.Architecture, outcome);
        if (objectives is null) return;
        _population.Add(new Member(suggestion.Architecture, objectives));
        if (_population.Count > _options.PopulationSize) _population.RemoveAt(WorstMember());
    }

    private TArchitecture? Breed()
    {
        var points = _population.Select(m => m.Objectives).ToList();
        var ranks = ParetoRanking.NonDominatedRanks(points);
        var crowding = CrowdingByFront(points, ranks);
        for (int attempt = 0; attempt < Mutations.MaxAttempts; attempt++)
        {
            // Binary tournament on the crowded comparison: lower rank wins, then the less crowded.
            int a = _random.Next(_population.Count);
            int b = _random.Next(_population.Count - 1);
            if (b >= a) b++;
            int parent = ranks[a] < ranks[b] || (ranks[a] == ranks[b] && crowding[a] >= crowding[b]) ? a : b;
            var child = _space.Mutate(_population[parent].Architecture, _random, _mutatedChoices);
            if (!_tracker.Proposals.Contains(child)) return child;
        }
        // The population's neighbourhood is used up: a fresh random architecture keeps the search going.
        return _tracker.Proposals.SampleUnproposed(_random);
    }

    /// <summary>The member to remove: in the worst front, the smallest hypervolume contribution (crowding distance beyond two objectives), oldest first on ties.</summary>
    private int WorstMember()
    {
        var points = _population.Select(m => m.Objectives).ToList();
        var ranks = ParetoRanking.NonDominatedRanks(points);
        int worstRank = ranks.Max();
        var front = Enumerable.Range(0, points.Count).Where(i => ranks[i] == worstRank).ToList();
        if (front.Count == 1) return front[0];
        var value = points[0].Count == 2
            ? ParetoRanking.HypervolumeContributions2D(points, front, [double.NegativeInfinity, double.NegativeInfinity])
            : ParetoRanking.CrowdingDistances(points, front);
        int worst = 0;
        for (int k = 1; k < front.Count; k++) if (value[k] < value[worst]) worst = k;
        return front[worst];
    }

    private static double[] CrowdingByFront(List<IReadOnlyList<double>> points, int[] ranks)
    {
        var crowding = new double[points.Count];
        foreach (var front in Enumerable.Range(0, points.Count).GroupBy(i => ranks[i]))
        {
            var members = front.ToList();
            var distances = ParetoRanking.CrowdingDistances(points, members);
            for (int k = 0; k < members.Count; k++) crowding[members[k]] = distances[k];
        }
        return crowding;
    }
}

/// <summary>
/// Every successful multi-objective outcome a strategy was told: checks that the vectors keep one length and keeps
/// the non-dominated set for <see cref="IMultiObjectiveStrategy{TArchitecture}.ParetoSet"/>.
/// </summary>
internal sealed class ObjectiveArchive<TArchitecture> where TArchitecture : struct, IEquatable<TArchitecture>
{
    private readonly List<(TArchitecture Architecture, IReadOnlyList<double> Objectives)> _all = new();
    private List<(TArchitecture, IReadOnlyList<double>)>? _front;

    /// <summary>Number of objectives, once the first success was told (0 before).</summary>
    public int ObjectiveCount { get; private set; }

    /// <summary>Every success, in tell order.</summary>
    public IReadOnlyList<(TArchitecture Architecture, IReadOnlyList<double> Objectives)> All => _all;

    /// <summary>Records an outcome; returns its objective values (a copy), or null when it failed.</summary>
    public IReadOnlyList<double>? Add(TArchitecture architecture, TrialOutcome outcome)
    {
        var values = outcome.ObjectiveValues();
        if (values is null) return null;
        if (ObjectiveCount == 0) ObjectiveCount = values.Count;
        else if (values.Count != ObjectiveCount)
            throw new ArgumentException($"Told {values.Count} objective values after {ObjectiveCount} for earlier trials; every trial needs the same objectives.", nameof(outcome));
        var copy = values.ToArray();
        _all.Add((architecture, copy));
        _front = null;
        return copy;
    }

    /// <summary>The non-dominated successes, in tell order.</summary>
    public IReadOnlyList<(TArchitecture Architecture, IReadOnlyList<double> Objectives)> ParetoSet =>
        _front ??= ParetoRanking.NonDominated(_all.Select(p => p.Objectives).ToList()).Select(i => _all[i]).ToList();
}
