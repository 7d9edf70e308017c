namespace MessagePlatform.Domain;

// Stored events of a tenant's presence stream ("$presence"). They never change shape once shipped.

/// <summary>A user who was offline holds a connection again (WebSocket or MQTT, on any node).</summary>
public sealed record UserWentOnline(string UserId, DateTimeOffset At);

/// <summary>A user has held no connection for the debounce period; it was last seen at <paramref name="LastSeenAt"/>.</summary>
public sealed record UserWentOffline(string UserId, DateTimeOffset LastSeenAt);
