using System.Net;
using System.Net.Sockets;
using MQTTnet.Adapter;
using MQTTnet.Diagnostics.Logger;
using MQTTnet.Implementations;
using MQTTnet.Server;
using Microsoft.Extensions.Options;

namespace MessagePlatform.Api.Realtime.Mqtt;

/// <summary>
/// MQTT over TCP on `MP_MQTT_PORT`, all interfaces. Our own accept loop instead of MQTTnet's, because
/// MQTTnet builds its channel adapter straight over the socket: here the unauthenticated caps are
/// applied before a byte is read, and <see cref="PacketBound"/> sits between the socket and MQTTnet.
/// </summary>
public sealed class MqttTcpDoor(int port, UnauthenticatedConnections waiting, IOptions<MqttDoorOptions> options, ILogger<MqttTcpDoor> log)
    : IMqttServerAdapter
{
    private readonly CancellationTokenSource _stopping = new();
    private TcpListener? _listener;
    private MqttServerOptions _server = null!;
    private IMqttNetLogger _logger = MqttNetNullLogger.Instance;

    public Func<IMqttChannelAdapter, Task>? ClientHandler { get; set; }

    public Task StartAsync(MqttServerOptions options, IMqttNetLogger logger)
    {
        (_server, _logger) = (options, logger);
        _listener = TcpListener.Create(port);
        _listener.Start();
        _ = AcceptAsync(_listener, _stopping.Token);
        return Task.CompletedTask;
    }

    private async Task AcceptAsync(TcpListener listener, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await listener.AcceptSocketAsync(ct);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException e)
            {
                log.LogWarning(e, "MQTT TCP accept on {Port} failed", port);
                continue;
            }
            _ = Task.Run(() => HandleAsync(socket), CancellationToken.None);
        }
    }

    private async Task HandleAsync(Socket socket)
    {
        var remote = socket.RemoteEndPoint;
        try
        {
            using var admission = waiting.TryAdmit(remote);
            if (admission is null)
            {
                log.LogWarning("MQTT TCP connection from {RemoteEndPoint} refused: too many unauthenticated connections", remote);
                return;
            }
            socket.NoDelay = true;
            await using var stream = new NetworkStream(socket, ownsSocket: false);
            using var door = DoorChannels.Open(new MqttTcpChannel(stream, socket.LocalEndPoint, remote, null), admission, options.Value,
                _server.WriterBufferSize, _server.WriterBufferSizeMax, _logger);
            await ClientHandler!(door);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // The client went away mid-handshake.
        }
        finally
        {
            socket.Dispose();
        }
    }

    public Task StopAsync()
    {
        _stopping.Cancel();
        _listener?.Stop();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        _listener?.Dispose();
        _stopping.Dispose();
    }
}
