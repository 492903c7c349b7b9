using System;
using System.Collections.Generic;
using System.IO;
using System.Threading.Tasks;
using Microsoft.Playwright;

namespace NasGen.Dashboard.Tests;

/// <summary>
/// Debian's Chromium driven by Playwright (Playwright's own browser download cannot work on the CI machines; CI
/// installs <c>chromium</c> with apt). One browser for all tests; each test gets its own context and page.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    /// <summary>Where CI installs Chromium; NASGEN_CHROMIUM overrides it.</summary>
    public static string ChromiumPath => Environment.GetEnvironmentVariable("NASGEN_CHROMIUM") is { Length: > 0 } p ? p : "/usr/bin/chromium";

    private IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
            throw new InvalidOperationException($"no Chromium at {ChromiumPath}: install it with 'apt-get install -y chromium' (or set NASGEN_CHROMIUM).");
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = new[] { "--no-sandbox" },
        });
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.DisposeAsync();
        _playwright?.Dispose();
    }

    /// <summary>A fresh page that records every request it makes and every dialog it opens (and dismisses them).</summary>
    public async Task<WatchedPage> NewPageAsync()
    {
        var context = await Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(60_000);
        var watched = new WatchedPage(context, page);
        page.Request += (_, request) => { lock (watched.Requests) watched.Requests.Add(request.Url); };
        page.Dialog += async (_, dialog) =>
        {
            lock (watched.Dialogs) watched.Dialogs.Add(dialog.Message);
            await dialog.DismissAsync();
        };
        return watched;
    }
}

/// <summary>A page with the requests it made and the dialogs it opened.</summary>
public sealed class WatchedPage(IBrowserContext context, IPage page) : IAsyncDisposable
{
    public IPage Page { get; } = page;

    public List<string> Requests { get; } = new();

    public List<string> Dialogs { get; } = new();

    /// <summary>Waits (generously: CI is loaded) until <paramref name="predicate"/>, a JavaScript expression, is true.</summary>
    public Task WaitForAsync(string predicate, object? arg = null) =>
        Page.WaitForFunctionAsync(predicate, arg, new PageWaitForFunctionOptions { Timeout = 90_000, PollingInterval = 100 });

    public async ValueTask DisposeAsync() => await context.CloseAsync();
}

[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<BrowserFixture>
{
    public const string Name = "browser";
}
