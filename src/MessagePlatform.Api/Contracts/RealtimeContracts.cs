namespace MessagePlatform.Contracts;

// Wire messages on the bus, apart from the stored events: they may evolve with the consumers,
// the events never change. MassTransit's message id is the event's id, so consumers can dedupe.

/// <summary>A message was stored in a session (published once per MessageSent event, at least once).</summary>
public sealed record MessagePublished(
    string TenantId,
    string SessionId,
    string MsgId,
    long Seq,
    string From,
    string Type,
    string BodyJson,
    string Priority,
    DateTimeOffset SentAt);

/// <summary>A message was retracted (published once per MessageRetracted event, at least once).</summary>
public sealed record RetractionPublished(string TenantId, string SessionId, string MsgId, long Seq);

/// <summary>
/// One gateway node's share of a push: sent to that node's queue only, naming the users it holds
/// connections of (for a room: none; the node pushes to whoever joined the room there).
/// </summary>
public sealed record PushBatch(
    int NodeId, string TenantId, string SessionId, bool Room, string[] UserIds,
    MessagePublished? Message, RetractionPublished? Retraction, BroadcastPublished? Broadcast = null);

/// <summary>A broadcast was stored (or, online-only, only recorded): every live node pushes it to its targeted users.</summary>
public sealed record BroadcastPublished(
    string TenantId,
    string MsgId,
    string Type,
    string BodyJson,
    string[] Tags,
    string Priority,
    bool OnlineOnly,
    DateTimeOffset SentAt);
