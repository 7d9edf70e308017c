using MessagePlatform.Domain;

namespace MessagePlatform.Api.EventStore;

/// <summary>What a commit lane hands a command: the time and the node's message ids.</summary>
public sealed record StreamContext(DateTimeOffset Now, MsgIds MsgIds);

/// <summary>A command on one session stream, decided in its commit lane against the stream's current state.</summary>
public abstract record StreamCommand(string TenantId, string SessionId)
{
    public abstract Decision Decide(Session? state, StreamContext context);

    /// <summary>Decides knowing the stream's version too (its head seq), for rules that bound a seq by it.</summary>
    public virtual Decision Decide(Session? state, long version, StreamContext context) => Decide(state, context);

    /// <summary>
    /// Commands with the same key in one batch of one session do their work once: the second is a
    /// no-op even though both were decided against the same prepared state.
    /// </summary>
    public virtual string? OnceKey => null;

    /// <summary>Reads what the decision needs beyond the session's state, inside the lane, before every attempt.</summary>
    public virtual Task PrepareAsync(CancellationToken ct) => Task.CompletedTask;
}

/// <summary>
/// A send: besides its rule, it is deduplicated on (session, sender, clientMsgId). A reply reads the
/// message it replies to from the session chain in the lane (a message already answered is there).
/// </summary>
public sealed record SendCommand(
    string TenantId, SendMessage Send, Func<CancellationToken, Task<MessageRef?>>? LoadReplyTarget = null)
    : StreamCommand(TenantId, Send.SessionId)
{
    public MessageRef? ReplyTarget { get; private set; }

    public override async Task PrepareAsync(CancellationToken ct)
    {
        if (LoadReplyTarget is not null) ReplyTarget = await LoadReplyTarget(ct);
    }

    public override Decision Decide(Session? state, StreamContext context) =>
        SendRules.Decide(state, Send, context.MsgIds.Next(), context.Now, ReplyTarget);
}

/// <summary>
/// A retraction, decided against the target message as the session chain shows it in the lane:
/// read there, and again after a conflict, so two nodes retracting at once store one event.
/// </summary>
public sealed record RetractCommand(
    string TenantId, RetractMessage Retract, Func<CancellationToken, Task<RetractTarget?>> LoadTarget)
    : StreamCommand(TenantId, Retract.SessionId)
{
    public RetractTarget? Target { get; private set; }

    public override async Task PrepareAsync(CancellationToken ct) => Target = await LoadTarget(ct);

    public override Decision Decide(Session? state, StreamContext context) =>
        RetractRules.Decide(state, Target, Retract, context.Now);

    public override string? OnceKey => $"retract:{Retract.MsgId}";
}

/// <summary>Any other session command, its rule given as a pure function.</summary>
public sealed record SessionCommand(string TenantId, string SessionId, Func<Session?, DateTimeOffset, Decision> Rule)
    : StreamCommand(TenantId, SessionId)
{
    public override Decision Decide(Session? state, StreamContext context) => Rule(state, context.Now);
}

/// <summary>An event this command appended, with its version (its seq) in the session stream.</summary>
public sealed record AppendedEvent(long Version, object Data);

/// <summary>
/// What came of a command: refused, or the stream's state after it with what it appended. A send
/// that repeats an earlier clientMsgId carries that earlier send's receipt and appended nothing.
/// </summary>
public sealed record StreamOutcome(
    Rejection? Rejection, Session? State, long Version, IReadOnlyList<AppendedEvent> Appended, SendReceipt? Duplicate);
