namespace NasGen.Strategies;

/// <summary>
/// Hyperband (Li, Jamieson, DeSalvo, Rostamizadeh and Talwalkar, JMLR 2018): successive-halving brackets that
/// trade the number of architectures against their starting fidelity, cycling s = s_max … 0 forever. Bracket s
/// starts ⌈(s_max + 1)/(s + 1) · η^s⌉ random architectures at fidelity η^−s. With η = 3 and a minimum fidelity of
/// 1/27 the brackets are 27→9→3→1, 12→4→1, 6→2 and 4.
/// </summary>
public sealed class Hyperband<TArchitecture> : MultiFidelitySearch<TArchitecture>
    where TArchitecture : struct, IEquatable<TArchitecture>
{
    /// <summary>Creates Hyperband over <paramref name="space"/>.</summary>
    public Hyperband(ISearchSpace<TArchitecture> space, MultiFidelityOptions? options, int seed)
        : base(space, options ??= new MultiFidelityOptions(), PlanOfBracket(options), seed)
    {
    }

    /// <inheritdoc />
    public override string Name => "hyperband";

    private static Func<int, BracketPlan> PlanOfBracket(MultiFidelityOptions options)
    {
        int maxBracket = options.MaxBracketIndex();
        var plans = new BracketPlan[maxBracket + 1];
        for (int k = 0; k <= maxBracket; k++)
        {
            int s = maxBracket - k;
            int configurations = (int)Math.Ceiling((maxBracket + 1) * (double)options.EtaPower(s) / (s + 1));
            plans[k] = new BracketPlan(configurations, s + 1);
        }
        return k => plans[k % plans.Length];
    }
}
