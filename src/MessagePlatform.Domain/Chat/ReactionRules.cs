using System.Globalization;
using System.Text;

namespace MessagePlatform.Domain;

/// <summary>
/// The message a reaction targets and what it already carries: the distinct reactions on it, and those
/// of the command's user. Null when the session has no message with that msgId.
/// </summary>
public sealed record ReactionTarget(
    long MsgId, long Seq, bool Retracted, IReadOnlyCollection<string> OnMessage, IReadOnlyCollection<string> ByUser);

public sealed record MessageReaction(string SessionId, long MsgId, string Reaction, string By);

/// <summary>Pure rules of reactions (an emoji or a short name on a message); adding and removing are idempotent.</summary>
public static class ReactionRules
{
    /// <summary>Counted in text elements (what a reader sees as one character: "👍🏽" or "👨‍👩‍👧" is one).</summary>
    public const int MaxLength = 32;

    /// <summary>A cap in UTF-16 code units too: one text element may carry any number of combining marks.</summary>
    public const int MaxUtf16Length = 128;

    public const int MaxDistinctPerMessage = 50;
    public const int MaxPerUserPerMessage = 20;

    public const string Rule =
        "must be 1 to 32 characters (an emoji or a short name) in Unicode normal form C, without spaces, control characters, NUL or unpaired surrogates";

    /// <summary>
    /// Whether <paramref name="reaction"/> can be one. Spaces and other forms of the same text are refused
    /// rather than cleaned up: "👍 " or a decomposed "é" would count apart from the reaction they look like.
    /// Format characters stay allowed: emoji sequences are joined by U+200D.
    /// </summary>
    public static bool IsReaction(string? reaction)
    {
        if (string.IsNullOrEmpty(reaction) || reaction.Length > MaxUtf16Length || !StorableText.IsStorable(reaction)) return false;
        if (reaction.Any(c => char.IsControl(c) || char.IsWhiteSpace(c))) return false;
        if (!reaction.IsNormalized(NormalizationForm.FormC)) return false;
        return new StringInfo(reaction).LengthInTextElements <= MaxLength;
    }

    public static Decision Add(Session? session, ReactionTarget? target, MessageReaction command, DateTimeOffset now)
    {
        if (Refusal(session, target, command) is { } refusal) return Decision.Refuse(refusal);
        if (target!.ByUser.Contains(command.Reaction)) return Decision.Nothing;
        if (target.ByUser.Count >= MaxPerUserPerMessage)
            return Decision.Refuse(Rejection.Conflict($"A user puts at most {MaxPerUserPerMessage} reactions on one message."));
        if (!target.OnMessage.Contains(command.Reaction) && target.OnMessage.Count >= MaxDistinctPerMessage)
            return Decision.Refuse(Rejection.Conflict($"A message carries at most {MaxDistinctPerMessage} different reactions."));
        return Decision.Append(new ReactionAdded(target.MsgId, target.Seq, command.Reaction, command.By, now));
    }

    public static Decision Remove(Session? session, ReactionTarget? target, MessageReaction command, DateTimeOffset now)
    {
        if (Refusal(session, target, command) is { } refusal) return Decision.Refuse(refusal);
        return target!.ByUser.Contains(command.Reaction)
            ? Decision.Append(new ReactionRemoved(target.MsgId, target.Seq, command.Reaction, command.By, now))
            : Decision.Nothing;
    }

    private static Rejection? Refusal(Session? session, ReactionTarget? target, MessageReaction command) =>
        session is null ? Rejection.NotFound($"Unknown session '{command.SessionId}'.")
        : target is null ? Rejection.NotFound($"No message {command.MsgId} in this session.")
        : !IsReaction(command.Reaction) ? Rejection.Invalid($"A reaction {Rule}.")
        : !session.Admits(command.By) ? Rejection.Forbidden($"'{command.By}' is not a member of this session.")
        : target.Retracted ? Rejection.Conflict("A retracted message takes no reactions.")
        : session.Closed ? Rejection.Conflict("The session is closed.")
        : null;
}
