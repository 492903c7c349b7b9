using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Threading.Tasks;
using Microsoft.Data.Sqlite;
using NasGen.CrashHarness;
using NasGen.Experiments;
using NasGen.Storage;

namespace NasGen.Tests.Experiments;

/// <summary>
/// What the SQLite store guarantees beyond the contract: one writer at a time, read-only opens that write nothing,
/// failed opens that change nothing, damaged rows and tables reported by name, and stores of the v1 code still usable.
/// </summary>
public sealed class SqliteStoreSafetyTests
{
    private static ExperimentConfig Config(string name = "exp") =>
        new(name, TestSpace.Default.Name, TestSpace.Default.Fingerprint, "hill-climb", 7, "{}");

    private static NewTrial Trial(int seed)
    {
        var a = TestSpace.Default.Sample(new Random(seed));
        return new NewTrial(TestSpace.Default.ToJson(a), TestSpace.Default.ToCanonicalString(a), TestSpace.Default.StableHash(a), 1, seed);
    }

    /// <summary>Every file of the folder with its sha256: what "nothing changed on disk" compares.</summary>
    private static Dictionary<string, string> Snapshot(string folder) =>
        Directory.GetFiles(folder).ToDictionary(Path.GetFileName, f => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f))))!;

    private static void Sql(string path, string sql)
    {
        using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    [Fact]
    public async Task A_second_writer_is_refused_naming_the_owner_and_never_advised_to_delete()
    {
        using var dir = new TempDirectory();
        string path = dir.File("s.db");
        await using (var owner = SqliteExperimentStore.Open(path))
        {
            long id = (await owner.OpenExperimentAsync(Config())).Id;
            await owner.AddTrialAsync(id, Trial(1));

            var e = Assert.Throws<StoreInUseException>(() => SqliteExperimentStore.Open(path));
            Assert.Contains(path, e.Message);
            Assert.Contains($"process {Environment.ProcessId} on host {Environment.MachineName} since ", e.Message);
            Assert.StartsWith($"process {Environment.ProcessId} on host {Environment.MachineName} since ", e.Owner);
            Assert.DoesNotContain("fresh", e.Message, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("delete", e.Message, StringComparison.OrdinalIgnoreCase);
            // Deleting the store to start over is refused too, and the owner goes on writing.
            Assert.Throws<StoreInUseException>(() => SqliteExperimentStore.Delete(path));
            Assert.True(File.Exists(path));
            await owner.AddTrialAsync(id, Trial(2));
            Assert.Equal(2, (await owner.GetTrialsAsync(id)).Count);
        }
        // Closed cleanly: the next writer opens and takes over from nobody.
        await using var next = SqliteExperimentStore.Open(path);
        Assert.Null(next.PreviousWriter);
        Assert.Equal(2, (await next.GetTrialsAsync((await next.OpenExperimentAsync(Config())).Id)).Count);
    }

    [Fact]
    public async Task A_writer_that_ended_without_closing_is_reported_as_taken_over()
    {
        using var dir = new TempDirectory();
        string path = dir.File("s.db");
        await SqliteExperimentStore.Open(path).DisposeAsync();
        // What a killed writer leaves: its row (its lock went with its process). The two-process test kills a real one.
        const string Gone = "process 999999 on host elsewhere since 2026-01-01 00:00:00Z";
        Sql(path, $"INSERT INTO nasgen_metadata(key, value) VALUES ('writer', '{Gone}');");
        await using var store = SqliteExperimentStore.Open(path);
        Assert.Equal(Gone, store.PreviousWriter);
    }

    [Fact]
    public async Task A_read_only_open_takes_no_lock_and_writes_nothing_beside_the_store()
    {
        using var dir = new TempDirectory();
        string path = dir.File("s.db");
        await using (var store = SqliteExperimentStore.Open(path))
        {
            long id = (await store.OpenExperimentAsync(Config())).Id;
            await store.AddTrialAsync(id, Trial(1));
        }
        var before = Snapshot(dir.Path);
        Assert.DoesNotContain("s.db-wal", before.Keys);

        await using (var reader = SqliteExperimentStore.OpenReadOnly(path))
        {
            var experiment = Assert.Single(await reader.ListExperimentsAsync());
            Assert.Single(await reader.GetTrialsAsync(experiment.Id));
            // No lock: a writer opens while the reader is open, and the reader sees what it had.
            await using var writer = SqliteExperimentStore.Open(path);
            await writer.AddTrialAsync(experiment.Id, Trial(2));
        }
        // The writer's close left the store as a closed store; read again, without it, nothing new appears beside it.
        before = Snapshot(dir.Path);
        await using (var reader = SqliteExperimentStore.OpenReadOnly(path))
            Assert.Equal(2, (await reader.GetTrialsAsync(Assert.Single(await reader.ListExperimentsAsync()).Id)).Count);
        Assert.Equal(before, Snapshot(dir.Path));
    }

    [Fact]
    public async Task A_read_only_open_reads_a_store_while_its_writer_is_running()
    {
        using var dir = new TempDirectory();
        string path = dir.File("s.db");
        await using var writer = SqliteExperimentStore.Open(path);
        long id = (await writer.OpenExperimentAsync(Config())).Id;
        await writer.AddTrialAsync(id, Trial(1));
        await using var reader = SqliteExperimentStore.OpenReadOnly(path);
        Assert.Single(await reader.GetTrialsAsync(id));
    }

    [Fact]
    public async Task A_store_on_read_only_media_opens_read_only_and_a_writer_gets_a_clear_error()
    {
        using var dir = new TempDirectory();
        string folder = Directory.CreateDirectory(dir.File("media")).FullName;
        string path = Path.Combine(folder, "s.db");
        await using (var store = SqliteExperimentStore.Open(path))
            await store.OpenExperimentAsync(Config());
        File.Delete(path + ".lock");
        var before = Snapshot(folder);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        File.SetUnixFileMode(folder, UnixFileMode.UserRead | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute);
        try
        {
            // Root ignores these permissions; the read-only open must not need them either way.
            await using (var reader = SqliteExperimentStore.OpenReadOnly(path))
                Assert.Single(await reader.ListExperimentsAsync());
            Assert.Equal(before, Snapshot(folder));
            if (Environment.UserName != "root")
                Assert.Contains("read-only", Assert.Throws<StoreException>(() => SqliteExperimentStore.Open(path)).Message);
        }
        finally
        {
            File.SetUnixFileMode(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    [Theory]
    [InlineData("nasgen_trials")]
    [InlineData("nasgen_intermediates")]
    [InlineData("nasgen_experiments")]
    public async Task A_store_missing_a_table_is_refused_by_name_and_left_unchanged(string table)
    {
        using var dir = new TempDirectory();
        string path = dir.File("s.db");
        await SqliteExperimentStore.Open(path).DisposeAsync();
        File.Delete(path + ".lock");
        Sql(path, $"PRAGMA foreign_keys=OFF; DROP TABLE {table}; PRAGMA journal_mode=DELETE;");
        var before = Snapshot(dir.Path);
        foreach (var open in new Func<object>[] { () => SqliteExperimentStore.Open(path), () => SqliteExperimentStore.OpenReadOnly(path) })
        {
            var e = Assert.Throws<StoreException>(open);
            Assert.Contains(path, e.Message);
            Assert.Contains($"no '{table}' table", e.Message);
        }
        Assert.Equal(before, Snapshot(dir.Path)); // not switched to WAL, no lock file, no -wal or -shm
    }

    [Fact]
    public async Task A_row_with_corrupt_metrics_json_is_an_error_naming_the_store_trial_and_column()
    {
        using var dir = new TempDirectory();
        string path = dir.File("s.db");
        long id;
        await using (var store = SqliteExperimentStore.Open(path))
        {
            id = (await store.OpenExperimentAsync(Config())).Id;
            await store.AddTrialAsync(id, Trial(1));
            await store.AddTrialAsync(id, Trial(2));
        }
        Sql(path, "UPDATE nasgen_trials SET metrics_json='{\"acc\": oops' WHERE number=1;");
        await using var reader = SqliteExperimentStore.OpenReadOnly(path);
        var e = await Assert.ThrowsAsync<StoreException>(() => reader.GetTrialsAsync(id));
        Assert.Contains(path, e.Message);
        Assert.Contains("trial 1 has an unreadable metrics_json", e.Message);
    }

    [Fact]
    public async Task A_store_written_by_the_v1_code_and_killed_mid_run_opens_read_only_and_resumes_to_the_uninterrupted_result()
    {
        using var dir = new TempDirectory();
        string path = dir.File("v1.db");
        File.Copy(Path.Combine(AppContext.BaseDirectory, "Experiments", "Fixtures", "store-v1-killed.db"), path);
        await using (var reader = SqliteExperimentStore.OpenReadOnly(path))
        {
            var trials = await reader.GetTrialsAsync(Assert.Single(await reader.ListExperimentsAsync()).Id);
            Assert.Equal(9, trials.Count);
            Assert.Contains(trials, t => t.Status == TrialStatus.Running); // the killed process's trial
        }

        static async Task<List<(int, TrialStatus, string, double?, int?, bool)>> Run(string file)
        {
            await using var store = SqliteExperimentStore.Open(file);
            var result = await CrashExperiment.Create(store, seed: 21, trials: 40, TimeSpan.Zero).RunAsync();
            Assert.Equal(StopReason.TrialBudget, result.StopReason);
            return result.Trials.Select(t => (t.Number, t.Status, t.Canonical, t.Fitness, t.ReusedFrom, t.StoppedEarly)).ToList();
        }
        Assert.Equal(await Run(dir.File("reference.db")), await Run(path));
    }
}
