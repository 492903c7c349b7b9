namespace NasGen.Strategies;

/// <summary>
/// Successive halving (Jamieson and Talwalkar, AISTATS 2016): n random architectures at the smallest fidelity,
/// the best 1/η of them at η times the fidelity, and so on up to full fidelity; then a new bracket of new
/// architectures, forever. Suggestions carry their <see cref="Suggestion{TArchitecture}.Fidelity"/>.
/// </summary>
public sealed class SuccessiveHalving<TArchitecture> : MultiFidelitySearch<TArchitecture>
    where TArchitecture : struct, IEquatable<TArchitecture>
{
    /// <summary>Creates successive halving over <paramref name="space"/>.</summary>
    public SuccessiveHalving(ISearchSpace<TArchitecture> space, SuccessiveHalvingOptions? options, int seed)
        : base(space, options ??= new SuccessiveHalvingOptions(), PlanOfEveryBracket(options), seed)
    {
    }

    /// <inheritdoc />
    public override string Name => "successive-halving";

    private static Func<int, BracketPlan> PlanOfEveryBracket(SuccessiveHalvingOptions options)
    {
        int s = options.MaxBracketIndex();
        int configurations = options.Configurations ?? options.EtaPower(s);
        if (configurations < 1) throw new ArgumentOutOfRangeException(nameof(options), "Configurations must be at least 1.");
        var plan = new BracketPlan(configurations, s + 1);
        return _ => plan;
    }
}
