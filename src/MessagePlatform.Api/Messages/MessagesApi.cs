using System.Text.Json;
using System.Text.Json.Serialization;
using MessagePlatform.Api.Access;
using MessagePlatform.Api.EventStore;
using MessagePlatform.Api.Platform;
using MessagePlatform.Domain;
using Microsoft.AspNetCore.Http.HttpResults;

namespace MessagePlatform.Api.Messages;

/// <summary>A send; <paramref name="ReplyTo"/> is a msgId of the same session, <paramref name="Mentions"/> members or ["@all"].</summary>
public sealed record SendMessageRequest(
    string? From, string? ClientMsgId, string? Type, JsonElement? Body, string? Priority,
    string? ReplyTo = null, IReadOnlyList<string?>? Mentions = null);

public sealed record SentMessage(string MsgId, long Seq, string SessionId, DateTimeOffset SentAt);

/// <summary>
/// A message as history shows it: the latest body (none once retracted). ReplyTo, Mentions and
/// Reactions appear only when the message has them; Reactions only in history and replies.
/// </summary>
public sealed record MessageView(
    string MsgId, long Seq, string From, string Type, JsonElement? Body, string Priority, DateTimeOffset SentAt, bool Retracted,
    bool Edited = false,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateTimeOffset? EditedAt = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? ReplyTo = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<string>? Mentions = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyDictionary<string, ReactionCount>? Reactions = null);

/// <summary>How many users put one reaction on a message, and (for a user token) whether the caller is one of them.</summary>
public sealed record ReactionCount(
    int Count, [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] bool? Me = null);

public sealed record MessagePage(IReadOnlyList<MessageView> Messages, bool HasMore);

public static class MessagesApi
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 500;

    public static RouteGroupBuilder MapMessagesApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/sessions/{sessionId}/messages").WithTags("Messages").RequireAuthorization(Roles.AppOrUser)
            .ProducesAccessProblems()
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/", Send).WithName("sendMessage").WithSummary(
            "Send a message. The same clientMsgId from the same sender in the same session answers 200 with the first answer.")
            .ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity).ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        group.MapGet("/", History).WithName("readHistory").WithSummary(
            "History in ascending seq: after afterSeq (from the start by default), or the last `limit` before beforeSeq.");
        group.MapGet("/{msgId}/replies", Replies).WithName("readReplies").WithSummary(
            "The replies to a message in ascending seq, after afterSeq, shown as history shows messages.");
        return group;
    }

    public static async Task<Results<Created<SentMessage>, Ok<SentMessage>, ValidationProblem, ProblemHttpResult>> Send(
        string sessionId, SendMessageRequest request, HttpContext http, Sending sending, CancellationToken ct) =>
        Answer(await sending.SendAsync(http.User.Caller(), sessionId, request, ct), sessionId, http);

    /// <summary>The REST door's answer to a send: 201 or 200 with the message, else problem details, with Retry-After where waiting helps.</summary>
    public static Results<Created<SentMessage>, Ok<SentMessage>, ValidationProblem, ProblemHttpResult> Answer(
        SendOutcome outcome, string sessionId, HttpContext http) => outcome switch
    {
        SendOutcome.Stored(var sent) => TypedResults.Created(
            $"/v1/sessions/{Uri.EscapeDataString(sessionId)}/messages?afterSeq={sent.Seq - 1}&limit=1", sent),
        SendOutcome.Repeated(var first) => TypedResults.Ok(first),
        SendOutcome.Invalid(var errors) => TypedResults.ValidationProblem(errors),
        _ => SendProblem.Of(outcome) is { } problem
            ? Problems.ComeBackLater(http, problem.Status, problem.Title, problem.Detail, problem.RetryAfter)
            : throw new System.Diagnostics.UnreachableException($"Send outcome {outcome.GetType().Name} is neither an answer nor a problem"),
    };

    public static async Task<Results<Ok<MessagePage>, ValidationProblem, ProblemHttpResult>> History(
        string sessionId, long? afterSeq, long? beforeSeq, int? limit, HttpContext http, SessionStreams streams,
        SessionHistory history, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        if (limit is < 1 or > MaxLimit) errors["limit"] = [$"must be 1 to {MaxLimit}"];
        if (afterSeq is < 0) errors["afterSeq"] = ["must not be negative"];
        if (beforeSeq is < 1) errors["beforeSeq"] = ["must be positive"];
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);

        var caller = http.User.Caller();
        var (session, refusal) = await ReadableAsync(caller, sessionId, streams, ct);
        if (refusal is not null) return refusal;
        var tenantId = caller.TenantId;
        // A user sees what its sync shows: under "fromJoin", nothing from before it joined.
        var startAfter = caller.IsUser ? session!.HistoryStartFor(caller.UserId!) : 0;
        var (messages, hasMore) = await history.ReadAsync(tenantId, sessionId, afterSeq, beforeSeq, limit ?? DefaultLimit, startAfter, ct);
        return TypedResults.Ok(new MessagePage(await history.WithReactionsAsync(tenantId, sessionId, messages, caller.IsUser ? caller.UserId : null, ct), hasMore));
    }

    public static async Task<Results<Ok<MessagePage>, ValidationProblem, ProblemHttpResult>> Replies(
        string sessionId, string msgId, long? afterSeq, int? limit, HttpContext http, SessionStreams streams,
        SessionHistory history, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        if (limit is < 1 or > MaxLimit) errors["limit"] = [$"must be 1 to {MaxLimit}"];
        if (afterSeq is < 0) errors["afterSeq"] = ["must not be negative"];
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);
        var caller = http.User.Caller();
        var (session, refusal) = await ReadableAsync(caller, sessionId, streams, ct);
        if (refusal is not null) return refusal;
        var tenantId = caller.TenantId;
        var startAfter = caller.IsUser ? session!.HistoryStartFor(caller.UserId!) : 0;
        // PathIds has refused anything that is not a 64-bit decimal.
        var (messages, hasMore) = await history.ReadRepliesAsync(
            tenantId, sessionId, long.Parse(msgId), afterSeq ?? 0, limit ?? DefaultLimit, startAfter, ct);
        return TypedResults.Ok(new MessagePage(await history.WithReactionsAsync(tenantId, sessionId, messages, caller.IsUser ? caller.UserId : null, ct), hasMore));
    }

    /// <summary>The session, if the caller may read it: the app any of its tenant's, a user token those that admit its user.</summary>
    private static async Task<(Session? Session, ProblemHttpResult? Refusal)> ReadableAsync(
        Caller caller, string sessionId, SessionStreams streams, CancellationToken ct)
    {
        var (session, _) = await streams.LoadAsync(caller.TenantId, sessionId, ct);
        if (session is null) return (null, Problems.NotFound($"Unknown session '{sessionId}'."));
        if (caller.IsUser && !session.Admits(caller.UserId!))
            return (null, Problems.Forbidden($"'{caller.UserId}' is not a member of this session."));
        return (session, null);
    }
}
