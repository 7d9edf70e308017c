namespace MessagePlatform.Api.Realtime;

/// <summary>`Realtime:*`: fair use at the WebSocket and MQTT doors, how long failed pushes are kept, and when late pushes are shed.</summary>
public sealed class RealtimeOptions
{
    public const string Section = "Realtime";

    /// <summary>Inbound frames (WebSocket frames, MQTT publishes and subscribes) one connection may send per second, sustained.</summary>
    public int FramesPerSecond { get; set; } = 20;

    /// <summary>How many frames a connection may send at once after being quiet.</summary>
    public int FrameBurst { get; set; } = 40;

    /// <summary>Open connections of one user on one node, WebSocket and MQTT together.</summary>
    public int MaxConnectionsPerUser { get; set; } = 8;

    /// <summary>x-message-ttl of the broker's `_error` queues: failed pushes are dropped after this.</summary>
    public int ErrorQueueTtlSeconds { get; set; } = 7 * 24 * 3600;

    /// <summary>A push reaching its node this long after its commit drops its low-priority room and broadcast frames.</summary>
    public int ShedLowPriorityAfterMilliseconds { get; set; } = 500;

    /// <summary>A push reaching its node this long after its commit sends each connection one `sync` hint instead of its frames.</summary>
    public int SyncInsteadAfterMilliseconds { get; set; } = 1000;

    /// <summary>How often the server pings each WebSocket client.</summary>
    public int KeepAliveSeconds { get; set; } = 30;

    /// <summary>
    /// A WebSocket client that has not answered a ping this long after it was sent is closed and goes
    /// offline. Two intervals by default: one lost pong on a slow mobile link is not a vanished client.
    /// </summary>
    public int KeepAliveTimeoutSeconds { get; set; } = 60;

    public bool Valid => KeepAliveSeconds is >= 1 and <= 3600 && KeepAliveTimeoutSeconds is >= 1 and <= 3600 && FramesPerSecond >= 1 && FrameBurst >= FramesPerSecond && MaxConnectionsPerUser >= 1 && ErrorQueueTtlSeconds >= 1
        && ShedLowPriorityAfterMilliseconds >= 1 && SyncInsteadAfterMilliseconds >= ShedLowPriorityAfterMilliseconds;
}
