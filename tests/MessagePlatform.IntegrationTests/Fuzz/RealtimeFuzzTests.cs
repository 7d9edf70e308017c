using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using CsCheck;
using MessagePlatform.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace MessagePlatform.IntegrationTests.Fuzz;

/// <summary>
/// Issue 13, point 5, the realtime half: hostile WebSocket frames and MQTT packets, many connections
/// at once, while a healthy client of the same tenant gets every message sent to it over REST, REST
/// never answers 5xx, /health/live stays 200, the node stays alive and its memory bounded, and every
/// fuzz connection is gone from presence afterwards. Seeded: MP_FUZZ_SEED replays a printed seed;
/// MP_FUZZ_CONNECTIONS runs longer.
/// </summary>
public sealed class RealtimeFuzzTests(RealtimeFuzzNode fuzz, ITestOutputHelper output) : IClassFixture<RealtimeFuzzNode>
{
    private static readonly string Seed = Environment.GetEnvironmentVariable("MP_FUZZ_SEED") is { Length: > 0 } s ? s : new PCG(13, 20261205).ToString();
    private static readonly int Connections = int.TryParse(Environment.GetEnvironmentVariable("MP_FUZZ_CONNECTIONS"), out var c) ? c : 160;

    // Generous for a busy 2-core machine (GC may keep freed buffers a while), far below one 256 MiB buffer per connection.
    private const long GrowthBoundMiB = 150;

    // One fuzz connection's whole life; generous, as four run at once on a loaded machine.
    private static readonly TimeSpan CaseTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task hostile_websocket_frames_leave_the_healthy_client_every_push_and_the_node_bounded()
    {
        var (_, annToken) = fuzz.Users.Single(u => u.User == "ann");
        await using var healthy = await HealthyWebSocket.ConnectAsync(fuzz.Node.Address, annToken);
        var before = fuzz.ResidentMiB();
        var mark = fuzz.Node.Output.Count;
        var answers = new ConcurrentBag<int>();
        var (refused, healthySent) = (0, 0);
        await using (var traffic = Traffic.Start(fuzz))
        {
            await RealtimeFuzzInputs.Ws(fuzz.Users.Count).SampleAsync(async @case =>
            {
                var (frames, status) = await RunAsync(@case);
                answers.Add(frames);
                if (@case.User < 0)
                {
                    Assert.Equal(401, status);
                    Interlocked.Increment(ref refused);
                }
            }, seed: Seed, iter: Connections, threads: 4, print: c => c.ToString());
            await traffic.StopAsync(Seed);
            await healthy.ReceivedAllAsync(traffic.Sent, Seed);
            healthySent = traffic.Sent.Count;
        }
        var after = fuzz.ResidentMiB();
        output.WriteLine($"seed {Seed}: {Connections} WebSocket connections ({refused} without a token), {answers.Sum()} server frames to them; " +
            $"healthy got {healthy.Received.Count} of {healthySent} pushes, {healthy.Syncs} sync hints; RSS {before} → {after} MiB");
        Assert.True(after < before + GrowthBoundMiB, $"seed {Seed}: the node grew from {before} to {after} MiB");
        Assert.True(fuzz.ErrorsSince(mark) is [], $"seed {Seed}: the node logged errors:\n{string.Join('\n', fuzz.ErrorsSince(mark).Take(10))}");
        Assert.True(answers.Sum() > Connections, $"seed {Seed}: the server answered only {answers.Sum()} frames: the fuzz hardly reached the gateway");
        await healthy.DisposeAsync(); // idempotent: the using above only covers a failure before here
        await NoFuzzConnectionLeftAsync();
        // A new client still connects and gets its push.
        await using var fresh = await SocketClient.ConnectAsync(fuzz.Node.Address, annToken);
        var sent = await fuzz.Tenant.App.SendAsync("g", "bob", $"fresh-{Guid.NewGuid():N}").ExpectAsync(HttpStatusCode.Created);
        var (push, _) = await fresh.ReceiveUntilAsync("message");
        Assert.Equal(sent.GetProperty("msgId").GetString(), push.GetProperty("msgId").GetString());
    }

    [Fact]
    public async Task hostile_mqtt_packets_leave_the_healthy_subscriber_every_push_and_the_node_bounded()
    {
        var (_, annToken) = fuzz.Users.Single(u => u.User == "ann");
        var (subscriber, result) = await MqttTestClient.OverTcpAsync(fuzz.MqttPort, "ann", annToken);
        await using var subscribed = subscriber;
        Assert.Equal(MQTTnet.MqttClientConnectResultCode.Success, result.ResultCode);
        Assert.Equal(MQTTnet.MqttClientSubscribeResultCode.GrantedQoS1, await subscriber.SubscribeAsync("single/ann"));
        var before = fuzz.ResidentMiB();
        var mark = fuzz.Node.Output.Count;
        var (sessions, accepted) = (0, 0);
        var received = new ConcurrentDictionary<string, bool>();
        var syncs = 0;
        using var stopReading = new CancellationTokenSource();
        var reading = Task.Run(async () =>
        {
            while (!stopReading.IsCancellationRequested)
            {
                if (await subscriber.NothingWithinAsync(TimeSpan.FromMilliseconds(200)) is not { } delivery) continue;
                if (delivery.Type == "message") received[delivery.Frame.GetProperty("msgId").GetString()!] = true;
                if (delivery.Type == "sync") Interlocked.Increment(ref syncs);
            }
        });
        await using (var traffic = Traffic.Start(fuzz))
        {
            await RealtimeFuzzInputs.Mqtt(fuzz.Users).SampleAsync(async @case =>
            {
                var connected = await RunAsync(@case);
                if (@case.Kind != "session") return;
                Interlocked.Increment(ref sessions);
                if (connected) Interlocked.Increment(ref accepted);
            }, seed: Seed, iter: Connections, threads: 4, print: c => c.ToString());
            await traffic.StopAsync(Seed);
            await Healthy.WaitAsync(() => Task.FromResult(traffic.Sent.All(received.ContainsKey) || syncs > 0), TimeSpan.FromSeconds(30));
            var missing = traffic.Sent.Where(id => !received.ContainsKey(id)).ToList();
            if (missing.Count > 0) Assert.True(syncs > 0, $"seed {Seed}: the subscriber missed {missing.Count} of {traffic.Sent.Count} pushes and got no sync hint");
            stopReading.Cancel();
            await reading;
            output.WriteLine($"seed {Seed}: {Connections} MQTT connections, {accepted} of {sessions} fuzz sessions past CONNECT; " +
                $"subscriber got {received.Count} of {traffic.Sent.Count} pushes, {syncs} sync hints");
        }
        var after = fuzz.ResidentMiB();
        output.WriteLine($"RSS {before} → {after} MiB");
        Assert.True(after < before + GrowthBoundMiB, $"seed {Seed}: the node grew from {before} to {after} MiB");
        Assert.True(fuzz.ErrorsSince(mark) is [], $"seed {Seed}: the node logged errors:\n{string.Join('\n', fuzz.ErrorsSince(mark).Take(10))}");
        Assert.True(accepted >= sessions / 3, $"seed {Seed}: only {accepted} of {sessions} fuzz sessions got past CONNECT: the fuzz hardly reached the gateway");
        await subscriber.DisposeAsync();
        await NoFuzzConnectionLeftAsync();
        // A healthy client still connects and gets its push.
        var (fresh, freshResult) = await MqttTestClient.OverTcpAsync(fuzz.MqttPort, "ann", annToken);
        await using var _ = fresh;
        Assert.Equal(MQTTnet.MqttClientConnectResultCode.Success, freshResult.ResultCode);
        await fresh.SubscribeAsync("single/ann");
        var sent = await fuzz.Tenant.App.SendAsync("g", "bob", $"fresh-{Guid.NewGuid():N}").ExpectAsync(HttpStatusCode.Created);
        Assert.Equal(sent.GetProperty("msgId").GetString(), (await fresh.ReceiveUntilAsync("message")).Frame.GetProperty("msgId").GetString());
    }

    /// <summary>Every fuzz connection was let go: no fuzz user is still online (a hung or leaked connection would keep it so).</summary>
    private async Task NoFuzzConnectionLeftAsync()
    {
        var online = new List<string>();
        await Healthy.WaitAsync(async () =>
        {
            var users = (await fuzz.Tenant.App.PostAsync("/v1/presence/query", JsonContent(new { userIds = RealtimeFuzzNode.FuzzUsers }))
                .ExpectAsync(HttpStatusCode.OK)).GetProperty("users").EnumerateArray();
            online = [.. users.Where(u => u.GetProperty("online").GetBoolean()).Select(u => u.GetProperty("userId").GetString()!)];
            return online.Count == 0;
        }, TimeSpan.FromSeconds(20));
        Assert.True(online.Count == 0, $"seed {Seed}: still online after the fuzz: {string.Join(", ", online)}");
    }

    private static StringContent JsonContent(object body) => new(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");

    /// <summary>Plays one WebSocket case; the frames the server sent back, and the HTTP status of a refused upgrade.</summary>
    private async Task<(int Frames, int? Status)> RunAsync(WsCase @case)
    {
        var token = @case.User >= 0 ? fuzz.Users[@case.User].Token : null;
        if (@case.RawAfterUpgrade is { } raw) return (await RawAsync(token!, raw), null);
        using var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        var query = token is null ? "" : $"?access_token={Uri.EscapeDataString(token)}";
        using var within = new CancellationTokenSource(CaseTimeout);
        var step = "the upgrade";
        try
        {
            await socket.ConnectAsync(new Uri($"ws://{fuzz.Node.Address.Authority}/v1/connect{query}"), within.Token);
        }
        catch (WebSocketException) when (token is null)
        {
            return (0, (int)socket.HttpStatusCode);
        }
        var frames = 0;
        var reading = Task.Run(async () =>
        {
            var buffer = new byte[64 * 1024];
            try
            {
                while (socket.State is WebSocketState.Open or WebSocketState.CloseSent)
                {
                    var read = await socket.ReceiveAsync(buffer, within.Token);
                    if (read.MessageType == WebSocketMessageType.Close) break;
                    if (read.EndOfMessage) Interlocked.Increment(ref frames);
                }
            }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException) { }
        });
        var pieces = @case.Leaving == Leaving.AbortMidFrame && @case.Pieces[^1].EndOfMessage
            ? [.. @case.Pieces[..^1], @case.Pieces[^1] with { EndOfMessage = false }]
            : @case.Pieces;
        try
        {
            for (var i = 0; i < pieces.Length; i++)
            {
                step = $"piece {i + 1} of {pieces.Length}";
                await socket.SendAsync(pieces[i].Bytes, pieces[i].Type, pieces[i].EndOfMessage, within.Token);
            }
            await Task.Delay(150);
            step = "the close handshake";
            if (@case.Leaving == Leaving.Close && socket.State == WebSocketState.Open)
            {
                if (!pieces[^1].EndOfMessage) await socket.SendAsync(Array.Empty<byte>(), pieces[^1].Type, true, within.Token);
                await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, within.Token);
            }
        }
        catch (WebSocketException)
        {
            // The server closed first (a frame past the limit, bad UTF-8): what it may do.
        }
        catch (OperationCanceledException) when (within.IsCancellationRequested)
        {
            Assert.Fail($"seed {Seed}: {step} did not complete within {CaseTimeout.TotalSeconds} s (server socket state {socket.State})");
        }
        catch (OperationCanceledException) when (socket.State == WebSocketState.Aborted)
        {
            // The server dropped the connection while a piece was going out; the client library's
            // pending send then reports the abort as a cancellation (seen in a full run 4 s in).
        }
        socket.Abort();
        await reading;
        return (frames, null);
    }

    /// <summary>The upgrade by hand, then bytes no WebSocket client library would send; reads for a moment, then drops the connection.</summary>
    private async Task<int> RawAsync(string token, byte[] bytes)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, fuzz.Node.Address.Port);
        var stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"GET /v1/connect?access_token={Uri.EscapeDataString(token)} HTTP/1.1\r\n" +
            $"Host: {fuzz.Node.Address.Authority}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"));
        var head = new StringBuilder();
        var one = new byte[1];
        using var within = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal) && await stream.ReadAsync(one, within.Token) == 1) head.Append((char)one[0]);
        var status = head.ToString().Split(' ') is [_, var code, ..] ? code : "";
        // The per-user connection limit may refuse the upgrade with 429 while other fuzz connections of the user are open.
        Assert.True(status is "101" or "429", $"seed {Seed}: the upgrade answered {head}");
        if (status != "101") return 0;
        var got = 0;
        try
        {
            await stream.WriteAsync(bytes);
            using var moment = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
            var buffer = new byte[4096];
            while (await stream.ReadAsync(buffer, moment.Token) is > 0 and var n) got += n;
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or SocketException) { }
        tcp.Client.LingerState = new LingerOption(true, 0); // a reset, not a goodbye
        return got;
    }

    /// <summary>Plays one MQTT case over raw TCP; whether the server accepted its first packet as a CONNECT (CONNACK, code 0).</summary>
    private async Task<bool> RunAsync(MqttCase @case)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, fuzz.MqttPort);
        var stream = tcp.GetStream();
        var received = new List<byte>();
        try
        {
            foreach (var write in @case.Writes)
            {
                await stream.WriteAsync(write);
                await Task.Delay(5);
            }
            using var moment = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
            var buffer = new byte[4096];
            while (await stream.ReadAsync(buffer, moment.Token) is > 0 and var n) received.AddRange(buffer.AsSpan(0, n).ToArray());
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or SocketException) { }
        tcp.Client.LingerState = new LingerOption(true, 0);
        // CONNACK: 0x20, remaining length, acknowledge flags, return or reason code 0.
        return received is [0x20, _, _, 0x00, ..];
    }
}
