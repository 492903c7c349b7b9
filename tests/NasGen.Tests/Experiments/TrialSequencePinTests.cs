using System;
using System.Globalization;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using System.Threading.Tasks;
using NasGen.CrashHarness;
using NasGen.Experiments;
using NasGen.Storage;
using NasGen.Strategies;
using Xunit.Abstractions;

namespace NasGen.Tests.Experiments;

/// <summary>
/// Pins what a seeded search records, trial by trial, so that a change to the run loop that changes behaviour (the
/// order of asks and tells, dedup, the constraint gate, trial seeds, median stopping) fails here. The digests were
/// taken from the loop before it was restructured.
/// </summary>
public sealed class TrialSequencePinTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("random", "ACF15B1C0CC7594306C5ABCA8D8F954178A46101CFA88E555517CDA20D19F8AC")]
    [InlineData("evolution", "F3E4FED0CA098AE345D7E5FB3A496FE37B8C1922ACACCE88296DB20CAF4DF7A0")]
    [InlineData("tpe", "0B8E0CD6DD96C51E18B8390B7993981F1AE59CC95CED676388146FB0D221B8A2")]
    public async Task A_seeded_search_records_the_same_trials_as_before(string strategy, string expectedDigest)
    {
        using var dir = new TempDirectory();
        var options = new ExperimentOptions<TestArch>
        {
            Name = "pin",
            Seed = 7,
            MaxTrials = 40,
            // The constraint gate and median stopping both act in this run: each changes what is recorded.
            Constraints = new[] { new ArchitectureConstraint<TestArch>("no skip", a => a.Op != TestOp.Skip) },
            MedianStopping = new MedianStoppingRule(GraceSteps: 2, MinFinishedTrials: 3),
        };
        await using var store = SqliteExperimentStore.Open(dir.File("pin.db"));
        var result = await new Experiment<TestArch>(TestSpace.Default, seed => Strategy(strategy, seed), new SyntheticEvaluator(), store, options).RunAsync();

        var lines = result.Trials.Select(t => string.Join(" ", t.Number, t.Canonical, t.Status, t.Failure,
            t.Fitness?.ToString("R", CultureInfo.InvariantCulture) ?? "-", t.Seed, t.ReusedFrom?.ToString(CultureInfo.InvariantCulture) ?? "-",
            t.StoppedEarly, t.TellSequence, t.AsksAtTell)).ToArray();
        foreach (var line in lines) output.WriteLine(line);
        string digest = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join("\n", lines))));

        Assert.Equal(40, result.Trials.Count);
        Assert.Contains(result.Trials, t => t.Failure == FailureReason.Constraint);
        Assert.True(expectedDigest == digest, $"digest {digest}");
    }

    // A small population, so that evolution mutates (and proposes duplicates) within the 40 trials.
    private static ISearchStrategy<TestArch> Strategy(string name, int seed) => name == "evolution"
        ? new RegularizedEvolution<TestArch>(TestSpace.Default, new RegularizedEvolutionOptions { PopulationSize = 8, SampleSize = 3 }, seed)
        : SearchStrategies.Create(name, TestSpace.Default, seed);
}
