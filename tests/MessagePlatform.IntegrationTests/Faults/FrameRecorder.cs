using System.Collections.Concurrent;
using MessagePlatform.IntegrationTests.Infrastructure;

namespace MessagePlatform.IntegrationTests.Faults;

/// <summary>
/// A user's WebSocket client as the contract says a client behaves: acks every message frame and
/// notes when it arrived, and notes every `sync` hint (after which a real client pulls by its cursor).
/// </summary>
public sealed class FrameRecorder : IAsyncDisposable
{
    private readonly SocketClient _socket;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _reading;

    public string UserId { get; }
    public ConcurrentDictionary<string, DateTime> Frames { get; } = new();
    public ConcurrentQueue<DateTime> SyncHints { get; } = new();

    private FrameRecorder(string userId, SocketClient socket)
    {
        (UserId, _socket) = (userId, socket);
        _reading = Task.Run(ReadAsync);
    }

    public static async Task<FrameRecorder> ConnectAsync(Uri node, HttpClient app, string userId) =>
        new(userId, await SocketClient.ConnectAsync(node, await app.TokenAsync(userId)));

    private async Task ReadAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var frame = await _socket.ReceiveAsync(TimeSpan.FromMinutes(10));
                switch (frame.GetProperty("type").GetString())
                {
                    case "message":
                        var msgId = frame.GetProperty("msgId").GetString()!;
                        Frames.TryAdd(msgId, DateTime.UtcNow);
                        await _socket.SendAsync(new { type = "ack", msgId });
                        break;
                    case "sync":
                        SyncHints.Enqueue(DateTime.UtcNow);
                        break;
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or System.Net.WebSockets.WebSocketException or ObjectDisposedException or InvalidOperationException)
        {
            // closed: by us, or by the node dying
        }
    }

    /// <summary>
    /// The acknowledged sends to this user that neither reached it as a frame nor were covered by a
    /// `sync` hint that came after the send began (the hint tells the client to pull what it missed).
    /// </summary>
    public List<SendAttempt> Uncovered(IEnumerable<SendAttempt> expected) =>
        [.. expected.Where(sent => !Frames.ContainsKey(sent.MsgId!) && !SyncHints.Any(hint => hint >= sent.StartedAt))];

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        // Aborted, not closed: a close handshake would race the read loop's pending receive.
        _socket.Socket.Abort();
        await _reading;
        _socket.Socket.Dispose();
        _stop.Dispose();
    }
}
