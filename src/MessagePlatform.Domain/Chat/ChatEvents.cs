using System.Text.Json;

namespace MessagePlatform.Domain;

// Stored events of everyday chat (API.md "Everyday chat"). They never change shape once shipped.
// Typing is never stored: it has no event.

/// <summary>A message's body replaced; the stream keeps every version for audit, readers show the latest.</summary>
public sealed record MessageEdited(long MsgId, long Seq, string By, JsonElement Body, bool AsAdmin, DateTimeOffset EditedAt);

/// <summary>A user put a reaction on a message (one per user and reaction).</summary>
public sealed record ReactionAdded(long MsgId, long Seq, string Reaction, string By, DateTimeOffset At);

public sealed record ReactionRemoved(long MsgId, long Seq, string Reaction, string By, DateTimeOffset At);

public sealed record MessagePinned(long MsgId, long Seq, string By, DateTimeOffset At);

public sealed record MessageUnpinned(long MsgId, string By, DateTimeOffset At);

/// <summary>A member has read its session up to <paramref name="Seq"/> (a read receipt); in the session stream.</summary>
public sealed record ConversationRead(string UserId, long Seq, DateTimeOffset At);

/// <summary>
/// A user's own view of one conversation changed; in the user's stream, not the session's. Only the
/// settings that changed are set, so a reader folds them over what it had.
/// </summary>
public sealed record ConversationSettingsChanged(string SessionId, bool? Pinned, bool? Muted, bool? Hidden, DateTimeOffset At);
