using MessagePlatform.Api.Access;
using MessagePlatform.Api.Platform;
using MessagePlatform.Domain;
using Microsoft.AspNetCore.Http.HttpResults;

namespace MessagePlatform.Api.Messages;

/// <summary>Who a chat command acts as: with a user token its user (`by` may only repeat it, never as admin); with the app key, `by`.</summary>
public static class ActingAs
{
    /// <summary>The actor, or why not: a 403 (<paramref name="forbidden"/>) or a 400 (<paramref name="invalid"/>).</summary>
    public static string? Resolve(Caller caller, string? by, bool asAdmin, out ProblemHttpResult? forbidden, out ValidationProblem? invalid)
    {
        (forbidden, invalid) = (null, null);
        var actor = caller.IsUser ? by ?? caller.UserId : by;
        if (caller.IsUser && (actor != caller.UserId || asAdmin))
            forbidden = Problems.Forbidden($"A user token acts only as '{caller.UserId}', never as admin.");
        else if (actor is null || !SendRules.UserIdPattern().IsMatch(actor))
            invalid = TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["by"] = [$"is required and must match {SendRules.UserIdRule}"] });
        return forbidden is null && invalid is null ? actor : null;
    }
}
