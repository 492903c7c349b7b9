namespace NasGen.Generators;

/// <summary>Metadata names of the types the generator recognises.</summary>
internal static class KnownTypeNames
{
    public const string SearchSpaceAttribute = "NasGen.SearchSpaceAttribute";
    public const string ChoiceAttribute = "NasGen.ChoiceAttribute";
    public const string LayerChoiceAttribute = "NasGen.LayerChoiceAttribute";
    public const string InputChoiceAttribute = "NasGen.InputChoiceAttribute";
    public const string RepeatAttribute = "NasGen.RepeatAttribute";
    public const string SubSpaceAttribute = "NasGen.SubSpaceAttribute";
    public const string CellAttribute = "NasGen.CellAttribute";
    public const string RangeAttribute = "NasGen.RangeAttribute";
    public const string Cell = "NasGen.Cell<TOp>";
    public const string CellEdge = "NasGen.CellEdge";
    public const string ConstraintAttribute = "NasGen.ConstraintAttribute";
    public const string FixedArchitectureAttribute = "NasGen.FixedArchitectureAttribute";
    public const string InputChoice = "NasGen.InputChoice";
    public const string Module = "TorchSharp.torch+nn+Module";
    public const string Sequential = "TorchSharp.Modules.Sequential";

    /// <summary>
    /// Whether <paramref name="type"/> is the non-generic type <paramref name="fullName"/> ("NasGen.ChoiceAttribute"), read
    /// from its containing symbols rather than by formatting its name: one ToDisplayString per attribute of a 200-choice
    /// space was a measurable share of a generator run.
    /// </summary>
    public static bool Is(ITypeSymbol? type, string fullName)
    {
        if (type is null) return false;
        int end = fullName.Length;
        // An error type may have no containing symbol at all.
        for (ISymbol? symbol = type; symbol is not INamespaceSymbol { IsGlobalNamespace: true }; symbol = symbol.ContainingSymbol)
        {
            if (symbol is null || end < 0) return false;
            int dot = fullName.LastIndexOf('.', end - 1);
            string name = symbol.Name;
            if (end - dot - 1 != name.Length || string.CompareOrdinal(fullName, dot + 1, name, 0, name.Length) != 0) return false;
            end = dot;
        }
        return end == -1;
    }

    /// <summary>Whether <paramref name="type"/> is one of <paramref name="fullNames"/>; the matching name, or null.</summary>
    public static string? Which(ITypeSymbol? type, string[] fullNames)
    {
        foreach (string name in fullNames)
            if (Is(type, name)) return name;
        return null;
    }
}
