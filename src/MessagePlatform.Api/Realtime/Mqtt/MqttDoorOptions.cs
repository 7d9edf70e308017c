using System.ComponentModel.DataAnnotations;

namespace MessagePlatform.Api.Realtime.Mqtt;

/// <summary>
/// `Mqtt:*`: what the MQTT doors (TCP and /mqtt) accept before and after CONNECT. MQTTnet allocates a
/// packet's declared length before reading it, so these bounds are enforced below it (<see cref="PacketBound"/>).
/// </summary>
public sealed class MqttDoorOptions
{
    public const string Section = "Mqtt";

    /// <summary>Largest packet of an authenticated client: a 64 KiB body plus JSON and MQTT overhead.</summary>
    [Range(1024, 256 * 1024 * 1024)]
    public int MaxPacketBytes { get; set; } = 128 * 1024;

    /// <summary>Largest packet before CONNECT is accepted: a CONNECT carries a user id and a token (at most <see cref="MaxPacketBytes"/>).</summary>
    [Range(256, 256 * 1024 * 1024)]
    public int MaxConnectPacketBytes { get; set; } = 16 * 1024;

    /// <summary>A connection that has not sent its CONNECT by then is closed.</summary>
    [Range(1, 300)]
    public int ConnectTimeoutSeconds { get; set; } = 5;

    /// <summary>
    /// Largest keep-alive a client gets; 0 (none) and more are lowered to it, so a vanished client is
    /// disconnected within 1.5 times this. MQTT 5 clients are told in CONNACK (Server Keep Alive).
    /// </summary>
    [Range(1, ushort.MaxValue)]
    public int MaxKeepAliveSeconds { get; set; } = 120;

    /// <summary>Connections from one client address that have not authenticated yet (at most <see cref="MaxUnauthenticated"/>).</summary>
    [Range(1, 1_000_000)]
    public int MaxUnauthenticatedPerAddress { get; set; } = 16;

    /// <summary>Connections on this node that have not authenticated yet.</summary>
    [Range(1, 1_000_000)]
    public int MaxUnauthenticated { get; set; } = 256;
}
