using System.Diagnostics;
using System.Security.Claims;

namespace MessagePlatform.Api.Access;

/// <summary>
/// Who caused a command and under which correlation: stamped on every event it appends, so an
/// auditor can tell an app's send from a user's. Ambient (an AsyncLocal set once per request) so
/// the write path learns it without every endpoint passing it along.
/// </summary>
public sealed record CommandOrigin(string CausedBy, string? CorrelationId, string? CausationId)
{
    /// <summary>Work no request started (background jobs) is caused by the platform itself.</summary>
    public static readonly CommandOrigin System = new("system", null, null);

    /// <summary>The event header that names the caller.</summary>
    public const string CausedByHeader = "causedBy";

    public const string CorrelationHeader = "X-Correlation-Id";
    private const int MaxCorrelationLength = 128;

    private static readonly AsyncLocal<CommandOrigin?> Ambient = new();

    public static CommandOrigin Current => Ambient.Value ?? System;

    /// <summary>Sets the origin for the rest of this async flow, e.g. a background job naming itself.</summary>
    public static void Set(CommandOrigin origin) => Ambient.Value = origin;

    /// <summary>"app", "auditor", "admin" or "user:{id}": the credential's role, and for a user token the user.</summary>
    public static string Describe(ClaimsPrincipal user)
    {
        var role = user.FindFirstValue(Roles.RoleClaim);
        return role switch
        {
            null => "anonymous",
            Roles.User => $"user:{user.FindFirstValue(Roles.UserClaim)}",
            _ => role,
        };
    }

    /// <summary>
    /// The caller's own correlation id if it sent a sane one, else the trace id (shared with
    /// outgoing calls), else the request id; the causation is always this request.
    /// </summary>
    public static CommandOrigin Of(HttpContext http)
    {
        var header = http.Request.Headers[CorrelationHeader].ToString();
        var correlation = header.Length is > 0 and <= MaxCorrelationLength && header.All(c => c is > ' ' and <= '~')
            ? header
            : Activity.Current?.TraceId.ToHexString() ?? http.TraceIdentifier;
        return new CommandOrigin(Describe(http.User), correlation, http.TraceIdentifier);
    }
}

public static class CommandOriginMiddleware
{
    /// <summary>After authentication: every command a request enqueues carries its caller.</summary>
    public static IApplicationBuilder UseCommandOrigin(this IApplicationBuilder app) =>
        app.Use(async (http, next) =>
        {
            CommandOrigin.Set(CommandOrigin.Of(http));
            await next(http);
        });
}
