using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;

namespace NasGen.Storage;

/// <summary>
/// Opens the store a location names, so that one program runs on a local SQLite file or on a PostgreSQL server
/// shared by many workers without a code change. Precedence: the <c>NASGEN_STORE</c> environment variable when
/// set, else the location the program passes. A location is read by its scheme first: <c>sqlite:</c> names a SQLite
/// file (whatever the path looks like); <c>postgres:</c> or <c>postgresql:</c> is followed by Npgsql keywords (e.g.
/// <c>postgresql:Host=db;Username=nasgen;Database=nasgen</c>). Without a scheme, a keyword string with a <c>Host</c> or
/// <c>Server</c> keyword (<c>Host=db;Database=x</c>) is PostgreSQL, and anything else is a SQLite file path. Passwords belong in
/// <c>PGPASSWORD</c> or a pass file (<c>PGPASSFILE</c>, <c>~/.pgpass</c>); a password given in the location is never
/// printed (<see cref="Describe"/>, <see cref="Redact"/>).
/// </summary>
public static partial class ExperimentStores
{
    /// <summary>The environment variable that overrides the location a program passes.</summary>
    public const string EnvironmentVariable = "NASGEN_STORE";

    private const string SqliteScheme = "sqlite:";
    private static readonly string[] PostgresSchemes = { "postgresql:", "postgres:" };

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
        return SqliteExperimentStore.Open(SqlitePath(chosen));
    }

    /// <summary>
    /// Opens the store <paramref name="location"/> names for reading only (no environment override: a tool reads what it
    /// is given). Nothing is created or changed, no lock is taken, and a missing store is an error.
    /// </summary>
    /// <param name="location">A SQLite path or a PostgreSQL location, as for <see cref="OpenAsync"/>.</param>
    /// <param name="cancellationToken">Cancels connecting.</param>
    public static async Task<IReadOnlyExperimentStore> OpenReadOnlyAsync(string location, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(location);
        if (TryGetPostgres(location, out string? connectionString))
            return await PostgresExperimentStore.OpenReadOnlyAsync(connectionString, cancellationToken).ConfigureAwait(false);
        return SqliteExperimentStore.OpenReadOnly(SqlitePath(location));
    }

    /// <summary>Whether <paramref name="location"/> names a PostgreSQL server, and its Npgsql connection string.</summary>
    public static bool TryGetPostgres(string location, [NotNullWhen(true)] out string? connectionString)
    {
        ArgumentNullException.ThrowIfNull(location);
        connectionString = null;
        if (location.StartsWith(SqliteScheme, StringComparison.OrdinalIgnoreCase)) return false;
        foreach (string scheme in PostgresSchemes)
            if (location.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
            {
                connectionString = location[scheme.Length..];
                return true;
            }
        if (!StartsWithHostKeyword().IsMatch(location)) return false;
        connectionString = location;
        return true;
    }

    /// <summary>
    /// What to print for <paramref name="location"/>: a SQLite file as its full path, a PostgreSQL location as
    /// <c>postgresql://user@host:port/database</c>, never with its password.
    /// </summary>
    public static string Describe(string location)
    {
        ArgumentNullException.ThrowIfNull(location);
        return TryGetPostgres(location, out string? connectionString)
            ? PostgresExperimentStore.Describe(connectionString) ?? "postgresql (an invalid connection string)"
            : Redact(System.IO.Path.GetFullPath(SqlitePath(location)));
    }

    /// <summary>
    /// <paramref name="text"/> with every password masked: <c>Password=…</c>, <c>Pwd=…</c> and <c>Psw=…</c> keywords (up
    /// to the next <c>;</c>, or a quoted value) and the <c>user:password@</c> part of URLs. For any text that may echo a
    /// location: messages, argument errors, logs.
    /// </summary>
    public static string Redact(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return UrlPassword().Replace(PasswordKeyword().Replace(text, "$1***"), "$1***@");
    }

    private static string SqlitePath(string location) =>
        location.StartsWith(SqliteScheme, StringComparison.OrdinalIgnoreCase) ? location[SqliteScheme.Length..] : location;

    [GeneratedRegex(@"(^|;)\s*(host|server)\s*=", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex StartsWithHostKeyword();

    [GeneratedRegex(@"(\b(?:password|pwd|psw)\s*=\s*)(""[^""]*(""|$)|'[^']*('|$)|[^;\s]*)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex PasswordKeyword();

    [GeneratedRegex(@"(\b[a-z][a-z0-9+.-]*://[^:/@\s]*:)[^@\s]*@", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex UrlPassword();
}
