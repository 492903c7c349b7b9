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
            command.CommandText = "UPDATE metadata SET value='99' WHERE key='schema_version';";
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

}
