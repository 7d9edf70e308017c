using System.Net;
using System.Net.Http.Json;
using MessagePlatform.IntegrationTests.Infrastructure;
using MQTTnet;

namespace MessagePlatform.IntegrationTests.Realtime;

/// <summary>Two nodes over RabbitMQ: an MQTT client on one receives what is sent through the other, and sends back.</summary>
[Collection(RabbitMqCollection.Name)]
public sealed class MqttCrossNodeTests
{
    [Fact]
    public async Task over_rabbitmq_an_mqtt_client_on_node_b_receives_what_is_sent_through_node_a()
    {
        var postgres = await TestServers.CreateDatabaseAsync();
        await using var a = new PlatformHost(postgres, nodeId: 41, transport: "rabbitmq");
        await using var b = new PlatformHost(postgres, nodeId: 42, transport: "rabbitmq");
        var tenant = await PlatformFixture.NewTenantAsync(a, a.ClientWith(PlatformHost.AdminKey));
        await tenant.App.OpenAsync(new { type = "c2c", members = new[] { "ann", "bob" } });
        Task<string> Token(string user) => tenant.App.TokenAsync(user);
        await WaitForBusAsync(a);
        await WaitForBusAsync(b);

        var (bobOnB, connected) = await MqttTestClient.OverWebSocketAsync(b, "bob", await Token("bob"));
        await using var _bob = bobOnB;
        Assert.Equal(MqttClientConnectResultCode.Success, connected.ResultCode);
        await bobOnB.SubscribeAsync("single/bob");
        Assert.Equal(1, await TestDatabase.CountAsync(postgres,
            "select count(*) from mp.mp_connections where tenant_id = $1 and user_id = 'bob' and node_id = 42 and transport = 'mqtt'", tenant.TenantId));
        await using var annOnA = await SocketClient.ConnectAsync(a, await Token("ann"));

        // Through A's REST API and A's WebSocket: both reach bob's MQTT client on B.
        var rest = await tenant.App.SendAsync("c2c:ann:bob", "ann", "via-rest").ExpectAsync(HttpStatusCode.Created);
        Assert.Equal(rest.GetProperty("msgId").GetString(), (await bobOnB.ReceiveUntilAsync("message", TimeSpan.FromSeconds(20))).Frame.GetProperty("msgId").GetString());
        await annOnA.SendAsync(new { type = "send", sessionId = "c2c:ann:bob", clientMsgId = "via-socket", msgType = "text", body = "hi" });
        var (sent, _) = await annOnA.ReceiveUntilAsync("sent", TimeSpan.FromSeconds(20));
        MqttDelivery pushed;
        do pushed = await bobOnB.ReceiveUntilAsync("message", TimeSpan.FromSeconds(20));
        while (pushed.Frame.GetProperty("msgId").GetString() != sent.GetProperty("msgId").GetString());

        // And back: bob publishes on B, ann's socket on A gets it.
        Assert.True((await bobOnB.PublishAsync("send/c2c:ann:bob", new { clientMsgId = "reply", msgType = "text", body = "from b" })).IsSuccess);
        System.Text.Json.JsonElement reply;
        do (reply, _) = await annOnA.ReceiveUntilAsync("message", TimeSpan.FromSeconds(20));
        while (reply.GetProperty("from").GetString() != "bob");
        Assert.Equal("from b", reply.GetProperty("body").GetString());
    }

    private static async Task WaitForBusAsync(PlatformHost host)
    {
        using var client = host.CreateClient();
        for (var deadline = DateTime.UtcNow.AddSeconds(30); DateTime.UtcNow < deadline; await Task.Delay(200))
            if ((await client.GetAsync("/health/ready")).StatusCode == HttpStatusCode.OK) return;
        Assert.Fail("the bus did not become ready within 30 s");
    }
}
