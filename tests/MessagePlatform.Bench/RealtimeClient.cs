using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;

namespace MessagePlatform.Bench;

/// <summary>
/// One end user's WebSocket, behaving as a real client must: it acks every message frame at once,
/// or the server would send it again. Frames are stamped on arrival, before anything else is done
/// with them, and go to the <see cref="FrameLog"/> of the cell running.
/// </summary>
public sealed class RealtimeClient(ClientWebSocket socket) : IOnlineClient
{
    private static readonly TimeSpan ReplyTimeout = TimeSpan.FromSeconds(30);

    // One send at a time is all a WebSocket allows; acks, pings and joins share it.
    private readonly SemaphoreSlim _sending = new(1, 1);
    private Task _receiving = Task.CompletedTask;
    private FrameLog.Recorder? _recording;
    private TaskCompletionSource? _pong;
    private string? _error;
    private bool _closing;
    private long _frames;

    public ClientKind Kind => ClientKind.WebSocket;

    /// <summary>Frames received since connecting, of any type.</summary>
    public long Frames => Interlocked.Read(ref _frames);

    /// <summary>Connects, then pings: the pong says the server's side is fully set up and reading.</summary>
    public static async Task<RealtimeClient> ConnectAsync(Uri api, string token, CancellationToken ct)
    {
        var socket = new ClientWebSocket();
        // The server pings every 30 s; an idle client of its own adds nothing but timers.
        socket.Options.KeepAliveInterval = TimeSpan.Zero;
        var uri = new UriBuilder(api) { Scheme = "ws", Path = "/v1/connect", Query = $"access_token={Uri.EscapeDataString(token)}" }.Uri;
        var client = new RealtimeClient(socket);
        try
        {
            await socket.ConnectAsync(uri, ct);
            client._receiving = client.ReceiveAsync();
            await client.PingAsync(ct);
            return client;
        }
        catch
        {
            await client.DisposeAsync();
            throw;
        }
    }

    /// <summary>Joins a room; the pong after it says the join was processed (the server reads frames in order).</summary>
    public async Task JoinAsync(string room, CancellationToken ct)
    {
        _error = null;
        await SendAsync(WireFrame.Join(room), ct);
        await PingAsync(ct);
        if (_error is { } refused) throw new OperationFailedException("join refused", refused);
    }

    public async Task PingAsync(CancellationToken ct)
    {
        var pong = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _pong, pong);
        await SendAsync(WireFrame.Ping, ct);
        await pong.Task.WaitAsync(ReplyTimeout, ct);
    }

    /// <summary>From now on, message, broadcast and sync frames count toward <paramref name="log"/>.</summary>
    public void RecordInto(FrameLog log) => Volatile.Write(ref _recording, log.RecorderForOneClient());

    private async Task ReceiveAsync()
    {
        // Frames of this bench are about 350 bytes; a larger one grows the buffer.
        var buffer = new byte[1024];
        try
        {
            while (true)
            {
                var length = 0;
                ValueWebSocketReceiveResult result;
                do
                {
                    if (length == buffer.Length) Array.Resize(ref buffer, buffer.Length * 2);
                    result = await socket.ReceiveAsync(buffer.AsMemory(length), CancellationToken.None);
                    length += result.Count;
                } while (!result.EndOfMessage);
                if (result.MessageType == WebSocketMessageType.Close) return;
                var arrivedAt = Stopwatch.GetTimestamp();
                Interlocked.Increment(ref _frames);
                await HandleAsync(buffer.AsSpan(0, length), arrivedAt);
            }
        }
        catch (Exception e) when (e is WebSocketException or ObjectDisposedException or OperationCanceledException)
        {
            // Closed under us, by the server or by DisposeAsync: nothing left to receive.
        }
    }

    private Task HandleAsync(ReadOnlySpan<byte> frame, long arrivedAt)
    {
        var (type, msgId) = WireFrame.Read(frame);
        var recording = Volatile.Read(ref _recording);
        switch (type)
        {
            case "message" when msgId is not null:
                recording?.Add(msgId, arrivedAt);
                return SendAsync(WireFrame.Ack(msgId), CancellationToken.None);
            case "broadcast" when msgId is not null:
                recording?.Add(msgId, arrivedAt);
                // Online-only broadcasts are sent once and never retried (QoS 0): acking them would only add load.
                return WireFrame.IsOnlineOnly(frame) ? Task.CompletedTask : SendAsync(WireFrame.Ack(msgId), CancellationToken.None);
            case "sync":
                recording?.Log.Sync();
                break;
            case "pong":
                Volatile.Read(ref _pong)?.TrySetResult();
                break;
            default:
                var text = Encoding.UTF8.GetString(frame);
                if (type == "error") _error = text;
                recording?.Log.Other(text);
                break;
        }
        return Task.CompletedTask;
    }

    private async Task SendAsync(byte[] frame, CancellationToken ct)
    {
        await _sending.WaitAsync(ct);
        try
        {
            // Once the close is sent nothing else may be; a late ack is moot anyway.
            if (!_closing) await socket.SendAsync(frame, WebSocketMessageType.Text, endOfMessage: true, ct);
        }
        finally
        {
            _sending.Release();
        }
    }

    /// <summary>Closes politely (the server sees a normal close, not an error), within a few seconds.</summary>
    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await _sending.WaitAsync(timeout.Token);
            try
            {
                _closing = true;
                if (socket.State == WebSocketState.Open)
                    await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token);
            }
            finally
            {
                _sending.Release();
            }
            await _receiving.WaitAsync(timeout.Token);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or TimeoutException)
        {
            // Gone or slow: the socket is torn down below either way.
        }
        socket.Dispose();
        _sending.Dispose();
    }
}
