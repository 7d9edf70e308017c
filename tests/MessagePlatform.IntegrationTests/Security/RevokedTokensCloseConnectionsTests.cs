using System.Diagnostics;
using System.Net;
using System.Net.WebSockets;
using MessagePlatform.IntegrationTests.Infrastructure;
using MessagePlatform.IntegrationTests.Realtime;
using MQTTnet;

namespace MessagePlatform.IntegrationTests.Security;

/// <summary>
/// Issue 11, point 7: revoking a user's tokens closes that user's open WebSocket and MQTT connections
/// within 5 s, also on the node that did not take the call; other users' connections stay.
/// </summary>
[Collection(RabbitMqCollection.Name)]
public sealed class RevokedTokensCloseConnectionsTests
{
    [Fact]
    public async Task revoking_a_users_tokens_closes_its_websocket_and_mqtt_connections_on_the_other_node_within_5_s()
    {
        var postgres = await TestServers.CreateDatabaseAsync();
        await using var a = new PlatformHost(postgres, nodeId: 53, transport: "rabbitmq");
        await using var b = new PlatformHost(postgres, nodeId: 54, transport: "rabbitmq");
        var tenant = await PlatformFixture.NewTenantAsync(a, a.ClientWith(PlatformHost.AdminKey));
        b.CreateClient().Dispose();

        await using var annSocket = await SocketClient.ConnectAsync(b, await tenant.App.TokenAsync("ann"));
        var (annMqtt, connected) = await MqttTestClient.OverWebSocketAsync(b, "ann", await tenant.App.TokenAsync("ann"));
        await using var _annMqtt = annMqtt;
        Assert.Equal(MqttClientConnectResultCode.Success, connected.ResultCode);
        await using var bobSocket = await SocketClient.ConnectAsync(b, await tenant.App.TokenAsync("bob"));

        await tenant.App.DeleteAsync("/v1/users/ann/tokens").ExpectAsync(HttpStatusCode.NoContent);
        var clock = Stopwatch.StartNew();

        Assert.True(await ClosedAsync(annSocket.Socket, TimeSpan.FromSeconds(5)), "ann's WebSocket on node B is still open 5 s after the revocation");
        while (annMqtt.Client.IsConnected && clock.Elapsed < TimeSpan.FromSeconds(5)) await Task.Delay(100);
        Assert.False(annMqtt.Client.IsConnected, "ann's MQTT connection on node B is still open 5 s after the revocation");

        await bobSocket.SendAsync(new { type = "ping" });
        Assert.Equal("pong", (await bobSocket.ReceiveUntilAsync("pong")).Match.GetProperty("type").GetString());
    }

    /// <summary>Reads until the node closes the socket (a close frame or an aborted connection) or the time is up.</summary>
    private static async Task<bool> ClosedAsync(WebSocket socket, TimeSpan within)
    {
        using var timeout = new CancellationTokenSource(within);
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
                if ((await socket.ReceiveAsync(buffer, timeout.Token)).MessageType == WebSocketMessageType.Close) return true;
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            return false;
        }
        catch (Exception e) when (e is WebSocketException or IOException or OperationCanceledException)
        {
            return true;
        }
    }
}
