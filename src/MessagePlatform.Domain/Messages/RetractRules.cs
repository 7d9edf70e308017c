namespace MessagePlatform.Domain;

/// <summary>The message a retraction targets, as the session chain knows it.</summary>
public sealed record RetractTarget(long MsgId, long Seq, string From, DateTimeOffset SentAt, bool Retracted);

public sealed record RetractMessage(string SessionId, long MsgId, string By, string? Reason, bool AsAdmin);

/// <summary>Pure rules of recalling a message (撤回).</summary>
public static class RetractRules
{
    public const int MaxReasonLength = 500;

    /// <summary>Retracting again is a no-op, so a retried retract answers 200.</summary>
    public static Decision Decide(Session? session, RetractTarget? target, RetractMessage command, DateTimeOffset now)
    {
        if (session is null) return Decision.Refuse(Rejection.NotFound($"Unknown session '{command.SessionId}'."));
        if (target is null) return Decision.Refuse(Rejection.NotFound($"No message {command.MsgId} in this session."));
        if (target.Retracted) return Decision.Nothing;
        if (!command.AsAdmin)
        {
            if (command.By != target.From)
                return Decision.Refuse(Rejection.Forbidden("Only the sender may retract a message (or the app, as admin)."));
            if (now > target.SentAt.AddSeconds(session.Policy.RecallWindowSeconds))
                return Decision.Refuse(Rejection.Conflict(
                    $"The recall window of {session.Policy.RecallWindowSeconds} s has passed."));
        }
        return Decision.Append(new MessageRetracted(target.MsgId, target.Seq, command.By, command.Reason, command.AsAdmin, now));
    }
}
