using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using MessagePlatform.IntegrationTests.Infrastructure;

namespace MessagePlatform.IntegrationTests.Security;

/// <summary>A node in its own process with MQTT over TCP and small door limits, so its memory and sockets can be watched.</summary>
public sealed class MqttDoorNode : IAsyncLifetime
{
    public const int ConnectTimeoutSeconds = 3;
    public const int PerAddress = 4;

    public ApiProcess Node { get; private set; } = null!;
    public int MqttPort { get; } = FreePort();

    public async Task InitializeAsync() =>
        Node = await ApiProcess.StartAsync(await TestServers.CreateDatabaseAsync(), nodeId: 71, new Dictionary<string, string>
        {
            ["MP_MQTT_PORT"] = MqttPort.ToString(),
            ["Mqtt__ConnectTimeoutSeconds"] = ConnectTimeoutSeconds.ToString(),
            ["Mqtt__MaxUnauthenticatedPerAddress"] = PerAddress.ToString(),
        });

    public async Task DisposeAsync() => await Node.DisposeAsync();

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>Issue 11, point 1: a client that never authenticates makes the node hold almost nothing, and not for long.</summary>
public sealed class MqttHardeningTests(MqttDoorNode door) : IClassFixture<MqttDoorNode>
{
    // The CONNECT fixed header declaring the largest remaining length MQTT allows (256 MiB).
    private static readonly byte[] HugeConnect = [0x10, 0xFF, 0xFF, 0xFF, 0x7F];

    [Fact]
    public async Task four_connects_declaring_256_mib_are_closed_at_once_and_the_node_does_not_grow()
    {
        var node = Process.GetProcessById(door.Node.ProcessId);
        node.Refresh();
        var before = node.WorkingSet64;
        var clients = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => RawAsync()));
        var closed = await Task.WhenAll(clients.Select(async client =>
        {
            var stream = client.GetStream();
            await stream.WriteAsync(HugeConnect);
            // A few MiB of filler, as the attack sends: the node must have hung up long before the end.
            try
            {
                var filler = new byte[64 * 1024];
                for (var i = 0; i < 64; i++) await stream.WriteAsync(filler);
            }
            catch (IOException)
            {
                // Reset by the node: what this test wants.
            }
            return await ClosedWithinAsync(client, TimeSpan.FromSeconds(2));
        }));
        Assert.All(closed, Assert.True);
        node.Refresh();
        var grownMiB = (node.WorkingSet64 - before) / (1024 * 1024);
        Assert.True(grownMiB < 64, $"the node grew by {grownMiB} MiB for four unauthenticated connections");
        foreach (var client in clients) client.Dispose();
    }

    [Fact]
    public async Task a_huge_connect_over_websocket_closes_the_socket_at_once()
    {
        using var socket = new ClientWebSocket();
        socket.Options.AddSubProtocol("mqtt");
        await socket.ConnectAsync(new Uri($"ws://{door.Node.Address.Authority}/mqtt"), CancellationToken.None);
        await socket.SendAsync(HugeConnect, WebSocketMessageType.Binary, endOfMessage: false, CancellationToken.None);
        using var within = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        try
        {
            var answer = await socket.ReceiveAsync(new byte[16], within.Token);
            Assert.Equal(WebSocketMessageType.Close, answer.MessageType);
        }
        catch (WebSocketException)
        {
            // Aborted by the node without a close frame: closed all the same.
        }
        Assert.False(within.IsCancellationRequested, "the node kept the socket open");
    }

    [Fact]
    public async Task a_connection_that_sends_no_connect_is_closed_after_the_deadline()
    {
        using var client = await RawAsync();
        var clock = Stopwatch.StartNew();
        Assert.True(await ClosedWithinAsync(client, TimeSpan.FromSeconds(MqttDoorNode.ConnectTimeoutSeconds + 3)), "still open past the CONNECT deadline");
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(MqttDoorNode.ConnectTimeoutSeconds - 1), $"closed after only {clock.Elapsed}");
    }

    [Fact]
    public async Task unauthenticated_connections_past_the_per_address_cap_are_closed_before_a_byte_is_read()
    {
        var clients = new List<TcpClient>();
        for (var i = 0; i <= MqttDoorNode.PerAddress; i++) clients.Add(await RawAsync());
        try
        {
            // The node takes them in any order: one of them, whichever came last, is one too many.
            var closed = await Task.WhenAll(clients.Select(c => ClosedWithinAsync(c, TimeSpan.FromSeconds(1))));
            Assert.Equal(1, closed.Count(c => c));
        }
        finally
        {
            foreach (var client in clients) client.Dispose();
        }
    }

    [Fact]
    public async Task mqtt_websockets_past_the_per_address_cap_are_answered_429_before_the_handshake()
    {
        var open = new List<ClientWebSocket>();
        try
        {
            for (var i = 0; i <= MqttDoorNode.PerAddress; i++)
            {
                var socket = new ClientWebSocket();
                socket.Options.AddSubProtocol("mqtt");
                socket.Options.CollectHttpResponseDetails = true;
                open.Add(socket);
                try
                {
                    await socket.ConnectAsync(new Uri($"ws://{door.Node.Address.Authority}/mqtt"), CancellationToken.None);
                }
                catch (WebSocketException)
                {
                    Assert.Equal(HttpStatusCode.TooManyRequests, socket.HttpStatusCode);
                    Assert.True(socket.HttpResponseHeaders!.ContainsKey("Retry-After"));
                    return;
                }
            }
            Assert.Fail($"{open.Count} sockets without CONNECT from one address were all accepted");
        }
        finally
        {
            foreach (var socket in open) socket.Dispose();
        }
    }

    private async Task<TcpClient> RawAsync()
    {
        var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, door.MqttPort);
        return client;
    }

    /// <summary>Whether the node closed the connection (a read returns 0 or is reset) within <paramref name="within"/>.</summary>
    private static async Task<bool> ClosedWithinAsync(TcpClient client, TimeSpan within)
    {
        using var timeout = new CancellationTokenSource(within);
        try
        {
            var buffer = new byte[1024];
            while (await client.Client.ReceiveAsync(buffer, SocketFlags.None, timeout.Token) > 0) { }
            return true;
        }
        catch (Exception e) when (e is SocketException or IOException or ObjectDisposedException)
        {
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
