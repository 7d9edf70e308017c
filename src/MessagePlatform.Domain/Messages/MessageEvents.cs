using System.Text.Json;

namespace MessagePlatform.Domain;

// Stored events of messages in a session stream. They never change shape once shipped.

/// <summary>A message accepted into its session; its seq is this event's version in the stream.</summary>
public sealed record MessageSent(
    long MsgId,
    string From,
    string ClientMsgId,
    string Type,
    JsonElement Body,
    string Priority,
    DateTimeOffset SentAt);
