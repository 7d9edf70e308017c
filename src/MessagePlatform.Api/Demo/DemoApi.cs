using MessagePlatform.Api.Access;
using MessagePlatform.Api.EventStore;
using MessagePlatform.Api.Platform;
using MessagePlatform.Api.Presence;
using MessagePlatform.Api.Sessions;
using MessagePlatform.Api.Tenants;
using MessagePlatform.Domain;
using Microsoft.AspNetCore.Http.HttpResults;

namespace MessagePlatform.Api.Demo;

public sealed record DemoTokenRequest(string? UserId);

public sealed record DemoToken(string Token, string UserId, string BaseUrl, DateTimeOffset ExpiresAt);

public sealed record DemoSessionRequest(string? UserId, string? Peer);

public sealed record DemoSession(string SessionId);

public sealed record DemoPresenceRequest(string[]? UserIds);

/// <summary>
/// What a product team's own backend would do for its web client, done here for the demo tenant
/// alone: sign a user in (a token, no password), open a c2c with another user, tell who is online.
/// Unauthenticated on purpose, so mapped only in Development (DemoChat).
/// </summary>
public static class DemoApi
{
    private static readonly TimeSpan TokenLifetime = TimeSpan.FromHours(24);

    public static void MapDemoApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/demo").WithTags("Demo (Development only)").AllowAnonymous();
        group.MapPost("/token", MintToken).WithName("demoToken").WithSummary("A user token of the demo tenant for any user id.");
        group.MapPost("/sessions", OpenChat).WithName("demoOpenChat").WithSummary("Open (or find) the c2c session of two demo users.");
        group.MapPost("/presence", QueryPresence).WithName("demoPresence").WithSummary("Whether demo users are online.");
    }

    public static Results<Ok<DemoToken>, ValidationProblem> MintToken(
        DemoTokenRequest request, HttpContext http, DemoOptions demo, UserTokens tokens, TimeProvider clock)
    {
        if (request.UserId is not { } userId || !SendRules.UserIdPattern().IsMatch(userId)) return Problems.InvalidUserId();
        var now = clock.GetUtcNow();
        var token = tokens.Issue(demo.TenantId, userId, now, now.Add(TokenLifetime));
        return TypedResults.Ok(new DemoToken(token, userId, $"{http.Request.Scheme}://{http.Request.Host}", now.Add(TokenLifetime)));
    }

    /// <summary>The platform's own open: the same request rules and the same lane as <c>POST /v1/sessions</c>.</summary>
    public static async Task<Results<Ok<DemoSession>, ValidationProblem, ProblemHttpResult>> OpenChat(
        DemoSessionRequest request, DemoOptions demo, TenantDirectory tenants, GroupCommit commits, CancellationToken ct)
    {
        if (await tenants.FindAsync(demo.TenantId, ct) is not { } tenant) return Problems.NotFound("The demo tenant is gone.");
        var open = new OpenSessionRequest(null, SessionType.C2c,
            [request.UserId ?? "", request.Peer ?? ""], null);
        var (command, errors) = SessionRequests.ToOpen(open, tenant);
        if (command is null) return TypedResults.ValidationProblem(errors);
        var outcome = await commits.ExecuteAsync(
            new SessionCommand(tenant.Id, command.SessionId, (s, now) => SessionRules.Open(s, command, now)), ct);
        return outcome.Rejection is { } rejection ? Problems.For(rejection) : TypedResults.Ok(new DemoSession(command.SessionId));
    }

    public static async Task<Results<Ok<PresenceList>, ValidationProblem>> QueryPresence(
        DemoPresenceRequest request, DemoOptions demo, PresenceDirectory presence, CancellationToken ct)
    {
        if (request.UserIds is not { Length: > 0 and <= 100 } || request.UserIds.Any(u => u is null || !SendRules.UserIdPattern().IsMatch(u)))
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["userIds"] = [$"1 to 100 user ids matching {SendRules.UserIdRule}"] });
        return TypedResults.Ok(new PresenceList(await presence.QueryAsync(demo.TenantId, request.UserIds, ct)));
    }
}
