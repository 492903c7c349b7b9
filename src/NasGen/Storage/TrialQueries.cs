using System.Data.Common;
using NasGen.Experiments;

namespace NasGen.Storage;

/// <summary>
/// An experiment's trials in numbers, computed by the store with SQL aggregates: what an overview shows without
/// reading every trial.
/// </summary>
public sealed record TrialStatistics
{
    /// <summary>Trials waiting to be claimed.</summary>
    public int Pending { get; init; }

    /// <summary>Trials being evaluated.</summary>
    public int Running { get; init; }

    /// <summary>Trials evaluated successfully (reused results included).</summary>
    public int Completed { get; init; }

    /// <summary>Trials that failed.</summary>
    public int Failed { get; init; }

    /// <summary>Every trial of the experiment.</summary>
    public int Total => Pending + Running + Completed + Failed;

    /// <summary>The failed trials counted by reason (reasons with none are left out).</summary>
    public IReadOnlyDictionary<FailureReason, int> FailuresByReason { get; init; } = new Dictionary<FailureReason, int>();

    /// <summary>
    /// The best evaluated trial under the direction asked for (completed, not a reused result, finite fitness; the lowest
    /// number among equals), without its intermediate results; null when none is evaluated yet.
    /// </summary>
    public TrialRecord? Best { get; init; }

    /// <summary>When the first trial started, or null.</summary>
    public DateTimeOffset? FirstStartedAt { get; init; }

    /// <summary>When the last trial ended, or null.</summary>
    public DateTimeOffset? LastEndedAt { get; init; }

    /// <summary>The highest change number of the trials (0 for none, or for a store from before change numbers).</summary>
    public long LatestVersion { get; init; }
}

/// <summary>The column a page of trials is sorted by.</summary>
public enum TrialSortKey
{
    /// <summary>The trial number (the primary key).</summary>
    Number,

    /// <summary>The state, in the order pending, running, completed, failed.</summary>
    Status,

    /// <summary>The fitness; trials without one come last either way.</summary>
    Fitness,

    /// <summary>The architecture's canonical text.</summary>
    Canonical,

    /// <summary>How long the evaluation took; unfinished trials come last either way.</summary>
    Duration,

    /// <summary>The worker that claimed the trial; unclaimed trials come last either way.</summary>
    Worker,
}

/// <summary>Which trials a page holds: a filter, a sort order and a window.</summary>
/// <param name="SortBy">The column to sort by; equal values are ordered by number.</param>
/// <param name="Descending">Sort from the highest value down.</param>
/// <param name="Offset">How many matching trials to skip.</param>
/// <param name="Limit">The most trials to return (1 to <see cref="MaxLimit"/>).</param>
/// <param name="Status">Only trials in this state, or every state when null.</param>
/// <param name="Text">
/// Only trials whose canonical text, worker or error contains this text (case-insensitive) or whose number it is; null or
/// empty for every trial.
/// </param>
public sealed record TrialPageQuery(
    TrialSortKey SortBy = TrialSortKey.Number, bool Descending = false, int Offset = 0, int Limit = 100, TrialStatus? Status = null, string? Text = null)
{
    /// <summary>The largest page a store returns.</summary>
    public const int MaxLimit = 1000;
}

/// <summary>One page of trials and how many trials match its filter in all.</summary>
/// <param name="Matching">The trials that match the filter, on every page.</param>
/// <param name="Trials">This page's trials in the order asked for, without their intermediate results.</param>
public sealed record TrialPage(int Matching, IReadOnlyList<TrialRecord> Trials);

/// <summary>
/// The aggregate and page queries, one SQL text for both engines (standard SQL both understand: <c>LIMIT/OFFSET</c>,
/// <c>NULLS LAST</c>, <c>LIKE … ESCAPE</c>, named <c>@</c> parameters) run on whatever connection a store gives them.
/// </summary>
internal static class TrialQueries
{
    /// <summary>Counts and extremes of the experiment's trials, read in <paramref name="tx"/> (one snapshot).</summary>
    /// <param name="tx">The store's transaction.</param>
    /// <param name="prefix">The table prefix of this store (a version 1 SQLite store read as it is has none).</param>
    /// <param name="hasChangeCounter">Whether the trials table has the change counter.</param>
    /// <param name="location">The store, for messages.</param>
    /// <param name="experimentId">The experiment.</param>
    /// <param name="direction">Which fitness is best.</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    public static async Task<TrialStatistics> StatisticsAsync(DbTransaction tx, string prefix, bool hasChangeCounter, string location,
        long experimentId, ObjectiveDirection direction, CancellationToken cancellationToken)
    {
        int[] byStatus = new int[4];
        var failures = new SortedDictionary<FailureReason, int>();
        DateTimeOffset? first = null, last = null;
        long latest = 0;
        await using (var command = StoreReads.Command(tx, $"""
            SELECT status, failure, COUNT(*), MIN(started_at), MAX(ended_at), MAX({(hasChangeCounter ? "version" : "0")})
            FROM {prefix}trials WHERE experiment_id=@e GROUP BY status, failure;
            """, ("@e", experimentId)))
        await using (var r = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await r.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var status = (TrialStatus)Convert.ToInt32(r.GetValue(0), CultureInfo.InvariantCulture);
                int count = Convert.ToInt32(r.GetValue(2), CultureInfo.InvariantCulture);
                if ((int)status is >= 0 and < 4) byStatus[(int)status] += count;
                if (status == TrialStatus.Failed)
                {
                    var reason = (FailureReason)Convert.ToInt32(r.GetValue(1), CultureInfo.InvariantCulture);
                    failures[reason] = failures.GetValueOrDefault(reason) + count;
                }
                if (TrialRows.Time(r, 3) is { } started && (first is null || started < first)) first = started;
                if (TrialRows.Time(r, 4) is { } ended && (last is null || ended > last)) last = ended;
                latest = Math.Max(latest, r.IsDBNull(5) ? 0 : Convert.ToInt64(r.GetValue(5), CultureInfo.InvariantCulture));
            }
        }

        // The bounds leave out infinities, and NaN too (PostgreSQL orders NaN above every number; SQLite stores it as NULL).
        TrialRecord? best = null;
        await using (var command = StoreReads.Command(tx, $"""
            SELECT {TrialRows.Columns(hasChangeCounter)} FROM {prefix}trials
            WHERE experiment_id=@e AND status=@completed AND reused_from IS NULL AND fitness BETWEEN @lowest AND @highest
            ORDER BY fitness {(direction == ObjectiveDirection.Minimize ? "ASC" : "DESC")}, number ASC LIMIT 1;
            """, ("@e", experimentId), ("@completed", (int)TrialStatus.Completed), ("@lowest", double.MinValue), ("@highest", double.MaxValue)))
        await using (var r = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            if (await r.ReadAsync(cancellationToken).ConfigureAwait(false)) best = TrialRows.Read(r, location);
        }

        return new TrialStatistics
        {
            Pending = byStatus[(int)TrialStatus.Pending],
            Running = byStatus[(int)TrialStatus.Running],
            Completed = byStatus[(int)TrialStatus.Completed],
            Failed = byStatus[(int)TrialStatus.Failed],
            FailuresByReason = failures,
            Best = best,
            FirstStartedAt = first,
            LastEndedAt = last,
            LatestVersion = latest,
        };
    }

    /// <summary>One page of the experiment's trials and the number that match, read in <paramref name="tx"/>.</summary>
    /// <param name="tx">The store's transaction.</param>
    /// <param name="prefix">The table prefix of this store.</param>
    /// <param name="hasChangeCounter">Whether the trials table has the change counter.</param>
    /// <param name="location">The store, for messages.</param>
    /// <param name="experimentId">The experiment.</param>
    /// <param name="query">The filter, order and window, checked with <see cref="Check"/>.</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    public static async Task<TrialPage> PageAsync(DbTransaction tx, string prefix, bool hasChangeCounter, string location,
        long experimentId, TrialPageQuery query, CancellationToken cancellationToken)
    {
        var parameters = new List<(string, object?)> { ("@e", experimentId) };
        string where = "experiment_id=@e";
        if (query.Status is { } status)
        {
            where += " AND status=@status";
            parameters.Add(("@status", (int)status));
        }
        if (!string.IsNullOrWhiteSpace(query.Text))
        {
            string text = query.Text.Trim();
            where += """
                 AND (lower(canonical) LIKE @pattern ESCAPE '\' OR lower(COALESCE(worker, '')) LIKE @pattern ESCAPE '\'
                 OR lower(COALESCE(error, '')) LIKE @pattern ESCAPE '\' OR CAST(number AS TEXT)=@text)
                """;
            parameters.Add(("@pattern", "%" + EscapeLike(text.ToLowerInvariant()) + "%"));
            parameters.Add(("@text", text));
        }

        int matching;
        await using (var command = StoreReads.Command(tx, $"SELECT COUNT(*) FROM {prefix}trials WHERE {where};", parameters.ToArray()))
            matching = Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);

        string direction = query.Descending ? "DESC" : "ASC";
        string order = query.SortBy == TrialSortKey.Number ? $"number {direction}" : $"{Column(query.SortBy)} {direction} NULLS LAST, number ASC";
        parameters.Add(("@limit", query.Limit));
        parameters.Add(("@offset", query.Offset));
        var trials = new List<TrialRecord>();
        await using (var command = StoreReads.Command(tx, $"""
            SELECT {TrialRows.Columns(hasChangeCounter)} FROM {prefix}trials WHERE {where}
            ORDER BY {order} LIMIT @limit OFFSET @offset;
            """, parameters.ToArray()))
        await using (var r = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await r.ReadAsync(cancellationToken).ConfigureAwait(false)) trials.Add(TrialRows.Read(r, location));
        }
        return new TrialPage(matching, trials);
    }

    /// <summary>Refuses a page query the stores cannot answer, before any connection is used.</summary>
    public static void Check(TrialPageQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (query.Limit is < 1 or > TrialPageQuery.MaxLimit)
            throw new ArgumentOutOfRangeException(nameof(query), query.Limit, $"A page holds 1 to {TrialPageQuery.MaxLimit} trials.");
        if (query.Offset < 0) throw new ArgumentOutOfRangeException(nameof(query), query.Offset, "The offset of a page is 0 or more.");
        if (!Enum.IsDefined(query.SortBy)) throw new ArgumentOutOfRangeException(nameof(query), query.SortBy, "Unknown sort column.");
    }

    private static string Column(TrialSortKey key) => key switch
    {
        TrialSortKey.Status => "status",
        TrialSortKey.Fitness => "fitness",
        TrialSortKey.Canonical => "canonical",
        TrialSortKey.Duration => "duration_s",
        TrialSortKey.Worker => "worker",
        _ => "number",
    };

    private static string EscapeLike(string text) => text.Replace(@"\", @"\\", StringComparison.Ordinal)
        .Replace("%", @"\%", StringComparison.Ordinal).Replace("_", @"\_", StringComparison.Ordinal);
}
