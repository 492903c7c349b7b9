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
}
