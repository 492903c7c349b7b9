using System;
using System.Collections.Generic;
using System.Data.Common;
using System.Globalization;
using System.Text.Json;

namespace NasGen.Storage;

/// <summary>
/// Reads a trial row in the column order both stores select. Types differ between the engines (SQLite keeps
/// integers and text, PostgreSQL smallint, boolean and timestamptz), so values go through conversions.
/// </summary>
internal static class TrialRows
{
    public const string Columns = """
        number, status, architecture_json, canonical, stable_hash, fidelity, seed, fitness, metrics_json, failure, error,
               reused_from, stopped_early, tell_seq, asks_at_tell, worker, started_at, ended_at
        """;

    public static TrialRecord Read(DbDataReader r) => new()
    {
        Number = Convert.ToInt32(r.GetValue(0), CultureInfo.InvariantCulture),
        Status = (TrialStatus)Convert.ToInt32(r.GetValue(1), CultureInfo.InvariantCulture),
        ArchitectureJson = r.GetString(2),
        Canonical = r.GetString(3),
        StableHash = ulong.Parse(r.GetString(4), NumberStyles.HexNumber, CultureInfo.InvariantCulture),
        Fidelity = r.GetDouble(5),
        Seed = Convert.ToInt32(r.GetValue(6), CultureInfo.InvariantCulture),
        Fitness = r.IsDBNull(7) ? null : r.GetDouble(7),
        Metrics = JsonSerializer.Deserialize<Dictionary<string, double>>(r.GetString(8)) ?? new(),
        Failure = (FailureReason)Convert.ToInt32(r.GetValue(9), CultureInfo.InvariantCulture),
        Error = r.IsDBNull(10) ? null : r.GetString(10),
        ReusedFrom = r.IsDBNull(11) ? null : Convert.ToInt32(r.GetValue(11), CultureInfo.InvariantCulture),
        StoppedEarly = Convert.ToBoolean(r.GetValue(12), CultureInfo.InvariantCulture),
        TellSequence = r.IsDBNull(13) ? null : Convert.ToInt32(r.GetValue(13), CultureInfo.InvariantCulture),
        AsksAtTell = r.IsDBNull(14) ? null : Convert.ToInt32(r.GetValue(14), CultureInfo.InvariantCulture),
        Worker = r.IsDBNull(15) ? null : r.GetString(15),
        StartedAt = Time(r, 16),
        EndedAt = Time(r, 17),
    };

    private static DateTimeOffset? Time(DbDataReader r, int i) => r.IsDBNull(i) ? null : r.GetValue(i) switch
    {
        DateTime t => new DateTimeOffset(DateTime.SpecifyKind(t, DateTimeKind.Utc)),
        DateTimeOffset t => t,
        var v => DateTimeOffset.Parse(Convert.ToString(v, CultureInfo.InvariantCulture)!, CultureInfo.InvariantCulture),
    };
}
