using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using NasGen.CrashHarness;
using NasGen.Experiments;
using NasGen.Storage;
using Xunit.Abstractions;

namespace NasGen.Tests.Experiments;

/// <summary>
/// The contract every experiment store keeps, written once and run against each store: SQLite files and a real
/// PostgreSQL server (under CI=true a missing server fails these tests). Store-specific behaviour (single writer,
/// leases, contention) has its own tests.
/// </summary>
public abstract class ExperimentStoreContract(ITestOutputHelper output)
{
    protected ITestOutputHelper Output { get; } = output;

    /// <summary>A fresh, empty store location for one test, or null when this store cannot run here (outside CI).</summary>
    protected abstract Task<string?> NewLocationAsync();

    /// <summary>Opens the store at a location for writing.</summary>
    protected abstract Task<IExperimentStore> OpenAsync(string location);

    private static ExperimentConfig Config(ISearchSpace space, string name = "exp") =>
        new(name, space.Name, space.Fingerprint, "hill-climb", 7, "{\"maxTrials\":3}");

    private static NewTrial Trial(TestArch a, int seed = 1, double fidelity = 1) =>
        new(TestSpace.Default.ToJson(a), TestSpace.Default.ToCanonicalString(a), TestSpace.Default.StableHash(a), fidelity, seed);

    private static TrialCompletion Done(double fitness, int asks = 0) =>
        new(TrialStatus.Completed, fitness, new Dictionary<string, double> { ["acc"] = fitness }, FailureReason.None, null, null, false, asks);

    [Fact]
    public async Task Trials_round_trip_with_every_field_and_a_result_is_never_recorded_twice()
    {
        if (await NewLocationAsync() is not { } location) return;
        var space = TestSpace.Default;
        var arch = new TestArch(32, TestOp.Conv5x5, 2, true);
        long id;
        await using (var store = await OpenAsync(location))
        {
            id = (await store.OpenExperimentAsync(Config(space))).Id;
            var added = await store.AddTrialAsync(id, Trial(arch, seed: 1234, fidelity: 0.5));
            Assert.Equal((0, TrialStatus.Pending), (added.Number, added.Status));
            var claimed = await store.ClaimNextTrialAsync(id, "w1");
            Assert.Equal((0, TrialStatus.Running, "w1"), (claimed!.Number, claimed.Status, claimed.Worker));
            Assert.Null(await store.ClaimNextTrialAsync(id, "w1"));
            await store.AddIntermediateAsync(id, 0, 1, 0.25);
            await store.AddIntermediateAsync(id, 0, 2, 0.4);
            await store.AddIntermediateAsync(id, 0, 2, 0.5); // a step reported again keeps the last value
            await store.CompleteTrialAsync(id, 0, new TrialCompletion(TrialStatus.Completed, 0.75,
                new Dictionary<string, double> { ["params"] = 123, ["acc"] = 0.75 }, FailureReason.None, null, null, StoppedEarly: true, AsksAtTell: 1));
            await Assert.ThrowsAsync<InvalidOperationException>(() => store.CompleteTrialAsync(id, 0, Done(1, 1)));
        }
        await using (var store = await OpenAsync(location))
        {
            var experiment = await store.OpenExperimentAsync(Config(space));
            Assert.Equal((id, "{\"maxTrials\":3}"), (experiment.Id, experiment.Config.OptionsJson));
            var t = Assert.Single(await store.GetTrialsAsync(id));
            Assert.Equal(TrialStatus.Completed, t.Status);
            Assert.Equal(arch, space.FromJson(t.ArchitectureJson));
            Assert.Equal((space.ToCanonicalString(arch), space.StableHash(arch)), (t.Canonical, t.StableHash));
            Assert.Equal((0.5, 1234, 0.75), (t.Fidelity, t.Seed, t.Fitness));
            Assert.Equal(123, t.Metrics["params"]);
            Assert.Equal(new[] { new KeyValuePair<int, double>(1, 0.25), new(2, 0.5) }, t.Intermediate);
            Assert.True(t.StoppedEarly);
            Assert.Equal((0, 1, "w1"), (t.TellSequence, t.AsksAtTell, t.Worker));
            Assert.True(t.Duration >= TimeSpan.Zero);
        }
    }

    [Fact]
    public async Task A_failed_trial_keeps_its_reason_and_error_and_tell_order_follows_completion()
    {
        if (await NewLocationAsync() is not { } location) return;
        await using var store = await OpenAsync(location);
        long id = (await store.OpenExperimentAsync(Config(TestSpace.Default))).Id;
        foreach (var a in ExperimentTests.All().Take(2)) await store.AddTrialAsync(id, Trial(a));
        await store.ClaimNextTrialAsync(id, "w");
        await store.ClaimNextTrialAsync(id, "w");
        await store.CompleteTrialAsync(id, 1, new TrialCompletion(TrialStatus.Failed, null, new Dictionary<string, double>(), FailureReason.Timeout, "ran past 5 s", ReusedFrom: null, false, 2));
        await store.CompleteTrialAsync(id, 0, new TrialCompletion(TrialStatus.Completed, 0.5, new Dictionary<string, double>(), FailureReason.None, null, ReusedFrom: 1, false, 2));
        var trials = await store.GetTrialsAsync(id);
        Assert.Equal((TrialStatus.Failed, FailureReason.Timeout, "ran past 5 s", (double?)null, 0), (trials[1].Status, trials[1].Failure, trials[1].Error, trials[1].Fitness, trials[1].TellSequence));
        Assert.Equal((1, (int?)1), (trials[0].TellSequence, trials[0].ReusedFrom));
    }

    [Fact]
    public async Task An_experiment_of_another_space_is_refused_and_another_name_may_hold_it()
    {
        if (await NewLocationAsync() is not { } location) return;
        await using var store = await OpenAsync(location);
        var first = await store.OpenExperimentAsync(Config(TestSpace.Default));
        var other = new TestSpace(8, 16, 128);
        var e = await Assert.ThrowsAsync<StoreMismatchException>(() => store.OpenExperimentAsync(Config(other)));
        Assert.Contains("'exp'", e.Message);
        Assert.Contains(TestSpace.Default.Fingerprint, e.Message);
        Assert.Contains(other.Fingerprint, e.Message);
        Assert.Equal(first.Id, (await store.OpenExperimentAsync(Config(TestSpace.Default))).Id);
        Assert.NotEqual(first.Id, (await store.OpenExperimentAsync(Config(other, "other"))).Id);
    }

    [Fact]
    public async Task Released_running_trials_are_claimed_again_in_number_order_without_their_intermediates()
    {
        if (await NewLocationAsync() is not { } location) return;
        await using var store = await OpenAsync(location);
        long id = (await store.OpenExperimentAsync(Config(TestSpace.Default))).Id;
        foreach (var a in ExperimentTests.All().Take(3)) await store.AddTrialAsync(id, Trial(a));
        Assert.Equal(0, (await store.ClaimNextTrialAsync(id, "a"))!.Number);
        Assert.Equal(1, (await store.ClaimNextTrialAsync(id, "b"))!.Number);
        await store.AddIntermediateAsync(id, 1, 1, 0.5);
        Assert.Equal(1, await store.ReleaseRunningTrialsAsync(id, "b"));
        var trials = await store.GetTrialsAsync(id);
        Assert.Equal(new[] { TrialStatus.Running, TrialStatus.Pending, TrialStatus.Pending }, trials.Select(t => t.Status));
        Assert.Empty(trials[1].Intermediate);
        Assert.Equal(1, (await store.ClaimNextTrialAsync(id, "c"))!.Number);
        Assert.Equal(2, await store.ReleaseRunningTrialsAsync(id, null));
    }

    [Fact]
    public async Task A_read_only_open_lists_and_finds_experiments_with_their_trials()
    {
        if (await NewLocationAsync() is not { } location) return;
        var missing = await Assert.ThrowsAsync<StoreException>(() => ExperimentStores.OpenReadOnlyAsync(location));
        Output.WriteLine(missing.Message);
        await using (var store = await OpenAsync(location))
        {
            long id = (await store.OpenExperimentAsync(Config(TestSpace.Default, "b"))).Id;
            await store.AddTrialAsync(id, Trial(new TestArch(8, TestOp.Skip, 1, false)));
            await store.OpenExperimentAsync(Config(TestSpace.Default, "a"));
        }
        await using var reader = await ExperimentStores.OpenReadOnlyAsync(location);
        var all = await reader.ListExperimentsAsync();
        Assert.Equal(new[] { "b", "a" }, all.Select(e => e.Config.Name)); // creation order
        Assert.Equal(all[0], await reader.FindExperimentAsync("b"));
        Assert.Null(await reader.FindExperimentAsync("c"));
        Assert.Single(await reader.GetTrialsAsync(all[0].Id));
        Assert.Empty(await reader.GetTrialsAsync(all[1].Id));
        Assert.DoesNotContain("Password", reader.Location, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_whole_search_on_this_store_records_the_same_trials_as_on_SQLite()
    {
        if (await NewLocationAsync() is not { } location) return;
        static List<(int, TrialStatus, string, double?, int?, bool)> Rows(ExperimentResult<TestArch> result) =>
            result.Trials.Select(t => (t.Number, t.Status, t.Canonical, t.Fitness, t.ReusedFrom, t.StoppedEarly)).ToList();
        ExperimentResult<TestArch> actual;
        await using (var store = await OpenAsync(location))
            actual = await CrashExperiment.Create(store, seed: 5, trials: 25, TimeSpan.Zero).RunAsync();
        Assert.Equal(StopReason.TrialBudget, actual.StopReason);
        using var dir = new TempDirectory();
        await using var reference = SqliteExperimentStore.Open(dir.File("reference.db"));
        Assert.Equal(Rows(await CrashExperiment.Create(reference, seed: 5, trials: 25, TimeSpan.Zero).RunAsync()), Rows(actual));
    }
}

/// <summary>The contract on SQLite files.</summary>
public sealed class SqliteStoreContractTests(ITestOutputHelper output) : ExperimentStoreContract(output), IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    protected override Task<string?> NewLocationAsync() => Task.FromResult<string?>(_dir.File(Guid.NewGuid().ToString("N") + ".db"));

    protected override Task<IExperimentStore> OpenAsync(string location) => Task.FromResult<IExperimentStore>(SqliteExperimentStore.Open(location));
}

/// <summary>The contract on a real PostgreSQL server, each test in a fresh schema.</summary>
public sealed class PostgresStoreContractTests(ITestOutputHelper output) : ExperimentStoreContract(output)
{
    protected override async Task<string?> NewLocationAsync() =>
        PostgresServer.ConnectionString(Output) is { } cs ? "postgresql:" + await PostgresServer.FreshSchemaAsync(cs) : null;

    // Not through ExperimentStores.OpenAsync: another test sets NASGEN_STORE for a moment, which that method reads.
    protected override async Task<IExperimentStore> OpenAsync(string location) =>
        await PostgresExperimentStore.OpenAsync(location["postgresql:".Length..]);
}
