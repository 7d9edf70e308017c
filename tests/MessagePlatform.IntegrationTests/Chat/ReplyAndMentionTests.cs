using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MessagePlatform.IntegrationTests.Infrastructure;

namespace MessagePlatform.IntegrationTests.Chat;

[Collection(PlatformCollection.Name)]
public sealed class ReplyAndMentionTests(PlatformFixture platform)
{
    internal static Task<HttpResponseMessage> SendAsync(HttpClient client, string session, object send) =>
        client.PostAsJsonAsync($"/v1/sessions/{session}/messages", send);

    [Fact]
    public async Task a_reply_with_mentions_shows_both_in_history_and_plain_messages_show_neither()
    {
        var tenant = await platform.NewTenantAsync();
        await tenant.App.OpenAsync(new { sessionId = "team", type = "group", members = new[] { "ann", "bob", "cy" } });
        var first = (await tenant.App.SendAsync("team", "ann", "q").ExpectAsync(HttpStatusCode.Created)).GetProperty("msgId").GetString()!;
        await SendAsync(tenant.App, "team", new { from = "bob", clientMsgId = "a", type = "text", body = new { text = "yes" }, replyTo = first, mentions = new[] { "ann", "cy" } })
            .ExpectAsync(HttpStatusCode.Created);
        await SendAsync(tenant.App, "team", new { from = "cy", clientMsgId = "b", type = "text", body = new { text = "all" }, mentions = new[] { "@all" } })
            .ExpectAsync(HttpStatusCode.Created);

        var messages = (await tenant.App.HistoryAsync("team")).GetProperty("messages").EnumerateArray().ToList();
        Assert.False(messages[0].TryGetProperty("replyTo", out _));
        Assert.False(messages[0].TryGetProperty("mentions", out _));
        Assert.False(messages[0].GetProperty("edited").GetBoolean());
        Assert.Equal(first, messages[1].GetProperty("replyTo").GetString());
        Assert.Equal(["ann", "cy"], messages[1].GetProperty("mentions").EnumerateArray().Select(m => m.GetString()));
        Assert.Equal(["@all"], messages[2].GetProperty("mentions").EnumerateArray().Select(m => m.GetString()));
    }

    [Fact]
    public async Task a_reply_to_another_sessions_message_or_a_mention_of_a_stranger_is_refused_and_stores_nothing()
    {
        var tenant = await platform.NewTenantAsync();
        await tenant.App.OpenAsync(new { sessionId = "one", type = "group", members = new[] { "ann", "bob" } });
        await tenant.App.OpenAsync(new { sessionId = "two", type = "group", members = new[] { "ann", "bob" } });
        var elsewhere = (await tenant.App.SendAsync("two", "ann", "x").ExpectAsync(HttpStatusCode.Created)).GetProperty("msgId").GetString()!;

        object Send(string id, object? replyTo = null, object? mentions = null) =>
            new { from = "ann", clientMsgId = id, type = "text", body = new { text = "hi" }, replyTo, mentions };
        Calls.AssertProblem(await SendAsync(tenant.App, "one", Send("r1", replyTo: elsewhere)).ExpectAsync(HttpStatusCode.BadRequest), 400);
        Calls.AssertProblem(await SendAsync(tenant.App, "one", Send("r2", replyTo: "12345")).ExpectAsync(HttpStatusCode.BadRequest), 400);
        Calls.AssertProblem(await SendAsync(tenant.App, "one", Send("r3", replyTo: "not-an-id")).ExpectAsync(HttpStatusCode.BadRequest), 400);
        Calls.AssertProblem(await SendAsync(tenant.App, "one", Send("m1", mentions: new[] { "zed" })).ExpectAsync(HttpStatusCode.BadRequest), 400);
        Calls.AssertProblem(await SendAsync(tenant.App, "one", Send("m2", mentions: new[] { "@all", "bob" })).ExpectAsync(HttpStatusCode.BadRequest), 400);
        Calls.AssertProblem(await SendAsync(tenant.App, "one", Send("m3", mentions: new[] { "bob", "bob" })).ExpectAsync(HttpStatusCode.BadRequest), 400);

        Assert.Empty((await tenant.App.HistoryAsync("one")).GetProperty("messages").EnumerateArray());
        // The same clientMsgId is still free: the refusals stored nothing.
        await SendAsync(tenant.App, "one", Send("r1", mentions: new[] { "bob" })).ExpectAsync(HttpStatusCode.Created);
    }

    [Fact]
    public async Task rooms_take_mentions_of_any_user()
    {
        var tenant = await platform.NewTenantAsync();
        await tenant.App.OpenAsync(new { sessionId = "stage", type = "room", members = Array.Empty<string>() });
        await SendAsync(tenant.App, "stage", new { from = "host", clientMsgId = "1", type = "text", body = "hi", mentions = new[] { "viewer7" } })
            .ExpectAsync(HttpStatusCode.Created);
        var message = Assert.Single((await tenant.App.HistoryAsync("stage")).GetProperty("messages").EnumerateArray());
        Assert.Equal(JsonValueKind.Array, message.GetProperty("mentions").ValueKind);
    }

    [Fact]
    public async Task replies_to_a_message_page_like_history_and_follow_the_members_rule()
    {
        var tenant = await platform.NewTenantAsync();
        await tenant.App.OpenAsync(new { sessionId = "thread", type = "group", members = new[] { "ann", "bob" } });
        var root = (await tenant.App.SendAsync("thread", "ann", "root").ExpectAsync(HttpStatusCode.Created)).GetProperty("msgId").GetString()!;
        var other = (await tenant.App.SendAsync("thread", "ann", "other").ExpectAsync(HttpStatusCode.Created)).GetProperty("msgId").GetString()!;
        for (var i = 0; i < 3; i++)
            await SendAsync(tenant.App, "thread", new { from = "bob", clientMsgId = $"r{i}", type = "text", body = new { text = $"reply {i}" }, replyTo = root })
                .ExpectAsync(HttpStatusCode.Created);
        await SendAsync(tenant.App, "thread", new { from = "bob", clientMsgId = "x", type = "text", body = new { text = "elsewhere" }, replyTo = other })
            .ExpectAsync(HttpStatusCode.Created);

        var page = await tenant.App.GetAsync($"/v1/sessions/thread/messages/{root}/replies?limit=2").ExpectAsync(HttpStatusCode.OK);
        var replies = page.GetProperty("messages").EnumerateArray().ToList();
        Assert.Equal(["reply 0", "reply 1"], replies.Select(r => r.GetProperty("body").GetProperty("text").GetString()));
        Assert.True(page.GetProperty("hasMore").GetBoolean());
        Assert.All(replies, r => Assert.Equal(root, r.GetProperty("replyTo").GetString()));
        var after = replies[^1].GetProperty("seq").GetInt64();
        var rest = await tenant.App.GetAsync($"/v1/sessions/thread/messages/{root}/replies?afterSeq={after}").ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(["reply 2"], rest.GetProperty("messages").EnumerateArray().Select(r => r.GetProperty("body").GetProperty("text").GetString()));
        Assert.False(rest.GetProperty("hasMore").GetBoolean());

        var bob = platform.Host.ClientWith(await tenant.App.TokenAsync("bob"));
        Assert.Equal(3, (await bob.GetAsync($"/v1/sessions/thread/messages/{root}/replies").ExpectAsync(HttpStatusCode.OK)).GetProperty("messages").GetArrayLength());
        var zed = platform.Host.ClientWith(await tenant.App.TokenAsync("zed"));
        await zed.GetAsync($"/v1/sessions/thread/messages/{root}/replies").ExpectAsync(HttpStatusCode.Forbidden);
        await tenant.App.GetAsync($"/v1/sessions/thread/messages/{root}/replies?limit=0").ExpectAsync(HttpStatusCode.BadRequest);
        await tenant.App.GetAsync("/v1/sessions/nowhere/messages/1/replies").ExpectAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task a_websocket_send_frame_and_an_mqtt_send_carry_reply_and_mentions_like_the_rest_send()
    {
        var tenant = await platform.NewTenantAsync();
        await tenant.App.OpenAsync(new { sessionId = "team", type = "group", members = new[] { "ann", "bob", "cy" } });
        var root = (await tenant.App.SendAsync("team", "cy", "q").ExpectAsync(HttpStatusCode.Created)).GetProperty("msgId").GetString()!;
        await using var ann = await SocketClient.ConnectAsync(platform.Host, await tenant.App.TokenAsync("ann"));
        var (bob, _) = await MqttTestClient.OverWebSocketAsync(platform.Host, "bob", await tenant.App.TokenAsync("bob"));
        await using var _bob = bob;
        await bob.SubscribeAsync("single/bob");

        await ann.SendAsync(new { type = "send", sessionId = "team", clientMsgId = "ws-1", msgType = "text", body = "a", replyTo = root, mentions = new[] { "cy" } });
        await ann.ReceiveUntilAsync("sent");
        var puback = await bob.PublishAsync("send/team", new { clientMsgId = "mq-1", msgType = "text", body = "b", replyTo = root, mentions = new[] { "@all" } });
        Assert.True(puback.IsSuccess, $"{puback.ReasonCode} {puback.ReasonString}");

        var messages = (await tenant.App.HistoryAsync("team")).GetProperty("messages").EnumerateArray().ToList();
        Assert.All(messages[1..], m => Assert.Equal(root, m.GetProperty("replyTo").GetString()));
        Assert.Equal(["cy"], messages[1].GetProperty("mentions").EnumerateArray().Select(m => m.GetString()));
        Assert.Equal(["@all"], messages[2].GetProperty("mentions").EnumerateArray().Select(m => m.GetString()));

        // The same rules as REST: a stranger mentioned is refused over either, and nothing is stored.
        await ann.SendAsync(new { type = "send", sessionId = "team", clientMsgId = "ws-2", msgType = "text", body = "x", mentions = new[] { "zed" } });
        Assert.Equal(400, (await ann.ReceiveUntilAsync("error")).Match.GetProperty("status").GetInt32());
        await bob.PublishAsync("send/team", new { clientMsgId = "mq-2", msgType = "text", body = "y", replyTo = "not-an-id" });
        Assert.Equal(400, (await bob.ReceiveUntilAsync("error")).Frame.GetProperty("status").GetInt32());
        Assert.Equal(3, (await tenant.App.HistoryAsync("team")).GetProperty("messages").GetArrayLength());
    }
}
