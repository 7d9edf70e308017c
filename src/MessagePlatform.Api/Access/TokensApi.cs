using MessagePlatform.Api.EventStore;
using MessagePlatform.Api.Platform;
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
        group.MapPost("/", Issue).WithName("issueUserToken").WithSummary(
            "Issue a signed, expiring token for one end user's client (default 24 h, at most 30 days): " +
            "it may connect, and send, read and retract as that user.");
        group.MapDelete("/", Revoke).WithName("revokeUserTokens").WithSummary(
            "Revoke every token issued to this user until now, on every node within seconds; its open connections are closed.");
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

    /// <summary>
    /// Records the revocation as an event of the user's token stream with its row in the same
    /// transaction; this node refuses the old tokens at once, the others at their next refresh.
    /// </summary>
    public static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> Revoke(
        string userId, HttpContext http, SessionStreams streams, TokenRevocations revocations, TimeProvider clock,
        ILogger<TokenRevocations> log, CancellationToken ct)
    {
        if (!SendRules.UserIdPattern().IsMatch(userId)) return Problems.InvalidUserId();
        var tenantId = http.User.TenantId();
        var stream = KeyRules.TokensStreamOf(userId);
        for (var attempt = 1; attempt <= MaxAttempts; attempt++)
        {
            var version = await streams.VersionAsync(tenantId, stream, ct);
            var revokedAt = clock.GetUtcNow();
            try
            {
                await streams.AppendAsync(tenantId, stream, version, [new UserTokensRevoked(userId, revokedAt)],
                    operations => TokenRevocations.Queue(operations, tenantId, userId, revokedAt), ct);
            }
            catch (Exception e) when (StreamConflicts.Is(e))
            {
                continue; // another revocation of the same user won the race: take the new version and try again
            }
            revocations.Note(tenantId, userId, revokedAt);
            log.LogInformation("Revoked the tokens of {UserId} of {TenantId} issued before {RevokedAt}", userId, tenantId, revokedAt);
            return TypedResults.NoContent();
        }
        return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Conflict",
            detail: "The user's tokens are being revoked by another call right now; try again.");
    }

    private const int MaxAttempts = 5;
}
