using System;
using System.Buffers;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using NasGen.Experiments;
using NasGen.Storage;

namespace NasGen.Dashboard;

/// <summary>The page, its embedded assets and the read-only JSON API it polls.</summary>
internal sealed class Endpoints(DashboardData data, DashboardOptions options)
{
    /// <summary>An embedded file with its content type and a validator for conditional requests.</summary>
    private sealed record Asset(byte[] Content, string ContentType, string ETag);

    private static readonly Dictionary<string, Asset> Assets = LoadAssets();

    /// <summary>The names and sizes of the embedded page, script and style (for docs and tests).</summary>
    internal static IReadOnlyDictionary<string, int> AssetSizes => Assets.ToDictionary(a => a.Key, a => a.Value.Content.Length);

    public void Map(WebApplication app)
    {
        app.MapGet("/", (HttpContext c) => Serve(c, "index.html"));
        app.MapGet("/{file}", (HttpContext c, string file) => Serve(c, file));
        app.MapGet("/api/info", Info);
        app.MapGet("/api/experiments", ListExperiments);
        app.MapGet("/api/experiments/{id:long}/summary", Summary);
        app.MapGet("/api/experiments/{id:long}/table", Table);
        app.MapGet("/api/experiments/{id:long}/trials", Trials);
        app.MapGet("/api/experiments/{id:long}/trials/{number:int}", Trial);
        app.MapGet("/api/experiments/{id:long}/importance", Importance);
        app.MapGet("/api/experiments/{id:long}/pareto", Pareto);
    }

    private static async Task Serve(HttpContext context, string file)
    {
        if (!Assets.TryGetValue(file, out var asset))
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }
        context.Response.Headers.ETag = asset.ETag;
        context.Response.Headers.CacheControl = "no-cache";
        if (context.Request.Headers.IfNoneMatch == asset.ETag)
        {
            context.Response.StatusCode = StatusCodes.Status304NotModified;
            return;
        }
        context.Response.ContentType = asset.ContentType;
        context.Response.ContentLength = asset.Content.Length;
        await context.Response.Body.WriteAsync(asset.Content, context.RequestAborted).ConfigureAwait(false);
    }

    private async Task<IResult> Info(CancellationToken cancellationToken)
    {
        long? experiment = options.Experiment is { } name ? await data.FindAsync(name, cancellationToken).ConfigureAwait(false) : null;
        return Results.Json(new { store = data.Location, experiment, pollMilliseconds = (int)options.PollInterval.TotalMilliseconds }, ExperimentState.Json);
    }

    private async Task<IResult> ListExperiments(CancellationToken cancellationToken)
    {
        var summaries = await data.SummariesAsync(cancellationToken).ConfigureAwait(false);
        return Results.Json(summaries, ExperimentState.Json);
    }

    /// <summary>The experiment's overview from the store's aggregate queries: the first screen without reading every trial.</summary>
    private async Task<IResult> Summary(long id, CancellationToken cancellationToken) =>
        await data.SummaryAsync(id, cancellationToken).ConfigureAwait(false) is { } summary ? Results.Json(summary, ExperimentState.Json) : Results.NotFound();

    /// <summary>
    /// One page of the trial table, filtered, sorted and windowed by the store:
    /// <c>?sort=number|status|fitness|canonical|duration|worker&amp;desc=true&amp;offset=0&amp;limit=100&amp;status=Completed&amp;q=text</c>.
    /// </summary>
    private async Task Table(HttpContext context, long id, string? sort, bool? desc, int? offset, int? limit, string? status, string? q)
    {
        var (query, error) = ParseTableQuery(sort, desc, offset, limit, status, q);
        if (query is null)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await context.Response.WriteAsJsonAsync(new { error }, ExperimentState.Json, context.RequestAborted).ConfigureAwait(false);
            return;
        }
        var page = await data.PageAsync(id, query, context.RequestAborted).ConfigureAwait(false);
        if (page is null)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }
        context.Response.ContentType = "application/json; charset=utf-8";
        using (var writer = new Utf8JsonWriter(context.Response.BodyWriter))
        {
            writer.WriteStartObject();
            writer.WriteNumber("matching", page.Matching);
            writer.WriteNumber("offset", query.Offset);
            writer.WriteStartArray("trials");
            foreach (var trial in page.Trials) writer.WriteRawValue(ExperimentState.View(trial), skipInputValidation: true);
            writer.WriteEndArray();
            writer.WriteEndObject();
        }
        await context.Response.BodyWriter.FlushAsync(context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>
    /// The trials changed after version <c>since</c> (all for 0, or when the client's version is not this server's)
    /// with the experiment's summary: a page that polls receives only what changed.
    /// </summary>
    private async Task Trials(HttpContext context, long id, long? since)
    {
        var state = await data.GetAsync(id, context.RequestAborted).ConfigureAwait(false);
        if (state is null)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }
        context.Response.ContentType = "application/json; charset=utf-8";
        WriteDelta(context.Response.BodyWriter, state, since ?? 0);
        await context.Response.BodyWriter.FlushAsync(context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>The table query of a request, or the reason it is refused (names by name only: a number is not a column).</summary>
    internal static (TrialPageQuery? Query, string? Error) ParseTableQuery(string? sort, bool? desc, int? offset, int? limit, string? status, string? text)
    {
        var key = TrialSortKey.Number;
        if (sort is not null && (int.TryParse(sort, out _) || !Enum.TryParse(sort, ignoreCase: true, out key)))
            return (null, $"unknown sort column '{sort}': use number, status, fitness, canonical, duration or worker.");
        TrialStatus? state = null;
        if (!string.IsNullOrEmpty(status))
        {
            if (int.TryParse(status, out _) || !Enum.TryParse(status, ignoreCase: true, out TrialStatus parsed))
                return (null, $"unknown state '{status}': use Pending, Running, Completed or Failed.");
            state = parsed;
        }
        if (limit is < 1 or > TrialPageQuery.MaxLimit) return (null, $"limit is 1 to {TrialPageQuery.MaxLimit}.");
        if (offset < 0) return (null, "offset is 0 or more.");
        return (new TrialPageQuery(key, desc ?? false, offset ?? 0, limit ?? 100, state, text), null);
    }

    /// <summary>One trial with every detail (its architecture's JSON too), for the trial page.</summary>
    private async Task<IResult> Trial(long id, int number, CancellationToken cancellationToken)
    {
        var state = await data.GetAsync(id, cancellationToken).ConfigureAwait(false);
        return state?.Find(number) is { } entry ? Results.Bytes(entry.DetailJson(), "application/json; charset=utf-8") : Results.NotFound();
    }

    /// <summary>
    /// Writes the delta document; each trial's JSON was serialized when it changed and is copied as is. It goes to
    /// a buffer writer (the response's pipe), which does no I/O until it is flushed.
    /// </summary>
    internal static void WriteDelta(IBufferWriter<byte> output, ExperimentState state, long since)
    {
        bool reset = since <= 0 || since > state.Version;
        using var writer = new Utf8JsonWriter(output);
        writer.WriteStartObject();
        writer.WriteNumber("version", state.Version);
        writer.WriteBoolean("reset", reset);
        writer.WritePropertyName("summary");
        JsonSerializer.Serialize(writer, state.Summary, ExperimentState.Json);
        writer.WriteStartArray("trials");
        foreach (var entry in reset ? state.Entries : state.ChangedSince(since))
            writer.WriteRawValue(entry.Json, skipInputValidation: true);
        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private async Task<IResult> Importance(long id, CancellationToken cancellationToken)
    {
        var state = await data.GetAsync(id, cancellationToken).ConfigureAwait(false);
        return state is null ? Results.NotFound() : Results.Json(state.Importance(), ExperimentState.Json);
    }

    private async Task<IResult> Pareto(long id, string? x, string? y, CancellationToken cancellationToken)
    {
        var state = await data.GetAsync(id, cancellationToken).ConfigureAwait(false);
        if (state is null) return Results.NotFound();
        var stored = state.Summary.Objectives.Select(Analysis.ParseObjective).OfType<Objective>().ToArray();
        Objective? first = x is null ? stored.ElementAtOrDefault(0) : Analysis.ParseObjective(x);
        Objective? second = y is null ? stored.ElementAtOrDefault(1) : Analysis.ParseObjective(y);
        if (first is null || second is null)
            return Results.BadRequest(new { error = "give two objectives as metric:max or metric:min, e.g. ?x=fitness:max&y=params:min." });
        return Results.Json(state.Pareto(first, second), ExperimentState.Json);
    }

    private static Dictionary<string, Asset> LoadAssets()
    {
        var assembly = typeof(Endpoints).Assembly;
        const string prefix = "NasGen.Dashboard.wwwroot.";
        var assets = new Dictionary<string, Asset>(StringComparer.Ordinal);
        foreach (string name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(prefix, StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            byte[] content = buffer.ToArray();
            string file = name[prefix.Length..];
            string type = Path.GetExtension(file) switch
            {
                ".html" => "text/html; charset=utf-8",
                ".js" => "text/javascript; charset=utf-8",
                ".css" => "text/css; charset=utf-8",
                ".svg" => "image/svg+xml",
                _ => "application/octet-stream",
            };
            assets[file] = new Asset(content, type, "\"" + Convert.ToHexString(SHA256.HashData(content))[..16] + "\"");
        }
        return assets;
    }
}
