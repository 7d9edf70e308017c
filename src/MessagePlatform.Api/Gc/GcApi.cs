using Marten;
using MessagePlatform.Api.Access;
using MessagePlatform.Api.EventStore;
using MessagePlatform.Api.Platform;
using MessagePlatform.Domain;
using Microsoft.AspNetCore.Http.HttpResults;

namespace MessagePlatform.Api.Gc;

public sealed record GcList(IReadOnlyList<GcRecord> Records);

public sealed record GcFailureList(IReadOnlyList<GcFailure> Sessions);

public sealed record HoldRequest(string? Reason);

public sealed record HoldView(string SessionId, bool LegalHold);

public sealed record HeldSessions(IReadOnlyList<HeldSession> Sessions);

public sealed record HeldSession(string SessionId, string Type, bool Closed);

public static class GcApi
{
    public const int MaxLimit = 500;

    public static IEndpointRouteBuilder MapGcApi(this IEndpointRouteBuilder app)
    {
        var audit = app.MapGroup("/v1/audit").WithTags("Audit").RequireAuthorization(Roles.Auditor).ProducesAccessProblems();
        audit.MapGet("/gc", ListGc).WithName("listGcRecords")
            .WithSummary("What GC removed, newest first: session, policy, seq range and count, when; erasures with who, when and how many.");
        audit.MapPost("/sessions/{sessionId}/legal-hold", PlaceHold).WithName("placeLegalHold")
            .WithSummary("Put a session on legal hold: GC leaves all of it alone, its onClose policy included. Placing twice answers 200.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        audit.MapDelete("/sessions/{sessionId}/legal-hold", LiftHold).WithName("liftLegalHold")
            .WithSummary("Lift a legal hold; the session's policy applies again, and an erasure that skipped it finishes it, at the next GC pass (woken at once).")
            .ProducesProblem(StatusCodes.Status404NotFound);
        audit.MapGet("/legal-holds", ListHolds).WithName("listLegalHolds").WithSummary("The sessions on legal hold.");

        var users = app.MapGroup("/v1").WithTags("Erasure").RequireAuthorization(Roles.App).ProducesAccessProblems();
        users.MapPost("/users/{userId}/erase", Erase).WithName("eraseUser").WithSummary(
            "Erase a user's message bodies in the tenant, in the events and every read model. Answers 202 with the held " +
            "sessions it leaves alone; the erasure is listed by GET /v1/audit/gc.");
        users.MapGet("/erasures/{erasureId}", GetErasure).WithName("getErasure").WithSummary("Whether an erasure has completed, and how many messages it masked.")
            .ProducesProblem(StatusCodes.Status404NotFound);

        var admin = app.MapGroup("/v1/admin/gc").WithTags("Operations").RequireAuthorization(Roles.Admin).ProducesAccessProblems();
        admin.MapPost("/run", RunPass).WithName("runGcPass").WithSummary(
            "Run a GC pass now on this node, timelines included, with its report; 409 while another node runs one.")
            .ProducesProblem(StatusCodes.Status409Conflict);
        admin.MapGet("/failures", ListFailures).WithName("listGcFailures").WithSummary(
            "Sessions whose last GC step failed, every tenant: how often in a row, the error, and when a pass tries again.");
        return app;
    }

    public static async Task<Results<Ok<GcList>, ValidationProblem>> ListGc(
        DateTimeOffset? before, int? limit, HttpContext http, GcLog gc, CancellationToken ct)
    {
        if (limit is < 1 or > MaxLimit)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["limit"] = [$"must be 1 to {MaxLimit}"] });
        return TypedResults.Ok(new GcList(await gc.ListAsync(http.User.TenantId(), before, limit ?? 100, ct)));
    }

    public static async Task<Results<Ok<HoldView>, ProblemHttpResult>> PlaceHold(
        string sessionId, HoldRequest? request, HttpContext http, GroupCommit commits, ILogger<HoldView> log, CancellationToken ct)
    {
        var tenantId = http.User.TenantId();
        var outcome = await commits.ExecuteAsync(new SessionCommand(tenantId, sessionId,
            (s, now) => SessionRules.PlaceHold(s, Roles.Auditor, request?.Reason, now)), ct);
        if (outcome.Rejection is { } rejection) return Problems.For(rejection);
        if (outcome.Appended.Count > 0) log.LogInformation("Legal hold placed on {SessionId} in {TenantId}", sessionId, tenantId);
        return TypedResults.Ok(new HoldView(sessionId, true));
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> LiftHold(
        string sessionId, HttpContext http, GroupCommit commits, GcWorker worker, ILogger<HoldView> log, CancellationToken ct)
    {
        var tenantId = http.User.TenantId();
        var outcome = await commits.ExecuteAsync(new SessionCommand(tenantId, sessionId,
            (s, now) => SessionRules.LiftHold(s, Roles.Auditor, now)), ct);
        if (outcome.Rejection is { } rejection) return Problems.For(rejection);
        if (outcome.Appended.Count > 0)
        {
            log.LogInformation("Legal hold lifted from {SessionId} in {TenantId}", sessionId, tenantId);
            // An erasure waiting on this hold finishes now rather than at the next interval.
            worker.Wake();
        }
        return TypedResults.NoContent();
    }

    public static async Task<Ok<HeldSessions>> ListHolds(HttpContext http, IDocumentStore store, CancellationToken ct)
    {
        await using var query = store.QuerySession(http.User.TenantId());
        var held = await query.Query<Session>().Where(s => s.LegalHold).OrderBy(s => s.Id).Take(10_000).ToListAsync(ct);
        return TypedResults.Ok(new HeldSessions([.. held.Select(s => new HeldSession(s.Id, s.Type.ToString().ToLowerInvariant(), s.Closed))]));
    }

    public static async Task<Results<Accepted<ErasureView>, ValidationProblem>> Erase(
        string userId, HttpContext http, Erasures erasures, GcWorker worker, CancellationToken ct)
    {
        if (!SendRules.UserIdPattern().IsMatch(userId))
            return Problems.InvalidUserId();
        var view = await erasures.RequestAsync(http.User.TenantId(), userId, Roles.App, ct);
        worker.Wake();
        return TypedResults.Accepted($"/v1/erasures/{view.ErasureId}", view);
    }

    public static async Task<Results<Ok<ErasureView>, ProblemHttpResult>> GetErasure(
        string erasureId, HttpContext http, Erasures erasures, CancellationToken ct) =>
        await erasures.FindAsync(http.User.TenantId(), erasureId, ct) is { } view
            ? TypedResults.Ok(view)
            : Problems.NotFound($"No erasure '{erasureId}'.");

    public static async Task<Results<Ok<GcFailureList>, ValidationProblem>> ListFailures(int? limit, GcDue schedule, CancellationToken ct)
    {
        if (limit is < 1 or > MaxLimit)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["limit"] = [$"must be 1 to {MaxLimit}"] });
        return TypedResults.Ok(new GcFailureList(await schedule.FailuresAsync(limit ?? 100, ct)));
    }

    public static async Task<Results<Ok<GcPassReport>, ProblemHttpResult>> RunPass(GcWorker worker, CancellationToken ct) =>
        await worker.RunPassAsync(sweepTimelines: true, ct) is { } report
            ? TypedResults.Ok(report)
            : TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "GC pass running",
                detail: "Another node is running a GC pass; try again when it is done.");
}
