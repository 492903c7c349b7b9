using NasGen.IntegrationTests.Spaces;

namespace NasGen.IntegrationTests.Export;

/// <summary>The generator writes this class from fixed-export-net.arch.json (an AdditionalFiles item) at build time.</summary>
[FixedArchitecture(typeof(ExportNet), "fixed-export-net.arch.json")]
public partial class FixedExportNet
{
}
