using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using MessagePlatform.IntegrationTests.Infrastructure;
using MQTTnet;

namespace MessagePlatform.IntegrationTests.Faults;

/// <summary>Issue 13, point 4: SIGTERM under load drains the node; nothing in flight goes unanswered.</summary>
public sealed class DrainTests
{
    [Fact]
    public async Task sigterm_under_load_answers_every_request_closes_clients_for_restart_and_exits_0()
    {
        var postgres = await TestServers.CreateDatabaseAsync();
        var mqttPort = FreePort();
        var node = await ApiProcess.StartAsync(postgres, nodeId: 131, new Dictionary<string, string> { ["MP_MQTT_PORT"] = mqttPort.ToString() });
        await using var _ = node;
        var tenant = await node.NewTenantAsync();
        var session = (await tenant.App.OpenAsync(new { type = "group", members = new[] { "ann", "bob", "cat" } })).GetProperty("sessionId").GetString()!;

        await using var socket = await SocketClient.ConnectAsync(node.Address, await tenant.App.TokenAsync("bob"));
        // A client reads all the time, so it sees (and answers) the node's close.
        var socketClosed = Task.Run(async () =>
        {
            var buffer = new byte[64 * 1024];
            try
            {
                while ((await socket.Socket.ReceiveAsync(buffer, CancellationToken.None)).MessageType != WebSocketMessageType.Close) { }
            }
            catch (WebSocketException) { }
            return socket.Socket.CloseStatus;
        });
        var (mqtt, _) = await MqttTestClient.OverTcpAsync(mqttPort, "cat", await tenant.App.TokenAsync("cat"));
        await using var __ = mqtt;
        var mqttGone = new TaskCompletionSource<MqttClientDisconnectedEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        mqtt.Client.DisconnectedAsync += e => { mqttGone.TrySetResult(e); return Task.CompletedTask; };

        var acknowledged = new ConcurrentBag<string>();
        var failures = new ConcurrentBag<string>();
        var refused503 = 0;
        using var started = new SemaphoreSlim(0);
        async Task SenderAsync(int sender)
        {
            using var client = node.ClientWith(tenant.AppKey);
            client.Timeout = TimeSpan.FromSeconds(20);
            for (var i = 0; ; i++)
            {
                var clientMsgId = $"s{sender}-{i}";
                HttpResponseMessage response;
                try
                {
                    response = await client.SendAsync(session, "ann", clientMsgId);
                }
                catch (HttpRequestException e) when (e.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionRefused })
                {
                    return; // never reached the node: the listener was already closed, nothing was in flight
                }
                catch (Exception e)
                {
                    failures.Add($"{clientMsgId}: {e.GetType().Name} {e.Message}");
                    return;
                }
                if (i == 3) started.Release();
                if (response.StatusCode == HttpStatusCode.Created) acknowledged.Add((await response.Json()).GetProperty("msgId").GetString()!);
                else if (response.StatusCode == HttpStatusCode.ServiceUnavailable && response.Headers.RetryAfter is not null)
                {
                    Interlocked.Increment(ref refused503);
                    return;
                }
                else
                {
                    failures.Add($"{clientMsgId}: {(int)response.StatusCode}");
                    return;
                }
            }
        }
        var senders = Enumerable.Range(0, 8).Select(s => Task.Run(() => SenderAsync(s))).ToArray();
        for (var s = 0; s < senders.Length; s++) Assert.True(await started.WaitAsync(TimeSpan.FromSeconds(30)), "senders did not get going");

        var clock = Stopwatch.StartNew();
        node.Terminate();
        var exitCode = await node.WaitForExitAsync(TimeSpan.FromSeconds(15));
        Assert.True(exitCode is not null, $"node still running {clock.Elapsed} after SIGTERM");
        Assert.Equal(0, exitCode);
        await Task.WhenAll(senders).WaitAsync(TimeSpan.FromSeconds(20));
        Assert.True(failures.IsEmpty, string.Join("; ", failures.Take(5)));
        Assert.NotEmpty(acknowledged);

        // The WebSocket was told to reconnect: 1012 Service Restart, not an aborted socket.
        var closeStatus = await socketClosed.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal((WebSocketCloseStatus)1012, closeStatus);
        var disconnected = await mqttGone.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(MqttClientDisconnectReason.ServerShuttingDown, disconnected.Reason);

        // Every send answered 201 is stored: read through a node restarted on the same database.
        await using var restarted = await ApiProcess.StartAsync(postgres, nodeId: 132);
        using var app = restarted.ClientWith(tenant.AppKey);
        var stored = new HashSet<string>();
        var afterSeq = 0L;
        while (true)
        {
            var page = await app.HistoryAsync(session, $"?afterSeq={afterSeq}&limit=500");
            foreach (var item in page.GetProperty("messages").EnumerateArray())
            {
                stored.Add(item.GetProperty("msgId").GetString()!);
                afterSeq = Math.Max(afterSeq, item.GetProperty("seq").GetInt64());
            }
            if (!page.GetProperty("hasMore").GetBoolean()) break;
        }
        var lost = acknowledged.Where(id => !stored.Contains(id)).ToList();
        Assert.True(lost.Count == 0, $"{lost.Count} of {acknowledged.Count} acknowledged sends missing from history");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
