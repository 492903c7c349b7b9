using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using NasGen.Cli;
using NasGen.CrashHarness;
using NasGen.Experiments;
using NasGen.Storage;
using NasGen.Tests.Experiments;
using Npgsql;
using Xunit.Abstractions;

namespace NasGen.Tests.Cli;

/// <summary>
/// No output of the nasgen command contains a password: a canary password goes through every command, every
/// kind of PostgreSQL location and every argument error, and all of stdout and stderr is searched for it.
/// </summary>
public sealed class SecretsTests(ITestOutputHelper output) : IDisposable
{
    private const string Canary = "canary-pw-8c1e5b";
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static async Task<(int Exit, string Output, string Error)> Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int exit = await NasGenCommand.RunAsync(args, stdout, stderr);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    private IEnumerable<string[]> EveryCommand(string location) => new[]
    {
        new[] { "list", location },
        new[] { "list", location, "--json" },
        new[] { "status", location },
        new[] { "status", location, "-e", "nosuch" },
        new[] { "top", location, "-k", "3" },
        new[] { "top", location, "-k", "0" },
        new[] { "pareto", location, "--objectives", "fitness:max", "params:min" },
        new[] { "pareto", location, "--objectives", "broken" },
        new[] { "plot", location, "--out", _dir.File("plots") },
        new[] { "export", location, "--trial", "0" },
        new[] { "export", location, "--out", _dir.File("best.json") },
        new[] { "compare", location, location },
        // Argument errors echo the tokens they could not place.
        new[] { "list", location, "extra" },
        new[] { "status", location, "--bogus", location },
        new[] { "top", location, "-k", location },
        new[] { location },
        new[] { "nosuchcommand", location },
    };

    private async Task AssertNoCommandShowsTheCanary(string location, bool expectFailure = true)
    {
        foreach (var args in EveryCommand(location))
        {
            var (exit, stdout, stderr) = await Run(args);
            output.WriteLine($"{exit} {string.Join(' ', args.Select(ExperimentStores.Redact))}: {stderr.Trim()}");
            Assert.DoesNotContain(Canary, stdout);
            Assert.DoesNotContain(Canary, stderr);
            if (expectFailure)
            {
                Assert.NotEqual(0, exit);
                Assert.NotEqual("", stderr.Trim());
            }
            Assert.DoesNotContain("   at ", stderr); // no stack trace
        }
    }

    [Theory]
    [InlineData("postgresql:Host=127.0.0.1;Port=1;Username=nasgen;Database=nasgen;Password=canary-pw-8c1e5b;Timeout=3")]
    [InlineData("postgres:Host=127.0.0.1;Port=1;PWD='canary-pw-8c1e5b';Timeout=3")]
    [InlineData("Host=127.0.0.1;Port=1;Password=canary-pw-8c1e5b;Timeout=3")]
    [InlineData("Username=nasgen;Host=127.0.0.1;Port=1;Password = canary-pw-8c1e5b;Timeout=3")]
    [InlineData("postgresql:Host=127.0.0.1;Password=canary-pw-8c1e5b;No Such Keyword=1")]
    [InlineData("postgresql:Host=127.0.0.1;Port=notaport;Password=canary-pw-8c1e5b")]
    [InlineData("postgresql:Host=nasgen-no-such-host.invalid;Password=canary-pw-8c1e5b;Timeout=3")]
    [InlineData("postgresql://nasgen:canary-pw-8c1e5b@127.0.0.1:1/nasgen")]
    public async Task No_command_prints_the_password_of_an_unusable_PostgreSQL_location(string location)
    {
        Assert.Contains(Canary, location);
        await AssertNoCommandShowsTheCanary(location);
    }

    [Fact]
    public async Task No_command_prints_a_wrong_password_for_a_real_server()
    {
        if (PostgresServer.ConnectionString(output) is not { } cs) return;
        await AssertNoCommandShowsTheCanary("postgresql:" + new NpgsqlConnectionStringBuilder(cs) { Password = Canary }.ConnectionString);
    }

    [Fact]
    public async Task No_command_prints_a_right_password_of_a_real_store()
    {
        // The password is right, so every command reaches the store; a password must not show in tables or JSON either.
        if (PostgresServer.ConnectionString(output) is not { } server) return;
        string cs = await PostgresServer.FreshSchemaAsync(server);
        await using (var store = await PostgresExperimentStore.OpenAsync(cs))
            await CrashExperiment.Create(store, seed: 3, trials: 6, TimeSpan.Zero).RunAsync();
        string password = PasswordOf(server);
        string location = "postgresql:" + new NpgsqlConnectionStringBuilder(cs) { Password = password }.ConnectionString;
        // nasgen reads PostgreSQL stores through the same path as SQLite files.
        var list = await Run("list", location);
        Assert.Equal((0, ""), (list.Exit, list.Error));
        Assert.Contains("crash", list.Output);
        Assert.Contains("postgresql://nasgen@", list.Output);
        var status = await Run("status", location, "--json");
        Assert.Equal(0, status.Exit);
        Assert.Contains("\"crash\"", status.Output);
        foreach (var args in EveryCommand(location))
        {
            var (_, stdout, stderr) = await Run(args);
            Assert.DoesNotContain(password, stdout);
            Assert.DoesNotContain(password, stderr);
        }
    }

    /// <summary>The test server's password, from the pass file eng/start-postgres.sh writes.</summary>
    private static string PasswordOf(string connectionString)
    {
        string file = Environment.GetEnvironmentVariable("PGPASSFILE") ?? throw new InvalidOperationException("PGPASSFILE is not set");
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        string line = File.ReadAllLines(file).First(l => l.Split(':')[3] == builder.Username);
        return line.Split(':')[4];
    }

    [Fact]
    public void Redact_masks_every_form_of_password_and_keeps_the_rest()
    {
        Assert.Equal("Host=db;Password=***;Database=x", ExperimentStores.Redact("Host=db;Password=hunter2;Database=x"));
        Assert.Equal("host=db pwd=***;b psw=***", ExperimentStores.Redact("host=db pwd=a;b psw=\"c d\""));
        Assert.Equal("postgresql://me:***@db:5432/x", ExperimentStores.Redact("postgresql://me:hunter2@db:5432/x"));
        Assert.Equal("/runs/a=1;b.db", ExperimentStores.Redact("/runs/a=1;b.db"));
        Assert.Equal("postgresql://nasgen@db:5432/x", ExperimentStores.Describe("postgresql:Host=db;Port=5432;Username=nasgen;Database=x;Password=hunter2"));
        Assert.Equal(Path.GetFullPath("runs/x.db"), ExperimentStores.Describe("sqlite:runs/x.db"));
    }
}
