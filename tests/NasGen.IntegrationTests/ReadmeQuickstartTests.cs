using System;
using NasGen.IntegrationTests.Readme;

namespace NasGen.IntegrationTests;

public sealed class ReadmeQuickstartTests
{
    [Fact]
    public void The_readme_usage_runs_as_written()
    {
        var space = ReadmeDigitsNet.Space;                       // ISearchSpace<ReadmeDigitsNet.Architecture>
        Console.WriteLine(space.Cardinality);              // 36 (exact, BigInteger)
        foreach (var a in space.Enumerate()) { }           // lazy, no allocation per architecture
        var arch = space.Sample(new Random(7));            // seeded; constraints respected
        var net = new ReadmeDigitsNet(arch);                     // the fixed network: only chosen operations exist
        string json = arch.ToJson();                       // and ReadmeDigitsNet.Architecture.FromJson(json)
        Assert.Equal(36, (int)space.Cardinality);
        Assert.Equal(arch, ReadmeDigitsNet.Architecture.FromJson(json));
        using var output = net.call(TorchSharp.torch.randn(2, 1, 8, 8));
        Assert.Equal(new long[] { 2, 10 }, output.shape);
    }
}
