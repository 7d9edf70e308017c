using System.Text.Json;
using System.Net;
using System.Net.Http.Json;
using MessagePlatform.Api.Realtime.Gateway;
using MessagePlatform.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using MQTTnet;
using MQTTnet.Protocol;

namespace MessagePlatform.IntegrationTests.Realtime;

/// <summary>MQTT clients over /mqtt: CONNECT with a user token, the topic rules, QoS 1 pushes acked by PUBACK.</summary>
[Collection(PlatformCollection.Name)]
public sealed class MqttGatewayTests(PlatformFixture platform)
{
    private async Task<MqttTestClient> ConnectAsync(TestTenant tenant, string userId, bool manualAcks = false)
    {
        var (client, result) = await MqttTestClient.OverWebSocketAsync(platform.Host, userId, await tenant.App.TokenAsync(userId), manualAcks);
        Assert.Equal(MqttClientConnectResultCode.Success, result.ResultCode);
        return client;
    }

    [Fact]
    public async Task a_user_token_connects_and_a_wrong_or_borrowed_one_is_refused_at_connect()
    {
        var tenant = await platform.NewTenantAsync();
        await using var ann = await ConnectAsync(tenant, "ann");
        Assert.True(ann.Client.IsConnected);

        var (forged, forgedResult) = await MqttTestClient.OverWebSocketAsync(platform.Host, "ann", "mp_user_not-a-token");
        await using (forged) Assert.Equal(MqttClientConnectResultCode.BadUserNameOrPassword, forgedResult.ResultCode);
        // Bob's token does not make its holder ann.
        var (borrowed, borrowedResult) = await MqttTestClient.OverWebSocketAsync(platform.Host, "ann", await tenant.App.TokenAsync("bob"));
        await using (borrowed) Assert.Equal(MqttClientConnectResultCode.BadUserNameOrPassword, borrowedResult.ResultCode);
        var (appKey, appKeyResult) = await MqttTestClient.OverWebSocketAsync(platform.Host, "ann", tenant.AppKey);
        await using (appKey) Assert.Equal(MqttClientConnectResultCode.BadUserNameOrPassword, appKeyResult.ResultCode);
    }

    [Fact]
    public async Task single_topic_gets_a_rest_message_at_qos_1_and_after_the_puback_it_is_not_sent_again()
    {
        var tenant = await platform.NewTenantAsync();
        await tenant.App.OpenAsync(new { type = "c2c", members = new[] { "ann", "bob" } });
        await using var bob = await ConnectAsync(tenant, "bob", manualAcks: true);
        Assert.Equal(MqttClientSubscribeResultCode.GrantedQoS1, await bob.SubscribeAsync("single/bob"));

        var sent = await tenant.App.SendAsync("c2c:ann:bob", "ann", "m1", new { text = "over mqtt" }).ExpectAsync(HttpStatusCode.Created);
        var pushed = await bob.ReceiveUntilAsync("message");
        Assert.Equal(("single/bob", MqttQualityOfServiceLevel.AtLeastOnce), (pushed.Topic, pushed.Qos));
        Assert.Equal(sent.GetProperty("msgId").GetString(), pushed.Frame.GetProperty("msgId").GetString());
        Assert.Equal("c2c:ann:bob", pushed.Frame.GetProperty("sessionId").GetString());
        Assert.Equal("over mqtt", pushed.Frame.GetProperty("body").GetProperty("text").GetString());
        await pushed.AckAsync();

        // Past the 2 s ack timeout and a retransmit tick: nothing comes again.
        Assert.Null(await bob.NothingWithinAsync(TimeSpan.FromSeconds(3.5)));

        // Low priority goes at QoS 0: nothing to ack, nothing retransmitted.
        await tenant.App.PostAsJsonAsync("/v1/sessions/c2c:ann:bob/messages",
            new { from = "ann", clientMsgId = "m2", type = "text", body = "fyi", priority = "low" }).ExpectAsync(HttpStatusCode.Created);
        var low = await bob.ReceiveUntilAsync("message");
        Assert.Equal(MqttQualityOfServiceLevel.AtMostOnce, low.Qos);
        Assert.Null(await bob.NothingWithinAsync(TimeSpan.FromSeconds(3.5)));
    }

    [Fact]
    public async Task an_unacked_message_is_published_again_and_then_replaced_by_a_sync_hint()
    {
        var tenant = await platform.NewTenantAsync();
        await tenant.App.OpenAsync(new { type = "c2c", members = new[] { "ann", "bob" } });
        await using var bob = await ConnectAsync(tenant, "bob", manualAcks: true);
        await bob.SubscribeAsync("single/bob");
        var msgId = (await tenant.App.SendAsync("c2c:ann:bob", "ann", "m1").ExpectAsync(HttpStatusCode.Created)).GetProperty("msgId").GetString();

        var first = await bob.ReceiveUntilAsync("message");
        var again = await bob.ReceiveUntilAsync("message");
        Assert.Equal(msgId, first.Frame.GetProperty("msgId").GetString());
        Assert.Equal(msgId, again.Frame.GetProperty("msgId").GetString());
        var sync = await bob.ReceiveUntilAsync("sync", TimeSpan.FromSeconds(15));
        Assert.Equal("single/bob", sync.Topic);
    }

    [Fact]
    public async Task subscriptions_are_refused_where_the_user_has_no_right_and_granted_where_it_has()
    {
        var tenant = await platform.NewTenantAsync();
        await tenant.App.OpenAsync(new { sessionId = "team", type = "group", members = new[] { "ann", "bob" } });
        await tenant.App.OpenAsync(new { sessionId = "others", type = "group", members = new[] { "cat", "dan" } });
        await tenant.App.OpenAsync(new { sessionId = "stage", type = "room", members = Array.Empty<string>() });
        await tenant.App.PutAsJsonAsync("/v1/users/ann/tags", new { tags = new[] { "vip" } }).ExpectAsync(HttpStatusCode.OK);
        await using var ann = await ConnectAsync(tenant, "ann");

        foreach (var refused in new[] { "single/bob", "group/others", "group/nowhere", "business/tag_female", "single/+", "group/#", "#", "send/team", "chat/ann" })
            Assert.Equal(MqttClientSubscribeResultCode.NotAuthorized, await ann.SubscribeAsync(refused));
        foreach (var granted in new[] { "single/ann", "group/team", "group/stage", "global", "business/tag_vip" })
            Assert.Equal(MqttClientSubscribeResultCode.GrantedQoS1, await ann.SubscribeAsync(granted));
        Assert.Equal(MqttClientSubscribeResultCode.GrantedQoS0, await ann.SubscribeAsync("single/ann", MqttQualityOfServiceLevel.AtMostOnce));

        // The same session id in another tenant is another session.
        var other = await platform.NewTenantAsync();
        await using var otherAnn = await ConnectAsync(other, "ann");
        Assert.Equal(MqttClientSubscribeResultCode.NotAuthorized, await otherAnn.SubscribeAsync("group/team"));
        Assert.Equal(MqttClientSubscribeResultCode.NotAuthorized, await otherAnn.SubscribeAsync("business/tag_vip"));
    }

    [Fact]
    public async Task a_group_topic_carries_the_session_and_a_room_topic_joins_the_room_until_unsubscribed()
    {
        var tenant = await platform.NewTenantAsync();
        await tenant.App.OpenAsync(new { sessionId = "team", type = "group", members = new[] { "ann", "bob" } });
        await tenant.App.OpenAsync(new { sessionId = "stage", type = "room", members = Array.Empty<string>() });
        await using var viewer = await ConnectAsync(tenant, "viewer");
        await using var ann = await ConnectAsync(tenant, "ann");
        await viewer.SubscribeAsync("group/stage");
        await ann.SubscribeAsync("group/team");

        await tenant.App.SendAsync("stage", "host", "live-1").ExpectAsync(HttpStatusCode.Created);
        var live = await viewer.ReceiveUntilAsync("message");
        Assert.Equal(("group/stage", "stage"), (live.Topic, live.Frame.GetProperty("sessionId").GetString()));

        // Ann did not subscribe single/ann: the group's message reaches her on group/team only.
        await tenant.App.SendAsync("team", "bob", "g1").ExpectAsync(HttpStatusCode.Created);
        var group = await ann.ReceiveUntilAsync("message");
        Assert.Equal("group/team", group.Topic);

        await viewer.Client.UnsubscribeAsync("group/stage");
        await tenant.App.SendAsync("stage", "host", "live-2").ExpectAsync(HttpStatusCode.Created);
        Assert.Null(await viewer.NothingWithinAsync(TimeSpan.FromSeconds(2)));
    }

    [Fact]
    public async Task broadcast_frames_go_to_global_or_to_the_subscribed_tag_topics_and_online_only_ones_at_qos_0()
    {
        var tenant = await platform.NewTenantAsync();
        await tenant.App.PutAsJsonAsync("/v1/users/ann/tags", new { tags = new[] { "vip", "female" } }).ExpectAsync(HttpStatusCode.OK);
        await using var ann = await ConnectAsync(tenant, "ann");
        await ann.SubscribeAsync("global");
        await ann.SubscribeAsync("business/tag_vip");
        await ann.SubscribeAsync("single/ann");
        // The frames the broadcast push sends (API.md "Broadcasts and tags"), handed to ann's connection as the push consumer would.
        var connection = Assert.Single(platform.Host.Services.GetRequiredService<LocalConnections>().OfUser(tenant.TenantId, "ann"));

        connection.SendReliably(Broadcast("b-1", [], "normal", onlineOnly: false, "all"), DateTimeOffset.UtcNow);
        var global = await ann.ReceiveAsync();
        Assert.Equal(("global", MqttQualityOfServiceLevel.AtLeastOnce, "b-1"), (global.Topic, global.Qos, global.Frame.GetProperty("msgId").GetString()));

        connection.SendOnce(Broadcast("b-2", ["female", "vip"], "normal", onlineOnly: true, "flash sale"));
        var tagged = await ann.ReceiveAsync();
        Assert.Equal(("business/tag_vip", MqttQualityOfServiceLevel.AtMostOnce), (tagged.Topic, tagged.Qos));
        connection.SendOnce(Broadcast("b-3", [], "low", onlineOnly: false, "fyi"));
        var low = await ann.ReceiveAsync();
        Assert.Equal(("global", MqttQualityOfServiceLevel.AtMostOnce), (low.Topic, low.Qos));
        // female is held but not subscribed, and nothing is sent again.
        Assert.Null(await ann.NothingWithinAsync(TimeSpan.FromSeconds(3)));
    }

    private static OutboundFrame Broadcast(string msgId, string[] tags, string priority, bool onlineOnly, string body) =>
        OutboundFrame.Of(new BroadcastFrame(msgId, "text", JsonSerializer.SerializeToElement(body), tags, priority, onlineOnly, DateTimeOffset.UtcNow));
}
