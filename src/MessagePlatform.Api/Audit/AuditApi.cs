using System.Text.Json;
using MessagePlatform.Api.Access;
using MessagePlatform.Api.Platform;
using MessagePlatform.Domain;
using Microsoft.AspNetCore.Http.HttpResults;

namespace MessagePlatform.Api.Audit;

public sealed record SessionEventsPage(string SessionId, long LastVersion, IReadOnlyList<AuditEvent> Events, bool HasMore, long? NextVersion);

public sealed record MessageAsOf(
    long Seq, string MsgId, string From, string Type, JsonElement Body, string Priority, DateTimeOffset SentAt,
    bool Retracted, Retraction? Retraction, DateTimeOffset? EditedAt = null);

/// <summary>A session as of a time. <c>compactedThrough</c>: GC removed the history up to that version; the state starts from its snapshot.</summary>
public sealed record SessionStateView(
    string SessionId, DateTimeOffset AsOf, long Version, long? CompactedThrough, SessionType Type, IReadOnlyCollection<string> Members,
    SessionPolicy Policy, Diffusion Diffusion, bool Closed, bool LegalHold, DateTimeOffset OpenedAt, IReadOnlyList<MessageAsOf> Messages)
{
    public static SessionStateView Of(string sessionId, DateTimeOffset asOf, SessionAsOf s) => new(
        sessionId, asOf, s.Version, s.CompactedThrough, s.Session.Type, s.Session.Members, s.Session.Policy, s.Session.Diffusion,
        s.Session.Closed, s.Session.LegalHold, s.Session.OpenedAt,
        [.. s.Messages.Select(m => new MessageAsOf(m.Seq, m.MsgId.ToString(), m.From, m.Type, m.Body, m.Priority, m.SentAt, m.Retracted, m.Retraction, m.EditedAt))]);
}

/// <summary>Read-only endpoints for a tenant's auditors: raw events, replay to a time, export, and who looked.</summary>
public static class AuditApi
{
    public const string Prefix = "/v1/audit";
    public const int DefaultLimit = 100;
    public const int MaxLimit = 1_000;

    public static RouteGroupBuilder MapAuditApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup(Prefix).WithTags("Audit").RequireAuthorization(Roles.Auditor)
            .ProducesAccessProblems()
            .ProducesValidationProblem();
        group.MapGet("/sessions/{sessionId}/events", Events).WithName("readSessionEvents").WithSummary(
            "A session's stored events in version order, with who caused them and retracted originals; page with fromVersion.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/sessions/{sessionId}/state", State).WithName("readSessionState").WithSummary(
            "The session (members, policy, messages with original bodies, retractions) as it was at asOf, replayed from its events.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/export", Export).WithName("exportEvents").WithSummary(
            "Every event of the tenant in global order as NDJSON (one event per line, as in /events plus streamKey); from inclusive, to exclusive.")
            // The schema is that of one line.
            .Produces<AuditEvent>(StatusCodes.Status200OK, contentType: TenantExport.ContentType)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        group.MapGet("/access-log", ReadAccessLog).WithName("readAccessLog").WithSummary(
            "Who called the audit endpoints, newest first; page with before (the last entry's version).");
        return group;
    }

    public static async Task<Results<Ok<SessionEventsPage>, ValidationProblem, ProblemHttpResult>> Events(
        string sessionId, string? fromVersion, string? limit, HttpContext http, EventRecords records, CancellationToken ct)
    {
        var query = new AuditQuery();
        var from = query.Version(nameof(fromVersion), fromVersion) ?? 1;
        var take = query.Limit(nameof(limit), limit, DefaultLimit, MaxLimit);
        if (query.Errors.Count > 0) return TypedResults.ValidationProblem(query.Errors);
        var tenantId = http.User.TenantId();
        // Ids outside the session pattern are not sessions (the access log's stream is one of them).
        var lastVersion = SendRules.SessionIdPattern().IsMatch(sessionId)
            ? await records.StreamVersionAsync(tenantId, sessionId, ct)
            : null;
        if (lastVersion is null) return Problems.NotFound($"Unknown session '{sessionId}'.");
        var events = await records.ReadStreamAsync(tenantId, sessionId, from, take, ct);
        var hasMore = events.Count > take;
        if (hasMore) events.RemoveAt(events.Count - 1);
        return TypedResults.Ok(new SessionEventsPage(sessionId, lastVersion.Value, events, hasMore, hasMore ? events[^1].Version + 1 : null));
    }

    public static async Task<Results<Ok<SessionStateView>, ValidationProblem, ProblemHttpResult>> State(
        string sessionId, string? asOf, HttpContext http, SessionReplays replays, CancellationToken ct)
    {
        var query = new AuditQuery();
        var time = query.Time(nameof(asOf), asOf, required: true);
        if (query.Errors.Count > 0) return TypedResults.ValidationProblem(query.Errors);
        if (!SendRules.SessionIdPattern().IsMatch(sessionId)) return Problems.NotFound($"Unknown session '{sessionId}'.");
        var (exists, state) = await replays.AsOfAsync(http.User.TenantId(), sessionId, time!.Value, ct);
        if (!exists) return Problems.NotFound($"Unknown session '{sessionId}'.");
        return state is null
            ? Problems.NotFound($"Session '{sessionId}' was not open yet at {time.Value:O}.")
            : TypedResults.Ok(SessionStateView.Of(sessionId, time.Value, state));
    }

    public static Results<ExportResult, ValidationProblem, ProblemHttpResult> Export(string? from, string? to, HttpContext http, ExportPool pool)
    {
        var query = new AuditQuery();
        var (start, end) = (query.Time(nameof(from), from), query.Time(nameof(to), to));
        if (start > end) query.Errors[nameof(to)] = ["must not be before from"];
        if (query.Errors.Count > 0) return TypedResults.ValidationProblem(query.Errors);
        var (slot, refusedWith) = pool.TryEnter(http.User.TenantId());
        if (slot is not null) return new ExportResult(http.User.TenantId(), start, end, slot);
        // An export takes minutes; asking again at once would only be refused again.
        http.Response.Headers.RetryAfter = "30";
        return TypedResults.Problem(statusCode: refusedWith, title: "Too many exports",
            detail: refusedWith == StatusCodes.Status429TooManyRequests
                ? $"This tenant already runs {pool.Options.MaxExportsPerTenant} exports on this node; retry when one ends."
                : "This node runs as many exports as it may; retry later.");
    }

    public static async Task<Results<Ok<AccessLogPage>, ValidationProblem>> ReadAccessLog(
        string? limit, string? before, HttpContext http, AccessLog accessLog, CancellationToken ct)
    {
        var query = new AuditQuery();
        var take = query.Limit(nameof(limit), limit, DefaultLimit, MaxLimit);
        var upTo = query.Version(nameof(before), before);
        if (query.Errors.Count > 0) return TypedResults.ValidationProblem(query.Errors);
        return TypedResults.Ok(await accessLog.ReadAsync(http.User.TenantId(), upTo, take, ct));
    }
}
