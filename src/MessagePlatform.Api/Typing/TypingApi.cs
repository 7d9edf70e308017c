using MessagePlatform.Api.Access;
using MessagePlatform.Api.Platform;
using MessagePlatform.Domain;
using Microsoft.AspNetCore.Http.HttpResults;

namespace MessagePlatform.Api.Typing;

public sealed record TypingRequest(string? By);

public static class TypingApi
{
    public static RouteGroupBuilder MapTypingApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/sessions/{sessionId}").WithTags("Messages").RequireAuthorization(Roles.AppOrUser)
            .ProducesAccessProblems()
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/typing", Typing).WithName("signalTyping").WithSummary(
            "Tell the session's other online members that a member is typing (never stored, never in sync); " +
            "at most one notice per user and session every 2 s, the others answer 202 too.")
            .ProducesProblem(StatusCodes.Status409Conflict);
        return group;
    }

    public static async Task<Results<Accepted, ValidationProblem, ProblemHttpResult>> Typing(
        string sessionId, TypingRequest request, HttpContext http, TypingSignals typing, CancellationToken ct)
    {
        var caller = http.User.Caller();
        var by = caller.IsUser ? request.By ?? caller.UserId : request.By;
        if (caller.IsUser && by != caller.UserId) return Problems.Forbidden($"A user token types only as '{caller.UserId}'.");
        if (by is null || !SendRules.UserIdPattern().IsMatch(by))
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["by"] = [$"is required and must match {SendRules.UserIdRule}"] });
        return await typing.SignalAsync(caller.TenantId, sessionId, by, ct) is TypingVerdict.Refused(var refused)
            ? Problems.For(refused)
            : TypedResults.Accepted((string?)null);
    }
}
