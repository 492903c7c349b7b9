using System;

namespace NasGen.Strategies;

/// <summary>
/// Successive halving (Jamieson and Talwalkar, AISTATS 2016): n random architectures at the smallest fidelity,
/// the best 1/η of them at η times the fidelity, and so on up to full fidelity; then a new bracket of new
/// architectures, forever. Suggestions carry their <see cref="Suggestion{TArchitecture}.Fidelity"/>.
/// </summary>
public sealed class SuccessiveHalving<TArchitecture> : ISearchStrategy<TArchitecture>
    where TArchitecture : struct, IEquatable<TArchitecture>
{
    private readonly BracketScheduler<TArchitecture> _scheduler;

    /// <summary>Creates successive halving over <paramref name="space"/>.</summary>
    public SuccessiveHalving(ISearchSpace<TArchitecture> space, SuccessiveHalvingOptions? options, int seed)
    {
        ArgumentNullException.ThrowIfNull(space);
        options ??= new SuccessiveHalvingOptions();
        int s = options.MaxBracketIndex();
        int configurations = options.Configurations ?? options.EtaPower(s);
        if (configurations < 1) throw new ArgumentOutOfRangeException(nameof(options), "Configurations must be at least 1.");
        var plan = new BracketPlan(configurations, s + 1);
        _scheduler = new BracketScheduler<TArchitecture>(space, options.Eta, _ => plan, options.ProposeFromNextBracketWhileWaiting, seed);
    }

    /// <inheritdoc />
    public string Name => "successive-halving";

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
