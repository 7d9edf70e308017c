using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MessagePlatform.IntegrationTests.Infrastructure;
using MQTTnet;

namespace MessagePlatform.IntegrationTests.Typing;

/// <summary>Typing over the three doors: to the other online members once per 2 s, never stored, never in sync.</summary>
[Collection(PlatformCollection.Name)]
public sealed class TypingTests(PlatformFixture platform)
{
    private static void AssertTyping(JsonElement frame, string sessionId, string userId)
    {
        Assert.Equal("typing", frame.GetProperty("type").GetString());
        Assert.Equal(sessionId, frame.GetProperty("sessionId").GetString());
        Assert.Equal(userId, frame.GetProperty("userId").GetString());
    }

    [Fact]
    public async Task typing_over_websocket_reaches_the_other_members_once_per_interval_and_never_sync()
    {
        var tenant = await platform.NewTenantAsync();
        await tenant.App.OpenAsync(new { sessionId = "crew", type = "group", members = new[] { "ann", "bob", "cy" } });
        await using var ann = await SocketClient.ConnectAsync(platform.Host, await tenant.App.TokenAsync("ann"));
        await using var bob = await SocketClient.ConnectAsync(platform.Host, await tenant.App.TokenAsync("bob"));

        await ann.SendAsync(new { type = "typing", sessionId = "crew" });
        await ann.SendAsync(new { type = "typing", sessionId = "crew" });
        var (first, _) = await bob.ReceiveUntilAsync("typing", TimeSpan.FromSeconds(20));
        AssertTyping(first, "crew", "ann");

        // A message after the second signal: what bob got before it shows the second was throttled.
        await tenant.App.SendAsync("crew", "cy", "after").ExpectAsync(HttpStatusCode.Created);
        var (_, between) = await bob.ReceiveUntilAsync("message", TimeSpan.FromSeconds(20));
        Assert.DoesNotContain(between, f => f.GetProperty("type").GetString() == "typing");
        // The typist is not told of its own typing: its next frame is the message.
        var (_, annBefore) = await ann.ReceiveUntilAsync("message", TimeSpan.FromSeconds(20));
        Assert.DoesNotContain(annBefore, f => f.GetProperty("type").GetString() == "typing");

        await platform.Host.ProjectionsCaughtUpAsync();
        var (items, _) = await tenant.App.SyncAllAsync("bob");
        Assert.Equal(["message"], items.Select(i => i.GetProperty("kind").GetString()).Distinct());
        Assert.Equal(0, await TestDatabase.CountAsync(platform.Postgres,
            "select count(*) from mp.mt_events where tenant_id = $1 and data::text like '%typing%'", tenant.TenantId));
    }

    [Fact]
    public async Task rest_typing_answers_202_and_reaches_members_and_refuses_non_members_and_others_names()
    {
        var tenant = await platform.NewTenantAsync();
        await tenant.App.OpenAsync(new { type = "c2c", members = new[] { "ann", "bob" } });
        await using var bob = await SocketClient.ConnectAsync(platform.Host, await tenant.App.TokenAsync("bob"));
        await tenant.App.PostAsJsonAsync("/v1/sessions/c2c:ann:bob/typing", new { by = "ann" }).ExpectAsync(HttpStatusCode.Accepted);
        AssertTyping((await bob.ReceiveUntilAsync("typing", TimeSpan.FromSeconds(20))).Match, "c2c:ann:bob", "ann");
        // Throttled, still accepted.
        await tenant.App.PostAsJsonAsync("/v1/sessions/c2c:ann:bob/typing", new { by = "ann" }).ExpectAsync(HttpStatusCode.Accepted);

        using var annToken = platform.Host.ClientWith(await tenant.App.TokenAsync("ann"));
        await annToken.PostAsJsonAsync("/v1/sessions/c2c:ann:bob/typing", new { }).ExpectAsync(HttpStatusCode.Accepted);
        await annToken.PostAsJsonAsync("/v1/sessions/c2c:ann:bob/typing", new { by = "bob" }).ExpectAsync(HttpStatusCode.Forbidden);
        using var eve = platform.Host.ClientWith(await tenant.App.TokenAsync("eve"));
        await eve.PostAsJsonAsync("/v1/sessions/c2c:ann:bob/typing", new { }).ExpectAsync(HttpStatusCode.Forbidden);
        await tenant.App.PostAsJsonAsync("/v1/sessions/c2c:ann:bob/typing", new { by = "eve" }).ExpectAsync(HttpStatusCode.Forbidden);
        await tenant.App.PostAsJsonAsync("/v1/sessions/nowhere/typing", new { by = "ann" }).ExpectAsync(HttpStatusCode.NotFound);
        await tenant.App.PostAsJsonAsync("/v1/sessions/c2c:ann:bob/typing", new { by = "not ok" }).ExpectAsync(HttpStatusCode.BadRequest);
        await tenant.App.PostAsJsonAsync("/v1/sessions/c2c:ann:bob/typing", new { }).ExpectAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task typing_in_a_room_reaches_who_joined_it()
    {
        var tenant = await platform.NewTenantAsync();
        await tenant.App.OpenAsync(new { sessionId = "stage", type = "room", members = new[] { "host" } });
        await using var viewer = await SocketClient.ConnectAsync(platform.Host, await tenant.App.TokenAsync("viewer"));
        await viewer.SendAsync(new { type = "join", sessionId = "stage" });
        // Frames are handled in order: the pong says the join was.
        await viewer.SendAsync(new { type = "ping" });
        await viewer.ReceiveUntilAsync("pong");
        await using var fan = await SocketClient.ConnectAsync(platform.Host, await tenant.App.TokenAsync("fan"));
        await fan.SendAsync(new { type = "typing", sessionId = "stage" });
        AssertTyping((await viewer.ReceiveUntilAsync("typing", TimeSpan.FromSeconds(20))).Match, "stage", "fan");
    }

    [Fact]
    public async Task typing_over_mqtt_reaches_members_and_a_non_member_is_refused()
    {
        var tenant = await platform.NewTenantAsync();
        await tenant.App.OpenAsync(new { sessionId = "team", type = "group", members = new[] { "ann", "bob" } });
        var (ann, annResult) = await MqttTestClient.OverWebSocketAsync(platform.Host, "ann", await tenant.App.TokenAsync("ann"));
        await using var _ann = ann;
        var (bob, bobResult) = await MqttTestClient.OverWebSocketAsync(platform.Host, "bob", await tenant.App.TokenAsync("bob"));
        await using var _bob = bob;
        Assert.Equal(MqttClientConnectResultCode.Success, annResult.ResultCode);
        Assert.Equal(MqttClientConnectResultCode.Success, bobResult.ResultCode);
        await bob.SubscribeAsync("group/team");

        await ann.PublishAsync("typing/team", new { });
        var pushed = await bob.ReceiveUntilAsync("typing", TimeSpan.FromSeconds(20));
        Assert.Equal(("group/team", MQTTnet.Protocol.MqttQualityOfServiceLevel.AtMostOnce), (pushed.Topic, pushed.Qos));
        AssertTyping(pushed.Frame, "team", "ann");

        var (eve, _) = await MqttTestClient.OverWebSocketAsync(platform.Host, "eve", await tenant.App.TokenAsync("eve"));
        await using var _eve = eve;
        await eve.SubscribeAsync("single/eve");
        await eve.PublishAsync("typing/team", new { });
        var refused = await eve.ReceiveUntilAsync("error", TimeSpan.FromSeconds(20));
        Assert.Equal(403, refused.Frame.GetProperty("status").GetInt32());
    }
}
