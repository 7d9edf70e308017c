using System.Text.Json;
using System.Net;
using System.Net.Http.Json;
using MessagePlatform.IntegrationTests.Infrastructure;

namespace MessagePlatform.IntegrationTests.Realtime;

/// <summary>Two nodes on one database and one RabbitMQ: what is sent through one reaches clients of the other.</summary>
[Collection(RabbitMqCollection.Name)]
public sealed class CrossNodeTests
{
    [Fact]
    public async Task over_rabbitmq_a_user_connected_to_node_b_receives_what_is_sent_through_node_a()
    {
        var postgres = await TestServers.CreateDatabaseAsync();
        await using var a = new PlatformHost(postgres, nodeId: 21, transport: "rabbitmq");
        await using var b = new PlatformHost(postgres, nodeId: 22, transport: "rabbitmq");
        var tenant = await PlatformFixture.NewTenantAsync(a, a.ClientWith(PlatformHost.AdminKey));
        using var appB = b.ClientWith(tenant.AppKey);
        await tenant.App.OpenAsync(new { type = "c2c", members = new[] { "ann", "bob" } });
        Task<string> Token(string user) => tenant.App.TokenAsync(user);

        await using var bobOnB = await SocketClient.ConnectAsync(b, await Token("bob"));
        await using var annOnA = await SocketClient.ConnectAsync(a, await Token("ann"));
        await WaitForBusAsync(a);
        await WaitForBusAsync(b);

        // Ann sends over her socket on A; bob's client on B gets it.
        await annOnA.SendAsync(new { type = "send", sessionId = "c2c:ann:bob", clientMsgId = "hello", msgType = "text", body = "via a" });
        var (sent, _) = await annOnA.ReceiveUntilAsync("sent", TimeSpan.FromSeconds(20));
        var (pushed, _) = await bobOnB.ReceiveUntilAsync("message", TimeSpan.FromSeconds(20));
        Assert.Equal(sent.GetProperty("msgId").GetString(), pushed.GetProperty("msgId").GetString());
        await bobOnB.SendAsync(new { type = "ack", msgId = pushed.GetProperty("msgId").GetString() });

        // And back: bob sends over his socket on B, ann's client on A gets it.
        await bobOnB.SendAsync(new { type = "send", sessionId = "c2c:ann:bob", clientMsgId = "reply", msgType = "text", body = "via b" });
        var (replySent, _) = await bobOnB.ReceiveUntilAsync("sent", TimeSpan.FromSeconds(20));
        JsonElement reply;
        do (reply, _) = await annOnA.ReceiveUntilAsync("message", TimeSpan.FromSeconds(20));
        while (reply.GetProperty("msgId").GetString() != replySent.GetProperty("msgId").GetString());
        Assert.Equal("bob", reply.GetProperty("from").GetString());

        // A retraction through node B reaches the clients on both nodes, and the history.
        var msgId = sent.GetProperty("msgId").GetString();
        await appB.PostAsJsonAsync($"/v1/sessions/c2c:ann:bob/messages/{msgId}/retract", new { by = "ann" }).ExpectAsync(HttpStatusCode.OK);
        var (retractOnA, _) = await annOnA.ReceiveUntilAsync("retract", TimeSpan.FromSeconds(20));
        var (retractOnB, _) = await bobOnB.ReceiveUntilAsync("retract", TimeSpan.FromSeconds(20));
        Assert.Equal(msgId, retractOnA.GetProperty("msgId").GetString());
        Assert.Equal(msgId, retractOnB.GetProperty("msgId").GetString());
        var history = await appB.HistoryAsync("c2c:ann:bob");
        Assert.True(history.GetProperty("messages")[0].GetProperty("retracted").GetBoolean());
    }

    [Fact]
    public async Task commits_on_either_node_wake_the_one_daemon_without_waiting_for_its_poll()
    {
        var postgres = await TestServers.CreateDatabaseAsync();
        // Polls a minute apart: the node without the daemon can only wake it through its NOTIFY.
        var slowPoll = new Dictionary<string, string> { ["Daemon:PollMilliseconds"] = "60000" };
        await using var a = new PlatformHost(postgres, nodeId: 25, transport: "rabbitmq", settings: slowPoll);
        await using var b = new PlatformHost(postgres, nodeId: 26, transport: "rabbitmq", settings: slowPoll);
        var tenant = await PlatformFixture.NewTenantAsync(a, a.ClientWith(PlatformHost.AdminKey));
        using var appB = b.ClientWith(tenant.AppKey);
        await tenant.App.OpenAsync(new { type = "c2c", members = new[] { "ann", "bob" } });
        await WaitForBusAsync(a);
        await WaitForBusAsync(b);
        await using var bob = await SocketClient.ConnectAsync(b, await tenant.App.TokenAsync("bob"));
        // The first push also waits for a node to take the daemon's leadership.
        var first = (await tenant.App.SendAsync("c2c:ann:bob", "ann", "warm-up").ExpectAsync(HttpStatusCode.Created)).GetProperty("msgId").GetString();
        await ExpectPushAsync(bob, first!, TimeSpan.FromSeconds(40));
        for (var i = 0; i < 6; i++)
        {
            var through = i % 2 == 0 ? tenant.App : appB;
            var sent = (await through.SendAsync("c2c:ann:bob", "ann", $"m{i}").ExpectAsync(HttpStatusCode.Created)).GetProperty("msgId").GetString();
            await ExpectPushAsync(bob, sent!, TimeSpan.FromSeconds(10));
        }
    }

    private static async Task ExpectPushAsync(SocketClient client, string msgId, TimeSpan within)
    {
        JsonElement pushed;
        do (pushed, _) = await client.ReceiveUntilAsync("message", within);
        while (pushed.GetProperty("msgId").GetString() != msgId);
        await client.SendAsync(new { type = "ack", msgId });
    }

    private static async Task WaitForBusAsync(PlatformHost host)
    {
        using var client = host.CreateClient();
        for (var deadline = DateTime.UtcNow.AddSeconds(30); DateTime.UtcNow < deadline; await Task.Delay(200))
            if ((await client.GetAsync("/health/ready")).StatusCode == HttpStatusCode.OK) return;
        Assert.Fail("the bus did not become ready within 30 s");
    }
}
