using System.Text.Json;

namespace MessagePlatform.Domain;

// Stored events of messages in a session stream. They never change shape once shipped.

/// <summary>
/// A message accepted into its session; its seq is this event's version in the stream. ReplyTo (the
/// msgId of a message of the same session) and Mentions (user ids, or exactly "@all") came in v1.1:
/// trailing and optional, so events stored before them read as null.
/// </summary>
public sealed record MessageSent(
    long MsgId,
    string From,
    string ClientMsgId,
    string Type,
    JsonElement Body,
    string Priority,
    DateTimeOffset SentAt,
    long? ReplyTo = null,
    IReadOnlyList<string>? Mentions = null);

/// <summary>A message taken back: by its sender within the recall window, or by the app as admin at any time.</summary>
public sealed record MessageRetracted(
    long MsgId,
    long Seq,
    string By,
    string? Reason,
    bool AsAdmin,
    DateTimeOffset RetractedAt);
