using MessagePlatform.Api.Access;
using MessagePlatform.Api.EventStore;
using MessagePlatform.Api.Hooks;
using MessagePlatform.Domain;

namespace MessagePlatform.Api.Messages;

/// <summary>What came of a send, whichever door it came through (REST, WebSocket).</summary>
public sealed record SendResult(
    int Status, SentMessage? Sent, string? Title, string? Detail, Dictionary<string, string[]>? Errors, TimeSpan? RetryAfter = null)
{
    public static SendResult Refused(int status, string title, string detail, Dictionary<string, string[]>? errors = null) =>
        new(status, null, title, detail, errors);
}

/// <summary>The one send path: who may send as whom, validation, then the session's commit lane.</summary>
public sealed class Sending(
    SessionStreams streams, SendReceipts receipts, SendThrottle throttle, BeforeSendHook hook, Platform.PlatformMeters meters,
    ILogger<Sending> log)
{
    public async Task<SendResult> SendAsync(Caller caller, string sessionId, SendMessageRequest request, CancellationToken ct)
    {
        // A user's client sends as its user: `from` defaults to it and may not name anyone else.
        var from = caller.IsUser ? request.From ?? caller.UserId : request.From;
        if (!caller.MayActAs(from ?? ""))
            return SendResult.Refused(StatusCodes.Status403Forbidden, "Forbidden", $"A user token sends only as '{caller.UserId}'.");
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        // System messages speak for the platform or the app, never for an end user.
        if (caller.IsUser && request.Type == "system")
            return SendResult.Refused(StatusCodes.Status403Forbidden, "Forbidden", "A user token may not send type 'system'.");
        var (errors, tooLarge) = SendRules.Validate(from, request.ClientMsgId, request.Type, request.Body, request.Priority);
        if (errors.Count > 0)
            return SendResult.Refused(StatusCodes.Status400BadRequest, "Invalid request", "Some fields are not valid.", errors);
        if (tooLarge)
            return SendResult.Refused(StatusCodes.Status413PayloadTooLarge, "Body too large",
                $"A message body is at most {SendRules.MaxBodyBytes} bytes of JSON.");

        // A retry of a send that was stored gets its first answer, even when the sender is now over
        // its limit or moderation would answer otherwise. Looked up only then: most sends are new.
        if (await throttle.RetryAfterAsync(caller.TenantId, sessionId, from!, ct) is { } wait)
            return await StoredAsync(caller.TenantId, sessionId, from!, request.ClientMsgId!, ct)
                ?? new SendResult(StatusCodes.Status429TooManyRequests, null, "Too many messages",
                    "This sender, room or tenant is sending faster than its limit; retry after the given time.", null, wait);
        if (await hook.FindAsync(caller.TenantId, ct) is not null
            && await StoredAsync(caller.TenantId, sessionId, from!, request.ClientMsgId!, ct) is { } stored)
            return stored;

        var priority = request.Priority ?? "normal";
        var verdict = await hook.AskAsync(caller.TenantId, sessionId, from!, request.ClientMsgId!, request.Type!, request.Body!.Value, priority, ct);
        if (!verdict.Allowed)
            return verdict.Unavailable
                ? SendResult.Refused(StatusCodes.Status503ServiceUnavailable, "Moderation unavailable", verdict.Reason!)
                : SendResult.Refused(StatusCodes.Status422UnprocessableEntity, "Denied by moderation", verdict.Reason!);
        var body = verdict.Body ?? request.Body!.Value;
        if (SendRules.BodyBytes(body) > SendRules.MaxBodyBytes)
            return SendResult.Refused(StatusCodes.Status422UnprocessableEntity, "Denied by moderation",
                "The before-send hook's body is over the size limit.");
        if (!StorableText.IsStorable(body))
            return SendResult.Refused(StatusCodes.Status422UnprocessableEntity, "Denied by moderation",
                $"The before-send hook's body {StorableText.JsonRule}.");

        var send = new SendMessage(sessionId, from!, request.ClientMsgId!, request.Type!, body, priority);
        StreamOutcome outcome;
        try
        {
            outcome = await streams.ExecuteAsync(new SendCommand(caller.TenantId, send), ct);
        }
        catch (LaneFullException e)
        {
            return new SendResult(StatusCodes.Status503ServiceUnavailable, null, "Busy", e.Message, null, LaneFullException.RetryAfter);
        }
        if (outcome.Rejection is { } rejection)
        {
            var problem = Platform.Problems.For(rejection);
            return SendResult.Refused(problem.StatusCode, rejection.Title, rejection.Detail);
        }
        if (outcome.Duplicate is { } first) return Repeated(first);

        var appended = outcome.Appended[0];
        var sent = (MessageSent)appended.Data;
        log.LogDebug("Sent {MsgId} as {Seq} to {SessionId} of {TenantId}", sent.MsgId, appended.Version, sessionId, caller.TenantId);
        meters.Sent(System.Diagnostics.Stopwatch.GetElapsedTime(started));
        return new SendResult(StatusCodes.Status201Created,
            new SentMessage(sent.MsgId.ToString(), appended.Version, sessionId, sent.SentAt), null, null, null);
    }

    private static SendResult Repeated(SendReceipt first) => new(StatusCodes.Status200OK,
        new SentMessage(first.MsgId.ToString(), first.Seq, first.SessionId, first.SentAt), null, null, null);

    private async Task<SendResult?> StoredAsync(string tenantId, string sessionId, string from, string clientMsgId, CancellationToken ct) =>
        await receipts.FindAsync(tenantId, sessionId, from, clientMsgId, ct) is { } first ? Repeated(first) : null;
}
