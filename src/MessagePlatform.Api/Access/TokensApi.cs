using MessagePlatform.Domain;
using Microsoft.AspNetCore.Http.HttpResults;

namespace MessagePlatform.Api.Access;

public sealed record TokenRequest(int? TtlSeconds);

public sealed record IssuedToken(string Token, DateTimeOffset ExpiresAt);

public static class TokensApi
{
    public static RouteGroupBuilder MapTokensApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/users/{userId}/tokens").WithTags("Users").RequireAuthorization(Roles.App)
            .ProducesAccessProblems();
        group.MapPost("/", Issue).WithSummary(
            "Issue a signed, expiring token for one end user's client (default 24 h, at most 30 days): " +
            "it may connect, and send, read and retract as that user.");
        return group;
    }

    public static Results<Created<IssuedToken>, ValidationProblem> Issue(
        string userId, TokenRequest? request, HttpContext http, UserTokens tokens, TimeProvider clock)
    {
        var errors = new Dictionary<string, string[]>();
        if (!SendRules.UserIdPattern().IsMatch(userId)) errors["userId"] = [$"must match {SendRules.UserIdRule}"];
        var ttl = request?.TtlSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : UserTokens.DefaultLifetime;
        if (ttl <= TimeSpan.Zero || ttl > UserTokens.MaxLifetime)
            errors["ttlSeconds"] = [$"must be 1 to {(int)UserTokens.MaxLifetime.TotalSeconds}"];
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);

        var now = clock.GetUtcNow();
        var expiresAt = now.Add(ttl);
        var token = tokens.Issue(http.User.TenantId(), userId, now, expiresAt);
        return TypedResults.Created((string?)null, new IssuedToken(token, expiresAt));
    }
}
