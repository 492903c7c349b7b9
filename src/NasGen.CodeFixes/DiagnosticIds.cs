namespace NasGen.CodeFixes;

/// <summary>
/// The ids this assembly fixes. Copied from NasGen.Generators' DiagnosticDescriptors rather than referenced:
/// the generator assembly is loaded by the compiler, this one only by the IDE.
/// </summary>
internal static class DiagnosticIds
{
    public const string SpaceNotPartial = "NASG001";
    public const string DuplicateCandidate = "NASG007";
}
