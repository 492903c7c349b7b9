using System;
using System.Threading.Tasks;
using Npgsql;
using Xunit.Abstractions;

namespace NasGen.Tests.Experiments;

/// <summary>
/// The PostgreSQL server of the distributed tests: <c>NASGEN_TEST_POSTGRES</c> (a connection string without the
/// password; the password comes from <c>PGPASSFILE</c> or <c>PGPASSWORD</c>), as <c>eng/start-postgres.sh</c> writes it.
/// Without it the tests pass with a "skipped" line in their output, except under CI, where they fail.
/// </summary>
internal static class PostgresServer
{
    public const string Variable = "NASGEN_TEST_POSTGRES";

    /// <summary>The connection string, or null (with a message to the test output) when no server is configured outside CI.</summary>
    public static string? ConnectionString(ITestOutputHelper output)
    {
        string? cs = Environment.GetEnvironmentVariable(Variable);
        if (!string.IsNullOrWhiteSpace(cs)) return cs;
        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
            throw new InvalidOperationException($"CI=true but {Variable} is not set: .ci/run starts PostgreSQL with eng/start-postgres.sh and exports it.");
        output.WriteLine($"skipped: no PostgreSQL configured (set {Variable}, e.g. by sourcing the env file eng/start-postgres.sh writes).");
        return null;
    }

    /// <summary>A fresh, empty schema on the server, so tests do not see each other's tables; the connection string searches it.</summary>
    public static async Task<string> FreshSchemaAsync(string connectionString)
    {
        string schema = "t_" + Guid.NewGuid().ToString("N");
        // A test before this one may have restarted the server: pooled connections from then are dead.
        NpgsqlConnection.ClearAllPools();
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync();
            // The name is generated here, never user input; identifiers cannot be parameters.
            await using var command = new NpgsqlCommand($"CREATE SCHEMA {schema};", connection);
            await command.ExecuteNonQueryAsync();
        }
        return new NpgsqlConnectionStringBuilder(connectionString) { SearchPath = schema }.ConnectionString;
    }
}
