namespace MessagePlatform.Domain;

public sealed record MarkRead(string SessionId, string UserId, long Seq);

/// <summary>Pure rules of read marks (read receipts), which c2c and group members keep, not rooms.</summary>
public static class ReadRules
{
    /// <summary>
    /// <paramref name="readSeq"/> is the user's mark so far (0 for none), <paramref name="headSeq"/> the
    /// session's last seq. A mark past the head stops at it ("read all of it", as the shipped endpoint
    /// answered); one at or behind the mark so far is a no-op. A room, or a user who is not a member, has
    /// no conversation: NotFound, the status the shipped read endpoint gives them.
    /// </summary>
    public static Decision Decide(Session? session, long readSeq, long headSeq, MarkRead command, DateTimeOffset now)
    {
        if (command.Seq < 0) return Decision.Refuse(Rejection.Invalid("A read seq must not be negative."));
        if (session is null || session.Type == SessionType.Room || !session.Members.Contains(command.UserId))
            return Decision.Refuse(Rejection.NotFound($"'{command.UserId}' has no conversation '{command.SessionId}'."));
        var seq = Math.Min(command.Seq, headSeq);
        return seq <= readSeq ? Decision.Nothing : Decision.Append(new ConversationRead(command.UserId, seq, now));
    }
}
