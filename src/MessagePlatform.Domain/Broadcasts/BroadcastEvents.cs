using System.Text.Json;

namespace MessagePlatform.Domain;

// Stored events of a tenant's broadcast stream ("$broadcasts"). They never change shape once shipped.

/// <summary>
/// An operations message to every user of the tenant (no tags) or to the holders of any of its tags:
/// stored once, read by each user's sync (read diffusion), never copied per user.
/// </summary>
public sealed record BroadcastSent(
    long MsgId,
    string ClientMsgId,
    string Type,
    JsonElement Body,
    IReadOnlyList<string> Tags,
    string Priority,
    bool OnlineOnly,
    DateTimeOffset SentAt);
