using System;
using System.IO;
using System.Threading.Tasks;
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

    [Fact]
    public async Task The_readme_one_call_search_runs_as_written_and_resumes()
    {
        string dir = Path.Combine(Path.GetTempPath(), "nasgen-readme-" + Guid.NewGuid().ToString("N"));
        string store = Path.Combine(dir, "digits.db");
        try
        {
            // A function of the architecture stands in for the trainer: the call is the README's.
            Func<ReadmeDigitsNet.Architecture, double> evaluator = a => a.Width + (a.Block == ReadmeDigitsNet.BlockChoice.Conv3x3 ? 1 : 0);
            var result = await ReadmeDigitsNet.Space.SearchAsync(evaluator, strategy: "bo", trials: 12, store: store, seed: 1);
            Console.WriteLine($"best {result.Best!.Fitness}: {result.BestArchitecture}");
            Assert.Equal(12, result.Trials.Count);
            Assert.True(File.Exists(store));
            var resumed = await ReadmeDigitsNet.Space.SearchAsync(evaluator, strategy: "bo", trials: 16, store: store, seed: 1);
            Assert.Equal(12, resumed.Resume.ReplayedTrials);
            Assert.Equal(16, resumed.Trials.Count);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
