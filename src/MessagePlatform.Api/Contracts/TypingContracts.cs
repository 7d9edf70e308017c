namespace MessagePlatform.Contracts;

/// <summary>
/// A member is typing: sent by the node that took the signal straight to one live gateway node's queue,
/// never stored and never published to the fan-out (nothing to replay, nothing to sync). It names the
/// users of that node it goes to; for a room none, the node tells whoever joined the room there.
/// </summary>
public sealed record TypingPush(int NodeId, string TenantId, string SessionId, string UserId, bool Room, string[] UserIds, DateTimeOffset At);
