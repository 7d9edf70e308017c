using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MessagePlatform.IntegrationTests.Infrastructure;

namespace MessagePlatform.IntegrationTests.Broadcasts;

[Collection(PlatformCollection.Name)]
public sealed class BroadcastTests(PlatformFixture platform)
{
    private static Task<JsonElement> BroadcastAsync(TestTenant tenant, string clientMsgId, string[]? tags = null, bool onlineOnly = false,
        HttpStatusCode status = HttpStatusCode.Created) =>
        tenant.App.PostAsJsonAsync("/v1/broadcasts", new { clientMsgId, type = "system", body = new { text = clientMsgId }, tags, onlineOnly })
            .ExpectAsync(status);

    private static string Label(JsonElement item) => item.GetProperty("kind").GetString() == "broadcast"
        ? $"b:{item.GetProperty("body").GetProperty("text").GetString()}"
        : $"m:{item.GetProperty("body").GetProperty("text").GetString()}";

    private static async Task<List<string>> SyncLabelsAsync(TestTenant tenant, string userId, int limit = 1) =>
        [.. (await tenant.App.SyncAllAsync(userId, limit: limit)).Items.Select(Label)];

    [Fact]
    public async Task global_and_tag_broadcasts_appear_in_sync_once_in_order_with_messages()
    {
        var tenant = await platform.NewTenantAsync();
        await tenant.App.PutAsJsonAsync("/v1/users/ann/tags", new { tags = new[] { "vip" } }).ExpectAsync(HttpStatusCode.OK);
        await tenant.App.OpenAsync(new { type = "c2c", members = new[] { "ann", "bob" } });
        await tenant.App.SendAsync("c2c:ann:bob", "ann", "1", new { text = "m1" }).ExpectAsync(HttpStatusCode.Created);
        var first = await BroadcastAsync(tenant, "g1");
        var again = await BroadcastAsync(tenant, "g1", status: HttpStatusCode.OK);
        Assert.Equal(first.GetProperty("msgId").GetString(), again.GetProperty("msgId").GetString());
        Assert.Equal(first.GetProperty("sentAt").GetDateTimeOffset(), again.GetProperty("sentAt").GetDateTimeOffset());
        await BroadcastAsync(tenant, "t1", ["vip"]);
        await BroadcastAsync(tenant, "live-only", onlineOnly: true);
        await tenant.App.SendAsync("c2c:ann:bob", "bob", "2", new { text = "m2" }).ExpectAsync(HttpStatusCode.Created);
        await tenant.App.PutAsJsonAsync("/v1/users/bob/tags", new { tags = new[] { "vip" } }).ExpectAsync(HttpStatusCode.OK);
        await BroadcastAsync(tenant, "t2", ["vip", "gold"]);
        await tenant.App.PutAsJsonAsync("/v1/users/ann/tags", new { tags = Array.Empty<string>() }).ExpectAsync(HttpStatusCode.OK);
        await BroadcastAsync(tenant, "t3", ["vip"]);
        await platform.Host.ProjectionsCaughtUpAsync();

        Assert.Equal(["m:m1", "b:g1", "b:t1", "m:m2", "b:t2"], await SyncLabelsAsync(tenant, "ann"));
        Assert.Equal(["m:m1", "b:g1", "m:m2", "b:t2", "b:t3"], await SyncLabelsAsync(tenant, "bob"));
        Assert.Equal(["b:g1"], await SyncLabelsAsync(tenant, "cy", limit: 10));
        var item = (await tenant.App.SyncAllAsync("bob")).Items.Single(i => Label(i) == "b:t2");
        Assert.Equal(["gold", "vip"], item.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));

        // Stored once, whatever the audience: one event per broadcast, none per user.
        Assert.Equal(5, await TestDatabase.CountAsync(platform.Postgres,
            "select count(*) from mp.mt_events where tenant_id = $1 and stream_id = '$broadcasts'", tenant.TenantId));
        var other = await platform.NewTenantAsync();
        Assert.Empty((await other.App.SyncAllAsync("ann")).Items);
    }

    [Fact]
    public async Task online_users_get_broadcast_frames_for_them_only()
    {
        var tenant = await platform.NewTenantAsync();
        await tenant.App.PutAsJsonAsync("/v1/users/vic/tags", new { tags = new[] { "vip" } }).ExpectAsync(HttpStatusCode.OK);
        async Task<SocketClient> ConnectAsync(string user) => await SocketClient.ConnectAsync(platform.Host, await tenant.App.TokenAsync(user));
        await using var vic = await ConnectAsync("vic");
        await using var pat = await ConnectAsync("pat");
        await Task.Delay(500);

        await BroadcastAsync(tenant, "for-vips", ["vip"]);
        var (vipFrame, _) = await vic.ReceiveUntilAsync("broadcast");
        Assert.Equal("for-vips", vipFrame.GetProperty("body").GetProperty("text").GetString());
        await vic.SendAsync(new { type = "ack", msgId = vipFrame.GetProperty("msgId").GetString() });

        await BroadcastAsync(tenant, "now-or-never", onlineOnly: true);
        var (patFrame, before) = await pat.ReceiveUntilAsync("broadcast");
        Assert.Equal("now-or-never", patFrame.GetProperty("body").GetProperty("text").GetString());
        Assert.True(patFrame.GetProperty("onlineOnly").GetBoolean());
        Assert.DoesNotContain(before, f => f.GetProperty("type").GetString() == "broadcast");
        Assert.Equal("now-or-never", (await vic.ReceiveUntilAsync("broadcast")).Match.GetProperty("body").GetProperty("text").GetString());
    }

    [Fact]
    public async Task bad_broadcasts_are_refused_and_store_nothing()
    {
        var tenant = await platform.NewTenantAsync();
        await tenant.App.PostAsJsonAsync("/v1/broadcasts", new { type = "system", body = new { } }).ExpectAsync(HttpStatusCode.BadRequest);
        await tenant.App.PostAsJsonAsync("/v1/broadcasts", new { clientMsgId = "x", type = "system", body = new { }, tags = new[] { "a#" } })
            .ExpectAsync(HttpStatusCode.BadRequest);
        await tenant.App.PostAsJsonAsync("/v1/broadcasts", new { clientMsgId = "x", type = "system", body = new { text = new string('x', 70_000) } })
            .ExpectAsync(HttpStatusCode.RequestEntityTooLarge);
        using var auditor = platform.Host.ClientWith(tenant.AuditorKey);
        await auditor.PostAsJsonAsync("/v1/broadcasts", new { clientMsgId = "x", type = "system", body = new { } }).ExpectAsync(HttpStatusCode.Forbidden);
        Assert.Equal(0, await TestDatabase.CountAsync(platform.Postgres,
            "select count(*) from mp.mt_events where tenant_id = $1", tenant.TenantId));
    }
}
