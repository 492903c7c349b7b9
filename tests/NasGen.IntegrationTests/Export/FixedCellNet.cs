using NasGen.IntegrationTests.Spaces;

namespace NasGen.IntegrationTests.Export;

/// <summary>The generator writes this class, cells included, from fixed-cell-net.arch.json at build time.</summary>
[FixedArchitecture(typeof(CellSpaceNet), "fixed-cell-net.arch.json")]
public partial class FixedCellNet
{
}
