namespace MessagePlatform.Api.Realtime;

/// <summary>`Realtime:*`: fair use at the WebSocket and MQTT doors, and how long failed pushes are kept.</summary>
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

    public bool Valid => FramesPerSecond >= 1 && FrameBurst >= FramesPerSecond && MaxConnectionsPerUser >= 1 && ErrorQueueTtlSeconds >= 1;
}
