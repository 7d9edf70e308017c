using System.Text.Json;
using MessagePlatform.Api.Access;
using MessagePlatform.Api.EventStore;
using MessagePlatform.Api.Platform;
using MessagePlatform.Domain;
using Microsoft.AspNetCore.Http.HttpResults;

namespace MessagePlatform.Api.Messages;

public sealed record EditRequest(string? By, JsonElement? Body, bool? AsAdmin);

/// <summary>EditedAt is null only when the message was never edited and the request sent its body again.</summary>
public sealed record EditedMessage(string MsgId, long Seq, DateTimeOffset? EditedAt);

public static class EditApi
{
    public static RouteGroupBuilder MapEditApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/sessions/{sessionId}/messages").WithTags("Messages").RequireAuthorization(Roles.AppOrUser)
            .ProducesAccessProblems()
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/{msgId}/edit", Edit).WithName("editMessage").WithSummary(
            "Edit a message: its sender (or the app with asAdmin) within the session's edit window. History shows the latest body; " +
            "audit keeps every version. Sending the current body again answers 200. Edits do not go through the before-send hook.")
            .ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status413PayloadTooLarge);
        return group;
    }

    public static async Task<Results<Ok<EditedMessage>, ValidationProblem, ProblemHttpResult>> Edit(
        string sessionId, string msgId, EditRequest request, HttpContext http, GroupCommit commits,
        ChatTargets targets, ILogger<EditedMessage> log, CancellationToken ct)
    {
        var caller = http.User.Caller();
        var by = ActingAs.Resolve(caller, request.By, request.AsAdmin == true, out var forbidden, out var invalid);
        if (forbidden is not null) return forbidden;
        if (invalid is not null) return invalid;
        var tenantId = caller.TenantId;
        // PathIds has refused anything that is not a 64-bit decimal.
        var id = long.Parse(msgId);
        var edit = new EditMessage(sessionId, id, by!, request.Body ?? default, request.AsAdmin ?? false);
        DateTimeOffset? editedBefore = null;
        var command = new TargetedCommand<EditTarget>(tenantId, sessionId,
            async token =>
            {
                var found = await targets.EditTargetAsync(tenantId, sessionId, id, token);
                editedBefore = found?.EditedAt;
                return found?.Target;
            },
            (session, target, now) => EditRules.Decide(session, target, edit, now));
        var outcome = await commits.ExecuteAsync(command, ct);
        if (outcome.Rejection is { } rejection) return Problems.For(rejection);

        var edited = outcome.Appended.Select(a => a.Data).OfType<MessageEdited>().FirstOrDefault();
        if (edited is not null)
            log.LogInformation("Edited {MsgId} of {SessionId} in {TenantId} by {By}", id, sessionId, tenantId, edit.By);
        return TypedResults.Ok(new EditedMessage(msgId, command.Target!.Seq, edited?.EditedAt ?? editedBefore));
    }
}
