namespace NasGen.Strategies;

/// <summary>
/// The ask/tell surface of the bracket-based multi-fidelity strategies (<see cref="SuccessiveHalving{TArchitecture}"/>,
/// <see cref="Hyperband{TArchitecture}"/>); each one only decides the shape of its brackets.
/// </summary>
public abstract class MultiFidelitySearch<TArchitecture> : ISearchStrategy<TArchitecture>
    where TArchitecture : struct, IEquatable<TArchitecture>
{
    private readonly BracketScheduler<TArchitecture> _scheduler;

    /// <summary>Runs brackets over <paramref name="space"/>, bracket k (from 0) shaped as <paramref name="planOfBracket"/>(k).</summary>
    private protected MultiFidelitySearch(ISearchSpace<TArchitecture> space, MultiFidelityOptions options, Func<int, BracketPlan> planOfBracket, int seed)
    {
        ArgumentNullException.ThrowIfNull(space);
        _scheduler = new BracketScheduler<TArchitecture>(space, options.Eta, planOfBracket, options.ProposeFromNextBracketWhileWaiting, seed);
    }

    /// <inheritdoc />
    public abstract string Name { get; }

    /// <summary>How many brackets have been started.</summary>
    public int BracketsStarted => _scheduler.BracketsStarted;

    /// <inheritdoc />
    public Suggestion<TArchitecture>? Ask() => _scheduler.Ask();

    /// <inheritdoc />
    public void Tell(Suggestion<TArchitecture> suggestion, TrialOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(suggestion);
        ArgumentNullException.ThrowIfNull(outcome);
        _scheduler.Tell(suggestion, outcome);
    }
}
