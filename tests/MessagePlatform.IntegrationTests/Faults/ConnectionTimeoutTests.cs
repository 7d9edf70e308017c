using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using MessagePlatform.IntegrationTests.Infrastructure;
using MessagePlatform.IntegrationTests.Security;

namespace MessagePlatform.IntegrationTests.Faults;

/// <summary>Issue 13, point 9: a client that vanished without closing (no FIN, no answers) is closed and goes offline within its keep-alive bound.</summary>
public sealed class ConnectionTimeoutTests
{
    [Fact]
    public async Task a_websocket_client_that_stops_answering_pings_is_closed_and_goes_offline()
    {
        await using var node = await ApiProcess.StartAsync(await TestServers.CreateDatabaseAsync(), nodeId: 81, new Dictionary<string, string>
        {
            ["Realtime__KeepAliveSeconds"] = "1",
            ["Realtime__KeepAliveTimeoutSeconds"] = "2",
        });
        var tenant = await node.NewTenantAsync();
        // Never receives: .NET's client answers pings only inside ReceiveAsync, so this is a client gone silent.
        using var silent = await OpenAsync(node, await tenant.App.TokenAsync("gone"));
        using var healthy = await OpenAsync(node, await tenant.App.TokenAsync("here"));
        using var stop = new CancellationTokenSource();
        var reading = ReadUntilClosedAsync(healthy, stop.Token);
        await Poll.UntilAsync(() => OnlineAsync(tenant, "gone"), online => online, seconds: 30);

        await Poll.UntilAsync(() => OnlineAsync(tenant, "gone"), online => !online, seconds: 60);
        // The server closed the socket: the buffered pings are read, then the connection ends.
        await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            var buffer = new byte[4096];
            while (true)
            {
                var result = await silent.ReceiveAsync(buffer, deadline.Token);
                if (result.MessageType == WebSocketMessageType.Close) throw new WebSocketException("closed by the server");
            }
        });
        Assert.True(await OnlineAsync(tenant, "here"), "the healthy client beside it went offline");
        Assert.Equal(WebSocketState.Open, healthy.State);
        await stop.CancelAsync();
        await reading;
    }

    [Theory]
    [InlineData((ushort)1, "short")]
    [InlineData((ushort)0, "none")]
    public async Task an_mqtt_client_that_goes_silent_is_disconnected_and_goes_offline(ushort keepAliveSeconds, string user)
    {
        var mqttPort = MqttDoorNode.FreePort();
        await using var node = await ApiProcess.StartAsync(await TestServers.CreateDatabaseAsync(), nodeId: 82, new Dictionary<string, string>
        {
            ["MP_MQTT_PORT"] = mqttPort.ToString(),
            // Caps keep-alive 0 (never timed out by MQTTnet) at 2 s.
            ["Mqtt__MaxKeepAliveSeconds"] = "2",
        });
        var tenant = await node.NewTenantAsync();
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, mqttPort);
        var stream = client.GetStream();
        await stream.WriteAsync(Connect311($"c-{user}", user, await tenant.App.TokenAsync(user), keepAliveSeconds));
        var connAck = new byte[4];
        await stream.ReadExactlyAsync(connAck);
        Assert.Equal(new byte[] { 0x20, 0x02, 0x00, 0x00 }, connAck);
        await Poll.UntilAsync(() => OnlineAsync(tenant, user), online => online, seconds: 30);

        // Silent from here: no PINGREQ, the socket left open.
        await Poll.UntilAsync(() => OnlineAsync(tenant, user), online => !online, seconds: 60);
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        var buffer = new byte[256];
        int read;
        do read = await stream.ReadAsync(buffer, deadline.Token);
        while (read > 0);
        Assert.Equal(0, read);
    }

    private static async Task<ClientWebSocket> OpenAsync(ApiProcess node, string token)
    {
        var socket = new ClientWebSocket();
        socket.Options.KeepAliveInterval = TimeSpan.Zero;
        await socket.ConnectAsync(new Uri($"ws://{node.Address.Authority}/v1/connect?access_token={Uri.EscapeDataString(token)}"), CancellationToken.None);
        return socket;
    }

    private static async Task ReadUntilClosedAsync(ClientWebSocket socket, CancellationToken stop)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (socket.State == WebSocketState.Open) await socket.ReceiveAsync(buffer, stop);
        }
        catch (OperationCanceledException)
        {
            // The test is done with it.
        }
    }

    private static async Task<bool> OnlineAsync(TestTenant tenant, string userId) =>
        (await tenant.App.GetAsync($"/v1/users/{userId}/presence").ExpectAsync(HttpStatusCode.OK)).GetProperty("online").GetBoolean();

    private static byte[] Connect311(string clientId, string userName, string password, ushort keepAliveSeconds)
    {
        var body = new List<byte> { 0, 4, (byte)'M', (byte)'Q', (byte)'T', (byte)'T', 4, 0xC2, (byte)(keepAliveSeconds >> 8), (byte)keepAliveSeconds };
        foreach (var field in new[] { clientId, userName, password })
        {
            var bytes = Encoding.UTF8.GetBytes(field);
            body.AddRange([(byte)(bytes.Length >> 8), (byte)bytes.Length]);
            body.AddRange(bytes);
        }
        var packet = new List<byte> { 0x10 };
        for (var length = body.Count; ; )
        {
            var digit = (byte)(length % 128);
            length /= 128;
            packet.Add(length > 0 ? (byte)(digit | 0x80) : digit);
            if (length == 0) break;
        }
        packet.AddRange(body);
        return [.. packet];
    }
}
