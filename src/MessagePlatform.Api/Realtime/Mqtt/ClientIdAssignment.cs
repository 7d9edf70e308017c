using System.Net;
using System.Security.Cryptography.X509Certificates;
using MQTTnet.Adapter;
using MQTTnet.Diagnostics.Logger;
using MQTTnet.Formatter;
using MQTTnet.Packets;
using MQTTnet.Server;

namespace MessagePlatform.Api.Realtime.Mqtt;

/// <summary>
/// MQTT 3.1.1 lets a clean-session client CONNECT with an empty client id, which the server must
/// then assign [MQTT-3.1.3-6]; mosquitto_sub and mosquitto_pub do exactly that. MQTTnet 5 assigns
/// one only for MQTT 5 and refuses the rest, so each listener's channels pass through here first.
/// </summary>
public sealed class ClientIdAssignment(IMqttServerAdapter listener) : IMqttServerAdapter
{
    public Func<IMqttChannelAdapter, Task>? ClientHandler { get; set; }

    public Task StartAsync(MqttServerOptions options, IMqttNetLogger logger)
    {
        listener.ClientHandler = channel => ClientHandler!(new AssigningChannel(channel));
        return listener.StartAsync(options, logger);
    }

    public async Task StopAsync()
    {
        try
        {
            await listener.StopAsync();
        }
        catch (InvalidOperationException)
        {
            // MQTTnet's TCP listener may throw "Collection was modified" when it stops while a client
            // is still being accepted; the host is going away either way, so stopping ends here.
        }
    }

    public void Dispose() => listener.Dispose();

    private sealed class AssigningChannel(IMqttChannelAdapter channel) : IMqttChannelAdapter
    {
        public async Task<MqttPacket> ReceivePacketAsync(CancellationToken cancellationToken)
        {
            var packet = await channel.ReceivePacketAsync(cancellationToken);
            if (packet is MqttConnectPacket { CleanSession: true } connect && string.IsNullOrEmpty(connect.ClientId)
                && channel.PacketFormatterAdapter.ProtocolVersion != MqttProtocolVersion.V500)
                connect.ClientId = $"mp-{Guid.NewGuid():N}";
            return packet;
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
        public Task SendPacketAsync(MqttPacket packet, CancellationToken cancellationToken) => channel.SendPacketAsync(packet, cancellationToken);
        public void ResetStatistics() => channel.ResetStatistics();
        public void Dispose() => channel.Dispose();
    }
}
