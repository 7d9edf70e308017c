using System.Net;
using System.Net.Http.Json;
using MessagePlatform.IntegrationTests.Infrastructure;

namespace MessagePlatform.IntegrationTests.Realtime;

[Collection(PlatformCollection.Name)]
public sealed class GatewayTests(PlatformFixture platform)
{
    [Fact]
    public async Task a_connected_member_gets_messages_pushed_and_clients_send_over_the_socket()
    {
        var tenant = await platform.NewTenantAsync();
        await tenant.App.OpenAsync(new { type = "c2c", members = new[] { "ann", "bob" } });
        await using var ann = await SocketClient.ConnectAsync(platform.Host, await tenant.App.TokenAsync("ann"));
        await using var bob = await SocketClient.ConnectAsync(platform.Host, await tenant.App.TokenAsync("bob"));

        await ann.SendAsync(new { type = "ping" });
        Assert.Equal("pong", (await ann.ReceiveAsync()).GetProperty("type").GetString());

        await ann.SendAsync(new { type = "send", sessionId = "c2c:ann:bob", clientMsgId = "hello-1", msgType = "text", body = new { text = "hi bob" } });
        var (sent, _) = await ann.ReceiveUntilAsync("sent");
        Assert.Equal("hello-1", sent.GetProperty("clientMsgId").GetString());
        Assert.Equal(2, sent.GetProperty("seq").GetInt64());

        var (pushed, _) = await bob.ReceiveUntilAsync("message");
        Assert.Equal(sent.GetProperty("msgId").GetString(), pushed.GetProperty("msgId").GetString());
        Assert.Equal("ann", pushed.GetProperty("from").GetString());
        Assert.Equal("hi bob", pushed.GetProperty("body").GetProperty("text").GetString());
        await bob.SendAsync(new { type = "ack", msgId = pushed.GetProperty("msgId").GetString() });

        // The same send again is answered with the first answer, and nothing new is pushed.
        await ann.SendAsync(new { type = "send", sessionId = "c2c:ann:bob", clientMsgId = "hello-1", msgType = "text", body = "again" });
        var (again, _) = await ann.ReceiveUntilAsync("sent");
        Assert.Equal(sent.GetProperty("msgId").GetString(), again.GetProperty("msgId").GetString());

        // A frame far larger than the gateway's idle buffer is assembled whole.
        var big = new string('x', 20_000);
        await ann.SendAsync(new { type = "send", sessionId = "c2c:ann:bob", clientMsgId = "big-1", msgType = "text", body = big });
        var (bigSent, _) = await ann.ReceiveUntilAsync("sent");
        Assert.Equal("big-1", bigSent.GetProperty("clientMsgId").GetString());
        var (bigPushed, _) = await bob.ReceiveUntilAsync("message");
        while (bigPushed.GetProperty("msgId").GetString() != bigSent.GetProperty("msgId").GetString())
            (bigPushed, _) = await bob.ReceiveUntilAsync("message");
        Assert.Equal(big, bigPushed.GetProperty("body").GetString());

        await ann.SendAsync(new { type = "send", sessionId = "nowhere", clientMsgId = "x", msgType = "text", body = "?" });
        var (error, _) = await ann.ReceiveUntilAsync("error");
        Assert.Equal(404, error.GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task an_unacked_message_is_sent_again_and_then_replaced_by_a_sync_hint()
    {
        var tenant = await platform.NewTenantAsync();
        await tenant.App.OpenAsync(new { type = "c2c", members = new[] { "ann", "bob" } });
        await using var bob = await SocketClient.ConnectAsync(platform.Host, await tenant.App.TokenAsync("bob"));
        var sent = await tenant.App.SendAsync("c2c:ann:bob", "ann", "m1").ExpectAsync(HttpStatusCode.Created);
        var msgId = sent.GetProperty("msgId").GetString();

        var first = await bob.ReceiveAsync();
        var second = await bob.ReceiveAsync();
        Assert.Equal(("message", msgId), (first.GetProperty("type").GetString(), first.GetProperty("msgId").GetString()));
        Assert.Equal(("message", msgId), (second.GetProperty("type").GetString(), second.GetProperty("msgId").GetString()));
        var (sync, _) = await bob.ReceiveUntilAsync("sync", TimeSpan.FromSeconds(15));
        Assert.Equal("sync", sync.GetProperty("type").GetString());
    }

    [Fact]
    public async Task room_messages_reach_who_joined_and_retractions_reach_members()
    {
        var tenant = await platform.NewTenantAsync();
        await tenant.App.OpenAsync(new { sessionId = "stage", type = "room", members = Array.Empty<string>() });
        await tenant.App.OpenAsync(new { type = "c2c", members = new[] { "ann", "viewer" } });
        await using var viewer = await SocketClient.ConnectAsync(platform.Host, await tenant.App.TokenAsync("viewer"));
        await viewer.SendAsync(new { type = "join", sessionId = "stage" });
        await viewer.SendAsync(new { type = "ping" });
        await viewer.ReceiveUntilAsync("pong");

        await tenant.App.SendAsync("stage", "host", "live-1").ExpectAsync(HttpStatusCode.Created);
        var (roomMessage, _) = await viewer.ReceiveUntilAsync("message");
        Assert.Equal("stage", roomMessage.GetProperty("sessionId").GetString());
        await viewer.SendAsync(new { type = "ack", msgId = roomMessage.GetProperty("msgId").GetString() });

        var c2c = await tenant.App.SendAsync("c2c:ann:viewer", "ann", "oops").ExpectAsync(HttpStatusCode.Created);
        var msgId = c2c.GetProperty("msgId").GetString();
        var (message, _) = await viewer.ReceiveUntilAsync("message");
        await viewer.SendAsync(new { type = "ack", msgId = message.GetProperty("msgId").GetString() });
        await tenant.App.PostAsJsonAsync($"/v1/sessions/c2c:ann:viewer/messages/{msgId}/retract", new { by = "ann" }).ExpectAsync(HttpStatusCode.OK);
        var (retract, _) = await viewer.ReceiveUntilAsync("retract");
        Assert.Equal(msgId, retract.GetProperty("msgId").GetString());

        await viewer.SendAsync(new { type = "join", sessionId = "c2c:ann:viewer" });
        var (error, _) = await viewer.ReceiveUntilAsync("error");
        Assert.Equal(404, error.GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task a_hot_room_sheds_low_priority_pushes_but_stores_them_and_never_sheds_high()
    {
        var tenant = await platform.NewTenantAsync();
        await tenant.App.OpenAsync(new { sessionId = "arena", type = "room", members = Array.Empty<string>() });
        await using var viewer = await SocketClient.ConnectAsync(platform.Host, await tenant.App.TokenAsync("viewer"));
        await viewer.SendAsync(new { type = "join", sessionId = "arena" });
        await viewer.SendAsync(new { type = "ping" });
        await viewer.ReceiveUntilAsync("pong");

        // The budget is 5 pushes per second of sending here; start a burst at the top of a second.
        await Task.Delay(1000 - DateTime.UtcNow.Millisecond);
        var sentIn = new Dictionary<string, long>();
        async Task Send(string id, string priority) => sentIn[id] =
            (await tenant.App.PostAsJsonAsync("/v1/sessions/arena/messages",
                new { from = "host", clientMsgId = id, type = "text", body = id, priority }).ExpectAsync(HttpStatusCode.Created))
            .GetProperty("sentAt").GetDateTimeOffset().ToUnixTimeSeconds();
        for (var i = 0; i < 5; i++) await Send($"n{i}", "normal");
        for (var i = 0; i < 3; i++) await Send($"low{i}", "low");
        await Send("h", "high");
        // A slow machine may cross into the next second: only lows sent in a full second must be shed.
        var mustShed = sentIn.Where(s => s.Key.StartsWith("low") && sentIn.Count(o => !o.Key.StartsWith("low") && o.Value == s.Value) >= 5)
            .Select(s => s.Key).ToList();

        var bodies = new List<string>();
        while (!bodies.Contains("h"))
        {
            var (frame, _) = await viewer.ReceiveUntilAsync("message");
            await viewer.SendAsync(new { type = "ack", msgId = frame.GetProperty("msgId").GetString() });
            bodies.Add(frame.GetProperty("body").GetString()!);
        }
        Assert.All(mustShed, low => Assert.DoesNotContain(low, bodies));
        Assert.True(mustShed.Count > 0 || sentIn.Values.Distinct().Count() > 1);
        Assert.Equal(9, (await tenant.App.HistoryAsync("arena")).GetProperty("messages").GetArrayLength());
    }

    [Fact]
    public async Task the_connection_registry_knows_which_node_holds_a_user_while_it_is_connected()
    {
        var tenant = await platform.NewTenantAsync();
        Task<long> Rows() => TestDatabase.CountAsync(platform.Postgres,
            "select count(*) from mp.mp_connections c join mp.mp_nodes n using (node_id) where c.tenant_id = $1 and c.user_id = 'zed'", tenant.TenantId);
        var token = await tenant.App.TokenAsync("zed");
        await using (var phone = await SocketClient.ConnectAsync(platform.Host, token))
        await using (var laptop = await SocketClient.ConnectAsync(platform.Host, token))
        {
            await laptop.SendAsync(new { type = "ping" });
            await laptop.ReceiveUntilAsync("pong");
            Assert.Equal(2, await Rows());
        }
        for (var deadline = DateTime.UtcNow.AddSeconds(10); await Rows() > 0 && DateTime.UtcNow < deadline;) await Task.Delay(100);
        Assert.Equal(0, await Rows());
    }

    [Fact]
    public async Task connecting_needs_a_user_token()
    {
        var tenant = await platform.NewTenantAsync();
        var client = platform.Host.Server.CreateWebSocketClient();
        await Assert.ThrowsAnyAsync<Exception>(() =>
            client.ConnectAsync(new Uri($"ws://localhost/v1/connect?access_token={tenant.AppKey}"), CancellationToken.None));
        await Assert.ThrowsAnyAsync<Exception>(() => client.ConnectAsync(new Uri("ws://localhost/v1/connect"), CancellationToken.None));
    }
}
