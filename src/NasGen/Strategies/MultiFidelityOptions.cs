namespace NasGen.Strategies;

/// <summary>Options shared by <see cref="SuccessiveHalving{TArchitecture}"/> and <see cref="Hyperband{TArchitecture}"/>.</summary>
public record MultiFidelityOptions
{
    /// <summary>The reduction factor η: each rung keeps the best 1/η and gives them η times the fidelity.</summary>
    public int Eta { get; init; } = 3;

    /// <summary>The smallest fidelity proposed; with η = 3 and 1/27 the rungs run at 1/27, 1/9, 1/3 and 1.</summary>
    public double MinFidelity { get; init; } = 1.0 / 27;

    /// <summary>
    /// While every open bracket waits for outcomes, start the next bracket instead of returning null, so that
    /// parallel workers stay busy. Off, <c>Ask</c> returns null until the waiting rung is complete.
    /// </summary>
    public bool ProposeFromNextBracketWhileWaiting { get; init; } = true;

    /// <summary>s_max: the number of rungs below full fidelity, ⌊log_η(1 / MinFidelity)⌋.</summary>
    internal int MaxBracketIndex()
    {
        if (Eta < 2) throw new ArgumentOutOfRangeException(nameof(Eta), Eta, "Eta must be at least 2.");
        if (!(MinFidelity > 0 && MinFidelity <= 1)) throw new ArgumentOutOfRangeException(nameof(MinFidelity), MinFidelity, "MinFidelity must be in (0, 1].");
        return (int)Math.Floor(Math.Log(1 / MinFidelity) / Math.Log(Eta) + 1e-9);
    }

    /// <summary>η^power as an integer.</summary>
    internal int EtaPower(int power)
    {
        int result = 1;
        for (int i = 0; i < power; i++) result = checked(result * Eta);
        return result;
    }
}

/// <summary>Options of <see cref="SuccessiveHalving{TArchitecture}"/>.</summary>
public sealed record SuccessiveHalvingOptions : MultiFidelityOptions
{
    /// <summary>Architectures in each bracket's first rung; η^s_max when null (27 with the defaults).</summary>
    public int? Configurations { get; init; }
}
