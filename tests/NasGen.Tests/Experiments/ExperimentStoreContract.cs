using System;
using System.Collections.Generic;
using System.Data.Common;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Threading.Tasks;
using NasGen.CrashHarness;
using NasGen.Experiments;
using Microsoft.Data.Sqlite;
using NasGen.Storage;
using Npgsql;
using Xunit.Abstractions;

namespace NasGen.Tests.Experiments;

/// <summary>
/// The contract every experiment store keeps, written once and run against each store: SQLite files and a real
/// PostgreSQL server (under CI=true a missing server fails these tests). Store-specific behaviour (single writer,
/// leases, contention) has its own tests.
/// </summary>
public abstract partial class ExperimentStoreContract(ITestOutputHelper output)
{
    protected ITestOutputHelper Output { get; } = output;

    /// <summary>A fresh, empty store location for one test, or null when this store cannot run here (outside CI).</summary>
    protected abstract Task<string?> NewLocationAsync();

    /// <summary>Opens the store at a location for writing.</summary>
    protected abstract Task<IExperimentStore> OpenAsync(string location);

    /// <summary>A connection to the store's database outside the store API (to build a version 1 store).</summary>
    protected abstract Task<DbConnection> ConnectAsync(string location);

    /// <summary>This engine's version 1 schema (<see cref="Version1Schema"/>) and its table prefix.</summary>
    protected abstract (string Ddl, string Prefix) Version1 { get; }

    /// <summary>The store's bytes as a hash where the store is a file (null on a server), to show a read changed nothing.</summary>
    protected abstract string? FileHash(string location);

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
    public async Task Changes_since_a_version_are_exactly_the_trials_changed_after_it_for_writers_and_readers()
    {
        if (await NewLocationAsync() is not { } location) return;
        await using var store = await OpenAsync(location);
        long id = (await store.OpenExperimentAsync(Config(TestSpace.Default))).Id;
        var other = (await store.OpenExperimentAsync(Config(TestSpace.Default, "other"))).Id;
        foreach (var a in ExperimentTests.All().Take(3)) await store.AddTrialAsync(id, Trial(a));
        await store.AddTrialAsync(other, Trial(ExperimentTests.All().First()));
        await using var reader = await ExperimentStores.OpenReadOnlyAsync(location);

        var all = await reader.GetTrialsChangedSinceAsync(id, 0);
        Assert.Equal(new[] { 0, 1, 2 }, all.Select(t => t.Number));
        Assert.Equal(all.Select(t => t.Version).Distinct().Count(), all.Count); // every change has its own number
        long seen = all.Max(t => t.Version);
        Assert.Empty(await reader.GetTrialsChangedSinceAsync(id, seen));

        async Task<(int[] Numbers, long Newest)> ChangedAfter(long version)
        {
            var changed = await reader.GetTrialsChangedSinceAsync(id, version);
            return (changed.Select(t => t.Number).ToArray(), changed.Count == 0 ? version : changed.Max(t => t.Version));
        }
        Assert.Equal(0, (await store.ClaimNextTrialAsync(id, "w"))!.Number);
        var (numbers, newest) = await ChangedAfter(seen);
        Assert.Equal(new[] { 0 }, numbers);
        Assert.True(newest > seen);
        await store.AddIntermediateAsync(id, 0, 1, 0.25);
        var withCurve = Assert.Single(await reader.GetTrialsChangedSinceAsync(id, newest));
        Assert.Equal((0, 1), (withCurve.Number, withCurve.Intermediate.Count)); // sent with its intermediate results
        seen = withCurve.Version;
        await store.CompleteTrialAsync(id, 0, Done(0.5, 3));
        await store.AddTrialAsync(id, Trial(ExperimentTests.All().ElementAt(3)));
        (numbers, newest) = await ChangedAfter(seen);
        Assert.Equal(new[] { 0, 3 }, numbers); // in number order
        Assert.Equal(TrialStatus.Completed, (await reader.GetTrialsChangedSinceAsync(id, seen))[0].Status);
        await store.ClaimNextTrialAsync(id, "w");
        Assert.Equal(1, await store.ReleaseRunningTrialsAsync(id, "w"));
        Assert.Equal(new[] { 1 }, (await ChangedAfter(newest)).Numbers); // claimed, then released: changed
        Assert.Equal(new[] { 0 }, (await reader.GetTrialsChangedSinceAsync(other, 0)).Select(t => t.Number)); // per experiment
        static IEnumerable<(int, TrialStatus, long, int)> Key(IEnumerable<TrialRecord> trials) => trials.Select(t => (t.Number, t.Status, t.Version, t.Intermediate.Count));
        Assert.Equal(Key(await store.GetTrialsAsync(id)), Key(await reader.GetTrialsChangedSinceAsync(id, 0)));
    }

    [Fact]
    public async Task A_version_1_store_is_read_unchanged_read_only_and_migrated_and_resumed_by_a_writer()
    {
        if (await NewLocationAsync() is not { } location) return;
        // The first 12 trials of a search, recorded by the current code, then written into a store with the version 1
        // schema as an older NasGen would have left them.
        using var dir = new TempDirectory();
        StoredExperiment partial;
        IReadOnlyList<TrialRecord> partialTrials;
        await using (var first = SqliteExperimentStore.Open(dir.File("partial.db")))
        {
            await CrashExperiment.Create(first, seed: 5, trials: 12, TimeSpan.Zero).RunAsync();
            partial = Assert.Single(await first.ListExperimentsAsync());
            partialTrials = await first.GetTrialsAsync(partial.Id);
        }
        await WriteVersion1StoreAsync(location, partial, partialTrials);

        string? before = FileHash(location);
        await using (var reader = await ExperimentStores.OpenReadOnlyAsync(location))
        {
            var experiment = Assert.Single(await reader.ListExperimentsAsync());
            var read = await reader.GetTrialsAsync(experiment.Id);
            Assert.Equal(partialTrials.Select(t => (t.Number, t.Status, t.Canonical, t.Fitness, t.Intermediate.Count)),
                read.Select(t => (t.Number, t.Status, t.Canonical, t.Fitness, t.Intermediate.Count)));
            Assert.All(read, t => Assert.Equal(0, t.Version));
            // No change numbers yet: every read is a whole read, never a silently empty one.
            Assert.Equal(12, (await reader.GetTrialsChangedSinceAsync(experiment.Id, 5)).Count);
        }
        Assert.Equal(before, FileHash(location));

        ExperimentResult<TestArch> resumed;
        await using (var store = await OpenAsync(location))
            resumed = await CrashExperiment.Create(store, seed: 5, trials: 25, TimeSpan.Zero).RunAsync();
        await using (var reference = SqliteExperimentStore.Open(dir.File("reference.db")))
        {
            var uninterrupted = await CrashExperiment.Create(reference, seed: 5, trials: 25, TimeSpan.Zero).RunAsync();
            Assert.Equal(uninterrupted.Trials.Select(t => (t.Number, t.Status, t.Canonical, t.Fitness, t.ReusedFrom, t.StoppedEarly)),
                resumed.Trials.Select(t => (t.Number, t.Status, t.Canonical, t.Fitness, t.ReusedFrom, t.StoppedEarly)));
        }
        await using (var reader = await ExperimentStores.OpenReadOnlyAsync(location))
        {
            long id = Assert.Single(await reader.ListExperimentsAsync()).Id;
            var trials = await reader.GetTrialsAsync(id);
            Assert.All(trials.Take(12), t => Assert.Equal(1, t.Version)); // migrated trials: changed at 1
            Assert.Equal(Enumerable.Range(12, 13), (await reader.GetTrialsChangedSinceAsync(id, 1)).Select(t => t.Number));
        }
        await using var connection = await ConnectAsync(location);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT value FROM nasgen_metadata WHERE key='schema_version';"; // the same names on both engines now
        Assert.Equal(StoreSchemaVersion.ToString(System.Globalization.CultureInfo.InvariantCulture), await command.ExecuteScalarAsync());
    }

    private const int StoreSchemaVersion = SqliteExperimentStore.SchemaVersion;

    /// <summary>Creates the version 1 schema at <paramref name="location"/> and writes the experiment and trials into it.</summary>
    private async Task WriteVersion1StoreAsync(string location, StoredExperiment experiment, IReadOnlyList<TrialRecord> trials)
    {
        var (ddl, p) = Version1;
        await using var connection = await ConnectAsync(location);
        await using var tx = await connection.BeginTransactionAsync();
        async Task Run(string sql, params (string Name, object? Value)[] parameters)
        {
            await using var command = StoreReads.Command(tx, sql, parameters);
            await command.ExecuteNonQueryAsync();
        }
        await Run(ddl);
        await Run($"INSERT INTO {p}metadata(key, value) VALUES ('schema_version', '1'), ('created_by', 'NasGen 0.1 (version 1 schema)');");
        var c = experiment.Config;
        await Run($"INSERT INTO {p}experiments(id, name, space_name, space_fingerprint, strategy_name, seed, options_json, created_at) VALUES (@id, @n, @s, @f, @st, @seed, @o, @t);",
            ("id", experiment.Id), ("n", c.Name), ("s", c.SpaceName), ("f", c.SpaceFingerprint), ("st", c.StrategyName), ("seed", c.Seed), ("o", c.OptionsJson),
            ("t", experiment.CreatedAt.ToUniversalTime()));
        foreach (var t in trials)
        {
            await Run($"""
                INSERT INTO {p}trials(experiment_id, number, status, architecture_json, canonical, stable_hash, fidelity, seed, fitness, metrics_json, failure,
                    error, reused_from, stopped_early, tell_seq, asks_at_tell, worker, started_at, ended_at, duration_s)
                VALUES (@e, @n, @status, @json, @canonical, @hash, @fidelity, @seed, @fitness, @metrics, @failure, @error, @reused, @stopped, @tell, @asks,
                    @worker, @started, @ended, @duration);
                """,
                ("e", experiment.Id), ("n", t.Number), ("status", (short)t.Status), ("json", t.ArchitectureJson), ("canonical", t.Canonical),
                ("hash", t.StableHash.ToString("x16", System.Globalization.CultureInfo.InvariantCulture)), ("fidelity", t.Fidelity), ("seed", t.Seed),
                ("fitness", t.Fitness), ("metrics", System.Text.Json.JsonSerializer.Serialize(t.Metrics)), ("failure", (short)t.Failure), ("error", t.Error),
                ("reused", t.ReusedFrom), ("stopped", t.StoppedEarly), ("tell", t.TellSequence), ("asks", t.AsksAtTell), ("worker", t.Worker),
                ("started", t.StartedAt?.ToUniversalTime()), ("ended", t.EndedAt?.ToUniversalTime()), ("duration", t.Duration?.TotalSeconds));
            foreach (var (step, value) in t.Intermediate)
                await Run($"INSERT INTO {p}intermediates(experiment_id, number, step, value) VALUES (@e, @n, @s, @v);",
                    ("e", experiment.Id), ("n", t.Number), ("s", step), ("v", value));
        }
        await tx.CommitAsync();
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

    protected override async Task<DbConnection> ConnectAsync(string location)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = location, Pooling = false }.ToString());
        await connection.OpenAsync();
        return connection;
    }

    protected override (string Ddl, string Prefix) Version1 => (Version1Schema.Sqlite, "");

    protected override string? FileHash(string location) =>
        Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(location))) + (File.Exists(location + "-wal") || File.Exists(location + "-shm") ? " with -wal/-shm" : "");
}

/// <summary>The contract on a real PostgreSQL server, each test in a fresh schema.</summary>
public sealed class PostgresStoreContractTests(ITestOutputHelper output) : ExperimentStoreContract(output)
{
    protected override async Task<string?> NewLocationAsync() =>
        PostgresServer.ConnectionString(Output) is { } cs ? "postgresql:" + await PostgresServer.FreshSchemaAsync(cs) : null;

    // Not through ExperimentStores.OpenAsync: another test sets NASGEN_STORE for a moment, which that method reads.
    protected override async Task<IExperimentStore> OpenAsync(string location) =>
        await PostgresExperimentStore.OpenAsync(location["postgresql:".Length..]);

    protected override async Task<DbConnection> ConnectAsync(string location)
    {
        var connection = new NpgsqlConnection(location["postgresql:".Length..]);
        await connection.OpenAsync();
        return connection;
    }

    protected override (string Ddl, string Prefix) Version1 => (Version1Schema.Postgres, "nasgen_");

    protected override string? FileHash(string location) => null;
}
