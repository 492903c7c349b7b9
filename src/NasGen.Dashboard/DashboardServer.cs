using System;
using NasGen.Storage;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace NasGen.Dashboard;

/// <summary>A running dashboard. Dispose it to stop serving and close the store.</summary>
public sealed class DashboardServer : IAsyncDisposable
{
    /// <summary>The cookie that carries the access token after the first visit.</summary>
    public const string TokenCookie = "nasgen_dashboard_token";

    private readonly WebApplication _app;
    private readonly DashboardData _data;

    private DashboardServer(WebApplication app, DashboardData data, Uri url, string? token)
    {
        _app = app;
        _data = data;
        Url = url;
        Token = token;
    }

    /// <summary>The page's address (without the token).</summary>
    public Uri Url { get; }

    /// <summary>The access token, or null when the dashboard serves loopback without one.</summary>
    public string? Token { get; }

    /// <summary>The address to open: <see cref="Url"/>, with the token when there is one.</summary>
    public Uri LaunchUrl => Token is null ? Url : new Uri(Url, "/?token=" + Uri.EscapeDataString(Token));

    /// <summary>The store shown, as safe to print (no credentials).</summary>
    public string StoreLocation => _data.Location;

    /// <summary>Completes when the server stops (disposal or <paramref name="cancellationToken"/>).</summary>
    public async Task WaitForShutdownAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Ctrl-C or the caller: a normal end.
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        await _data.DisposeAsync().ConfigureAwait(false);
    }

    internal static async Task<DashboardServer> StartAsync(IReadOnlyExperimentStore store, DashboardOptions options, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (options.Port is < 0 or > 65535) throw new ArgumentOutOfRangeException(nameof(options), $"port {options.Port} is not between 0 and 65535.");
        if (options.RefreshInterval < TimeSpan.Zero || options.PollInterval <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(options), "the refresh interval must not be negative and the poll interval must be positive.");
        var (address, loopback) = ParseHost(options.Host);
        string? token = options.Token is { Length: > 0 } given ? given : loopback ? null : NewToken();

        var builder = WebApplication.CreateSlimBuilder();
        // Errors (a store that cannot be read mid-run) go to the console; requests are not logged.
        builder.Logging.ClearProviders().AddSimpleConsole(c => c.SingleLine = true).SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            if (address is null) k.ListenLocalhost(options.Port); else k.Listen(address, options.Port);
        });
        // The host program owns Ctrl-C and SIGTERM (a search stops cleanly on them): the server does not take them over.
        builder.Services.AddSingleton<IHostLifetime, EmbeddedLifetime>();
        var app = builder.Build();
        var data = new DashboardData(store, options.RefreshInterval, clock);
        var guard = new RequestGuard(token, loopback);
        app.Use(guard.InvokeAsync);
        new Endpoints(data, options).Map(app);
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        int port = new Uri(bound.Replace("://[::]", "://localhost", StringComparison.Ordinal).Replace("://+", "://localhost", StringComparison.Ordinal)).Port;
        string shownHost = address is null ? "localhost"
            : address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any) ? Dns.GetHostName()
            : address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{address}]" : address.ToString();
        return new DashboardServer(app, data, new Uri(string.Create(CultureInfo.InvariantCulture, $"http://{shownHost}:{port}/")), token);
    }

    /// <summary>The address to bind (null for "localhost") and whether it is loopback.</summary>
    private static (IPAddress? Address, bool Loopback) ParseHost(string host)
    {
        if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase)) return (null, true);
        if (host is "*" or "+") return (IPAddress.Any, false);
        if (!IPAddress.TryParse(host.Trim('[', ']'), out var address))
            throw new ArgumentException($"host '{host}' is not an IP address or 'localhost'; give the address of the interface to serve on, e.g. 127.0.0.1 or 0.0.0.0.", nameof(host));
        return (address, IPAddress.IsLoopback(address));
    }

    /// <summary>A host lifetime that registers no signal handlers: stopping is the owner's call (dispose).</summary>
    private sealed class EmbeddedLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private static string NewToken() => Convert.ToHexString(RandomNumberGenerator.GetBytes(24)).ToLowerInvariant();
}
