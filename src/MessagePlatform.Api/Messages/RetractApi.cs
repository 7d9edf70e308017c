using MessagePlatform.Api.Access;
using MessagePlatform.Api.EventStore;
using MessagePlatform.Api.Platform;
using MessagePlatform.Domain;
using Microsoft.AspNetCore.Http.HttpResults;

namespace MessagePlatform.Api.Messages;

public sealed record RetractRequest(string? By, string? Reason, bool? AsAdmin);

public sealed record RetractedMessage(string MsgId, long Seq, string SessionId);

public static class RetractApi
{
    public static RouteGroupBuilder MapRetractApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/sessions/{sessionId}/messages").WithTags("Messages").RequireAuthorization(Roles.AppOrUser)
            .ProducesAccessProblems()
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/{msgId}/retract", Retract).WithName("retractMessage").WithSummary(
            "Retract a message: its sender within the session's recall window, or anyone with asAdmin at any time. " +
            "Retracting again answers 200.")
            .ProducesProblem(StatusCodes.Status409Conflict);
        return group;
    }

    public static async Task<Results<Ok<RetractedMessage>, ValidationProblem, ProblemHttpResult>> Retract(
        string sessionId, string msgId, RetractRequest request, HttpContext http, GroupCommit commits,
        SessionHistory history, ILogger<RetractedMessage> log, CancellationToken ct)
    {
        var caller = http.User.Caller();
        var by = caller.IsUser ? request.By ?? caller.UserId : request.By;
        if (caller.IsUser && (by != caller.UserId || request.AsAdmin == true))
            return Problems.Forbidden($"A user token retracts only as '{caller.UserId}', never as admin.");
        var errors = new Dictionary<string, string[]>();
        if (by is null || !SendRules.UserIdPattern().IsMatch(by))
            errors["by"] = [$"is required and must match {SendRules.UserIdRule}"];
        if (request.Reason is { Length: > RetractRules.MaxReasonLength })
            errors["reason"] = [$"at most {RetractRules.MaxReasonLength} characters"];
        else if (!StorableText.IsStorable(request.Reason))
            errors["reason"] = [StorableText.Rule];
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);

        var tenantId = caller.TenantId;
        // PathIds has refused anything that is not a 64-bit decimal.
        var id = long.Parse(msgId);
        var retract = new RetractMessage(sessionId, id, by!, request.Reason, request.AsAdmin ?? false);
        var command = new RetractCommand(tenantId, retract, token => history.FindAsync(tenantId, sessionId, id, token));
        var outcome = await commits.ExecuteAsync(command, ct);
        if (outcome.Rejection is { } rejection) return Problems.For(rejection);

        var retracted = outcome.Appended.Select(a => a.Data).OfType<MessageRetracted>().FirstOrDefault();
        if (retracted is not null)
            log.LogInformation("Retracted {MsgId} of {SessionId} in {TenantId} by {By}", id, sessionId, tenantId, retract.By);
        return TypedResults.Ok(new RetractedMessage(msgId, command.Target!.Seq, sessionId));
    }
}
