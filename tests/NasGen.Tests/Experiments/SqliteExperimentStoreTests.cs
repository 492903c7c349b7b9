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
            command.CommandText = "UPDATE nasgen_metadata SET value='99' WHERE key='schema_version';";
            command.ExecuteNonQuery();
        }
        var e = Assert.Throws<StoreException>(() => SqliteExperimentStore.Open(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("schema version 99", e.Message);
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
    public async Task A_long_lived_reader_opened_on_a_closed_store_follows_writers_that_come_later()
    {
        // The dashboard opens a finished store (no -wal: the read is immutable), then a search resumes on it. The
        // writer changes the file under the reader; the reader must open it again rather than read a torn file.
        using var dir = new TempDirectory();
        string path = dir.File("s.db");
        var space = TestSpace.Default;
        var archs = ExperimentTests.All().Take(6).ToArray();
        NewTrial Trial(TestArch a) => new(space.ToJson(a), space.ToCanonicalString(a), space.StableHash(a), 1, 1);
        long id;
        await using (var writer = SqliteExperimentStore.Open(path))
        {
            id = (await writer.OpenExperimentAsync(Config(space))).Id;
            await writer.AddTrialAsync(id, Trial(archs[0]));
        }
        Assert.False(File.Exists(path + "-wal"));
        await using var reader = SqliteExperimentStore.OpenReadOnly(path);
        long seen = Assert.Single(await reader.GetTrialsAsync(id)).Version;
        for (int round = 1; round <= 2; round++)
        {
            await using (var writer = SqliteExperimentStore.Open(path))
            {
                foreach (var a in archs.Skip(round * 2).Take(2)) await writer.AddTrialAsync(id, Trial(a));
                // While the writer is open (its -wal exists) and after it closed (the -wal checkpointed and removed).
                Assert.Equal(1 + round * 2, (await reader.GetTrialsAsync(id)).Count);
            }
            var changed = await reader.GetTrialsChangedSinceAsync(id, seen);
            Assert.Equal(2, changed.Count);
            seen = changed.Max(t => t.Version);
            Assert.Equal(1 + round * 2, (await reader.GetTrialsAsync(id)).Count);
        }
    }
}
