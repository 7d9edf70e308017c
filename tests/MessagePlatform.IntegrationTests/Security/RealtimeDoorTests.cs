using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using MessagePlatform.IntegrationTests.Infrastructure;
using MQTTnet;
using MQTTnet.Protocol;

namespace MessagePlatform.IntegrationTests.Security;

/// <summary>A node in its own process with small fair-use limits at the doors, over real sockets.</summary>
public sealed class FairUseNode : IAsyncLifetime
{
    public const int FramesPerSecond = 5;
    public const int MaxConnectionsPerUser = 3;

    public ApiProcess Node { get; private set; } = null!;
    public int MqttPort { get; } = MqttDoorNode.FreePort();
    public TestTenant Tenant { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Node = await ApiProcess.StartAsync(await TestServers.CreateDatabaseAsync(), nodeId: 72, new Dictionary<string, string>
        {
            ["MP_MQTT_PORT"] = MqttPort.ToString(),
            ["Realtime__FramesPerSecond"] = FramesPerSecond.ToString(),
            ["Realtime__FrameBurst"] = FramesPerSecond.ToString(),
            ["Realtime__MaxConnectionsPerUser"] = MaxConnectionsPerUser.ToString(),
        });
        using var admin = Node.ClientWith(PlatformHost.AdminKey);
        var tenantId = $"t-{Guid.NewGuid():N}"[..20];
        var created = await admin.PostAsJsonAsync("/v1/tenants", new { tenantId, name = "Fair use", scenario = "enterprise" }).ExpectAsync(HttpStatusCode.Created);
        var appKey = created.GetProperty("appKey").GetString()!;
        Tenant = new TestTenant(tenantId, appKey, created.GetProperty("auditorKey").GetString()!, Node.ClientWith(appKey));
        await Tenant.App.OpenAsync(new { type = "c2c", members = new[] { "ann", "bob" } });
    }

    public async Task DisposeAsync() => await Node.DisposeAsync();
}

/// <summary>Issue 11, point 8: one connection over its frame rate, or one user over its connections, is refused alone.</summary>
public sealed class RealtimeDoorTests(FairUseNode fair) : IClassFixture<FairUseNode>
{
    private Task<string> Token(string user) => fair.Tenant.App.TokenAsync(user);

    [Fact]
    public async Task a_websocket_flooding_frames_gets_error_frames_and_another_connection_is_unaffected()
    {
        await using var flooder = await SocketClient.ConnectAsync(fair.Node.Address, await Token("ann"));
        await using var quiet = await SocketClient.ConnectAsync(fair.Node.Address, await Token("bob"));
        const int frames = 30;
        for (var i = 0; i < frames; i++) await flooder.SendAsync(new { type = "ping" });
        var answers = new List<string?>();
        for (var i = 0; i < frames; i++)
        {
            var frame = await flooder.ReceiveAsync();
            answers.Add(frame.GetProperty("type").GetString() == "error" ? $"error {frame.GetProperty("status").GetInt32()}" : frame.GetProperty("type").GetString());
        }
        Assert.Contains("error 429", answers);
        Assert.InRange(answers.Count(a => a == "pong"), FairUseNode.FramesPerSecond, FairUseNode.FramesPerSecond * 3);

        // Other tests of this fixture send to ann and bob: a push of theirs may arrive before the pong.
        await quiet.SendAsync(new { type = "ping" });
        var (pong, _) = await quiet.ReceiveUntilAsync("pong", TimeSpan.FromSeconds(2));
        Assert.Equal("pong", pong.GetProperty("type").GetString());
    }

    [Fact]
    public async Task acks_never_count_against_the_frame_rate()
    {
        // A member of a busy group acks every message it is pushed: far more than it starts itself.
        await using var client = await SocketClient.ConnectAsync(fair.Node.Address, await Token("ann"));
        for (var i = 0; i < FairUseNode.FramesPerSecond * 10; i++) await client.SendAsync(new { type = "ack", msgId = $"{i}" });
        await client.SendAsync(new { type = "ping" });
        Assert.Equal("pong", (await client.ReceiveAsync(TimeSpan.FromSeconds(2))).GetProperty("type").GetString());
    }

    [Fact]
    public async Task an_mqtt_client_publishing_over_its_rate_is_refused_and_another_is_not()
    {
        var (ann, _) = await MqttTestClient.OverTcpAsync(fair.MqttPort, "ann", await Token("ann"));
        await using var _ann = ann;
        var (bob, _) = await MqttTestClient.OverTcpAsync(fair.MqttPort, "bob", await Token("bob"));
        await using var _bob = bob;
        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(i =>
            ann.PublishAsync("send/c2c:ann:bob", new { clientMsgId = $"flood-{i}", msgType = "text", body = "x" })));
        Assert.Contains(results, r => r.ReasonCode == MqttClientPublishReasonCode.QuotaExceeded);
        Assert.InRange(results.Count(r => r.IsSuccess), 1, FairUseNode.FramesPerSecond * 3);

        var reply = await bob.PublishAsync("send/c2c:ann:bob", new { clientMsgId = "calm", msgType = "text", body = "y" });
        Assert.True(reply.IsSuccess, $"bob was refused: {reply.ReasonCode}");
    }

    [Fact]
    public async Task a_user_past_its_connections_is_refused_websocket_with_429_and_mqtt_with_quota_exceeded()
    {
        var token = await Token("cat");
        await using var first = await SocketClient.ConnectAsync(fair.Node.Address, token);
        await using var second = await SocketClient.ConnectAsync(fair.Node.Address, token);
        var (third, thirdResult) = await MqttTestClient.OverTcpAsync(fair.MqttPort, "cat", token);
        await using var _third = third;
        Assert.Equal(MqttClientConnectResultCode.Success, thirdResult.ResultCode);

        using var refused = new ClientWebSocket();
        refused.Options.CollectHttpResponseDetails = true;
        await Assert.ThrowsAsync<WebSocketException>(() => refused.ConnectAsync(
            new Uri($"ws://{fair.Node.Address.Authority}/v1/connect?access_token={Uri.EscapeDataString(token)}"), CancellationToken.None));
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.HttpStatusCode);
        Assert.True(refused.HttpResponseHeaders!.ContainsKey("Retry-After"));
        var (fourth, fourthResult) = await MqttTestClient.OverTcpAsync(fair.MqttPort, "cat", token);
        await using var _fourth = fourth;
        Assert.Equal(MqttClientConnectResultCode.QuotaExceeded, fourthResult.ResultCode);

        // Another user is not counted against cat; and a closed connection gives its place back.
        await using var dan = await SocketClient.ConnectAsync(fair.Node.Address, await Token("dan"));
        await second.DisposeAsync();
        for (var deadline = DateTime.UtcNow.AddSeconds(5); ; await Task.Delay(100))
        {
            var (again, againResult) = await MqttTestClient.OverTcpAsync(fair.MqttPort, "cat", token);
            await using var _again = again;
            if (againResult.ResultCode == MqttClientConnectResultCode.Success) break;
            Assert.True(DateTime.UtcNow < deadline, "the closed connection's place was not given back");
        }
    }
}
