using System.Data.Common;
using NasGen.Experiments;

namespace NasGen.Storage;

// Reads (the same for a writer and for a tool that opened the store read-only) and the statements the operations share.
public abstract partial class SqlExperimentStore
{
    /// <summary>Every experiment in the store, in creation order.</summary>
    public Task<IReadOnlyList<StoredExperiment>> ListExperimentsAsync(CancellationToken cancellationToken = default) =>
        RunAsync<IReadOnlyList<StoredExperiment>>(async tx => await StoreReads.ExperimentsAsync(tx, _readPrefix, null, cancellationToken).ConfigureAwait(false),
            cancellationToken);

    /// <summary>The experiment named <paramref name="name"/>, or null when the store has none of that name.</summary>
    public async Task<StoredExperiment?> FindExperimentAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        var found = await RunAsync(tx => StoreReads.ExperimentsAsync(tx, _readPrefix, name, cancellationToken), cancellationToken).ConfigureAwait(false);
        return found.Count == 0 ? null : found[0];
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<TrialRecord>> GetTrialsAsync(long experimentId, CancellationToken cancellationToken = default) =>
        GetTrialsChangedSinceAsync(experimentId, 0, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<TrialRecord>> GetTrialsChangedSinceAsync(long experimentId, long sinceVersion, CancellationToken cancellationToken = default) =>
        RunAsync<IReadOnlyList<TrialRecord>>(async tx => await StoreReads.TrialsChangedSinceAsync(tx, _readPrefix, HasChangeCounter, Location,
            experimentId, sinceVersion, cancellationToken).ConfigureAwait(false), cancellationToken);

    /// <inheritdoc />
    public Task<TrialStatistics> GetTrialStatisticsAsync(long experimentId, ObjectiveDirection direction, CancellationToken cancellationToken = default) =>
        RunAsync(tx => TrialQueries.StatisticsAsync(tx, _readPrefix, HasChangeCounter, Location, experimentId, direction, cancellationToken), cancellationToken);

    /// <inheritdoc />
    public Task<TrialPage> GetTrialPageAsync(long experimentId, TrialPageQuery query, CancellationToken cancellationToken = default)
    {
        TrialQueries.Check(query);
        return RunAsync(tx => TrialQueries.PageAsync(tx, _readPrefix, HasChangeCounter, Location, experimentId, query, cancellationToken), cancellationToken);
    }

    // ---- what the operations share ---------------------------------------------------------------------------

    /// <summary>One transaction under the store's policy (<see cref="StoreTransactions"/>).</summary>
    private protected Task<T> RunAsync<T>(Func<DbTransaction, Task<T>> body, CancellationToken cancellationToken) =>
        _transactions.RunAsync(body, cancellationToken);

    /// <summary>What a claim sets (<c>@running</c>, <c>@w</c>: the worker), with the lease on engines with leases.</summary>
    private string Claimed => $"status=@running, worker=@w, started_at={_dialect.Now}" + (_dialect.HasLeases ? $", lease_expires_at={LeaseEnd}" : "");

    /// <summary>When a lease taken or renewed now runs out.</summary>
    private protected string LeaseEnd => $"{_dialect.Now} + @lease";

    /// <summary>The parameter <see cref="LeaseEnd"/> reads.</summary>
    private protected (string Name, object? Value)[] LeaseParameters => _dialect.HasLeases ? [("@lease", Lease)] : [];

    private string ClearLease => _dialect.HasLeases ? ", lease_expires_at=NULL" : "";

    private string SkipLocked => _dialect.HasLeases ? _dialect.ForUpdate + " SKIP LOCKED" : "";

    /// <summary>The experiment's next change number; on a server it locks the experiment's row to the commit (see <see cref="StoreSchema.NextChange"/>).</summary>
    private protected static async Task<long> NextChange(DbTransaction tx, long experimentId) =>
        Convert.ToInt64(await Scalar(tx, StoreSchema.NextChange, ("@e", experimentId)).ConfigureAwait(false), CultureInfo.InvariantCulture);

    /// <summary>
    /// Locks the experiment's row to the commit where rows are locked. Its own statement: a statement's snapshot predates
    /// the lock it waits for, so only a statement after the lock sees the trials the previous holder added.
    /// </summary>
    private protected Task LockExperiment(DbTransaction tx, long experimentId) =>
        Exec(tx, $"SELECT 1 FROM {Prefix}experiments WHERE id=@e{_dialect.ForUpdate};", ("@e", experimentId));

    private protected static async Task<int> NextNumber(DbTransaction tx, long experimentId) =>
        Convert.ToInt32(await Scalar(tx, $"SELECT COALESCE(MAX(number) + 1, 0) FROM {Prefix}trials WHERE experiment_id=@e;", ("@e", experimentId)).ConfigureAwait(false),
            CultureInfo.InvariantCulture);

    /// <summary>Records <paramref name="trial"/> as pending trial <paramref name="number"/>, changed at <paramref name="version"/>.</summary>
    private protected static async Task<TrialRecord> Insert(DbTransaction tx, long experimentId, int number, NewTrial trial, long version)
    {
        await Exec(tx, $"""
            INSERT INTO {Prefix}trials(experiment_id, number, status, architecture_json, canonical, stable_hash, fidelity, seed, version)
            VALUES (@e, @n, @status, @json, @canonical, @hash, @fidelity, @seed, @version);
            """,
            ("@e", experimentId), ("@n", number), ("@status", (short)TrialStatus.Pending), ("@json", trial.ArchitectureJson),
            ("@canonical", trial.Canonical), ("@hash", trial.StableHash.ToString("x16", CultureInfo.InvariantCulture)), ("@fidelity", trial.Fidelity),
            ("@seed", trial.Seed), ("@version", version)).ConfigureAwait(false);
        return new TrialRecord
        {
            Number = number, Status = TrialStatus.Pending, ArchitectureJson = trial.ArchitectureJson, Canonical = trial.Canonical,
            StableHash = trial.StableHash, Fidelity = trial.Fidelity, Seed = trial.Seed, Version = version,
        };
    }

    /// <summary>
    /// Returns running trials to pending (only those whose lease ran out when <paramref name="expiredOnly"/>) under change
    /// number <paramref name="version"/>, or under the next one when null and any match; their intermediate results go.
    /// </summary>
    private protected async Task<int> Requeue(DbTransaction tx, long experimentId, bool expiredOnly, string? worker, long? version)
    {
        string match = "experiment_id=@e AND status=@running AND (CAST(@w AS TEXT) IS NULL OR worker=@w)"
            + (expiredOnly ? $" AND lease_expires_at < {_dialect.Now}" : "");
        (string, object?)[] parameters = [("@e", experimentId), ("@running", (short)TrialStatus.Running), ("@w", worker), ("@pending", (short)TrialStatus.Pending)];
        // Nothing to requeue changes nothing, not even the change counter (and takes no lock on the experiment).
        if (version is null && Convert.ToInt64(await Scalar(tx, $"SELECT COUNT(*) FROM {Prefix}trials WHERE {match};", parameters).ConfigureAwait(false),
            CultureInfo.InvariantCulture) == 0)
            return 0;
        parameters = [.. parameters, ("@version", version ?? await NextChange(tx, experimentId).ConfigureAwait(false))];
        await Exec(tx, $"DELETE FROM {Prefix}intermediates WHERE (experiment_id, number) IN (SELECT experiment_id, number FROM {Prefix}trials WHERE {match});",
            parameters).ConfigureAwait(false);
        return await Exec(tx, $"UPDATE {Prefix}trials SET status=@pending, worker=NULL, started_at=NULL{ClearLease}, version=@version WHERE {match};",
            parameters).ConfigureAwait(false);
    }

    /// <summary>The trials <paramref name="where"/> selects, in <paramref name="orderBy"/> order, with their intermediate results when asked.</summary>
    private protected async Task<List<TrialRecord>> ReadTrials(DbTransaction tx, string where, string orderBy, bool withIntermediates,
        CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        var trials = new List<TrialRecord>();
        await using (var command = StoreReads.Command(tx, $"SELECT {TrialRows.Columns(HasChangeCounter)} FROM {Prefix}trials WHERE {where} ORDER BY {orderBy};", parameters))
        await using (var r = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
            while (await r.ReadAsync(cancellationToken).ConfigureAwait(false)) trials.Add(TrialRows.Read(r, Location));
        if (trials.Count == 0 || !withIntermediates) return trials;

        var intermediates = await StoreReads.IntermediatesAsync(tx, Prefix, where, cancellationToken, parameters).ConfigureAwait(false);
        for (int i = 0; i < trials.Count; i++)
            if (intermediates.TryGetValue(trials[i].Number, out var list)) trials[i] = trials[i] with { Intermediate = list };
        return trials;
    }

    private protected static async Task<int> Exec(DbTransaction tx, string sql, params (string Name, object? Value)[] parameters)
    {
        await using var command = StoreReads.Command(tx, sql, parameters);
        return await command.ExecuteNonQueryAsync().ConfigureAwait(false);
    }

    private protected static async Task<object?> Scalar(DbTransaction tx, string sql, params (string Name, object? Value)[] parameters)
    {
        await using var command = StoreReads.Command(tx, sql, parameters);
        object? value = await command.ExecuteScalarAsync().ConfigureAwait(false);
        return value is DBNull ? null : value;
    }
}
