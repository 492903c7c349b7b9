using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using NasGen.CrashHarness;
using NasGen.Experiments;
using NasGen.Storage;

namespace NasGen.Tests.Experiments;

// The aggregate and page queries (what an overview and a trial table read instead of every trial), checked against the
// same numbers computed from every trial.
public abstract partial class ExperimentStoreContract
{
    [Fact]
    public async Task Statistics_and_pages_computed_by_the_store_equal_those_computed_from_every_trial()
    {
        if (await NewLocationAsync() is not { } location) return;
        await using var writer = await OpenAsync(location);
        var store = (IExperimentStore)writer;
        var reader = (IReadOnlyExperimentStore)writer; // both stores read what they write
        long id = (await store.OpenExperimentAsync(Config(TestSpace.Default))).Id;
        var empty = await reader.GetTrialStatisticsAsync(id, ObjectiveDirection.Maximize);
        Assert.Equal((0, null, null, null), (empty.Total, empty.Best, empty.FirstStartedAt, empty.LastEndedAt));

        var random = new Random(3);
        for (int i = 0; i < 24; i++)
        {
            // Wildcards in a stored string must match only themselves in a text filter.
            string canonical = i == 7 ? "odd_name 100%" : $"op{i % 3} w{random.Next(4)}";
            await store.AddTrialAsync(id, new NewTrial("{}", canonical, (ulong)i, 1, i));
        }
        for (int i = 0; i < 22; i++)
        {
            var claimed = await store.ClaimNextTrialAsync(id, $"worker-{i % 3}") ?? throw new InvalidOperationException("nothing to claim");
            if (i >= 20) continue; // left running; two more stay pending
            var metrics = new Dictionary<string, double>();
            var outcome = (i % 7) switch
            {
                5 => new TrialCompletion(TrialStatus.Failed, null, metrics, i % 2 == 0 ? FailureReason.Timeout : FailureReason.Exception, $"boom {i}", null, false, i),
                // A reused result better than every evaluated one, and an infinite fitness: neither is the best.
                6 => new TrialCompletion(TrialStatus.Completed, 5, metrics, FailureReason.None, null, 0, false, i),
                _ => new TrialCompletion(TrialStatus.Completed, i == 9 ? double.PositiveInfinity : i % 4 * 0.25, metrics, FailureReason.None, null, null, false, i),
            };
            await store.CompleteTrialAsync(id, claimed.Number, outcome);
        }
        var all = await store.GetTrialsAsync(id);

        foreach (var direction in new[] { ObjectiveDirection.Maximize, ObjectiveDirection.Minimize })
        {
            var stats = await reader.GetTrialStatisticsAsync(id, direction);
            Assert.Equal((2, 2, 17, 3, 24), (stats.Pending, stats.Running, stats.Completed, stats.Failed, stats.Total));
            Assert.Equal(all.Where(t => t.Status == TrialStatus.Failed).GroupBy(t => t.Failure).ToDictionary(g => g.Key, g => g.Count()), stats.FailuresByReason);
            var best = all.Where(t => t.Status == TrialStatus.Completed && t.ReusedFrom is null && t.Fitness is { } f && double.IsFinite(f))
                .OrderBy(t => direction == ObjectiveDirection.Minimize ? t.Fitness : -t.Fitness).ThenBy(t => t.Number).First();
            Assert.Equal((best.Number, best.Fitness, best.Canonical), (stats.Best!.Number, stats.Best.Fitness, stats.Best.Canonical));
            Assert.Equal(all.Min(t => t.StartedAt), stats.FirstStartedAt);
            Assert.Equal(all.Max(t => t.EndedAt), stats.LastEndedAt);
            Assert.Equal(all.Max(t => t.Version), stats.LatestVersion);
        }

        var filters = new (TrialStatus? Status, string? Text)[] { (null, null), (TrialStatus.Completed, null), (null, "OP1"), (null, "100%"), (null, "_"), (null, "5"), (TrialStatus.Running, "worker-2") };
        foreach (var key in Enum.GetValues<TrialSortKey>().Where(k => k != TrialSortKey.Duration))
            foreach (bool descending in new[] { false, true })
                foreach (var (status, text) in filters)
                {
                    var expected = Sorted(all.Where(t => Matches(t, status, text)), key, descending).Select(t => t.Number).ToArray();
                    foreach (int offset in new[] { 0, 5 })
                    {
                        var page = await reader.GetTrialPageAsync(id, new TrialPageQuery(key, descending, offset, 5, status, text));
                        Assert.True(expected.Skip(offset).Take(5).SequenceEqual(page.Trials.Select(t => t.Number)),
                            $"{key} {(descending ? "desc" : "asc")} {status} '{text}' from {offset}: expected {string.Join(",", expected.Skip(offset).Take(5))}, got {string.Join(",", page.Trials.Select(t => t.Number))}");
                        Assert.Equal(expected.Length, page.Matching);
                    }
                }
        Assert.Equal(1, (await reader.GetTrialPageAsync(id, new TrialPageQuery(Text: "100%"))).Matching);
        var trial = (await reader.GetTrialPageAsync(id, new TrialPageQuery(Text: "0", Limit: 1))).Trials.Single();
        var stored = all.Single(t => t.Number == 0);
        Assert.Equal((stored.Status, stored.Canonical, stored.Fitness, stored.Worker, stored.StartedAt, stored.EndedAt, stored.Version, stored.Metrics.Count),
            (trial.Status, trial.Canonical, trial.Fitness, trial.Worker, trial.StartedAt, trial.EndedAt, trial.Version, trial.Metrics.Count));

        // Durations are computed by the store when a trial ends: finished trials in order, the unfinished ones last either way.
        foreach (bool descending in new[] { false, true })
        {
            var byDuration = (await reader.GetTrialPageAsync(id, new TrialPageQuery(TrialSortKey.Duration, descending))).Trials;
            Assert.Equal(all.Count, byDuration.Count);
            Assert.All(byDuration.Skip(20), t => Assert.False(t.IsFinished));
            var seconds = byDuration.Take(20).Select(t => t.Duration!.Value.TotalSeconds).ToArray();
            for (int i = 1; i < seconds.Length; i++)
                Assert.True(descending ? seconds[i] <= seconds[i - 1] + 0.001 : seconds[i] >= seconds[i - 1] - 0.001, $"durations out of order: {string.Join(", ", seconds)}");
        }

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => reader.GetTrialPageAsync(id, new TrialPageQuery(Limit: 0)));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => reader.GetTrialPageAsync(id, new TrialPageQuery(Limit: TrialPageQuery.MaxLimit + 1)));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => reader.GetTrialPageAsync(id, new TrialPageQuery(Offset: -1)));
        Assert.Equal(24, (await reader.GetTrialPageAsync(id, new TrialPageQuery(Limit: 5))).Matching); // the store still answers
    }

    private static bool Matches(TrialRecord t, TrialStatus? status, string? text)
    {
        if (status is { } s && t.Status != s) return false;
        if (string.IsNullOrEmpty(text)) return true;
        string needle = text.ToLowerInvariant();
        return t.Canonical.ToLowerInvariant().Contains(needle, StringComparison.Ordinal) || (t.Worker ?? "").ToLowerInvariant().Contains(needle, StringComparison.Ordinal)
            || (t.Error ?? "").ToLowerInvariant().Contains(needle, StringComparison.Ordinal) || t.Number.ToString(System.Globalization.CultureInfo.InvariantCulture) == text;
    }

    // Missing values last either way, equal values by number.
    private static IEnumerable<TrialRecord> Sorted(IEnumerable<TrialRecord> trials, TrialSortKey key, bool descending)
    {
        Comparison<TrialRecord> compare = key switch
        {
            TrialSortKey.Number => (a, b) => a.Number.CompareTo(b.Number),
            TrialSortKey.Status => (a, b) => a.Status.CompareTo(b.Status),
            TrialSortKey.Fitness => (a, b) => Nullable.Compare(a.Fitness, b.Fitness),
            TrialSortKey.Canonical => (a, b) => string.CompareOrdinal(a.Canonical, b.Canonical),
            _ => (a, b) => string.CompareOrdinal(a.Worker, b.Worker),
        };
        object? Value(TrialRecord t) => key switch { TrialSortKey.Fitness => t.Fitness, TrialSortKey.Worker => t.Worker, _ => 0 };
        var list = trials.ToList();
        list.Sort((a, b) =>
        {
            int missing = (Value(a) is null).CompareTo(Value(b) is null);
            if (missing != 0) return missing;
            int c = compare(a, b);
            return (descending ? -c : c) is var ordered && ordered != 0 ? ordered : a.Number.CompareTo(b.Number);
        });
        return list;
    }
}
