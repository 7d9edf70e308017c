using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using MessagePlatform.IntegrationTests.Infrastructure;
using MQTTnet;
using MQTTnet.Formatter;

namespace MessagePlatform.IntegrationTests.Realtime;

/// <summary>Publishing to send/{sessionId}: the one send path, PUBACK once durable, refusals told on single/.</summary>
[Collection(PlatformCollection.Name)]
public sealed class MqttSendTests(PlatformFixture platform)
{
    [Fact]
    public async Task publishing_to_send_stores_the_message_before_the_puback_and_a_websocket_member_receives_it()
    {
        var tenant = await platform.NewTenantAsync();
        await tenant.App.OpenAsync(new { type = "c2c", members = new[] { "ann", "bob" } });
        var (ann, _) = await MqttTestClient.OverWebSocketAsync(platform.Host, "ann", await tenant.App.TokenAsync("ann"));
        await using var _ann = ann;
        await ann.SubscribeAsync("single/ann");
        await using var bob = await SocketClient.ConnectAsync(platform.Host, await tenant.App.TokenAsync("bob"));

        var puback = await ann.PublishAsync("send/c2c:ann:bob", new { clientMsgId = "m-1", msgType = "text", body = new { text = "from mqtt" } });
        Assert.True(puback.IsSuccess, $"{puback.ReasonCode} {puback.ReasonString}");
        // The PUBACK came after the commit: history has it already, no waiting.
        var stored = Assert.Single((await tenant.App.HistoryAsync("c2c:ann:bob")).GetProperty("messages").EnumerateArray());
        Assert.Equal("from mqtt", stored.GetProperty("body").GetProperty("text").GetString());
        Assert.Equal("ann", stored.GetProperty("from").GetString());

        var (pushed, _) = await bob.ReceiveUntilAsync("message");
        Assert.Equal(stored.GetProperty("msgId").GetString(), pushed.GetProperty("msgId").GetString());
        var sent = await ann.ReceiveUntilAsync("sent");
        Assert.Equal(("single/ann", "m-1"), (sent.Topic, sent.Frame.GetProperty("clientMsgId").GetString()));
        Assert.Equal(stored.GetProperty("msgId").GetString(), sent.Frame.GetProperty("msgId").GetString());

        // The same clientMsgId again stores nothing new.
        Assert.True((await ann.PublishAsync("send/c2c:ann:bob", new { clientMsgId = "m-1", msgType = "text", body = "again" })).IsSuccess);
        Assert.Single((await tenant.App.HistoryAsync("c2c:ann:bob")).GetProperty("messages").EnumerateArray());
    }

    [Fact]
    public async Task a_refused_send_is_reported_as_an_error_frame_on_single_and_other_topics_are_not_published()
    {
        var tenant = await platform.NewTenantAsync();
        await tenant.App.OpenAsync(new { sessionId = "others", type = "group", members = new[] { "cat", "dan" } });
        var (ann, _) = await MqttTestClient.OverWebSocketAsync(platform.Host, "ann", await tenant.App.TokenAsync("ann"));
        await using var _ann = ann;
        await ann.SubscribeAsync("single/ann");

        var notMember = await ann.PublishAsync("send/others", new { clientMsgId = "x-1", msgType = "text", body = "let me in" });
        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, notMember.ReasonCode);
        var error = await ann.ReceiveUntilAsync("error");
        Assert.Equal(("single/ann", "x-1", 403), (error.Topic, error.Frame.GetProperty("clientMsgId").GetString(), error.Frame.GetProperty("status").GetInt32()));

        await ann.PublishAsync("send/nowhere", new { clientMsgId = "x-2", msgType = "text", body = "?" });
        Assert.Equal(404, (await ann.ReceiveUntilAsync("error")).Frame.GetProperty("status").GetInt32());
        await ann.PublishAsync("send/others", new { clientMsgId = "x-3" });
        Assert.Equal(400, (await ann.ReceiveUntilAsync("error")).Frame.GetProperty("status").GetInt32());

        // Publishing anywhere but send/ reaches nobody, even a subscriber of that topic.
        var (cat, _) = await MqttTestClient.OverWebSocketAsync(platform.Host, "cat", await tenant.App.TokenAsync("cat"));
        await using var _cat = cat;
        await cat.SubscribeAsync("single/cat");
        var spoof = await ann.PublishAsync("single/cat", new { type = "message", body = "spoofed" });
        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, spoof.ReasonCode);
        Assert.Equal(403, (await ann.ReceiveUntilAsync("error")).Frame.GetProperty("status").GetInt32());
        Assert.Null(await cat.NothingWithinAsync(TimeSpan.FromSeconds(1)));
        Assert.Empty((await tenant.App.HistoryAsync("others")).GetProperty("messages").EnumerateArray());
    }

    [Fact]
    public async Task with_mp_mqtt_port_an_mqtt_3_1_1_client_connects_over_tcp_receives_and_sends()
    {
        var port = FreePort();
        // A database of its own: over the in-memory bus, only a host's own daemon pushes to its clients.
        await using var host = new PlatformHost(await TestServers.CreateDatabaseAsync(), mqttPort: port);
        var tenant = await PlatformFixture.NewTenantAsync(host, host.ClientWith(PlatformHost.AdminKey));
        await tenant.App.OpenAsync(new { type = "c2c", members = new[] { "ann", "bob" } });
        var token = await tenant.App.TokenAsync("bob");

        var (refused, refusedResult) = await MqttTestClient.OverTcpAsync(port, "bob", token + "x", version: MqttProtocolVersion.V311);
        await using (refused) Assert.NotEqual(MqttClientConnectResultCode.Success, refusedResult.ResultCode);
        // An empty client id, as mosquitto_sub sends: MQTT 3.1.1 has the server assign one.
        var (bob, result) = await MqttTestClient.OverTcpAsync(port, "bob", token, manualAcks: true, version: MqttProtocolVersion.V311, clientId: "");
        await using var _bob = bob;
        Assert.Equal(MqttClientConnectResultCode.Success, result.ResultCode);
        Assert.Equal(MqttClientSubscribeResultCode.GrantedQoS1, await bob.SubscribeAsync("single/bob"));
        // MQTT 3.1.1 has one failure code (0x80), which MQTTnet's client reads as UnspecifiedError.
        Assert.Equal(MqttClientSubscribeResultCode.UnspecifiedError, await bob.SubscribeAsync("single/ann"));

        await tenant.App.SendAsync("c2c:ann:bob", "ann", "tcp-1").ExpectAsync(HttpStatusCode.Created);
        var pushed = await bob.ReceiveUntilAsync("message");
        await pushed.AckAsync();
        Assert.True((await bob.PublishAsync("send/c2c:ann:bob", new { clientMsgId = "tcp-2", msgType = "text", body = "over tcp" })).IsSuccess);
        Assert.Equal(2, (await tenant.App.HistoryAsync("c2c:ann:bob")).GetProperty("messages").GetArrayLength());
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}
