using NasGen.IntegrationTests.Spaces;

namespace NasGen.IntegrationTests.Export;

/// <summary>The generator writes this class from fixed-wide-select-net.arch.json (two wide input choices' selections) at build time.</summary>
[FixedArchitecture(typeof(WideSelectNet), "fixed-wide-select-net.arch.json")]
public partial class FixedWideSelectNet
{
}
