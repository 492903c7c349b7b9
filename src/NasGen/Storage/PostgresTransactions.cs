using System.Data.Common;
using System.Net.Sockets;
using Npgsql;

namespace NasGen.Storage;

/// <summary>
/// How the PostgreSQL store runs a transaction, in one place rather than around each operation: one retry on a fresh
/// connection when the pool handed out a connection the server had closed (nothing was committed), and the driver's
/// errors turned into <see cref="StoreException"/> (credentials, missing database) or
/// <see cref="StoreUnavailableException"/> (server unreachable or going away; workers retry those for
/// <c>ExperimentOptions.StoreOutageTolerance</c>). Messages name the server (<paramref name="location"/>), never the password.
/// </summary>
internal sealed class PostgresTransactions(NpgsqlDataSource dataSource, string location) : StoreTransactions
{
    /// <summary>Runs <paramref name="body"/> in one transaction on a pooled connection and commits it.</summary>
    public override Task<T> RunAsync<T>(Func<DbTransaction, Task<T>> body, CancellationToken cancellationToken) =>
        RunGuardedAsync(async () =>
        {
            try
            {
                return await RunOnceAsync(body, cancellationToken).ConfigureAwait(false);
            }
            catch (StaleConnectionException)
            {
                // The pool handed out a connection the server closed when it restarted, and nothing was committed
                // (RunOnceAsync cleared the pool): run the transaction once more on a fresh connection.
                try
                {
                    return await RunOnceAsync(body, cancellationToken).ConfigureAwait(false);
                }
                catch (StaleConnectionException again)
                {
                    throw again.Inner;
                }
            }
        });

    private async Task<T> RunOnceAsync<T>(Func<DbTransaction, Task<T>> body, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        NpgsqlTransaction tx;
        T result;
        try
        {
            tx = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            result = await body(tx).ConfigureAwait(false);
        }
        catch (NpgsqlException e) when (e is not PostgresException || IsServerGoingAway((PostgresException)e))
        {
            NpgsqlConnection.ClearPool(connection);
            throw new StaleConnectionException(e);
        }
        await using (tx)
        {
            await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
        return result;
    }

    /// <inheritdoc />
    public override ValueTask DisposeAsync() => dataSource.DisposeAsync();

    private sealed class StaleConnectionException(NpgsqlException inner) : Exception(inner.Message, inner)
    {
        public NpgsqlException Inner { get; } = inner;
    }

    private async Task<T> RunGuardedAsync<T>(Func<Task<T>> run)
    {
        try
        {
            return await run().ConfigureAwait(false);
        }
        catch (PostgresException e) when (e.SqlState is "28P01" or "28000")
        {
            throw new StoreException(location, $"authentication failed ({e.MessageText}). Set the password in PGPASSWORD or a pass file (PGPASSFILE, ~/.pgpass); see docs/guides/distributed.md.", e);
        }
        catch (NpgsqlException e) when (e is not PostgresException && e.InnerException is null && e.Message.Contains("password", StringComparison.OrdinalIgnoreCase))
        {
            // Npgsql's own check, before any round trip: the server asked for a password and none was found.
            throw new StoreException(location, $"authentication failed: the server asks for a password and none was given ({e.Message}). " +
                "Set it in PGPASSWORD or a pass file (PGPASSFILE, ~/.pgpass); see docs/guides/distributed.md.", e);
        }
        catch (PostgresException e) when (e.SqlState == "3D000")
        {
            throw new StoreException(location, $"the database does not exist ({e.MessageText}).", e);
        }
        catch (NpgsqlException e) when (e is not PostgresException || e.IsTransient || IsServerGoingAway((PostgresException)e))
        {
            string why = e.InnerException is SocketException s ? s.Message : e.Message;
            throw new StoreUnavailableException(location, $"cannot reach the PostgreSQL server: {why}", e);
        }
        catch (SocketException e)
        {
            // Name resolution fails before Npgsql wraps anything: an unknown or unresolvable host.
            throw new StoreUnavailableException(location, $"cannot reach the PostgreSQL server: the host name does not resolve ({e.Message}).", e);
        }
    }

    // 57P01 admin shutdown, 57P02 crash shutdown, 57P03 cannot connect now (starting up or shutting down).
    private static bool IsServerGoingAway(PostgresException e) => e.SqlState is "57P01" or "57P02" or "57P03";
}
