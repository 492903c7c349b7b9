using NasGen.Storage;
using NasGen.Strategies;

namespace NasGen.Experiments;

/// <summary>
/// The strategy of a run, kept in step with the trials in the store. A strategy holds state and is rebuilt by replay:
/// <see cref="CatchUp"/> feeds it the trials and outcomes it has not seen, in the order they first happened (asks in
/// trial-number order, each tell after as many asks as had happened when it was first told), so that it proposes what
/// the strategy of one uninterrupted process would. A resume catches up once on the whole store; a worker on a store
/// shared by many catches up on the others' trials before each ask.
/// </summary>
internal sealed class StrategyReplay<TArchitecture> where TArchitecture : struct, IEquatable<TArchitecture>
{
    private readonly ISearchSpace<TArchitecture> _space;
    private readonly Func<int, ISearchStrategy<TArchitecture>> _strategyFactory;
    private readonly ExperimentOptions<TArchitecture> _options;
    private HashSet<int> _recorded = new();

    public StrategyReplay(ISearchSpace<TArchitecture> space, Func<int, ISearchStrategy<TArchitecture>> strategyFactory, ExperimentOptions<TArchitecture> options)
    {
        _space = space;
        _strategyFactory = strategyFactory;
        _options = options;
        Strategy = strategyFactory(options.Seed);
        State = new RunState<TArchitecture>(options.MedianStopping, options.Direction);
    }

    public ISearchStrategy<TArchitecture> Strategy { get; private set; }

    /// <summary>Suggestions by trial number and what is known of finished trials.</summary>
    public RunState<TArchitecture> State { get; private set; }

    /// <summary>Trials the strategy has been asked for (or given from the store): the next trial's number.</summary>
    public int KnownTrials { get; private set; }

    /// <summary>Outcomes told, by the store's tell sequence.</summary>
    public int KnownTells { get; private set; }

    /// <summary>The first stored trial the strategy did not propose again; from there stored suggestions are told as they are.</summary>
    public int? DivergedAt { get; private set; }

    /// <summary>Forgets everything: the next catch-up replays the whole history into a fresh strategy.</summary>
    public void Reset()
    {
        Strategy = _strategyFactory(_options.Seed);
        State = new RunState<TArchitecture>(_options.MedianStopping, _options.Direction);
        _recorded = new();
        KnownTrials = KnownTells = 0;
    }

    /// <summary>Feeds trials numbered from <see cref="KnownTrials"/> on and outcomes in tell order from <see cref="KnownTells"/> on.</summary>
    public void CatchUp(IReadOnlyList<TrialRecord> newTrials, IReadOnlyList<TrialRecord> newTells)
    {
        int told = 0;
        foreach (var trial in newTrials)
        {
            while (told < newTells.Count && newTells[told].AsksAtTell <= trial.Number) Tell(newTells[told++], live: false);
            var suggestion = new Suggestion<TArchitecture>(_space.FromJson(trial.ArchitectureJson), trial.Fidelity);
            if (DivergedAt is null)
            {
                var asked = Strategy.Ask();
                if (asked is not null && asked.Architecture.Equals(suggestion.Architecture) && asked.Fidelity.Equals(suggestion.Fidelity))
                    suggestion = asked;
                else
                    DivergedAt = trial.Number;
            }
            State.Suggestions[trial.Number] = suggestion;
            KnownTrials = trial.Number + 1;
        }
        while (told < newTells.Count) Tell(newTells[told++], live: false);
    }

    /// <summary>Catches up on <paramref name="update"/> and asks for the next trial (the callback of a shared store's proposal).</summary>
    public NewTrial? Propose(HistoryUpdate update)
    {
        CatchUp(update.NewTrials, update.NewTells);
        return Ask(update.NextNumber);
    }

    /// <summary>Asks the strategy for trial <paramref name="number"/>; null when it has nothing to propose now.</summary>
    public NewTrial? Ask(int number)
    {
        var suggestion = Strategy.Ask();
        if (suggestion is null) return null;
        var architecture = suggestion.Architecture;
        _space.Validate(architecture); // a strategy proposing outside its space is a bug, not a failed trial
        State.Suggestions[number] = suggestion;
        KnownTrials = number + 1;
        return new NewTrial(_space.ToJson(architecture), _space.ToCanonicalString(architecture), _space.StableHash(architecture),
            suggestion.Fidelity, Experiment<TArchitecture>.TrialSeed(_options.Seed, number));
    }

    /// <summary>The suggestion behind a claimed trial; one added by another worker is rebuilt from its record.</summary>
    public Suggestion<TArchitecture> SuggestionFor(TrialRecord trial)
    {
        if (!State.Suggestions.TryGetValue(trial.Number, out var suggestion))
            State.Suggestions[trial.Number] = suggestion = new(_space.FromJson(trial.ArchitectureJson), trial.Fidelity);
        return suggestion;
    }

    /// <summary>Tells the strategy a finished trial and counts it (for progress, dedup and median stopping) unless it was counted live.</summary>
    public void Tell(TrialRecord trial, bool live)
    {
        Strategy.Tell(State.Suggestions[trial.Number], OutcomeOf(trial));
        KnownTells = trial.TellSequence!.Value + 1;
        if (_recorded.Add(trial.Number)) State.Record(trial, live);
    }

    /// <summary>A trial this worker finished: counted now, told to the strategy at the next catch-up, in the store's order.</summary>
    public void RecordLive(TrialRecord trial)
    {
        if (_recorded.Add(trial.Number)) State.Record(trial, live: true);
    }

    /// <summary>
    /// What the strategy is told of a trial: its fitness as a value to maximise. With <see cref="ExperimentOptions{TArchitecture}.Objectives"/>, the outcome
    /// carries their values, minimised ones negated, for an <see cref="IMultiObjectiveStrategy{TArchitecture}"/>; other
    /// strategies read the fitness alone.
    /// </summary>
    private TrialOutcome OutcomeOf(TrialRecord trial)
    {
        if (trial.Status != TrialStatus.Completed) return TrialOutcome.Failure;
        double? fitness = trial.Fitness is { } f ? _options.Direction.Maximised(f) : null;
        var objectives = _options.Objectives;
        if (objectives.Count == 0) return new TrialOutcome(fitness);
        var values = Objective.ValuesOf(trial, objectives);
        var maximised = new double[values.Count];
        for (int i = 0; i < maximised.Length; i++)
            maximised[i] = objectives[i].Direction == ObjectiveDirection.Minimize ? -values[i] : values[i];
        return new TrialOutcome(fitness) { Objectives = maximised };
    }
}
