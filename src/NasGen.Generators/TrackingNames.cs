namespace NasGen.Generators;

/// <summary>Names of the pipeline steps, so caching tests can find them.</summary>
public static class TrackingNames
{
    public const string SpaceDeclarations = nameof(SpaceDeclarations);
    public const string Environment = nameof(Environment);
    public const string ParseInputs = nameof(ParseInputs);
    public const string Spaces = nameof(Spaces);
    public const string TemplateInputs = nameof(TemplateInputs);
    public const string Models = nameof(Models);
    public const string Diagnostics = nameof(Diagnostics);
    public const string Stubs = nameof(Stubs);
    public const string ExportTemplates = nameof(ExportTemplates);
    public const string ExportChoices = nameof(ExportChoices);
    public const string HintNames = nameof(HintNames);
    public const string FixedArchitectures = nameof(FixedArchitectures);
}
