using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MessagePlatform.IntegrationTests.Gc;
using MessagePlatform.IntegrationTests.Infrastructure;

namespace MessagePlatform.IntegrationTests.Security;

/// <summary>What the webhook outbox keeps once a delivery has gone: no body, no secret, and for a while only.</summary>
[Collection(PlatformCollection.Name)]
public sealed class WebhookRetentionTests(PlatformFixture platform)
{
    private const string Secret = "a-retention-secret-1";
    private const string Rows = "select count(*) from mp.mp_webhook_deliveries where tenant_id = $1";

    [Fact]
    public async Task a_delivered_webhook_keeps_no_body_and_no_delivery_row_holds_the_secret()
    {
        await using var receiver = await HookReceiver.StartAsync(Secret);
        var tenant = await platform.NewTenantAsync();
        await tenant.App.OpenAsync(new { sessionId = "s", type = "group", members = new[] { "ann" } });
        await tenant.App.PutAsJsonAsync("/v1/webhooks/default", new { url = receiver.Url("hook"), secret = Secret, events = new[] { "message.sent" } })
            .ExpectAsync(HttpStatusCode.OK);
        await tenant.App.SendAsync("s", "ann", "1", new { text = "a body to forget" }).ExpectAsync(HttpStatusCode.Created);

        await Poll.UntilAsync(() => Count(tenant, Rows + " and status = 'delivered' and payload is null"), n => n.GetInt64() == 1);
        var delivered = Assert.Single(receiver.Delivered);
        Assert.Contains("a body to forget", delivered.Body);
        Assert.All(receiver.Calls, c => Assert.True(c.SignatureValid));
        Assert.Equal(0, (await Count(tenant, Rows + " and payload::text like '%a body to forget%'")).GetInt64());
        Assert.Equal(0, await TestDatabase.CountAsync(platform.Postgres,
            "select count(*) from information_schema.columns where table_name = 'mp_webhook_deliveries' and column_name = 'secret'"));
    }

    [Fact]
    public async Task a_replayed_delivery_is_signed_with_the_current_secret_and_not_sent_once_its_webhook_is_removed()
    {
        const string Rotated = "the-rotated-secret-2";
        await using var receiver = await HookReceiver.StartAsync(Rotated);
        receiver.FlakyFailuresLeft = 1_000;
        var tenant = await platform.NewTenantAsync();
        await tenant.App.OpenAsync(new { sessionId = "s", type = "group", members = new[] { "ann" } });
        await tenant.App.PutAsJsonAsync("/v1/webhooks/default", new { url = receiver.Url("flaky"), secret = Secret, events = new[] { "message.sent" } })
            .ExpectAsync(HttpStatusCode.OK);
        await tenant.App.SendAsync("s", "ann", "1").ExpectAsync(HttpStatusCode.Created);
        var parked = await Poll.UntilAsync(() => tenant.App.GetAsync("/v1/webhooks/parked").ExpectAsync(HttpStatusCode.OK), p => p.GetArrayLength() == 1);
        var deliveryId = parked[0].GetProperty("deliveryId").GetString();

        // Rotated while parked: the replay is signed with the secret the receiver has now.
        await tenant.App.PutAsJsonAsync("/v1/webhooks/default", new { url = receiver.Url("flaky"), secret = Rotated, events = new[] { "message.sent" } })
            .ExpectAsync(HttpStatusCode.OK);
        receiver.FlakyFailuresLeft = 0;
        await tenant.App.PostAsync($"/v1/webhooks/parked/{deliveryId}/replay", null).ExpectAsync(HttpStatusCode.OK);
        await Poll.UntilAsync(async () => JsonSerializer.SerializeToElement(receiver.Delivered.Count), n => n.GetInt32() == 1);
        Assert.True(receiver.Calls.Last().SignatureValid);

        // Removed: a parked delivery replayed has nothing to be signed with, and is not sent.
        receiver.FlakyFailuresLeft = 1_000;
        await tenant.App.SendAsync("s", "ann", "2").ExpectAsync(HttpStatusCode.Created);
        parked = await Poll.UntilAsync(() => tenant.App.GetAsync("/v1/webhooks/parked").ExpectAsync(HttpStatusCode.OK), p => p.GetArrayLength() == 1);
        await tenant.App.DeleteAsync("/v1/webhooks/default").ExpectAsync(HttpStatusCode.NoContent);
        var calls = receiver.Calls.Count;
        receiver.FlakyFailuresLeft = 0;
        await tenant.App.PostAsync($"/v1/webhooks/parked/{parked[0].GetProperty("deliveryId").GetString()}/replay", null).ExpectAsync(HttpStatusCode.OK);
        parked = await Poll.UntilAsync(() => tenant.App.GetAsync("/v1/webhooks/parked").ExpectAsync(HttpStatusCode.OK),
            p => p.GetArrayLength() == 1 && p[0].GetProperty("lastError").GetString() == "webhook removed or changed");
        Assert.Equal(calls, receiver.Calls.Count);
    }

    [Fact]
    public async Task delivered_and_parked_rows_are_pruned_after_their_retention()
    {
        var postgres = await TestServers.CreateDatabaseAsync();
        await using var host = new PlatformHost(postgres, settings: new Dictionary<string, string>
        {
            ["Webhooks:DeliveredRetentionHours"] = "0", ["Webhooks:ParkedRetentionHours"] = "0", ["Webhooks:PruneIntervalSeconds"] = "1",
        });
        await using var receiver = await HookReceiver.StartAsync(Secret);
        var tenant = await PlatformFixture.NewTenantAsync(host, host.ClientWith(PlatformHost.AdminKey));
        await tenant.App.OpenAsync(new { sessionId = "ok", type = "group", members = new[] { "ann" } });
        await tenant.App.OpenAsync(new { sessionId = "down", type = "group", members = new[] { "ann" } });
        await tenant.App.PutAsJsonAsync("/v1/sessions/ok/webhook", new { url = receiver.Url("hook"), secret = Secret, events = new[] { "message.sent" } })
            .ExpectAsync(HttpStatusCode.OK);
        await tenant.App.PutAsJsonAsync("/v1/sessions/down/webhook", new { url = receiver.Url("fail"), secret = Secret, events = new[] { "message.sent" } })
            .ExpectAsync(HttpStatusCode.OK);
        await tenant.App.SendAsync("ok", "ann", "1").ExpectAsync(HttpStatusCode.Created);
        await tenant.App.SendAsync("down", "ann", "1").ExpectAsync(HttpStatusCode.Created);

        // Both were tried (one delivered, one failed every try), then both rows went.
        await Poll.UntilAsync(async () => JsonSerializer.SerializeToElement(receiver.Calls.Count), n => n.GetInt32() == 4);
        await Poll.UntilAsync(async () => JsonSerializer.SerializeToElement(await TestDatabase.CountAsync(postgres, Rows, tenant.TenantId)),
            n => n.GetInt64() == 0);
        Assert.Single(receiver.Delivered);
    }

    private async Task<JsonElement> Count(TestTenant tenant, string sql) =>
        JsonSerializer.SerializeToElement(await TestDatabase.CountAsync(platform.Postgres, sql, tenant.TenantId));
}

/// <summary>GC's removal of a session reaches its webhook deliveries.</summary>
[Collection(GcCollection.Name)]
public sealed class WebhookGcTests(GcFixture gc)
{
    private const string Secret = "a-gc-webhook-secret";

    [Fact]
    public async Task removing_a_closed_room_removes_its_settled_deliveries()
    {
        await using var receiver = await HookReceiver.StartAsync(Secret);
        var tenant = await gc.NewTenantAsync("live");
        var room = GcFixture.NewId("room");
        await tenant.App.PutAsJsonAsync("/v1/webhooks/default",
            new { url = receiver.Url("hook"), secret = Secret, events = new[] { "message.sent", "session.closed" } }).ExpectAsync(HttpStatusCode.OK);
        await tenant.App.OpenAsync(new { sessionId = room, type = "room", members = Array.Empty<string>() });
        await tenant.App.SendAsync(room, "host", "m1", new { text = "said in the room" }).ExpectAsync(HttpStatusCode.Created);
        await tenant.App.PostAsync($"/v1/sessions/{room}/close", null).ExpectAsync(HttpStatusCode.OK);
        const string Deliveries = "select count(*) from mp.mp_webhook_deliveries where tenant_id = $1 and session_id = $2";
        await Poll.UntilAsync(async () => JsonSerializer.SerializeToElement(
            await TestDatabase.CountAsync(gc.Postgres, Deliveries + " and status = 'delivered'", tenant.TenantId, room)), n => n.GetInt64() >= 1);
        await Poll.UntilAsync(async () => JsonSerializer.SerializeToElement(
            await TestDatabase.CountAsync(gc.Postgres, Deliveries + " and status = 'pending'", tenant.TenantId, room)), n => n.GetInt64() == 0);

        await gc.CollectUntilAsync(tenant, r => r.Any(x => x.GetProperty("sessionId").GetString() == room && x.GetProperty("kind").GetString() == "onClose"));
        Assert.Equal(0, await TestDatabase.CountAsync(gc.Postgres, Deliveries, tenant.TenantId, room));
    }
}
