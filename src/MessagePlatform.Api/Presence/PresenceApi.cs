using MessagePlatform.Api.Access;
using MessagePlatform.Api.Platform;
using MessagePlatform.Domain;
using Microsoft.AspNetCore.Http.HttpResults;

namespace MessagePlatform.Api.Presence;

public sealed record PresenceQuery(string[]? UserIds);

public sealed record PresenceList(IReadOnlyList<PresenceView> Users);

public static class PresenceApi
{
    public static IEndpointRouteBuilder MapPresenceApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1").WithTags("Presence").RequireAuthorization(Roles.App).ProducesAccessProblems();
        group.MapGet("/users/{userId}/presence", GetPresence).WithName("getPresence").WithSummary(
            "Whether a user holds a WebSocket or MQTT connection on any live node, how many, and when it was last seen.");
        group.MapPost("/presence/query", QueryPresence).WithName("queryPresence").WithSummary("The presence of up to 1,000 users in one call, in the order asked.");
        return app;
    }

    public static async Task<Results<Ok<PresenceView>, ValidationProblem>> GetPresence(
        string userId, HttpContext http, PresenceDirectory presence, CancellationToken ct)
    {
        if (!SendRules.UserIdPattern().IsMatch(userId))
            return Problems.InvalidUserId();
        return TypedResults.Ok((await presence.QueryAsync(http.User.TenantId(), [userId], ct))[0]);
    }

    public static async Task<Results<Ok<PresenceList>, ValidationProblem>> QueryPresence(
        PresenceQuery request, HttpContext http, PresenceDirectory presence, CancellationToken ct)
    {
        if (request.UserIds is not { Length: > 0 and <= PresenceDirectory.MaxQuery })
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["userIds"] = [$"1 to {PresenceDirectory.MaxQuery} user ids"] });
        if (request.UserIds.Any(u => u is null || !SendRules.UserIdPattern().IsMatch(u)))
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["userIds"] = [$"each must match {SendRules.UserIdRule}"] });
        return TypedResults.Ok(new PresenceList(await presence.QueryAsync(http.User.TenantId(), request.UserIds, ct)));
    }
}
