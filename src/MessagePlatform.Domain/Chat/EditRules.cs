using System.Text.Json;

namespace MessagePlatform.Domain;

/// <summary>The message an edit targets, as the session chain knows it, with its latest body.</summary>
public sealed record EditTarget(long MsgId, long Seq, string From, DateTimeOffset SentAt, bool Retracted, JsonElement Body);

public sealed record EditMessage(string SessionId, long MsgId, string By, JsonElement Body, bool AsAdmin);

/// <summary>Pure rules of editing a message (API.md "Everyday chat": edit).</summary>
public static class EditRules
{
    /// <summary>
    /// Only the sender, while the session still admits it, or the app as admin; within the policy's
    /// edit window for both (unlike a retract, the contract gives admins no exemption); never a retracted
    /// message nor in a closed session. Sending the latest body again is a no-op, so a retried edit
    /// answers 200 even once the window has passed.
    /// </summary>
    public static Decision Decide(Session? session, EditTarget? target, EditMessage command, DateTimeOffset now)
    {
        if (session is null) return Decision.Refuse(Rejection.NotFound($"Unknown session '{command.SessionId}'."));
        if (target is null) return Decision.Refuse(Rejection.NotFound($"No message {command.MsgId} in this session."));
        if (SendRules.BodyRejection(command.Body) is { } bad) return Decision.Refuse(bad);
        if (!command.AsAdmin && (command.By != target.From || !session.Admits(command.By)))
            return Decision.Refuse(Rejection.Forbidden("Only the sender may edit a message (or the app, as admin)."));
        if (target.Retracted) return Decision.Refuse(Rejection.Conflict("A retracted message cannot be edited."));
        if (session.Closed) return Decision.Refuse(Rejection.Conflict("The session is closed."));
        if (JsonElement.DeepEquals(target.Body, command.Body)) return Decision.Nothing;
        if (now > target.SentAt.AddSeconds(session.Policy.EditWindowSeconds))
            return Decision.Refuse(Rejection.Conflict($"The edit window of {session.Policy.EditWindowSeconds} s has passed."));
        return Decision.Append(new MessageEdited(target.MsgId, target.Seq, command.By, command.Body.Clone(), command.AsAdmin, now));
    }
}
