using System.Net.WebSockets;

namespace MessagePlatform.Api.Realtime.Gateway;

/// <summary>
/// How a <see cref="ClientConnection"/>'s frames leave the node: one WebSocket text frame each, or
/// MQTT PUBLISH packets (Realtime/Mqtt), routed by the typed frame. The queue, ack and retransmit
/// logic stay in the connection.
/// </summary>
public interface IFrameTransport
{
    /// <summary>"websocket" or "mqtt": what the connection gauge is tagged with.</summary>
    string Name { get; }

    /// <returns>false when the transport could not take the frame, so the client must be told to sync.</returns>
    ValueTask<bool> WriteAsync(OutboundFrame frame, CancellationToken ct);
}

public sealed class WebSocketTransport(WebSocket socket) : IFrameTransport
{
    public const string Transport = "websocket";

    public string Name => Transport;

    public async ValueTask<bool> WriteAsync(OutboundFrame frame, CancellationToken ct)
    {
        await socket.SendAsync(frame.Bytes, WebSocketMessageType.Text, endOfMessage: true, ct);
        return true;
    }
}
