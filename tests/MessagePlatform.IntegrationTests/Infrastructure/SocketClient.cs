using System.Net.WebSockets;
using System.Text.Json;
using Microsoft.AspNetCore.TestHost;

namespace MessagePlatform.IntegrationTests.Infrastructure;

/// <summary>An end user's WebSocket to /v1/connect, reading and writing the JSON frames of API.md.</summary>
public sealed class SocketClient(WebSocket socket) : IAsyncDisposable
{
    public static async Task<SocketClient> ConnectAsync(PlatformHost host, string token)
    {
        var client = host.Server.CreateWebSocketClient();
        var socket = await client.ConnectAsync(new Uri($"ws://localhost/v1/connect?access_token={Uri.EscapeDataString(token)}"), CancellationToken.None);
        return new SocketClient(socket);
    }

    /// <summary>Over a real socket to a node in its own process (<see cref="ApiProcess"/>).</summary>
    public static async Task<SocketClient> ConnectAsync(Uri node, string token)
    {
        var socket = new ClientWebSocket();
        await socket.ConnectAsync(new Uri($"ws://{node.Authority}/v1/connect?access_token={Uri.EscapeDataString(token)}"), CancellationToken.None);
        return new SocketClient(socket);
    }

    public WebSocket Socket => socket;

    public Task SendAsync(object frame) =>
        socket.SendAsync(JsonSerializer.SerializeToUtf8Bytes(frame, JsonSerializerOptions.Web), WebSocketMessageType.Text, true, CancellationToken.None);

    /// <summary>The next frame, or a failed test after <paramref name="within"/>.</summary>
    public async Task<JsonElement> ReceiveAsync(TimeSpan? within = null)
    {
        using var timeout = new CancellationTokenSource(within ?? TimeSpan.FromSeconds(10));
        var buffer = new byte[256 * 1024];
        var length = 0;
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer.AsMemory(length), timeout.Token);
            length += result.Count;
            if (result.EndOfMessage) break;
        }
        return JsonDocument.Parse(buffer.AsMemory(0, length)).RootElement.Clone();
    }

    /// <summary>Frames until one of <paramref name="type"/> arrives (others are returned too, in order).</summary>
    public async Task<(JsonElement Match, List<JsonElement> Before)> ReceiveUntilAsync(string type, TimeSpan? within = null)
    {
        var before = new List<JsonElement>();
        while (true)
        {
            var frame = await ReceiveAsync(within);
            if (frame.GetProperty("type").GetString() == type) return (frame, before);
            before.Add(frame);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (socket.State == WebSocketState.Open)
            await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
        socket.Dispose();
    }
}
