using System.Data.Common;

namespace NasGen.Storage;

/// <summary>
/// The reads both stores make in one SQL text (the same table names on both engines, named <c>@</c> parameters), run
/// in a transaction the store opened: its connection, locking and retries stay the store's own.
/// </summary>
internal static class StoreReads
{
    /// <summary>The experiment named <paramref name="name"/>, or every experiment in creation order when it is null.</summary>
    public static async Task<List<StoredExperiment>> ExperimentsAsync(DbTransaction tx, string prefix, string? name, CancellationToken cancellationToken)
    {
        var experiments = new List<StoredExperiment>();
        string filter = name is null ? "ORDER BY id" : "WHERE name=@name";
        await using var command = name is null
            ? Command(tx, $"SELECT {StoreSchema.ExperimentColumns} FROM {prefix}experiments {filter};")
            : Command(tx, $"SELECT {StoreSchema.ExperimentColumns} FROM {prefix}experiments {filter};", ("@name", name));
        await using var r = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await r.ReadAsync(cancellationToken).ConfigureAwait(false))
            experiments.Add(new StoredExperiment(r.GetInt64(0),
                new ExperimentConfig(r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetInt32(5), r.GetString(6)),
                TrialRows.Time(r, 7)!.Value));
        return experiments;
    }

    /// <summary>
    /// The trials changed after <paramref name="sinceVersion"/> (every trial for 0, or for a store without change numbers)
    /// in number order, with their intermediate results, read in one snapshot.
    /// </summary>
    public static async Task<List<TrialRecord>> TrialsChangedSinceAsync(DbTransaction tx, string prefix, bool hasChangeCounter, string location,
        long experimentId, long sinceVersion, CancellationToken cancellationToken)
    {
        string changed = TrialRows.ChangedSince(hasChangeCounter);
        var intermediates = await IntermediatesAsync(tx, prefix, changed, cancellationToken, ("@e", experimentId), ("@since", sinceVersion)).ConfigureAwait(false);
        var trials = new List<TrialRecord>();
        await using (var command = Command(tx, $"SELECT {TrialRows.Columns(hasChangeCounter)} FROM {prefix}trials WHERE {changed} ORDER BY number;",
            ("@e", experimentId), ("@since", sinceVersion)))
        await using (var r = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await r.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var trial = TrialRows.Read(r, location);
                trials.Add(intermediates.TryGetValue(trial.Number, out var list) ? trial with { Intermediate = list } : trial);
            }
        }
        return trials;
    }

    /// <summary>
    /// The intermediate results of the trials <paramref name="trialFilter"/> selects (a condition on the trials table that
    /// includes <c>experiment_id=@e</c>), by trial number, in step order.
    /// </summary>
    public static async Task<Dictionary<int, List<KeyValuePair<int, double>>>> IntermediatesAsync(DbTransaction tx, string prefix, string trialFilter,
        CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        var intermediates = new Dictionary<int, List<KeyValuePair<int, double>>>();
        await using var command = Command(tx, $"""
            SELECT number, step, value FROM {prefix}intermediates
            WHERE experiment_id=@e AND number IN (SELECT number FROM {prefix}trials WHERE {trialFilter}) ORDER BY number, step;
            """, parameters);
        await using var r = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await r.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            int number = r.GetInt32(0);
            if (!intermediates.TryGetValue(number, out var list)) intermediates[number] = list = new();
            list.Add(new(r.GetInt32(1), r.GetDouble(2)));
        }
        return intermediates;
    }

    /// <summary>A command in <paramref name="tx"/> with its parameters (null as SQL NULL).</summary>
    public static DbCommand Command(DbTransaction tx, string sql, params (string Name, object? Value)[] parameters)
    {
        var command = tx.Connection!.CreateCommand();
        command.CommandText = sql;
        command.Transaction = tx;
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value ?? DBNull.Value;
            command.Parameters.Add(parameter);
        }
        return command;
    }
}
