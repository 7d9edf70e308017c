namespace MessagePlatform.Domain;

/// <summary>
/// A message that a command names (a reply's target, a pin), as the session chain knows it; the
/// caller passes null when the session has no message with that msgId.
/// </summary>
public sealed record MessageRef(long MsgId, long Seq, string From, DateTimeOffset SentAt, bool Retracted);
