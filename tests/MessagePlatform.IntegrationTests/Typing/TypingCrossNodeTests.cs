using System.Net;
using System.Net.Http.Json;
using MessagePlatform.IntegrationTests.Infrastructure;
using MessagePlatform.IntegrationTests.Realtime;
using MQTTnet;

namespace MessagePlatform.IntegrationTests.Typing;

/// <summary>Two nodes over RabbitMQ: typing taken on one node reaches the other node's WebSocket and MQTT clients.</summary>
[Collection(RabbitMqCollection.Name)]
public sealed class TypingCrossNodeTests
{
    [Fact]
    public async Task over_rabbitmq_typing_through_node_a_reaches_websocket_and_mqtt_clients_on_node_b()
    {
        var postgres = await TestServers.CreateDatabaseAsync();
        await using var a = new PlatformHost(postgres, nodeId: 51, transport: "rabbitmq");
        await using var b = new PlatformHost(postgres, nodeId: 52, transport: "rabbitmq");
        var tenant = await PlatformFixture.NewTenantAsync(a, a.ClientWith(PlatformHost.AdminKey));
        await tenant.App.OpenAsync(new { sessionId = "crew", type = "group", members = new[] { "ann", "bob", "cy" } });
        await WaitForBusAsync(a);
        await WaitForBusAsync(b);

        await using var bobOnB = await SocketClient.ConnectAsync(b, await tenant.App.TokenAsync("bob"));
        var (cyOnB, connected) = await MqttTestClient.OverWebSocketAsync(b, "cy", await tenant.App.TokenAsync("cy"));
        await using var _cy = cyOnB;
        Assert.Equal(MqttClientConnectResultCode.Success, connected.ResultCode);
        await cyOnB.SubscribeAsync("single/cy");

        // REST on A.
        await tenant.App.PostAsJsonAsync("/v1/sessions/crew/typing", new { by = "ann" }).ExpectAsync(HttpStatusCode.Accepted);
        var (frame, _) = await bobOnB.ReceiveUntilAsync("typing", TimeSpan.FromSeconds(30));
        Assert.Equal("ann", frame.GetProperty("userId").GetString());
        var overMqtt = await cyOnB.ReceiveUntilAsync("typing", TimeSpan.FromSeconds(30));
        Assert.Equal(("single/cy", "ann"), (overMqtt.Topic, overMqtt.Frame.GetProperty("userId").GetString()));

        // A WebSocket on A (another user, so no throttle): reaches B too.
        await using var cyOnA = await SocketClient.ConnectAsync(a, await tenant.App.TokenAsync("cy"));
        await cyOnA.SendAsync(new { type = "typing", sessionId = "crew" });
        string? typist;
        do typist = (await bobOnB.ReceiveUntilAsync("typing", TimeSpan.FromSeconds(30))).Match.GetProperty("userId").GetString();
        while (typist != "cy");
    }


    private static async Task WaitForBusAsync(PlatformHost host)
    {
        using var client = host.CreateClient();
        for (var deadline = DateTime.UtcNow.AddSeconds(30); DateTime.UtcNow < deadline; await Task.Delay(200))
            if ((await client.GetAsync("/health/ready")).StatusCode == HttpStatusCode.OK) return;
        Assert.Fail("the bus did not become ready within 30 s");
    }
}
