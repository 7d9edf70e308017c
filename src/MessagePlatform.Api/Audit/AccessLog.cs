using System.Security.Claims;
using Marten;
using MessagePlatform.Api.Access;
using MessagePlatform.Api.EventStore;
using MessagePlatform.Domain;

namespace MessagePlatform.Api.Audit;

public sealed record AccessLogEntry(
    long Version, string By, string Method, string Path, string? Query, int Status, DateTimeOffset At, string? CorrelationId);

/// <summary><c>before</c> is what to pass to read the next (older) page.</summary>
public sealed record AccessLogPage(IReadOnlyList<AccessLogEntry> Entries, bool HasMore, long? Before);

/// <summary>
/// Who used the audit endpoints: every call under /v1/audit/ by a tenant's credential, whatever
/// its role or answer (an app key probing audit is worth knowing about), as events of the tenant.
/// </summary>
public sealed class AccessLog(GroupCommit commits, IDocumentStore store, ILogger<AccessLog> log)
{
    public async Task RecordAsync(string tenantId, string by, HttpRequest request, int status)
    {
        var query = request.QueryString.HasValue ? request.QueryString.Value : null;
        // Through the commit lanes like every append: ordered, batched, and retried on conflicts with other nodes.
        var outcome = await commits.ExecuteAsync(new SessionCommand(tenantId, AccessLogStream.Key, (_, now) =>
            Decision.Append(new AuditAccessed(by, request.Method, request.Path.Value ?? "", query, status, now))), CancellationToken.None);
        log.LogInformation("Audit access {Method} {Path} by {By} of {TenantId}: {Status}, logged as {Version}",
            request.Method, request.Path.Value, by, tenantId, status, outcome.Version);
    }

    public void NotRecorded(string tenantId, HttpRequest request, int status, Exception e) =>
        log.LogWarning("Audit access {Method} {Path} of {TenantId} answered {Status} unrecorded: the store is unavailable ({Reason})",
            request.Method, request.Path.Value, tenantId, status, e.Message);

    /// <summary>Newest first, older than <paramref name="before"/> (a version of the log) when given.</summary>
    public async Task<AccessLogPage> ReadAsync(string tenantId, long? before, int limit, CancellationToken ct)
    {
        await using var session = store.QuerySession(tenantId);
        var upTo = before ?? long.MaxValue;
        var events = await session.Events.QueryAllRawEvents()
            .Where(e => e.StreamKey == AccessLogStream.Key && e.Version < upTo)
            .OrderByDescending(e => e.Version)
            .Take(limit + 1)
            .ToListAsync(ct);
        var entries = events.Take(limit)
            .Select(e => (e, a: (AuditAccessed)e.Data))
            .Select(x => new AccessLogEntry(x.e.Version, x.a.By, x.a.Method, x.a.Path, x.a.Query, x.a.Status, x.a.At, x.e.CorrelationId))
            .ToList();
        var hasMore = events.Count > limit;
        return new AccessLogPage(entries, hasMore, hasMore ? entries[^1].Version : null);
    }
}

public static class AccessLogMiddleware
{
    /// <summary>
    /// After authentication, before authorization, so refusals are recorded too. The event is
    /// appended when the response starts: before any audit data leaves, with the final status.
    /// </summary>
    public static IApplicationBuilder UseAuditAccessLog(this IApplicationBuilder app) =>
        app.UseWhen(http => http.Request.Path.StartsWithSegments(AuditApi.Prefix), branch => branch.Use(async (http, next) =>
        {
            // Anonymous and admin calls belong to no tenant: the request log has them.
            if (http.User.FindFirstValue(Roles.TenantClaim) is { } tenantId)
            {
                var origin = CommandOrigin.Of(http);
                var accessLog = http.RequestServices.GetRequiredService<AccessLog>();
                http.Response.OnStarting(async () =>
                {
                    // The server may start the response outside the request's flow: carry the caller over.
                    CommandOrigin.Set(origin);
                    try
                    {
                        await accessLog.RecordAsync(tenantId, origin.CausedBy, http.Request, http.Response.StatusCode);
                    }
                    catch (Exception e) when (http.Response.StatusCode >= 400 && EventStore.StoreUnavailable.Is(e))
                    {
                        // A refusal carries no audit data, and with the store away it cannot be
                        // recorded: let the refusal (often the outage's own 503) through. A success
                        // still fails here, so no data leaves unrecorded.
                        accessLog.NotRecorded(tenantId, http.Request, http.Response.StatusCode, e);
                    }
                });
            }
            await next(http);
        }));
}
