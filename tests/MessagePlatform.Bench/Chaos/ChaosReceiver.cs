using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace MessagePlatform.Bench.Chaos;

/// <summary>
/// A user's client as the contract says one behaves: connected to some live node, acks every
/// message frame, and when its node dies reconnects to another. A reconnect and a `sync` hint are
/// both the client's cue to pull by its cursor, so each covers every message sent before it.
/// </summary>
public sealed class ChaosReceiver(string userId, string token, Func<Uri?> anyLiveNode)
{
    public string UserId => userId;
    public ConcurrentDictionary<string, DateTime> Frames { get; } = new();
    public ConcurrentQueue<DateTime> SyncPoints { get; } = new();
    public DateTime FirstConnectedAt { get; private set; } = DateTime.MaxValue;
    public int Reconnects;

    public async Task RunAsync(CancellationToken stop)
    {
        var buffer = new byte[256 * 1024];
        while (!stop.IsCancellationRequested)
        {
            if (anyLiveNode() is not { } node)
            {
                await Task.Delay(200, CancellationToken.None);
                continue;
            }
            using var socket = new ClientWebSocket();
            try
            {
                await socket.ConnectAsync(new Uri($"ws://{node.Authority}/v1/connect?access_token={Uri.EscapeDataString(token)}"), stop);
                if (FirstConnectedAt == DateTime.MaxValue) FirstConnectedAt = DateTime.UtcNow;
                else Interlocked.Increment(ref Reconnects);
                SyncPoints.Enqueue(DateTime.UtcNow);
                while (!stop.IsCancellationRequested)
                {
                    var length = 0;
                    ValueWebSocketReceiveResult result;
                    do
                    {
                        result = await socket.ReceiveAsync(buffer.AsMemory(length), stop);
                        length += result.Count;
                    } while (!result.EndOfMessage && result.MessageType != WebSocketMessageType.Close);
                    if (result.MessageType == WebSocketMessageType.Close) break;
                    using var frame = JsonDocument.Parse(buffer.AsMemory(0, length));
                    switch (frame.RootElement.GetProperty("type").GetString())
                    {
                        case "message":
                            var msgId = frame.RootElement.GetProperty("msgId").GetString()!;
                            Frames.TryAdd(msgId, DateTime.UtcNow);
                            await socket.SendAsync(Encoding.UTF8.GetBytes($$"""{"type":"ack","msgId":"{{msgId}}"}"""), WebSocketMessageType.Text, true, stop);
                            break;
                        case "sync":
                            SyncPoints.Enqueue(DateTime.UtcNow);
                            break;
                    }
                }
            }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException or HttpRequestException)
            {
                // the node died (or we stop): connect to another
            }
        }
    }

    /// <summary>Acknowledged sends to this user sent while it was connected that neither came as a frame nor before a sync point.</summary>
    public List<ChaosSend> Uncovered(IEnumerable<ChaosSend> expected) =>
        [.. expected.Where(s => s.StartedAt >= FirstConnectedAt && !Frames.ContainsKey(s.MsgId!) && !SyncPoints.Any(p => p >= s.StartedAt))];
}
