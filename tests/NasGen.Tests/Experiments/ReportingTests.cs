using System;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using NasGen.CrashHarness;
using NasGen.Experiments;
using NasGen.Reporting;
using NasGen.Storage;

namespace NasGen.Tests.Experiments;

public sealed class ReportingTests
{
    private static readonly byte[] PngSignature = { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A };

    [Fact]
    public async Task Report_writes_png_plots_markdown_and_the_best_architecture()
    {
        using var dir = new TempDirectory();
        var space = TestSpace.Default;
        var objectives = new[] { new Objective(Objective.Fitness, ObjectiveDirection.Maximize), new Objective("params", ObjectiveDirection.Minimize) };
        var plain = new StringWriter();
        ExperimentResult<TestArch> result;
        await using (var store = SqliteExperimentStore.Open(dir.File("s.db")))
            result = await new Experiment<TestArch>(space, s => new HillClimbStrategy(space, s),
                new SyntheticEvaluator { Throws = a => a.Op == TestOp.Skip }, store, new ExperimentOptions<TestArch>
                {
                    Name = "report", Seed = 3, MaxTrials = 25, Objectives = objectives, Observer = new ConsoleProgress.PlainLinesObserver(plain),
                }).RunAsync();

        var files = ExperimentReport.Write(result, space, dir.File("report"), objectives, topK: 5);
        foreach (var png in new[] { ExperimentReport.BestSoFarPng, ExperimentReport.TrialsPng, ExperimentReport.ParetoPng })
        {
            string path = Path.Combine(dir.File("report"), png);
            Assert.Contains(path, files);
            byte[] bytes = File.ReadAllBytes(path);
            Assert.True(bytes.Length > 2000, $"{png} is {bytes.Length} bytes");
            Assert.Equal(PngSignature, bytes.Take(8));
        }
        string md = File.ReadAllText(Path.Combine(dir.File("report"), ExperimentReport.SummaryMarkdown));
        Assert.Contains("# Experiment `report`", md);
        Assert.Contains("## Top 5", md);
        Assert.Contains("## Failures", md);
        Assert.Contains("## Pareto front", md);
        Assert.Contains("![best-so-far.png](best-so-far.png)", md);
        Assert.Contains(result.Best!.Canonical, md);
        var exported = space.FromJson(File.ReadAllText(Path.Combine(dir.File("report"), ExperimentReport.BestJson)));
        Assert.Equal(result.BestArchitecture, exported);

        string[] lines = plain.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains(lines, l => l.Contains("trials 25/25", StringComparison.Ordinal));
    }

    [Fact]
    public void Progress_line_shows_counts_best_and_eta()
    {
        var line = ConsoleProgress.Describe(new ExperimentProgress(7, 20, 2, 1, 0.9125, "w=8", TimeSpan.FromSeconds(65), TimeSpan.FromSeconds(120)));
        Assert.Equal("[00:01:05] trials 7/20 running 2 failed 1 best 0.9125 eta 00:02:00", line);
    }
}
