using System;
using System.Threading;
using System.Threading.Tasks;

namespace NasGen.Storage;

/// <summary>
/// Opens the store a location names, so that one program runs on a local SQLite file or on a PostgreSQL server
/// shared by many workers without a code change. Precedence: the <c>NASGEN_STORE</c> environment variable when
/// set, else the location the program passes. A location is PostgreSQL when it starts with <c>postgres:</c> or
/// <c>postgresql:</c> (followed by Npgsql keywords, e.g. <c>postgresql:Host=db;Username=nasgen;Database=nasgen</c>)
/// or is itself a keyword string with <c>Host=</c>; anything else is a SQLite file path (an optional <c>sqlite:</c>
/// prefix is removed). Passwords belong in <c>PGPASSWORD</c> or a pass file (<c>PGPASSFILE</c>, <c>~/.pgpass</c>).
/// </summary>
public static class ExperimentStores
{
    /// <summary>The environment variable that overrides the location a program passes.</summary>
    public const string EnvironmentVariable = "NASGEN_STORE";

    /// <summary>Opens the store named by <c>NASGEN_STORE</c>, or by <paramref name="location"/> when that variable is unset.</summary>
    /// <param name="location">The program's default: a SQLite path or a PostgreSQL location.</param>
    /// <param name="cancellationToken">Cancels connecting.</param>
    public static async Task<IExperimentStore> OpenAsync(string location, CancellationToken cancellationToken = default)
    {
        string? fromEnvironment = Environment.GetEnvironmentVariable(EnvironmentVariable);
        string chosen = string.IsNullOrWhiteSpace(fromEnvironment) ? location : fromEnvironment;
        ArgumentException.ThrowIfNullOrWhiteSpace(chosen, nameof(location));
        if (TryGetPostgres(chosen, out string? connectionString))
            return await PostgresExperimentStore.OpenAsync(connectionString, cancellationToken: cancellationToken).ConfigureAwait(false);
        return SqliteExperimentStore.Open(chosen.StartsWith("sqlite:", StringComparison.OrdinalIgnoreCase) ? chosen["sqlite:".Length..] : chosen);
    }

    /// <summary>Whether <paramref name="location"/> names a PostgreSQL server, and its Npgsql connection string.</summary>
    public static bool TryGetPostgres(string location, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? connectionString)
    {
        ArgumentNullException.ThrowIfNull(location);
        foreach (string prefix in new[] { "postgresql:", "postgres:" })
            if (location.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            {
                connectionString = location[prefix.Length..];
                return true;
            }
        bool keywords = location.Contains('=') && location.Contains("host", StringComparison.OrdinalIgnoreCase);
        connectionString = keywords ? location : null;
        return keywords;
    }
}
