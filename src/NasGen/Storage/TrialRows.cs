using System.Data.Common;
using System.Text.Json;

namespace NasGen.Storage;

/// <summary>
/// Reads a trial row in the column order both stores select. Types differ between the engines (SQLite keeps
/// integers and text, PostgreSQL smallint, boolean and timestamptz), so values go through conversions.
/// </summary>
internal static class TrialRows
{
    /// <summary>
    /// The columns of a trial; a version 1 store, read without migrating it, has no change counter and reads as version 0
    /// (every read then returns every trial).
    /// </summary>
    public static string Columns(bool hasChangeCounter) => """
        number, status, architecture_json, canonical, stable_hash, fidelity, seed, fitness, metrics_json, failure, error,
               reused_from, stopped_early, tell_seq, asks_at_tell, worker, started_at, ended_at,
        """ + (hasChangeCounter ? " version" : " 0 AS version");

    /// <summary>
    /// Which trials a changed-since read returns (<c>@e</c>: the experiment, <c>@since</c>: the change number the reader has
    /// seen), and which trials' intermediate results it reads with them.
    /// </summary>
    public static string ChangedSince(bool hasChangeCounter) => hasChangeCounter ? "experiment_id=@e AND version>@since" : "experiment_id=@e";

    /// <summary>
    /// The trial of the reader's current row; a row whose values cannot be read (a damaged or hand-edited store)
    /// raises <see cref="StoreException"/> naming the store, the trial and the column.
    /// </summary>
    public static TrialRecord Read(DbDataReader r, string location)
    {
        int column = 0; // the column being read, for the message
        try
        {
            return new TrialRecord
            {
                Number = Int(r, column = 0),
                Status = (TrialStatus)Int(r, column = 1),
                ArchitectureJson = r.GetString(column = 2),
                Canonical = r.GetString(column = 3),
                StableHash = ulong.Parse(r.GetString(column = 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture),
                Fidelity = r.GetDouble(column = 5),
                Seed = Int(r, column = 6),
                Fitness = r.IsDBNull(column = 7) ? null : r.GetDouble(column),
                Metrics = JsonSerializer.Deserialize<Dictionary<string, double>>(r.GetString(column = 8)) ?? throw new JsonException("null, not an object"),
                Failure = (FailureReason)Int(r, column = 9),
                Error = r.IsDBNull(column = 10) ? null : r.GetString(column),
                ReusedFrom = r.IsDBNull(column = 11) ? null : Int(r, column),
                StoppedEarly = Convert.ToBoolean(r.GetValue(column = 12), CultureInfo.InvariantCulture),
                TellSequence = r.IsDBNull(column = 13) ? null : Int(r, column),
                AsksAtTell = r.IsDBNull(column = 14) ? null : Int(r, column),
                Worker = r.IsDBNull(column = 15) ? null : r.GetString(column),
                StartedAt = Time(r, column = 16),
                EndedAt = Time(r, column = 17),
                Version = Convert.ToInt64(r.GetValue(column = 18), CultureInfo.InvariantCulture),
            };
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidCastException or InvalidOperationException or OverflowException)
        {
            string trial = column > 0 && !r.IsDBNull(0) ? $"trial {Convert.ToString(r.GetValue(0), CultureInfo.InvariantCulture)}" : "a trial";
            throw new StoreException(location, $"{trial} has an unreadable {r.GetName(column)} ({e.Message}); the row is damaged. Restore the store from a copy.", e);
        }
    }

    private static int Int(DbDataReader r, int column) => Convert.ToInt32(r.GetValue(column), CultureInfo.InvariantCulture);

    /// <summary>A point in time as either engine returns it (SQLite: ISO 8601 text; PostgreSQL: a UTC <see cref="DateTime"/>).</summary>
    internal static DateTimeOffset? Time(DbDataReader r, int i) => r.IsDBNull(i) ? null : r.GetValue(i) switch
    {
        DateTime t => new DateTimeOffset(DateTime.SpecifyKind(t, DateTimeKind.Utc)),
        DateTimeOffset t => t,
        var v => DateTimeOffset.Parse(Convert.ToString(v, CultureInfo.InvariantCulture)!, CultureInfo.InvariantCulture),
    };
}
