using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MessagePlatform.IntegrationTests.Infrastructure;
using MQTTnet;
using MQTTnet.Protocol;
using static MessagePlatform.IntegrationTests.ChatFanOut.ChatEventsAppended;

namespace MessagePlatform.IntegrationTests.ChatFanOut;

/// <summary>Edits, reactions, pins and read marks leave the stream on every path: WebSocket, MQTT, sync, webhooks.</summary>
[Collection(PlatformCollection.Name)]
public sealed class ChatFanOutTests(PlatformFixture platform)
{
    private static readonly string[] Kinds = ["edit", "reaction", "reaction", "pin", "unpin", "read"];

    private async Task<TestTenant> TeamAsync()
    {
        var tenant = await platform.NewTenantAsync();
        await tenant.App.OpenAsync(new { sessionId = "team", type = "group", members = new[] { "ann", "bob", "cy" } });
        return tenant;
    }

    private static async Task<(string MsgId, long Seq)> SendAsync(TestTenant tenant, string clientMsgId)
    {
        var sent = await tenant.App.SendAsync("team", "ann", clientMsgId, new { text = "hi" }).ExpectAsync(HttpStatusCode.Created);
        return (sent.GetProperty("msgId").GetString()!, sent.GetProperty("seq").GetInt64());
    }

    [Fact]
    public async Task a_member_online_gets_edit_reaction_pin_unpin_and_read_frames_in_stream_order()
    {
        var tenant = await TeamAsync();
        await using var cy = await SocketClient.ConnectAsync(platform.Host, await tenant.App.TokenAsync("cy"));
        var (msgId, seq) = await SendAsync(tenant, "m1");
        var (message, _) = await cy.ReceiveUntilAsync("message");
        await cy.SendAsync(new { type = "ack", msgId });
        Assert.Equal(msgId, message.GetProperty("msgId").GetString());

        await AppendAsync(platform.Host.Services, tenant.TenantId, "team", OneOfEach(long.Parse(msgId), seq));

        var frames = new List<JsonElement>();
        while (frames.Count < Kinds.Length) frames.Add(await cy.ReceiveAsync(TimeSpan.FromSeconds(20)));
        Assert.Equal(Kinds, frames.Select(f => f.GetProperty("type").GetString()));
        Assert.All(frames, f => Assert.Equal("team", f.GetProperty("sessionId").GetString()));
        Assert.Equal("hi, edited", frames[0].GetProperty("body").GetProperty("text").GetString());
        Assert.Equal((msgId, seq, "ann"), (frames[0].GetProperty("msgId").GetString(), frames[0].GetProperty("seq").GetInt64(), frames[0].GetProperty("by").GetString()));
        Assert.True(frames[0].TryGetProperty("editedAt", out _));
        Assert.Equal(("👍", "bob", true), (frames[1].GetProperty("reaction").GetString(), frames[1].GetProperty("by").GetString(), frames[1].GetProperty("added").GetBoolean()));
        Assert.Equal(seq, frames[1].GetProperty("seq").GetInt64());
        Assert.False(frames[2].GetProperty("added").GetBoolean());
        Assert.Equal((msgId, "ann"), (frames[3].GetProperty("msgId").GetString(), frames[3].GetProperty("by").GetString()));
        Assert.True(frames[3].TryGetProperty("pinnedAt", out _));
        Assert.Equal(msgId, frames[4].GetProperty("msgId").GetString());
        Assert.Equal(("bob", seq), (frames[5].GetProperty("userId").GetString(), frames[5].GetProperty("seq").GetInt64()));
    }

    [Fact]
    public async Task mqtt_clients_get_the_chat_frames_on_their_group_topic()
    {
        var tenant = await TeamAsync();
        var (client, result) = await MqttTestClient.OverWebSocketAsync(platform.Host, "cy", await tenant.App.TokenAsync("cy"));
        await using var cy = client;
        Assert.Equal(MqttClientConnectResultCode.Success, result.ResultCode);
        await cy.SubscribeAsync("group/team");
        var (msgId, seq) = await SendAsync(tenant, "m1");
        await cy.ReceiveUntilAsync("message");

        await AppendAsync(platform.Host.Services, tenant.TenantId, "team", OneOfEach(long.Parse(msgId), seq));

        var frames = new List<MqttDelivery>();
        while (frames.Count < Kinds.Length) frames.Add(await cy.ReceiveAsync(TimeSpan.FromSeconds(20)));
        Assert.Equal(Kinds, frames.Select(f => f.Type));
        Assert.All(frames, f => Assert.Equal("group/team", f.Topic));
        // Edits and pins at QoS 1, reactions and read marks at QoS 0 (the next one supersedes).
        Assert.Equal([MqttQualityOfServiceLevel.AtLeastOnce, MqttQualityOfServiceLevel.AtMostOnce, MqttQualityOfServiceLevel.AtMostOnce,
            MqttQualityOfServiceLevel.AtLeastOnce, MqttQualityOfServiceLevel.AtLeastOnce, MqttQualityOfServiceLevel.AtMostOnce], frames.Select(f => f.Qos));
        Assert.Equal("hi, edited", frames[0].Frame.GetProperty("body").GetProperty("text").GetString());
    }

    [Fact]
    public async Task sync_yields_each_chat_item_once_after_its_message_which_shows_the_latest_body()
    {
        var tenant = await TeamAsync();
        var (msgId, seq) = await SendAsync(tenant, "m1");
        await AppendAsync(platform.Host.Services, tenant.TenantId, "team", OneOfEach(long.Parse(msgId), seq));
        var (second, _) = await SendAsync(tenant, "m2");

        var items = await Poll.UntilAsync(async () => (await tenant.App.SyncAllAsync("cy", limit: 2)).Items, i => i.Count >= 8);
        Assert.Equal(["message", .. Kinds, "message"], items.Select(i => i.GetProperty("kind").GetString()));
        Assert.Equal(second, items[^1].GetProperty("msgId").GetString());
        var message = items[0];
        Assert.Equal("hi, edited", message.GetProperty("body").GetProperty("text").GetString());
        Assert.True(message.GetProperty("edited").GetBoolean());
        Assert.True(message.TryGetProperty("editedAt", out _));
        var edit = items[1];
        Assert.Equal((msgId, seq, "ann"), (edit.GetProperty("msgId").GetString(), edit.GetProperty("seq").GetInt64(), edit.GetProperty("by").GetString()));
        Assert.Equal("hi, edited", edit.GetProperty("body").GetProperty("text").GetString());
        Assert.Equal(("👍", "bob", true), (items[2].GetProperty("reaction").GetString(), items[2].GetProperty("by").GetString(), items[2].GetProperty("added").GetBoolean()));
        Assert.False(items[3].GetProperty("added").GetBoolean());
        Assert.Equal((msgId, "ann"), (items[4].GetProperty("msgId").GetString(), items[4].GetProperty("by").GetString()));
        Assert.True(items[4].TryGetProperty("at", out _));
        Assert.Equal(("bob", seq), (items[6].GetProperty("userId").GetString(), items[6].GetProperty("seq").GetInt64()));
        // A chat item carries its own fields only.
        Assert.False(items[2].TryGetProperty("from", out _));

        // The cursor moves past them: nothing comes twice.
        var (_, cursor) = await tenant.App.SyncAllAsync("cy");
        Assert.Empty((await tenant.App.SyncAllAsync("cy", cursor)).Items);
    }

    [Fact]
    public async Task a_retraction_masks_the_bodies_the_message_was_edited_to_in_sync()
    {
        var tenant = await TeamAsync();
        var (msgId, seq) = await SendAsync(tenant, "m1");
        await AppendAsync(platform.Host.Services, tenant.TenantId, "team",
            new Domain.MessageEdited(long.Parse(msgId), seq, "ann", Body("secret"), false, At));
        await tenant.App.PostAsJsonAsync($"/v1/sessions/team/messages/{msgId}/retract", new { by = "ann" }).ExpectAsync(HttpStatusCode.OK);

        var items = await Poll.UntilAsync(async () => (await tenant.App.SyncAllAsync("bob")).Items, i => i.Count >= 3);
        Assert.Equal(["message", "edit", "retract"], items.Select(i => i.GetProperty("kind").GetString()));
        Assert.All(items, i => Assert.DoesNotContain("secret", i.GetRawText()));
    }

    [Fact]
    public async Task a_webhook_gets_the_chat_and_membership_events_with_their_fields_in_seq_order()
    {
        const string secret = "the-webhook-secret";
        await using var receiver = await HookReceiver.StartAsync(secret);
        var tenant = await TeamAsync();
        string[] events = ["message.sent", "message.edited", "reaction.added", "reaction.removed", "message.pinned", "message.unpinned",
            "conversation.read", "members.joined", "member.left"];
        await tenant.App.PutAsJsonAsync("/v1/sessions/team/webhook", new { url = receiver.Url("hook"), secret, events })
            .ExpectAsync(HttpStatusCode.OK);
        var (msgId, seq) = await SendAsync(tenant, "m1");
        await AppendAsync(platform.Host.Services, tenant.TenantId, "team", OneOfEach(long.Parse(msgId), seq));
        await AppendAsync(platform.Host.Services, tenant.TenantId, "team",
            new Domain.MembersJoined(["dee"], At), new Domain.MemberLeft("dee", At));

        List<JsonElement> Delivered() => [.. receiver.Delivered.SelectMany(d => JsonDocument.Parse(d.Body).RootElement.GetProperty("events").EnumerateArray())];
        var got = await Poll.UntilAsync(() => Task.FromResult(Delivered()), d => d.Any(e => e.GetProperty("type").GetString() == "member.left"));
        Assert.Equal(events, got.Select(e => e.GetProperty("type").GetString()).Distinct());
        var seqs = got.Select(e => e.GetProperty("seq").GetInt64()).ToList();
        Assert.Equal(seqs.Order(), seqs);
        var edited = got.Single(e => e.GetProperty("type").GetString() == "message.edited");
        Assert.Equal((msgId, seq, "ann"), (edited.GetProperty("msgId").GetString(), edited.GetProperty("msgSeq").GetInt64(), edited.GetProperty("by").GetString()));
        Assert.Equal("hi, edited", edited.GetProperty("body").GetProperty("text").GetString());
        var read = got.Single(e => e.GetProperty("type").GetString() == "conversation.read");
        Assert.Equal(("bob", seq), (read.GetProperty("userId").GetString(), read.GetProperty("readSeq").GetInt64()));
        Assert.Equal(["dee"], got.Single(e => e.GetProperty("type").GetString() == "members.joined").GetProperty("userIds").EnumerateArray().Select(u => u.GetString()));
        Assert.All(receiver.Calls, c => Assert.True(c.SignatureValid));
    }
}
