using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using NasGen.CrashHarness;
using NasGen.Experiments;
using NasGen.Storage;
using Npgsql;
using Xunit.Abstractions;

namespace NasGen.Tests.Experiments;

/// <summary>The PostgreSQL store against a real server: the SQLite store's semantics, plus leases, claims and budgets under contention.</summary>
public sealed class PostgresExperimentStoreTests(ITestOutputHelper output)
{
    private static ExperimentConfig Config(ISearchSpace space, string name = "exp") =>
        new(name, space.Name, space.Fingerprint, "hill-climb", 7, "{\"maxTrials\":3}");

    private static NewTrial Trial(TestArch a, int seed = 1) =>
        new(TestSpace.Default.ToJson(a), TestSpace.Default.ToCanonicalString(a), TestSpace.Default.StableHash(a), 1.0, seed);

    private static TrialCompletion Done(double fitness, int asks = 0) =>
        new(TrialStatus.Completed, fitness, new Dictionary<string, double> { ["acc"] = fitness }, FailureReason.None, null, null, false, asks);

    private async Task<string?> Server() => PostgresServer.ConnectionString(output) is { } cs ? await PostgresServer.FreshSchemaAsync(cs) : null;

    [Fact]
    public async Task A_newer_schema_is_refused()
    {
        if (await Server() is not { } cs) return;
        await using (var store = await PostgresExperimentStore.OpenAsync(cs))
            Assert.Equal(PostgresExperimentStore.SchemaVersion, await store.GetSchemaVersionAsync());
        await using (var connection = new NpgsqlConnection(cs))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("UPDATE nasgen_metadata SET value=@v WHERE key='schema_version';", connection);
            command.Parameters.AddWithValue("v", (PostgresExperimentStore.SchemaVersion + 1).ToString(System.Globalization.CultureInfo.InvariantCulture));
            await command.ExecuteNonQueryAsync();
        }
        var newer = await Assert.ThrowsAsync<StoreException>(() => PostgresExperimentStore.OpenAsync(cs));
        Assert.Contains("newer than this NasGen supports", newer.Message);
    }

    [Fact]
    public async Task Concurrent_claims_never_hand_out_a_trial_twice()
    {
        if (await Server() is not { } cs) return;
        await using var store = await PostgresExperimentStore.OpenAsync(cs);
        long id = (await store.OpenExperimentAsync(Config(TestSpace.Default))).Id;
        for (int i = 0; i < 60; i++) await store.AddTrialAsync(id, Trial(TestSpace.Default.Sample(new Random(i)), i));
        var claims = await Task.WhenAll(Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
        {
            var mine = new List<int>();
            while (await store.ClaimNextTrialAsync(id, $"w{w}") is { } t) mine.Add(t.Number);
            return mine;
        })));
        var all = claims.SelectMany(c => c).OrderBy(n => n).ToList();
        Assert.Equal(Enumerable.Range(0, 60), all);
    }

    [Fact]
    public async Task Concurrent_proposals_hold_the_trial_budget_and_see_one_history()
    {
        if (await Server() is not { } cs) return;
        await using var store = await PostgresExperimentStore.OpenAsync(cs);
        long id = (await store.OpenExperimentAsync(Config(TestSpace.Default))).Id;
        int added = 0;
        await Task.WhenAll(Enumerable.Range(0, 6).Select(w => Task.Run(async () =>
        {
            int known = 0;
            while (true)
            {
                var result = await store.ProposeTrialAsync(id, 40, known, 0, update =>
                {
                    // Under the lock: the history is contiguous from what this caller knew.
                    Assert.Equal(Enumerable.Range(known, update.NextNumber - known), update.NewTrials.Select(t => t.Number));
                    known = update.NextNumber + 1;
                    return Trial(TestSpace.Default.Sample(new Random(update.NextNumber)), update.NextNumber);
                });
                if (result.Status == ProposalStatus.BudgetReached) return;
                Interlocked.Increment(ref added);
            }
        })));
        Assert.Equal(40, added);
        Assert.Equal(Enumerable.Range(0, 40), (await store.GetTrialsAsync(id)).Select(t => t.Number));
    }

    [Fact]
    public async Task An_expired_lease_returns_the_trial_to_the_queue_and_the_late_result_is_refused()
    {
        if (await Server() is not { } cs) return;
        // A 1.5 s lease with a renewal after 1 s: the check 1 s after the renewal is past the first lease's end but well
        // inside the renewed one, with half a second to spare for a loaded machine (a 300 ms lease with 200 ms steps
        // failed once in CI when the test projects ran side by side).
        var lease = TimeSpan.FromMilliseconds(1500);
        await using var slow = await PostgresExperimentStore.OpenAsync(cs, lease);
        await using var other = await PostgresExperimentStore.OpenAsync(cs, TimeSpan.FromSeconds(30));
        long id = (await slow.OpenExperimentAsync(Config(TestSpace.Default))).Id;
        await slow.AddTrialAsync(id, Trial(new TestArch(8, TestOp.Skip, 1, false)));
        Assert.NotNull(await slow.ClaimNextTrialAsync(id, "dead"));
        Assert.Null(await other.ClaimNextTrialAsync(id, "alive")); // the lease still holds
        await Task.Delay(1000);
        Assert.Equal(1, await slow.RenewLeasesAsync(id, "dead")); // a heartbeat keeps it
        var renewed = Stopwatch.StartNew();
        await Task.Delay(1000);
        var claimed = await other.ClaimNextTrialAsync(id, "alive");
        // Read after the claim returned, with 300 ms for the round trips around the renewal: under it, the renewed lease
        // surely still held when the claim ran; past it the claim may rightly succeed on a stalled machine.
        if (renewed.Elapsed < lease - TimeSpan.FromMilliseconds(300)) Assert.Null(claimed);
        else output.WriteLine($"Claim checked {renewed.Elapsed.TotalMilliseconds:F0} ms after the renewal; the lease check was skipped.");
        var again = claimed;
        if (again is null)
        {
            await Task.Delay(2000);
            again = await other.ClaimNextTrialAsync(id, "alive"); // now the lease has expired
        }
        Assert.Equal((0, "alive"), (again!.Number, again.Worker));
        await Assert.ThrowsAsync<InvalidOperationException>(() => slow.CompleteTrialAsync(id, 0, Done(1)));
        var record = await other.CompleteTrialAsync(id, 0, Done(2));
        Assert.Equal((TrialStatus.Completed, 2.0), (record.Status, record.Fitness!.Value));
    }

    [Fact]
    public async Task A_wrong_password_is_a_clear_error_that_does_not_show_the_password()
    {
        if (PostgresServer.ConnectionString(output) is not { } cs) return;
        const string secret = "not-the-password-7f3a9c";
        var wrong = new NpgsqlConnectionStringBuilder(cs) { Password = secret }.ConnectionString;
        var e = await Assert.ThrowsAsync<StoreException>(() => PostgresExperimentStore.OpenAsync(wrong));
        output.WriteLine(e.ToString());
        Assert.Contains("authentication failed", e.Message);
        Assert.Contains("PGPASSWORD", e.Message);
        Assert.DoesNotContain(secret, e.ToString());
        Assert.DoesNotContain(secret, e.Location);
    }

    [Fact]
    public async Task An_unreachable_server_is_a_clear_error_that_does_not_show_the_password()
    {
        const string secret = "unreachable-secret-51d2";
        // Port 1 on loopback: nothing listens there, the connection is refused at once.
        var e = await Assert.ThrowsAsync<StoreUnavailableException>(() =>
            PostgresExperimentStore.OpenAsync($"Host=127.0.0.1;Port=1;Username=nasgen;Database=nasgen;Password={secret};Timeout=3"));
        output.WriteLine(e.ToString());
        Assert.Contains("cannot reach the PostgreSQL server", e.Message);
        Assert.Contains("postgresql://nasgen@127.0.0.1:1/nasgen", e.Message);
        Assert.DoesNotContain(secret, e.ToString());
    }

    [Fact]
    public void Locations_select_the_store()
    {
        Assert.True(ExperimentStores.TryGetPostgres("postgresql:Host=db;Database=x", out var a));
        Assert.Equal("Host=db;Database=x", a);
        Assert.True(ExperimentStores.TryGetPostgres("Host=db;Username=u", out var b));
        Assert.Equal("Host=db;Username=u", b);
        Assert.False(ExperimentStores.TryGetPostgres("runs/search.db", out _));
        Assert.False(ExperimentStores.TryGetPostgres("sqlite:runs/search.db", out _));
        // The scheme decides first: a file whose name has '=' and "host" in it is still a file.
        Assert.False(ExperimentStores.TryGetPostgres("sqlite:/x/ghost_lr=0.1_host.db", out _));
        Assert.False(ExperimentStores.TryGetPostgres("/x/ghost_lr=0.1_host.db", out _));
        Assert.False(ExperimentStores.TryGetPostgres("runs/host=a.db", out _));
        Assert.True(ExperimentStores.TryGetPostgres("Username=u;Host=db", out var c));
        Assert.Equal("Username=u;Host=db", c);
        Assert.True(ExperimentStores.TryGetPostgres("POSTGRES:Host=db", out var d));
        Assert.Equal("Host=db", d);
    }

    [Fact]
    public async Task A_sqlite_location_that_looks_like_keywords_opens_a_sqlite_file()
    {
        using var dir = new TempDirectory();
        string path = dir.File("ghost_lr=0.1_host.db");
        await using (var store = await ExperimentStores.OpenAsync("sqlite:" + path))
            Assert.Equal(path, Assert.IsType<SqliteExperimentStore>(store).Location);
        Assert.True(System.IO.File.Exists(path));
    }

    [Fact]
    public async Task A_host_that_does_not_resolve_is_unavailable_not_a_raw_socket_error()
    {
        var e = await Assert.ThrowsAsync<StoreUnavailableException>(() =>
            PostgresExperimentStore.OpenAsync("Host=nasgen-no-such-host.invalid;Username=nasgen;Database=nasgen;Timeout=5"));
        output.WriteLine(e.Message);
        Assert.Contains("postgresql://nasgen@nasgen-no-such-host.invalid:5432/nasgen", e.Message);
        Assert.Contains("cannot reach the PostgreSQL server", e.Message);
    }

    [Fact]
    public async Task A_missing_password_is_reported_as_an_authentication_problem()
    {
        if (PostgresServer.ConnectionString(output) is not { } cs) return;
        using var dir = new TempDirectory();
        System.IO.File.WriteAllText(dir.File("empty.pgpass"), "");
        // A pass file without this server: Npgsql finds no password for a server that asks for one.
        var e = await Assert.ThrowsAsync<StoreException>(() =>
            PostgresExperimentStore.OpenAsync(new NpgsqlConnectionStringBuilder(cs) { Passfile = dir.File("empty.pgpass"), Password = null }.ConnectionString));
        output.WriteLine(e.Message);
        Assert.IsNotType<StoreUnavailableException>(e);
        Assert.Contains("authentication failed", e.Message);
        Assert.Contains("PGPASSWORD", e.Message);
    }

    [Fact]
    public async Task A_read_only_open_refuses_an_empty_database_and_the_server_refuses_its_writes()
    {
        if (await Server() is not { } cs) return;
        var empty = await Assert.ThrowsAsync<StoreException>(() => PostgresExperimentStore.OpenReadOnlyAsync(cs));
        Assert.Contains("no NasGen experiment store", empty.Message);
        await using (var writer = await PostgresExperimentStore.OpenAsync(cs))
        {
            long id = (await writer.OpenExperimentAsync(Config(TestSpace.Default))).Id;
            await writer.AddTrialAsync(id, Trial(new TestArch(8, TestOp.Skip, 1, false)));
        }
        await using var reader = await ExperimentStores.OpenReadOnlyAsync("postgresql:" + cs);
        var experiment = Assert.Single(await reader.ListExperimentsAsync());
        // The server refuses writes in a read-only session.
        var store = Assert.IsType<PostgresExperimentStore>(reader);
        await Assert.ThrowsAnyAsync<Exception>(() => store.AddTrialAsync(experiment.Id, Trial(new TestArch(8, TestOp.Skip, 2, false))));
        Assert.Single(await reader.GetTrialsAsync(experiment.Id));
    }

    [Fact]
    public async Task The_dashboard_reads_a_PostgreSQL_store_and_shows_it_without_credentials()
    {
        if (await Server() is not { } cs) return;
        await using (var writer = await PostgresExperimentStore.OpenAsync(cs))
        {
            long id = (await writer.OpenExperimentAsync(Config(TestSpace.Default, "served-from-postgres"))).Id;
            await writer.AddTrialAsync(id, Trial(new TestArch(8, TestOp.Skip, 1, false)));
            await writer.AddTrialAsync(id, Trial(new TestArch(16, TestOp.Skip, 2, false)));
        }
        await using var dashboard = await NasGen.Dashboard.Dashboard.StartAsync("postgresql:" + cs, new NasGen.Dashboard.DashboardOptions { Port = 0 });
        Assert.DoesNotContain("Password", dashboard.StoreLocation, StringComparison.OrdinalIgnoreCase);
        Assert.StartsWith("postgresql://", dashboard.StoreLocation, StringComparison.Ordinal);
        using var http = new System.Net.Http.HttpClient { BaseAddress = dashboard.Url };
        string experiments = await http.GetStringAsync("/api/experiments");
        Assert.Contains("served-from-postgres", experiments, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NASGEN_STORE_overrides_the_location_the_program_passes()
    {
        using var dir = new TempDirectory();
        string? before = Environment.GetEnvironmentVariable(ExperimentStores.EnvironmentVariable);
        try
        {
            // Only ExperimentStores reads the variable, and only these tests call it.
            Environment.SetEnvironmentVariable(ExperimentStores.EnvironmentVariable, null);
            await using (var store = await ExperimentStores.OpenAsync(dir.File("program.db")))
                Assert.Equal(dir.File("program.db"), Assert.IsType<SqliteExperimentStore>(store).Location);
            Environment.SetEnvironmentVariable(ExperimentStores.EnvironmentVariable, "sqlite:" + dir.File("operator.db"));
            await using (var store = await ExperimentStores.OpenAsync(dir.File("program.db")))
                Assert.Equal(dir.File("operator.db"), store.Location);
            if (await Server() is { } cs)
            {
                Environment.SetEnvironmentVariable(ExperimentStores.EnvironmentVariable, "postgresql:" + cs);
                await using var store = await ExperimentStores.OpenAsync(dir.File("program.db"));
                Assert.IsType<PostgresExperimentStore>(store);
                Assert.StartsWith("postgresql://", store.Location);
            }
        }
        finally
        {
            Environment.SetEnvironmentVariable(ExperimentStores.EnvironmentVariable, before);
        }
    }

}
