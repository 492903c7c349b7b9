using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.Data.Sqlite;
using NasGen.CrashHarness;
using NasGen.Storage;

namespace NasGen.Tests.Experiments;

public sealed class SqliteExperimentStoreTests
{
    private static ExperimentConfig Config(ISearchSpace space, string name = "exp") =>
        new(name, space.Name, space.Fingerprint, "hill-climb", 7, "{\"maxTrials\":3}");

    [Fact]
    public async Task Trials_round_trip_with_every_field()
    {
        using var dir = new TempDirectory();
        var space = TestSpace.Default;
        var arch = new TestArch(32, TestOp.Conv5x5, 2, true);
        long id;
        await using (var store = SqliteExperimentStore.Open(dir.File("s.db")))
        {
            var exp = await store.OpenExperimentAsync(Config(space));
            id = exp.Id;
            var added = await store.AddTrialAsync(id, new NewTrial(space.ToJson(arch), space.ToCanonicalString(arch), space.StableHash(arch), 0.5, 1234));
            Assert.Equal(0, added.Number);
            Assert.Equal(TrialStatus.Pending, added.Status);
            var claimed = await store.ClaimNextTrialAsync(id, "w1");
            Assert.Equal(TrialStatus.Running, claimed!.Status);
            Assert.Null(await store.ClaimNextTrialAsync(id, "w1"));
            await store.AddIntermediateAsync(id, 0, 1, 0.25);
            await store.AddIntermediateAsync(id, 0, 2, 0.5);
            await store.CompleteTrialAsync(id, 0, new TrialCompletion(TrialStatus.Completed, 0.75,
                new Dictionary<string, double> { ["params"] = 123, ["acc"] = 0.75 }, FailureReason.None, null, null, StoppedEarly: true, AsksAtTell: 1));
            await Assert.ThrowsAsync<InvalidOperationException>(() => store.CompleteTrialAsync(id, 0,
                new TrialCompletion(TrialStatus.Completed, 1, new Dictionary<string, double>(), FailureReason.None, null, null, false, 1)));
        }

        await using (var store = SqliteExperimentStore.Open(dir.File("s.db")))
        {
            var exp = await store.OpenExperimentAsync(Config(space));
            Assert.Equal(id, exp.Id);
            Assert.Equal("{\"maxTrials\":3}", exp.Config.OptionsJson);
            var t = Assert.Single(await store.GetTrialsAsync(id));
            Assert.Equal(TrialStatus.Completed, t.Status);
            Assert.Equal(arch, space.FromJson(t.ArchitectureJson));
            Assert.Equal(space.ToCanonicalString(arch), t.Canonical);
            Assert.Equal(space.StableHash(arch), t.StableHash);
            Assert.Equal(0.5, t.Fidelity);
            Assert.Equal(1234, t.Seed);
            Assert.Equal(0.75, t.Fitness);
            Assert.Equal(123, t.Metrics["params"]);
            Assert.Equal(new[] { new KeyValuePair<int, double>(1, 0.25), new(2, 0.5) }, t.Intermediate);
            Assert.True(t.StoppedEarly);
            Assert.Equal(0, t.TellSequence);
            Assert.Equal(1, t.AsksAtTell);
            Assert.Equal("w1", t.Worker);
            Assert.NotNull(t.Duration);
            Assert.True(t.Duration >= TimeSpan.Zero);
        }
    }

    [Fact]
    public async Task Schema_version_is_recorded_and_the_file_is_in_WAL_mode()
    {
        using var dir = new TempDirectory();
        await using (var store = SqliteExperimentStore.Open(dir.File("s.db")))
            Assert.Equal(SqliteExperimentStore.SchemaVersion, await store.GetSchemaVersionAsync());
        using var connection = new SqliteConnection($"Data Source={dir.File("s.db")};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode;";
        Assert.Equal("wal", command.ExecuteScalar());
    }

    [Fact]
    public async Task A_newer_schema_version_is_refused()
    {
        using var dir = new TempDirectory();
        string path = dir.File("s.db");
        await SqliteExperimentStore.Open(path).DisposeAsync();
        using (var connection = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "UPDATE metadata SET value='99' WHERE key='schema_version';";
            command.ExecuteNonQuery();
        }
        var e = Assert.Throws<StoreException>(() => SqliteExperimentStore.Open(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("schema version 99", e.Message);
    }

    [Fact]
    public async Task An_experiment_of_another_space_is_refused_and_nothing_changes()
    {
        using var dir = new TempDirectory();
        string path = dir.File("s.db");
        await using (var store = SqliteExperimentStore.Open(path))
            await store.OpenExperimentAsync(Config(TestSpace.Default));
        var other = new TestSpace(8, 16, 128);
        Assert.NotEqual(TestSpace.Default.Fingerprint, other.Fingerprint);
        await using (var store = SqliteExperimentStore.Open(path))
        {
            var e = await Assert.ThrowsAsync<StoreMismatchException>(() => store.OpenExperimentAsync(Config(other)));
            Assert.Contains(path, e.Message);
            Assert.Contains(TestSpace.Default.Fingerprint, e.Message);
            Assert.Contains(other.Fingerprint, e.Message);
            // The same file still serves the original space, and a new name may hold the other space.
            await store.OpenExperimentAsync(Config(TestSpace.Default));
            await store.OpenExperimentAsync(Config(other, "other"));
        }
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("truncated-sqlite")]
    [InlineData("foreign-sqlite")]
    public void A_file_that_is_not_a_store_is_refused_without_modification(string kind)
    {
        using var dir = new TempDirectory();
        string path = dir.File("bad.db");
        switch (kind)
        {
            case "garbage":
                var bytes = new byte[4096];
                new Random(3).NextBytes(bytes);
                File.WriteAllBytes(path, bytes);
                break;
            case "truncated-sqlite":
                var header = "SQLite format 3\0"u8.ToArray().Concat(new byte[200]).ToArray();
                new Random(4).NextBytes(header.AsSpan(16));
                File.WriteAllBytes(path, header);
                break;
            default:
                using (var connection = new SqliteConnection($"Data Source={path};Pooling=False"))
                {
                    connection.Open();
                    using var command = connection.CreateCommand();
                    command.CommandText = "CREATE TABLE notes(x TEXT); INSERT INTO notes VALUES ('mine');";
                    command.ExecuteNonQuery();
                }
                break;
        }
        byte[] before = File.ReadAllBytes(path);
        var e = Assert.Throws<StoreException>(() => SqliteExperimentStore.Open(path));
        Assert.Contains(path, e.Message);
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.False(File.Exists(path + "-wal"));
    }

    [Fact]
    public async Task A_store_killed_before_its_schema_was_written_is_created_again()
    {
        using var dir = new TempDirectory();
        string path = dir.File("s.db");
        // What a process killed between creating the file and committing the schema leaves: SQLite with no tables.
        using (var connection = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA journal_mode=WAL; PRAGMA user_version=0; VACUUM;";
            command.ExecuteNonQuery();
        }
        Assert.True(new FileInfo(path).Length > 0);
        await using var store = SqliteExperimentStore.Open(path);
        Assert.Equal(SqliteExperimentStore.SchemaVersion, await store.GetSchemaVersionAsync());
        await store.OpenExperimentAsync(Config(TestSpace.Default));
    }

    [Fact]
    public async Task Released_running_trials_are_claimed_again_in_number_order()
    {
        using var dir = new TempDirectory();
        var space = TestSpace.Default;
        await using var store = SqliteExperimentStore.Open(dir.File("s.db"));
        long id = (await store.OpenExperimentAsync(Config(space))).Id;
        foreach (var a in ExperimentTests.All().Take(3))
            await store.AddTrialAsync(id, new NewTrial(space.ToJson(a), space.ToCanonicalString(a), space.StableHash(a), 1, 0));
        Assert.Equal(0, (await store.ClaimNextTrialAsync(id, "a"))!.Number);
        Assert.Equal(1, (await store.ClaimNextTrialAsync(id, "b"))!.Number);
        await store.AddIntermediateAsync(id, 1, 1, 0.5);
        Assert.Equal(1, await store.ReleaseRunningTrialsAsync(id, "b"));
        var trials = await store.GetTrialsAsync(id);
        Assert.Equal(new[] { TrialStatus.Running, TrialStatus.Pending, TrialStatus.Pending }, trials.Select(t => t.Status));
        Assert.Empty(trials[1].Intermediate);
        Assert.Equal(1, (await store.ClaimNextTrialAsync(id, "c"))!.Number);
    }
}
