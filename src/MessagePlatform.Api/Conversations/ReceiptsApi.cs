using MessagePlatform.Api.Access;
using MessagePlatform.Api.EventStore;
using MessagePlatform.Api.Messages;
using MessagePlatform.Api.Platform;
using MessagePlatform.Domain;
using Microsoft.AspNetCore.Http.HttpResults;

namespace MessagePlatform.Api.Conversations;

public sealed record MemberReceipt(string UserId, long ReadSeq);

public sealed record SessionReceipts(IReadOnlyList<MemberReceipt> Members);

public sealed record MessageReceipts(IReadOnlyList<string> ReadBy, IReadOnlyList<string> UnreadBy);

/// <summary>
/// Read receipts from the members' read marks. Only write-diffusion c2c and groups keep them per member:
/// a read-diffusion group is too large to list who read what, and a room has no members to ask, so both
/// answer 409 (the session exists, it keeps no receipts).
/// </summary>
public static class ReceiptsApi
{
    public static RouteGroupBuilder MapReceiptsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/sessions/{sessionId}").WithTags("Conversations").RequireAuthorization(Roles.AppOrUser)
            .ProducesAccessProblems()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        group.MapGet("/receipts", Members).WithName("getSessionReceipts").WithSummary(
            "Each member's read seq (0 before its first mark), for write-diffusion c2c and groups; 409 for read-diffusion groups and rooms.");
        group.MapGet("/messages/{msgId}/receipts", Message).WithName("getMessageReceipts").WithSummary(
            "Which members (the sender left out) have read a message and which have not, for write-diffusion c2c and groups; " +
            "409 for read-diffusion groups and rooms.");
        return group;
    }

    public static async Task<Results<Ok<SessionReceipts>, ProblemHttpResult>> Members(
        string sessionId, HttpContext http, SessionStreams streams, ConversationList conversations, CancellationToken ct)
    {
        var (session, refused) = await LoadAsync(http.User.Caller(), sessionId, streams, ct);
        if (refused is not null) return refused;
        var members = session!.Members.ToArray();
        var marks = await conversations.MarksAsync(http.User.TenantId(), sessionId, members, ct);
        return TypedResults.Ok(new SessionReceipts(members.Select(u => new MemberReceipt(u, marks.GetValueOrDefault(u))).ToList()));
    }

    public static async Task<Results<Ok<MessageReceipts>, ProblemHttpResult>> Message(
        string sessionId, string msgId, HttpContext http, SessionStreams streams, SessionHistory history,
        ConversationList conversations, CancellationToken ct)
    {
        var caller = http.User.Caller();
        var (session, refused) = await LoadAsync(caller, sessionId, streams, ct);
        if (refused is not null) return refused;
        // PathIds has refused anything that is not a 64-bit decimal.
        var message = await history.FindAsync(caller.TenantId, sessionId, long.Parse(msgId), ct);
        if (message is null) return Problems.NotFound($"Session '{sessionId}' has no message {msgId}.");
        var others = session!.Members.Where(u => u != message.From).ToArray();
        var marks = await conversations.MarksAsync(caller.TenantId, sessionId, others, ct);
        var read = others.ToLookup(u => marks.GetValueOrDefault(u) >= message.Seq);
        return TypedResults.Ok(new MessageReceipts([.. read[true]], [.. read[false]]));
    }

    private static async Task<(Session? Session, ProblemHttpResult? Refused)> LoadAsync(
        Caller caller, string sessionId, SessionStreams streams, CancellationToken ct)
    {
        var (session, _) = await streams.LoadAsync(caller.TenantId, sessionId, ct);
        if (session is null) return (null, Problems.NotFound($"Unknown session '{sessionId}'."));
        if (caller.IsUser && !session.Admits(caller.UserId!))
            return (null, Problems.Forbidden($"'{caller.UserId}' is not a member of this session."));
        if (session.Type == SessionType.Room || session.Diffusion != Diffusion.Write)
            return (null, Problems.For(Rejection.Conflict(
                "Receipts are kept for write-diffusion c2c and groups only, not for read-diffusion groups or rooms.")));
        return (session, null);
    }
}
