using NasGen.Generators.Tests.Infrastructure;

namespace NasGen.Generators.Tests;

/// <summary>The whole shape of each kind of generated file, checked against committed snapshots.</summary>
public sealed class SnapshotTests
{
    private static void VerifySpace(string source, [System.Runtime.CompilerServices.CallerMemberName] string method = "")
    {
        var run = GeneratorDriverRunner.Run(source).AssertClean();
        Assert.NotEmpty(run.Sources);
        Snapshot.Verify(run, typeof(SnapshotTests), method);
    }

    [Fact]
    public void ValueOnlySpace() => VerifySpace(Sources.ValueOnly);

    [Fact]
    public void LayerInputAndRepeatChoices() => VerifySpace(Sources.Modules);

    [Fact]
    public void CellsOfBothFormsWithASupernet() => VerifySpace(Sources.Cells);

    [Fact]
    public void IndexedLayerChoiceWithASupernet() => VerifySpace(Sources.IndexedLayers);

    [Fact]
    public void NestedSubSpaceWithConstraint() => VerifySpace(Sources.Nested);

    [Fact]
    public void SpaceInGlobalNamespace() => VerifySpace(Sources.GlobalNamespace);

    [Fact]
    public void SpaceNestedInPartialContainingTypes() => VerifySpace(Sources.NestedInContainingType);
}
