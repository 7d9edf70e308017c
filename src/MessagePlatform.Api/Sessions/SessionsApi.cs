using MessagePlatform.Api.Access;
using MessagePlatform.Api.EventStore;
using MessagePlatform.Api.Platform;
using MessagePlatform.Api.Tenants;
using MessagePlatform.Domain;
using Microsoft.AspNetCore.Http.HttpResults;

namespace MessagePlatform.Api.Sessions;

public sealed record PolicyRequest(string? Retention, string? OnClose, int? RecallWindowSeconds, string? HistoryOnJoin, int? EditWindowSeconds = null);

public sealed record OpenSessionRequest(string? SessionId, SessionType? Type, string[]? Members, PolicyRequest? Policy);

public sealed record MembersRequest(string[]? UserIds);

public sealed record SessionView(
    string SessionId, SessionType Type, IReadOnlyCollection<string> Members, SessionPolicy Policy, Diffusion Diffusion,
    long LastSeq, bool Closed, bool LegalHold, DateTimeOffset OpenedAt)
{
    public static SessionView Of(Session s, long lastSeq) =>
        new(s.Id, s.Type, s.Members, s.Policy, s.Diffusion, lastSeq, s.Closed, s.LegalHold, s.OpenedAt);
}

public static class SessionsApi
{
    public static RouteGroupBuilder MapSessionsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/sessions").WithTags("Sessions").RequireAuthorization(Roles.App)
            .ProducesAccessProblems()
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/", OpenSession).WithName("openSession")
            .WithSummary("Open a c2c, group or room session. Opening an existing c2c pair answers 200 with it.")
            .ProducesProblem(StatusCodes.Status409Conflict);
        group.MapGet("/{sessionId}", GetSession).WithName("getSession").WithSummary("A session with its members, policy, last seq and state.");
        group.MapPost("/{sessionId}/members", AddMembers).WithName("addMembers").WithSummary("Add members (idempotent).")
            .ProducesProblem(StatusCodes.Status409Conflict);
        group.MapDelete("/{sessionId}/members/{userId}", RemoveMember).WithName("removeMember").WithSummary("Remove a member.")
            .ProducesProblem(StatusCodes.Status409Conflict);
        group.MapPost("/{sessionId}/close", CloseSession).WithName("closeSession").WithSummary("Close: later sends get 409.");
        return group;
    }

    public static async Task<Results<Created<SessionView>, Ok<SessionView>, ValidationProblem, ProblemHttpResult>> OpenSession(
        OpenSessionRequest request, HttpContext http, TenantDirectory tenants, GroupCommit commits, CancellationToken ct)
    {
        var tenant = await tenants.FindAsync(http.User.TenantId(), ct);
        if (tenant is null) return Problems.NotFound("The tenant of this key no longer exists.");
        var (command, errors) = SessionRequests.ToOpen(request, tenant);
        if (command is null) return TypedResults.ValidationProblem(errors);

        var outcome = await commits.ExecuteAsync(
            new SessionCommand(tenant.Id, command.SessionId, (s, now) => SessionRules.Open(s, command, now)), ct);
        if (outcome.Rejection is { } rejection) return Problems.For(rejection);
        var view = SessionView.Of(outcome.State!, outcome.Version);
        return outcome.Appended.Count > 0
            ? TypedResults.Created($"/v1/sessions/{Uri.EscapeDataString(view.SessionId)}", view)
            : TypedResults.Ok(view);
    }

    public static async Task<Results<Ok<SessionView>, ProblemHttpResult>> GetSession(
        string sessionId, HttpContext http, SessionStreams streams, CancellationToken ct)
    {
        var (session, lastSeq) = await streams.LoadAsync(http.User.TenantId(), sessionId, ct);
        return session is null ? Problems.NotFound($"Unknown session '{sessionId}'.") : TypedResults.Ok(SessionView.Of(session, lastSeq));
    }

    public static async Task<Results<Ok<SessionView>, ValidationProblem, ProblemHttpResult>> AddMembers(
        string sessionId, MembersRequest request, HttpContext http, TenantDirectory tenants, GroupCommit commits,
        CancellationToken ct)
    {
        var errors = SessionRequests.ValidateUserIds(request.UserIds, "userIds", min: 1);
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);
        var tenant = await tenants.FindAsync(http.User.TenantId(), ct);
        if (tenant is null) return Problems.NotFound("The tenant of this key no longer exists.");
        var outcome = await commits.ExecuteAsync(new SessionCommand(tenant.Id, sessionId,
            (s, now) => SessionRules.AddMembers(s, request.UserIds!, tenant.WriteDiffusionThreshold, now)), ct);
        return outcome.Rejection is { } rejection ? Problems.For(rejection) : TypedResults.Ok(SessionView.Of(outcome.State!, outcome.Version));
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> RemoveMember(
        string sessionId, string userId, HttpContext http, TenantDirectory tenants, GroupCommit commits, CancellationToken ct)
    {
        var tenant = await tenants.FindAsync(http.User.TenantId(), ct);
        if (tenant is null) return Problems.NotFound("The tenant of this key no longer exists.");
        var outcome = await commits.ExecuteAsync(new SessionCommand(tenant.Id, sessionId,
            (s, now) => SessionRules.RemoveMember(s, userId, tenant.WriteDiffusionThreshold, now)), ct);
        return outcome.Rejection is { } rejection ? Problems.For(rejection) : TypedResults.NoContent();
    }

    public static async Task<Results<Ok<SessionView>, ProblemHttpResult>> CloseSession(
        string sessionId, HttpContext http, GroupCommit commits, CancellationToken ct)
    {
        var outcome = await commits.ExecuteAsync(
            new SessionCommand(http.User.TenantId(), sessionId, SessionRules.Close), ct);
        return outcome.Rejection is { } rejection ? Problems.For(rejection) : TypedResults.Ok(SessionView.Of(outcome.State!, outcome.Version));
    }
}
