namespace MessagePlatform.Domain;

public sealed record PinMessage(string SessionId, long MsgId, string By);

public sealed record UnpinMessage(string SessionId, long MsgId, string By);

/// <summary>
/// Pure rules of pinning messages in a session; both ways idempotent. Decided against
/// <see cref="Session.Pins"/>, so run them where the session's commands are serialized.
/// </summary>
public static class PinRules
{
    public const int MaxPins = 100;

    public static Decision Pin(Session? session, MessageRef? target, PinMessage command, DateTimeOffset now)
    {
        if (Refusal(session, command.SessionId, command.By) is { } refusal) return Decision.Refuse(refusal);
        if (target is null || target.MsgId != command.MsgId)
            return Decision.Refuse(Rejection.NotFound($"No message {command.MsgId} in this session."));
        if (target.Retracted) return Decision.Refuse(Rejection.Conflict("A retracted message cannot be pinned."));
        if (session!.Pins.Contains(target.MsgId)) return Decision.Nothing;
        if (session.Pins.Count >= MaxPins)
            return Decision.Refuse(Rejection.Conflict($"A session holds at most {MaxPins} pins: unpin one first."));
        return Decision.Append(new MessagePinned(target.MsgId, target.Seq, command.By, now));
    }

    /// <summary>Needs no target: a message that is gone may still be unpinned, and one never pinned is a no-op.</summary>
    public static Decision Unpin(Session? session, UnpinMessage command, DateTimeOffset now)
    {
        if (Refusal(session, command.SessionId, command.By) is { } refusal) return Decision.Refuse(refusal);
        return session!.Pins.Contains(command.MsgId)
            ? Decision.Append(new MessageUnpinned(command.MsgId, command.By, now))
            : Decision.Nothing;
    }

    private static Rejection? Refusal(Session? session, string sessionId, string by) =>
        session is null ? Rejection.NotFound($"Unknown session '{sessionId}'.")
        : !session.Admits(by) ? Rejection.Forbidden($"'{by}' is not a member of this session.")
        : session.Closed ? Rejection.Conflict("The session is closed.")
        : null;
}
