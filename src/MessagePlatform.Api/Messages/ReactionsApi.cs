using MessagePlatform.Api.Access;
using MessagePlatform.Api.EventStore;
using MessagePlatform.Api.Platform;
using MessagePlatform.Domain;
using Microsoft.AspNetCore.Http.HttpResults;

namespace MessagePlatform.Api.Messages;

public sealed record ReactRequest(string? By);

public sealed record ReactionAnswer(string MsgId, long Seq, string Reaction, string By);

public static class ReactionsApi
{
    public static RouteGroupBuilder MapReactionsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/sessions/{sessionId}/messages/{msgId}/reactions").WithTags("Messages").RequireAuthorization(Roles.AppOrUser)
            .ProducesAccessProblems()
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        group.MapPut("/{reaction}", Add).WithName("addReaction").WithSummary(
            "Put a reaction (an emoji or a short name, URL-encoded) on a message as `by`; putting it again answers 200. Rooms take reactions too.");
        group.MapDelete("/{reaction}", Remove).WithName("removeReaction").WithSummary(
            "Take a reaction of `by` off a message; one that is not there answers 204 too.");
        return group;
    }

    public static async Task<Results<Ok<ReactionAnswer>, ValidationProblem, ProblemHttpResult>> Add(
        string sessionId, string msgId, string reaction, ReactRequest request, HttpContext http, GroupCommit commits,
        ChatTargets targets, ILogger<ReactionAnswer> log, CancellationToken ct)
    {
        var (outcome, seq, refusal, invalid) = await ReactAsync(sessionId, msgId, reaction, request.By, adding: true, http, commits, targets, log, ct);
        if (refusal is not null) return refusal;
        if (invalid is not null) return invalid;
        return TypedResults.Ok(new ReactionAnswer(msgId, seq, reaction, outcome!));
    }

    public static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> Remove(
        string sessionId, string msgId, string reaction, string? by, HttpContext http, GroupCommit commits,
        ChatTargets targets, ILogger<ReactionAnswer> log, CancellationToken ct)
    {
        var (_, _, refusal, invalid) = await ReactAsync(sessionId, msgId, reaction, by, adding: false, http, commits, targets, log, ct);
        if (refusal is not null) return refusal;
        if (invalid is not null) return invalid;
        return TypedResults.NoContent();
    }

    /// <summary>Both ways: returns the actor and the message's seq, or the refusal.</summary>
    private static async Task<(string? By, long Seq, ProblemHttpResult? Refusal, ValidationProblem? Invalid)> ReactAsync(
        string sessionId, string msgId, string reaction, string? requestBy, bool adding, HttpContext http, GroupCommit commits,
        ChatTargets targets, ILogger log, CancellationToken ct)
    {
        var caller = http.User.Caller();
        var by = ActingAs.Resolve(caller, requestBy, asAdmin: false, out var forbidden, out var invalid);
        if (forbidden is not null || invalid is not null) return (null, 0, forbidden, invalid);
        // Checked before the store is asked: a reaction that can never be one is a 400 whatever the message.
        if (!ReactionRules.IsReaction(reaction))
            return (null, 0, null, TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["reaction"] = [ReactionRules.Rule] }));
        var tenantId = caller.TenantId;
        var id = long.Parse(msgId);
        var react = new MessageReaction(sessionId, id, reaction, by!);
        var command = new TargetedCommand<ReactionTarget>(tenantId, sessionId,
            token => targets.ReactionTargetAsync(tenantId, sessionId, id, by!, token),
            (session, target, now) => adding ? ReactionRules.Add(session, target, react, now) : ReactionRules.Remove(session, target, react, now),
            // Two of the same in one batch were both decided against the same rows: the second must not store it again.
            $"reaction{(adding ? '+' : '-')}:{id}:{by}:{reaction}");
        var outcome = await commits.ExecuteAsync(command, ct);
        if (outcome.Rejection is { } rejection) return (null, 0, Problems.For(rejection), null);
        if (outcome.Appended.Count > 0)
            log.LogDebug("Reaction {Reaction} {Change} on {MsgId} of {SessionId} in {TenantId} by {By}",
                reaction, adding ? "added" : "removed", id, sessionId, tenantId, by);
        return (by, command.Target!.Seq, null, null);
    }
}
