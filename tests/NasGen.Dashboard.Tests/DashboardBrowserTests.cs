using System;
using System.Globalization;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.Playwright;
using NasGen.CrashHarness;
using NasGen.Experiments;
using NasGen.Storage;
using NasGen.Tests.Experiments;

namespace NasGen.Dashboard.Tests;

/// <summary>
/// The dashboard in a real browser (Chromium through Playwright) against real SQLite stores written by real
/// experiments. Nothing waits a fixed time: every step waits for a page state, with a generous deadline.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class DashboardBrowserTests(BrowserFixture browser)
{
    private static readonly TestArch[] Weak = { new(8, TestOp.Skip, 1, false), new(8, TestOp.MaxPool, 1, false), new(16, TestOp.Skip, 1, false) };
    private static readonly TestArch[] Strong = { new(32, TestOp.Conv3x3, 2, true), new(64, TestOp.Conv3x3, 3, true) };

    private static Task<DashboardServer> Serve(string path, DashboardOptions? options = null) =>
        Dashboard.StartAsync(path, (options ?? new DashboardOptions()) with { Port = 0 });

    /// <summary>Every request the page made went to the dashboard server itself.</summary>
    private static void AssertOnlyServer(WatchedPage watched, Uri server)
    {
        string origin = server.GetLeftPart(UriPartial.Authority) + "/";
        string[] requests;
        lock (watched.Requests) requests = watched.Requests.ToArray();
        Assert.NotEmpty(requests);
        Assert.All(requests, url => Assert.StartsWith(origin, url, StringComparison.Ordinal));
    }

    private static double Parse(string? text) => double.Parse(text!, CultureInfo.InvariantCulture);

    [Fact]
    public async Task Trial_count_and_best_value_increase_without_a_reload_while_a_search_writes()
    {
        using var dir = new TempDirectory();
        string path = dir.File("live.db");
        var evaluator = TestStores.Table(dir);
        await using var store = SqliteExperimentStore.Open(path);
        await TestStores.RunList(store, evaluator, "live", Weak);

        await using var server = await Serve(path);
        await using var watched = await browser.NewPageAsync();
        await watched.Page.GotoAsync(server.Url.ToString());
        await watched.WaitForAsync("() => document.getElementById('trial-count')?.textContent === '3'");
        double before = Parse(await watched.Page.GetAttributeAsync("#best-value", "data-value"));
        Assert.Equal(Weak.Max(TestSpace.Score), before);
        await watched.Page.EvaluateAsync("() => { window.notReloaded = true; }");

        // The same experiment resumed: the store's writer adds two better trials while the page is open.
        await TestStores.RunList(store, evaluator, "live", Weak.Concat(Strong));

        await watched.WaitForAsync("() => document.getElementById('trial-count')?.textContent === '5'");
        await watched.WaitForAsync("before => Number(document.getElementById('best-value')?.dataset.value) > before", before);
        Assert.Equal(Strong.Max(TestSpace.Score), Parse(await watched.Page.GetAttributeAsync("#best-value", "data-value")));
        Assert.True(await watched.Page.EvaluateAsync<bool>("() => window.notReloaded === true"), "the page was reloaded");
        AssertOnlyServer(watched, server.Url);
    }

    [Fact]
    public async Task Pareto_chart_has_one_mark_per_trial_and_highlights_the_stores_front()
    {
        using var dir = new TempDirectory();
        string path = dir.File("pareto.db");
        await using (var store = SqliteExperimentStore.Open(path))
            await TestStores.RunHillClimb(store, TestStores.Table(dir), "pareto", trials: 40);
        var (experiment, trials) = await TestStores.Read(path, "pareto");
        var evaluated = trials.Where(t => t.Status == TrialStatus.Completed && t.ReusedFrom is null).ToArray();
        Assert.True(evaluated.Length < trials.Count, "the hill climb should repeat itself, so that reused trials are left out");
        var front = ParetoFront.Compute(evaluated, t => Objective.ValuesOf(t, TestStores.Objectives), TestStores.Objectives.Select(o => o.Direction).ToArray())
            .Select(t => t.Number).Order().ToArray();

        await using var server = await Serve(path);
        await using var watched = await browser.NewPageAsync();
        await watched.Page.GotoAsync($"{server.Url}#/e/{experiment.Id}");
        await watched.WaitForAsync("n => document.querySelectorAll('#pareto circle.mark').length === n", evaluated.Length);

        int[] marks = await watched.Page.EvalOnSelectorAllAsync<int[]>("#pareto circle.mark", "els => els.map(e => Number(e.dataset.number))");
        Assert.Equal(evaluated.Select(t => t.Number).Order(), marks.Order());
        int[] frontMarks = await watched.Page.EvalOnSelectorAllAsync<int[]>("#pareto circle.mark.front", "els => els.map(e => Number(e.dataset.number))");
        Assert.Equal(front, frontMarks.Order());

        // Hovering a front point shows its trial (the last one drawn is on top of any other).
        int hovered = frontMarks[^1];
        await watched.Page.HoverAsync($"#pareto circle.mark.front[data-number='{hovered}']", new PageHoverOptions { Force = true });
        await watched.WaitForAsync("n => !document.getElementById('tooltip').hidden && document.getElementById('tooltip').textContent.startsWith('trial ' + n + ':')", hovered);
        Assert.Contains(trials.Single(t => t.Number == hovered).Canonical, await watched.Page.TextContentAsync("#tooltip"));
        AssertOnlyServer(watched, server.Url);
    }

    [Fact]
    public async Task A_trials_curve_is_its_stored_intermediate_results()
    {
        using var dir = new TempDirectory();
        string path = dir.File("curves.db");
        await using (var store = SqliteExperimentStore.Open(path))
            await TestStores.RunList(store, new SyntheticEvaluator { Steps = 5 }, "curves", Strong.Concat(Weak));
        var (experiment, trials) = await TestStores.Read(path, "curves");
        var trial = trials.Single(t => t.Number == 1);
        Assert.Equal(5, trial.Intermediate.Count);

        await using var server = await Serve(path);
        await using var watched = await browser.NewPageAsync();
        await watched.Page.GotoAsync($"{server.Url}#/e/{experiment.Id}/t/1");
        await watched.WaitForAsync("() => document.querySelectorAll('#curves circle.curve-point').length === 5");

        var points = await watched.Page.EvalOnSelectorAllAsync<double[][]>("#curves g.curve-group[data-number='1'] circle.curve-point",
            "els => els.map(e => [Number(e.dataset.step), Number(e.dataset.value), Number(e.getAttribute('cy'))])");
        Assert.Equal(trial.Intermediate.Select(p => (double)p.Key), points.Select(p => p[0]));
        Assert.Equal(trial.Intermediate.Select(p => p.Value), points.Select(p => p[1]));
        // Drawn where the values say: a higher value is higher on the chart (smaller y).
        for (int i = 1; i < points.Length; i++)
            Assert.Equal(Math.Sign(points[i][1] - points[i - 1][1]), -Math.Sign(points[i][2] - points[i - 1][2]));
        Assert.Equal(trial.Canonical, await watched.Page.TextContentAsync("#trial-canonical"));
        Assert.True(System.Text.Json.Nodes.JsonNode.DeepEquals(System.Text.Json.Nodes.JsonNode.Parse(trial.ArchitectureJson),
            System.Text.Json.Nodes.JsonNode.Parse((await watched.Page.TextContentAsync("#trial-json"))!)), "the JSON shown is the stored architecture");
        AssertOnlyServer(watched, server.Url);
    }

    [Fact]
    public async Task Store_strings_with_markup_render_as_text()
    {
        const string name = "<img src=x onerror=alert(1)>";
        const string canonical = "op=<img src=y onerror=alert(3)><xss-probe>probe</xss-probe>";
        const string error = "<img src=e onerror=alert(4)><xss-probe>error</xss-probe>";
        const string metric = "<img src=m onerror=alert(5)>";
        using var dir = new TempDirectory();
        string path = dir.File("markup.db");
        long id;
        await using (var store = SqliteExperimentStore.Open(path))
        {
            var experiment = await store.OpenExperimentAsync(new ExperimentConfig(name, "Space<xss-probe>s</xss-probe>", "fingerprint",
                "strategy<img src=s onerror=alert(6)>", 1, "{\"maxTrials\":2,\"note\":\"<img src=o onerror=alert(7)>\"}"));
            id = experiment.Id;
            await store.AddTrialAsync(id, new NewTrial("{\"op\":\"<xss-probe>json</xss-probe>\"}", canonical, 1, 1.0, 1));
            await store.AddTrialAsync(id, new NewTrial("{\"op\":\"<img src=j onerror=alert(8)>\"}", canonical + "2", 2, 1.0, 2));
            await store.ClaimNextTrialAsync(id, "worker<xss-probe>w</xss-probe>");
            await store.AddIntermediateAsync(id, 0, 1, 0.5);
            await store.CompleteTrialAsync(id, 0, new TrialCompletion(TrialStatus.Completed, 0.9, new System.Collections.Generic.Dictionary<string, double> { [metric] = 3 },
                FailureReason.None, null, null, false, 1));
            await store.ClaimNextTrialAsync(id, "worker");
            await store.CompleteTrialAsync(id, 1, new TrialCompletion(TrialStatus.Failed, null, new System.Collections.Generic.Dictionary<string, double>(),
                FailureReason.Exception, error, null, false, 2));
        }

        await using var server = await Serve(path);
        await using var watched = await browser.NewPageAsync();
        const string noMarkup = "() => document.querySelectorAll('img, xss-probe').length";
        await watched.Page.GotoAsync($"{server.Url}#/");
        await watched.WaitForAsync("name => document.querySelector('#experiments a.experiment-link')?.textContent === name", name);
        Assert.Equal(0, await watched.Page.EvaluateAsync<int>(noMarkup));

        await watched.Page.GotoAsync($"{server.Url}#/e/{id}");
        await watched.WaitForAsync("name => document.getElementById('experiment-name')?.textContent === name", name);
        await watched.WaitForAsync("() => document.querySelectorAll('#trial-table tbody tr').length === 2 && document.querySelectorAll('#pareto circle.mark').length === 1");
        Assert.Contains(canonical, await watched.Page.TextContentAsync("#trial-table"));
        Assert.Equal(0, await watched.Page.EvaluateAsync<int>(noMarkup));

        await watched.Page.GotoAsync($"{server.Url}#/e/{id}/t/1");
        await watched.WaitForAsync("error => document.getElementById('trial-error')?.textContent === error", error);
        Assert.Equal(canonical + "2", await watched.Page.TextContentAsync("#trial-canonical"));
        await watched.Page.GotoAsync($"{server.Url}#/e/{id}/t/0");
        await watched.WaitForAsync("() => document.getElementById('trial-title')?.textContent === 'Trial 0' && document.querySelectorAll('#curves circle.curve-point').length === 1");
        Assert.Contains("<xss-probe>json</xss-probe>", await watched.Page.TextContentAsync("#trial-json"));
        Assert.Contains(metric, await watched.Page.TextContentAsync("#trial"));

        Assert.Equal(0, await watched.Page.EvaluateAsync<int>(noMarkup));
        Assert.Empty(watched.Dialogs);
        AssertOnlyServer(watched, server.Url);
    }

    [Fact]
    public async Task A_non_loopback_bind_refuses_requests_without_the_token()
    {
        using var dir = new TempDirectory();
        string path = await TestStores.ListStore(dir, "token.db", "shared", Weak);

        await using var server = await Serve(path, new DashboardOptions { Host = "0.0.0.0" });
        Assert.False(string.IsNullOrEmpty(server.Token), "a token is generated for a non-loopback bind");
        string local = $"http://127.0.0.1:{server.Url.Port}/";
        await using var watched = await browser.NewPageAsync();

        var refused = await watched.Page.GotoAsync(local);
        Assert.Equal(401, refused!.Status);
        Assert.Equal(401, (await watched.Page.APIRequest.GetAsync(local + "api/experiments")).Status);
        Assert.Equal(401, (await watched.Page.GotoAsync(local + "?token=wrong" + server.Token))!.Status);

        var accepted = await watched.Page.GotoAsync(local + "?token=" + Uri.EscapeDataString(server.Token!));
        Assert.Equal(200, accepted!.Status);
        Assert.DoesNotContain("token", watched.Page.Url, StringComparison.Ordinal);
        await watched.WaitForAsync("() => document.getElementById('trial-count')?.textContent === '3'");
        Assert.Equal(200, (await watched.Page.APIRequest.GetAsync(local + "api/experiments")).Status);
        // Read-only even with the token.
        Assert.Equal(405, (await watched.Page.APIRequest.PostAsync(local + "api/experiments")).Status);
        Assert.Equal(405, (await watched.Page.APIRequest.DeleteAsync(local + "api/experiments/1/trials")).Status);
        AssertOnlyServer(watched, new Uri(local));
    }

    [Fact]
    public async Task Every_view_loads_from_the_server_alone()
    {
        using var dir = new TempDirectory();
        string path = dir.File("views.db");
        await using (var store = SqliteExperimentStore.Open(path))
        {
            await TestStores.RunHillClimb(store, new SyntheticEvaluator { Steps = 3 }, "first", trials: 12, seed: 1);
            await TestStores.RunHillClimb(store, new SyntheticEvaluator { Steps = 3 }, "second", trials: 12, seed: 2);
        }
        await using var server = await Serve(path);
        await using var watched = await browser.NewPageAsync();
        await watched.Page.GotoAsync($"{server.Url}#/");
        await watched.WaitForAsync("() => document.querySelectorAll('#experiments tbody tr').length === 2");
        await watched.Page.ClickAsync("#compare-button");
        await watched.WaitForAsync("() => document.querySelectorAll('#compare th a').length === 2");
        Assert.Contains("first", await watched.Page.TextContentAsync("#compare"));
        await watched.Page.ClickAsync("#compare th a >> nth=0");
        await watched.WaitForAsync("() => document.querySelectorAll('#parallel path.pcline').length > 0 && document.querySelectorAll('#importance rect.bar').length === 4");
        await watched.Page.ClickAsync("#trial-table th[data-key='fitness']");
        await watched.WaitForAsync("() => document.querySelector('#trial-table th.sorted-desc')?.dataset.key === 'fitness'");
        await watched.Page.ClickAsync("#trial-table tbody tr >> nth=0 >> td.arch a");
        await watched.WaitForAsync("() => document.getElementById('trial-json') !== null");
        AssertOnlyServer(watched, server.Url);
        Assert.Empty(watched.Dialogs);
    }
}
