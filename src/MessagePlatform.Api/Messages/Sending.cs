using MessagePlatform.Api.Access;
using MessagePlatform.Api.EventStore;
using MessagePlatform.Api.Hooks;
using MessagePlatform.Domain;

namespace MessagePlatform.Api.Messages;

/// <summary>The one send path: who may send as whom, validation, then the session's commit lane.</summary>
public sealed class Sending(
    GroupCommit commits, SendReceipts receipts, SendThrottle throttle, BeforeSendHook hook, PushBacklog backlog,
    Platform.PlatformMeters meters, SessionHistory history, ILogger<Sending> log)
{
    public async Task<SendOutcome> SendAsync(Caller caller, string sessionId, SendMessageRequest request, CancellationToken ct)
    {
        try
        {
            return await DecideAndCommitAsync(caller, sessionId, request, ct);
        }
        catch (Exception e) when (EventStore.StoreUnavailable.Is(e))
        {
            // Wherever the store failed (a receipt look-up, the hook's config, the lane's commit), every door answers it alike.
            log.LogDebug("A send to {SessionId} of {TenantId} refused: the store is unavailable", sessionId, caller.TenantId);
            return new SendOutcome.StoreUnavailable(EventStore.StoreUnavailable.RetryAfter);
        }
    }

    private async Task<SendOutcome> DecideAndCommitAsync(Caller caller, string sessionId, SendMessageRequest request, CancellationToken ct)
    {
        // A user's client sends as its user: `from` defaults to it and may not name anyone else.
        var from = caller.IsUser ? request.From ?? caller.UserId : request.From;
        if (!caller.MayActAs(from ?? ""))
            return new SendOutcome.Forbidden($"A user token sends only as '{caller.UserId}'.");
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        // System messages speak for the platform or the app, never for an end user.
        if (caller.IsUser && request.Type == "system")
            return new SendOutcome.Forbidden("A user token may not send type 'system'.");
        // A msgId is a string on the wire (64 bits do not survive JavaScript numbers); 0 fails the rule below.
        long? replyTo = request.ReplyTo is null ? null : long.TryParse(request.ReplyTo, out var target) && target > 0 ? target : 0;
        var (errors, tooLarge) = SendRules.Validate(from, request.ClientMsgId, request.Type, request.Body, request.Priority, replyTo, request.Mentions);
        if (errors.Count > 0) return new SendOutcome.Invalid(errors);
        if (tooLarge) return new SendOutcome.TooLarge();
        var priority = request.Priority ?? "normal";

        // A retry of a send that was stored gets its first answer, even when pushes are behind, the
        // sender is over its limit or moderation would answer otherwise. Looked up only then: most sends are new.
        // The push backlog is asked first (a cached value): a send it sheds takes no rate-limit token.
        if (backlog.Refuses(priority) is { } behind)
            return await StoredAsync(caller.TenantId, sessionId, from!, request.ClientMsgId!, ct) ?? backlog.Shed(behind, priority);
        if (await throttle.RetryAfterAsync(caller.TenantId, sessionId, from!, ct) is { } wait)
            return await StoredAsync(caller.TenantId, sessionId, from!, request.ClientMsgId!, ct) ?? new SendOutcome.Throttled(wait);
        if (await hook.FindAsync(caller.TenantId, ct) is not null
            && await StoredAsync(caller.TenantId, sessionId, from!, request.ClientMsgId!, ct) is { } stored)
            return stored;

        var verdict = await hook.AskAsync(caller.TenantId, sessionId, from!, request.ClientMsgId!, request.Type!, request.Body!.Value, priority, ct);
        if (!verdict.Allowed)
            return verdict.Unavailable ? new SendOutcome.ModerationUnavailable(verdict.Reason!) : new SendOutcome.ModerationDenied(verdict.Reason!);
        var body = verdict.Body ?? request.Body!.Value;
        if (SendRules.BodyBytes(body) > SendRules.MaxBodyBytes)
            return new SendOutcome.ModerationDenied("The before-send hook's body is over the size limit.");
        if (!StorableText.IsStorable(body))
            return new SendOutcome.ModerationDenied($"The before-send hook's body {StorableText.JsonRule}.");

        var mentions = request.Mentions is { Count: > 0 } named ? named.Select(m => m!).ToList() : null;
        var send = new SendMessage(sessionId, from!, request.ClientMsgId!, request.Type!, body, priority, replyTo, mentions);
        var tenantId = caller.TenantId;
        Func<CancellationToken, Task<MessageRef?>>? loadReplyTarget =
            replyTo is { } id ? token => history.FindRefAsync(tenantId, sessionId, id, token) : null;
        StreamOutcome outcome;
        try
        {
            outcome = await commits.ExecuteAsync(new SendCommand(tenantId, send, loadReplyTarget), ct);
        }
        catch (LaneFullException e)
        {
            return new SendOutcome.Busy(LaneFullException.RetryAfter, e.Message);
        }
        if (outcome.Rejection is { } rejection) return new SendOutcome.Rejected(rejection);
        if (outcome.Duplicate is { } first) return Repeated(first);

        var appended = outcome.Appended[0];
        var sent = (MessageSent)appended.Data;
        log.LogDebug("Sent {MsgId} as {Seq} to {SessionId} of {TenantId}", sent.MsgId, appended.Version, sessionId, caller.TenantId);
        meters.Sent(System.Diagnostics.Stopwatch.GetElapsedTime(started));
        return new SendOutcome.Stored(new SentMessage(sent.MsgId.ToString(), appended.Version, sessionId, sent.SentAt));
    }

    private static SendOutcome.Repeated Repeated(SendReceipt first) =>
        new(new SentMessage(first.MsgId.ToString(), first.Seq, first.SessionId, first.SentAt));

    private async Task<SendOutcome?> StoredAsync(string tenantId, string sessionId, string from, string clientMsgId, CancellationToken ct) =>
        await receipts.FindAsync(tenantId, sessionId, from, clientMsgId, ct) is { } first ? Repeated(first) : null;
}
