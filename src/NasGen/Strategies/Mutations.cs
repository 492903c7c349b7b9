namespace NasGen.Strategies;

/// <summary>What the evolutionary strategies (<see cref="RegularizedEvolution{TArchitecture}"/>, <see cref="ParetoEvolution{TArchitecture}"/>) share about mutation.</summary>
internal static class Mutations
{
    /// <summary>How many children a strategy breeds, looking for one it has not proposed, before it samples a fresh architecture.</summary>
    public const int MaxAttempts = 64;

    /// <summary>
    /// How many dimensions each mutation changes: the options' <c>MutatedChoices</c> (<paramref name="requested"/>, at
    /// least 1), at most as many as the space has mutable dimensions (0 where none is: the strategy can only sample).
    /// </summary>
    public static int ChoicesPerMutation(ISearchSpace space, int requested, string parameterName)
    {
        if (requested < 1) throw new ArgumentOutOfRangeException(parameterName, "MutatedChoices must be at least 1.");
        return Math.Min(requested, space.Dimensions.Count(d => d.IsMutable));
    }
}
