using System.Collections.Concurrent;
using System.Net;
using System.Net.WebSockets;
using System.Text.Json;
using MessagePlatform.IntegrationTests.Infrastructure;

namespace MessagePlatform.IntegrationTests.Fuzz;

public static class Healthy
{
    /// <summary>Reads <paramref name="holds"/> again until it is true or <paramref name="within"/> has passed; whether it held.</summary>
    public static async Task<bool> WaitAsync(Func<Task<bool>> holds, TimeSpan within)
    {
        for (var deadline = DateTime.UtcNow + within; DateTime.UtcNow < deadline; await Task.Delay(100))
            if (await holds()) return true;
        return await holds();
    }
}

/// <summary>
/// What a healthy tenant does meanwhile: bob sends into "g" over REST every 150 ms and a probe reads
/// /health/live; any 5xx or a live probe not 200 is a failure, reported once the traffic stops.
/// </summary>
public sealed class Traffic : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<string> _failures = new();
    private Task _running = Task.CompletedTask;

    public ConcurrentQueue<string> SentQueue { get; } = new();
    public IReadOnlyCollection<string> Sent => SentQueue;

    public static Traffic Start(RealtimeFuzzNode fuzz)
    {
        var traffic = new Traffic();
        traffic._running = Task.Run(() => traffic.RunAsync(fuzz));
        return traffic;
    }

    private async Task RunAsync(RealtimeFuzzNode fuzz)
    {
        using var probe = new HttpClient { BaseAddress = fuzz.Node.Address };
        for (var i = 0; !_stop.IsCancellationRequested; i++)
        {
            try
            {
                var send = await fuzz.Tenant.App.SendAsync("g", "bob", $"healthy-{i}-{Guid.NewGuid():N}");
                var body = await send.Content.ReadAsStringAsync();
                if (send.StatusCode == HttpStatusCode.Created) SentQueue.Enqueue(JsonDocument.Parse(body).RootElement.GetProperty("msgId").GetString()!);
                else if ((int)send.StatusCode >= 500) _failures.Enqueue($"send answered {(int)send.StatusCode}: {body}");
                var live = await probe.GetAsync("/health/live");
                if (live.StatusCode != HttpStatusCode.OK) _failures.Enqueue($"/health/live answered {(int)live.StatusCode}");
            }
            catch (HttpRequestException e)
            {
                _failures.Enqueue($"REST call failed: {e.Message}");
            }
            await Task.Delay(150);
        }
    }

    /// <summary>Stops once a few sends have been made, however short the fuzz was (a replay of one seed).</summary>
    public async Task StopAsync(string seed)
    {
        await Healthy.WaitAsync(() => Task.FromResult(SentQueue.Count >= 5 || _running.IsCompleted), TimeSpan.FromSeconds(30));
        await _stop.CancelAsync();
        await _running;
        Assert.True(_failures.IsEmpty, $"seed {seed}: " + string.Join("\n", _failures));
        Assert.True(SentQueue.Count >= 5, $"seed {seed}: only {SentQueue.Count} healthy sends during the fuzz");
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _running;
        _stop.Dispose();
    }
}

/// <summary>The healthy user's WebSocket, open the whole fuzz: it acks every message frame and counts what it got.</summary>
public sealed class HealthyWebSocket : IAsyncDisposable
{
    private readonly ClientWebSocket _socket;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _reading;
    private int _syncs;

    public ConcurrentDictionary<string, bool> Received { get; } = new();
    public int Syncs => _syncs;

    private HealthyWebSocket(ClientWebSocket socket)
    {
        _socket = socket;
        _reading = Task.Run(ReadAsync);
    }

    public static async Task<HealthyWebSocket> ConnectAsync(Uri node, string token)
    {
        var socket = new ClientWebSocket();
        await socket.ConnectAsync(new Uri($"ws://{node.Authority}/v1/connect?access_token={Uri.EscapeDataString(token)}"), CancellationToken.None);
        return new HealthyWebSocket(socket);
    }

    private async Task ReadAsync()
    {
        var buffer = new byte[256 * 1024];
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var length = 0;
                ValueWebSocketReceiveResult read;
                do
                {
                    read = await _socket.ReceiveAsync(buffer.AsMemory(length), _stop.Token);
                    length += read.Count;
                } while (!read.EndOfMessage);
                if (read.MessageType == WebSocketMessageType.Close) return;
                var frame = JsonDocument.Parse(buffer.AsMemory(0, length)).RootElement;
                switch (frame.GetProperty("type").GetString())
                {
                    case "message":
                        var msgId = frame.GetProperty("msgId").GetString()!;
                        Received[msgId] = true;
                        await _socket.SendAsync(JsonSerializer.SerializeToUtf8Bytes(new { type = "ack", msgId }), WebSocketMessageType.Text, true, _stop.Token);
                        break;
                    case "sync":
                        Interlocked.Increment(ref _syncs);
                        break;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopped by the test.
        }
    }

    /// <summary>Every msgId of <paramref name="sent"/> arrived as a push, or a sync hint told the client to pull; else a failed test.</summary>
    public async Task ReceivedAllAsync(IReadOnlyCollection<string> sent, string seed)
    {
        await Healthy.WaitAsync(() => Task.FromResult(sent.All(Received.ContainsKey) || _syncs > 0 || _reading.IsCompleted), TimeSpan.FromSeconds(30));
        Assert.False(_reading.IsCompleted && _reading.IsFaulted, $"seed {seed}: the healthy connection failed: {_reading.Exception}");
        Assert.True(_socket.State == WebSocketState.Open, $"seed {seed}: the healthy connection was closed: {_socket.CloseStatus} {_socket.CloseStatusDescription}");
        var missing = sent.Where(id => !Received.ContainsKey(id)).ToList();
        Assert.True(missing.Count == 0 || _syncs > 0, $"seed {seed}: the healthy client missed {missing.Count} of {sent.Count} pushes and got no sync hint");
    }

    public async ValueTask DisposeAsync()
    {
        if (_stop.IsCancellationRequested) return;
        await _stop.CancelAsync();
        try { await _reading; } catch (WebSocketException) { }
        _socket.Abort();
        _socket.Dispose();
    }
}
