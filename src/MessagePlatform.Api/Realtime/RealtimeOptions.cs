using System.ComponentModel.DataAnnotations;

namespace MessagePlatform.Api.Realtime;

/// <summary>`Realtime:*`: fair use at the WebSocket and MQTT doors, how long failed pushes are kept, and when late pushes are shed.</summary>
public sealed class RealtimeOptions
{
    public const string Section = "Realtime";

    /// <summary>Inbound frames (WebSocket frames, MQTT publishes and subscribes) one connection may send per second, sustained.</summary>
    [Range(1, 1_000_000)]
    public int FramesPerSecond { get; set; } = 20;

    /// <summary>How many frames a connection may send at once after being quiet (at least <see cref="FramesPerSecond"/>).</summary>
    [Range(1, 1_000_000)]
    public int FrameBurst { get; set; } = 40;

    /// <summary>Open connections of one user on one node, WebSocket and MQTT together.</summary>
    [Range(1, 100_000)]
    public int MaxConnectionsPerUser { get; set; } = 8;

    /// <summary>x-message-ttl of the broker's `_error` queues: failed pushes are dropped after this (RabbitMQ takes at most 2^32-1 ms).</summary>
    [Range(1, 4_294_967)]
    public int ErrorQueueTtlSeconds { get; set; } = 7 * 24 * 3600;

    /// <summary>A push reaching its node this long after its commit drops its low-priority room and broadcast frames.</summary>
    [Range(1, 3_600_000)]
    public int ShedLowPriorityAfterMilliseconds { get; set; } = 500;

    /// <summary>A push reaching its node this long after its commit sends each connection one `sync` hint instead of its frames.</summary>
    [Range(1, 3_600_000)]
    public int SyncInsteadAfterMilliseconds { get; set; } = 1000;

    /// <summary>Pushes per second one room may make on one node before its `low` priority messages are no longer pushed (they stay stored).</summary>
    [Range(1, 1_000_000)]
    public int RoomPushBudgetPerSecond { get; set; } = 20;

    /// <summary>How often the server pings each WebSocket client.</summary>
    [Range(1, 3600)]
    public int KeepAliveSeconds { get; set; } = 30;

    /// <summary>
    /// A WebSocket client that has not answered a ping this long after it was sent is closed and goes
    /// offline. Two intervals by default: one lost pong on a slow mobile link is not a vanished client.
    /// </summary>
    [Range(1, 3600)]
    public int KeepAliveTimeoutSeconds { get; set; } = 60;

    /// <summary>
    /// Groups with more members than this (and every room) get their reactions as one `reaction` frame
    /// with `counts` per message per <see cref="ReactionWindowMilliseconds"/>, and no `read` frames.
    /// </summary>
    [Range(1, 1_000_000)]
    public int ReactionCountsAboveMembers { get; set; } = 200;

    /// <summary>How long a hot session's reactions on a message are gathered into one `counts` frame.</summary>
    [Range(50, 10_000)]
    public int ReactionWindowMilliseconds { get; set; } = 250;
}
