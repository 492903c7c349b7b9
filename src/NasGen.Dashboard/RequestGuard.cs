using System;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Extensions;

namespace NasGen.Dashboard;

/// <summary>
/// What makes the dashboard safe by default: it only reads (GET and HEAD; anything else is 405), it answers only
/// with the access token when it has one (401 otherwise), on loopback it answers only requests addressed to a
/// loopback name (so that a web page cannot reach it through DNS rebinding), and every response forbids scripts,
/// styles and connections from anywhere but the server itself.
/// </summary>
internal sealed class RequestGuard(string? token, bool loopback)
{
    // Only the server's own files: even text that slipped into markup could load or run nothing.
    private const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private readonly byte[]? _token = token is null ? null : Encoding.UTF8.GetBytes(token);

    public async Task InvokeAsync(HttpContext context, Func<Task> next)
    {
        var request = context.Request;
        var response = context.Response;
        response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers["Referrer-Policy"] = "no-referrer";
        response.Headers.CacheControl = "no-store";

        if (!HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method))
        {
            response.Headers.Allow = "GET, HEAD";
            await Refuse(context, StatusCodes.Status405MethodNotAllowed, "the dashboard only reads: use GET.").ConfigureAwait(false);
            return;
        }
        if (loopback && _token is null && !IsLoopbackName(request.Host.Host))
        {
            await Refuse(context, StatusCodes.Status403Forbidden, $"this dashboard serves loopback only; open it as http://127.0.0.1:{context.Connection.LocalPort}/.").ConfigureAwait(false);
            return;
        }
        if (_token is not null)
        {
            if (Matches(request.Query["token"]))
            {
                // Keep the token out of the address bar and history: a cookie carries it from here on.
                response.Cookies.Append(DashboardServer.TokenCookie, token!, new CookieOptions { HttpOnly = true, SameSite = SameSiteMode.Strict, Path = "/" });
                var query = QueryString.Create(request.Query.Where(q => q.Key != "token"));
                response.Redirect(request.PathBase + request.Path + query);
                return;
            }
            string? bearer = request.Headers.Authorization.ToString() is { } header && header.StartsWith("Bearer ", StringComparison.Ordinal) ? header["Bearer ".Length..] : null;
            if (!Matches(request.Cookies[DashboardServer.TokenCookie]) && !Matches(bearer))
            {
                await Refuse(context, StatusCodes.Status401Unauthorized, "this dashboard needs its access token: open the address it printed when it started (…/?token=…).").ConfigureAwait(false);
                return;
            }
        }
        await next().ConfigureAwait(false);
    }

    private bool Matches(string? candidate) =>
        candidate is { Length: > 0 } && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(candidate), _token);

    private static bool IsLoopbackName(string host) =>
        host is "127.0.0.1" or "[::1]" or "::1" || string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase);

    private static Task Refuse(HttpContext context, int status, string message)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        return context.Response.WriteAsync($"{status}: {message}\n");
    }
}
