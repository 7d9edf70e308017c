using System.Net;
using System.Security.Cryptography.X509Certificates;
using MessagePlatform.Api.Access;
using MessagePlatform.Api.Realtime.Gateway;
using MQTTnet.Adapter;
using MQTTnet.Channel;
using MQTTnet.Diagnostics.Logger;
using MQTTnet.Formatter;
using MQTTnet.Packets;

namespace MessagePlatform.Api.Realtime.Mqtt;

/// <summary>
/// One MQTT connection as MQTTnet sees it, with what our doors add: a deadline for the CONNECT, a
/// small packet bound until it authenticates, clean sessions only (a session is never resumed, so
/// nobody inherits another connection's state), and the authenticated caller kept on the connection.
/// </summary>
public sealed class DoorChannel(MqttChannelAdapter channel, PacketBound bound, UnauthenticatedConnections.Admission admission,
    MqttDoorOptions options) : IMqttChannelAdapter
{
    private UserConnectionQuota.Slot? _slot;

    public MqttConnectPacket? Connect { get; private set; }

    /// <summary>Who authenticated on this connection, and when their token was issued; null until then.</summary>
    public Caller? User { get; private set; }

    public DateTimeOffset TokenIssuedAt { get; private set; }

    public void Authenticated(Caller user, DateTimeOffset issuedAt, UserConnectionQuota.Slot slot)
    {
        (User, TokenIssuedAt, _slot) = (user, issuedAt, slot);
        bound.MaxPacketBytes = options.MaxPacketBytes;
        admission.Dispose();
    }

    public async Task<MqttPacket> ReceivePacketAsync(CancellationToken cancellationToken)
    {
        if (Connect is not null) return await channel.ReceivePacketAsync(cancellationToken);
        // MQTTnet waits 100 s (its communication timeout) for the first packet; a door waits a few.
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(TimeSpan.FromSeconds(options.ConnectTimeoutSeconds));
        var packet = await channel.ReceivePacketAsync(deadline.Token);
        if (deadline.IsCancellationRequested) throw new OperationCanceledException("No CONNECT in time.");
        if (packet is MqttConnectPacket connect)
        {
            Connect = connect;
            connect.CleanSession = true;
            connect.SessionExpiryInterval = 0;
            // MQTTnet's keep-alive monitor reads this packet: 0 would never time out a vanished client.
            if (connect.KeepAlivePeriod == 0 || connect.KeepAlivePeriod > options.MaxKeepAliveSeconds)
                connect.KeepAlivePeriod = (ushort)options.MaxKeepAliveSeconds;
            // MQTT 3.1.1 lets a client CONNECT with an empty id, which the server must then assign
            // [MQTT-3.1.3-6] (mosquitto_sub does); MQTTnet assigns one only for MQTT 5.
            if (string.IsNullOrEmpty(connect.ClientId) && channel.PacketFormatterAdapter.ProtocolVersion != MqttProtocolVersion.V500)
                connect.ClientId = $"mp-{Guid.NewGuid():N}";
        }
        return packet!;
    }

    public Task SendPacketAsync(MqttPacket packet, CancellationToken cancellationToken)
    {
        // MQTT 5 clients learn the bound at CONNACK instead of being cut off past it.
        // MQTT 5 clients also learn the keep-alive they were given, so they ping in time (3.1.1 has no way to say it).
        if (packet is MqttConnAckPacket connAck)
        {
            connAck.MaximumPacketSize = (uint)options.MaxPacketBytes;
            if (Connect is { } connect) connAck.ServerKeepAlive = connect.KeepAlivePeriod;
        }
        return channel.SendPacketAsync(packet, cancellationToken);
    }

    public long BytesReceived => channel.BytesReceived;
    public long BytesSent => channel.BytesSent;
    public X509Certificate2 ClientCertificate => channel.ClientCertificate;
    public EndPoint RemoteEndPoint => channel.RemoteEndPoint;
    public EndPoint LocalEndPoint => channel.LocalEndPoint;
    public bool IsSecureConnection => channel.IsSecureConnection;
    public MqttPacketFormatterAdapter PacketFormatterAdapter => channel.PacketFormatterAdapter;
    public Task ConnectAsync(CancellationToken cancellationToken) => channel.ConnectAsync(cancellationToken);
    public Task DisconnectAsync(CancellationToken cancellationToken) => channel.DisconnectAsync(cancellationToken);
    public void ResetStatistics() => channel.ResetStatistics();

    public void Dispose()
    {
        admission.Dispose();
        _slot?.Dispose();
        channel.Dispose();
    }
}

public static class DoorChannels
{
    /// <summary>MQTTnet's channel adapter over <paramref name="raw"/>, with the door's bound beneath it and its rules around it.</summary>
    public static DoorChannel Open(IMqttChannel raw, UnauthenticatedConnections.Admission admission, MqttDoorOptions options,
        int writerBufferSize, int writerBufferSizeMax, IMqttNetLogger logger)
    {
        var bound = new PacketBound(raw, options.MaxConnectPacketBytes);
        var formatter = new MqttPacketFormatterAdapter(new MqttBufferWriter(writerBufferSize, writerBufferSizeMax));
        return new DoorChannel(new MqttChannelAdapter(bound, formatter, logger), bound, admission, options);
    }
}
