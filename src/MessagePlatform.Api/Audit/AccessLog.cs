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
    /// appended before the response's first byte, with the final status (or after the endpoint, for a
    /// response with no body), so no audit data leaves unrecorded. A request whose endpoint throws is
    /// answered by the exception handler outside this branch and is not recorded here.
    /// </summary>
    public static IApplicationBuilder UseAuditAccessLog(this IApplicationBuilder app) =>
        app.UseWhen(http => http.Request.Path.StartsWithSegments(AuditApi.Prefix), branch => branch.Use(async (http, next) =>
        {
            // Anonymous and admin calls belong to no tenant: the request log has them.
            if (http.User.FindFirstValue(Roles.TenantClaim) is not { } tenantId)
            {
                await next(http);
                return;
            }
            var origin = CommandOrigin.Of(http);
            var accessLog = http.RequestServices.GetRequiredService<AccessLog>();
            Task? recorded = null;
            Task RecordOnce() => recorded ??= RecordAsync();
            async Task RecordAsync()
            {
                try
                {
                    await accessLog.RecordAsync(tenantId, origin.CausedBy, http.Request, http.Response.StatusCode);
                }
                catch (Exception e) when (http.Response.StatusCode >= 400 && EventStore.StoreUnavailable.Is(e))
                {
                    // A refusal carries no audit data, and with the store away it cannot be recorded:
                    // let the refusal through. A success fails here, before its first byte, so the
                    // exception handler answers 503 with Retry-After instead.
                    accessLog.NotRecorded(tenantId, http.Request, http.Response.StatusCode, e);
                }
            }

            var body = http.Response.Body;
            http.Response.Body = new RecordedBeforeFirstByte(body, RecordOnce);
            try
            {
                await next(http);
                // What the endpoint left in the body's pipe goes out before the body is given back
                // (giving it back drops the pipe over this stream); an empty body starts nothing.
                if (http.Response.BodyWriter is not { CanGetUnflushedBytes: true, UnflushedBytes: 0 })
                    await http.Response.BodyWriter.FlushAsync();
            }
            finally
            {
                http.Response.Body = body;
            }
            await RecordOnce();
        }));
}
