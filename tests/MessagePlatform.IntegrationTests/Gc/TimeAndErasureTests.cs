using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MessagePlatform.IntegrationTests.Infrastructure;

namespace MessagePlatform.IntegrationTests.Gc;

[Collection(GcCollection.Name)]
public sealed class TimeAndErasureTests(GcFixture gc)
{
    private static List<string> Texts(JsonElement history) =>
        [.. history.GetProperty("messages").EnumerateArray().Select(m =>
            m.GetProperty("body").ValueKind == JsonValueKind.Null ? "(erased)" : m.GetProperty("body").GetProperty("text").GetString()!)];

    [Fact]
    public async Task a_social_session_drops_what_is_older_than_n_days_and_sync_moves_past_it()
    {
        var tenant = await gc.NewTenantAsync("social");
        var group = GcFixture.NewId("friends");
        await tenant.App.OpenAsync(new { sessionId = group, type = "group", members = new[] { "amy", "ben" }, policy = new { retention = "days:2" } });
        for (var i = 0; i < 3; i++)
            await tenant.App.SendAsync(group, "amy", $"old{i}", new { text = $"old {i}" }).ExpectAsync(HttpStatusCode.Created);
        await gc.Host.ProjectionsCaughtUpAsync();
        var (firstItems, cursor) = await tenant.App.SyncAllAsync("ben");
        Assert.Equal(3, firstItems.Count);

        gc.Clock.Advance(TimeSpan.FromDays(3));
        for (var i = 0; i < 2; i++)
            await tenant.App.SendAsync(group, "amy", $"new{i}", new { text = $"new {i}" }).ExpectAsync(HttpStatusCode.Created);
        var records = await gc.CollectUntilAsync(tenant, r => r.Any(x => x.GetProperty("sessionId").GetString() == group));
        Assert.Equal(3, records.Single(r => r.GetProperty("sessionId").GetString() == group).GetProperty("count").GetInt64());
        Assert.Equal(["new 0", "new 1"], Texts(await tenant.App.HistoryAsync(group)));

        // From where ben was, and from the start: only what is kept, nothing reported missing.
        var (next, _) = await tenant.App.SyncAllAsync("ben", cursor);
        Assert.Equal(["new 0", "new 1"], next.Select(i => i.GetProperty("body").GetProperty("text").GetString()));
        var (fresh, _) = await tenant.App.SyncAllAsync("amy");
        Assert.Equal(2, fresh.Count);
        Assert.Equal(0, await TestDatabase.CountAsync(gc.Postgres,
            "select count(*) from mp.mp_user_chain u left join mp.mp_session_chain c on c.tenant_id = u.tenant_id and c.session_id = u.session_id and c.seq = u.seq where u.tenant_id = $1 and c.seq is null",
            tenant.TenantId));
    }

    [Fact]
    public async Task timeline_entries_past_retention_are_hidden_at_once_and_swept_later()
    {
        var response = await gc.Admin.PostAsJsonAsync("/v1/tenants",
            new { tenantId = GcFixture.NewId("tl"), name = "Timelines", scenario = "enterprise", timelineRetentionDays = 1 });
        var created = await response.Content.ReadFromJsonAsync<JsonElement>();
        var tenantId = created.GetProperty("tenantId").GetString()!;
        var tenant = new TestTenant(tenantId, created.GetProperty("appKey").GetString()!, created.GetProperty("auditorKey").GetString()!,
            gc.Host.ClientWith(created.GetProperty("appKey").GetString()!));
        var tenantView = await gc.Admin.GetAsync($"/v1/tenants/{tenantId}").ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(1, tenantView.GetProperty("timelineRetentionDays").GetInt32());

        await tenant.App.OpenAsync(new { type = "c2c", members = new[] { "cat", "dan" } });
        await tenant.App.SendAsync("c2c:cat:dan", "cat", "a", new { text = "two days ago" }).ExpectAsync(HttpStatusCode.Created);
        await gc.Host.ProjectionsCaughtUpAsync();
        Assert.Single((await tenant.App.SyncAllAsync("dan")).Items);

        gc.Clock.Advance(TimeSpan.FromDays(2));
        Assert.Empty((await tenant.App.SyncAllAsync("cat")).Items);
        await tenant.App.SendAsync("c2c:cat:dan", "cat", "b", new { text = "today" }).ExpectAsync(HttpStatusCode.Created);
        await gc.Host.ProjectionsCaughtUpAsync();
        Assert.Single((await tenant.App.SyncAllAsync("cat")).Items);

        // dan last synced two days ago: its whole timeline goes; cat synced just now and keeps today's entry.
        var records = await gc.CollectUntilAsync(tenant, r => r.Sum(x => x.GetProperty("count").GetInt64()) >= 3);
        Assert.All(records, r => Assert.Equal("timeline", r.GetProperty("kind").GetString()));
        Assert.Equal(1, await TestDatabase.CountAsync(gc.Postgres,
            "select count(*) from mp.mp_user_chain where tenant_id = $1 and user_id = 'cat'", tenantId));
        Assert.Equal(0, await TestDatabase.CountAsync(gc.Postgres,
            "select count(*) from mp.mp_user_chain where tenant_id = $1 and user_id = 'dan'", tenantId));
        // The history is the session's policy (forever), not the timeline's.
        Assert.Equal(2, (await tenant.App.HistoryAsync("c2c:cat:dan")).GetProperty("messages").GetArrayLength());
    }

    [Fact]
    public async Task erasure_masks_a_users_bodies_everywhere_but_in_held_sessions_and_says_so()
    {
        var tenant = await gc.NewTenantAsync("enterprise");
        // A receiver that never answers 2xx: the deliveries stay pending, then parked, bodies and all.
        await using var receiver = await HookReceiver.StartAsync("erasure-webhook-secret");
        await tenant.App.PutAsJsonAsync("/v1/webhooks/default",
            new { url = receiver.Url("down"), secret = "erasure-webhook-secret", events = new[] { "message.sent" } }).ExpectAsync(HttpStatusCode.OK);
        var (open, held) = (GcFixture.NewId("open"), GcFixture.NewId("held"));
        foreach (var id in new[] { open, held })
        {
            await tenant.App.OpenAsync(new { sessionId = id, type = "group", members = new[] { "eve", "fay" } });
            await tenant.App.SendAsync(id, "eve", "e1", new { text = "eve's secret" }).ExpectAsync(HttpStatusCode.Created);
            await tenant.App.SendAsync(id, "fay", "f1", new { text = "fay's words" }).ExpectAsync(HttpStatusCode.Created);
        }
        await gc.Auditor(tenant).PostAsJsonAsync($"/v1/audit/sessions/{held}/legal-hold", new { }).ExpectAsync(HttpStatusCode.OK);
        await gc.Host.ClientWith(await tenant.App.TokenAsync("eve")).PostAsync("/v1/users/eve/erase", null)
            .ExpectAsync(HttpStatusCode.Forbidden);
        await gc.Auditor(tenant).PostAsync("/v1/users/eve/erase", null).ExpectAsync(HttpStatusCode.Forbidden);
        await tenant.App.PostAsync("/v1/users/bad id/erase", null).ExpectAsync(HttpStatusCode.BadRequest);

        await gc.Host.ProjectionsCaughtUpAsync();
        var accepted = await tenant.App.PostAsync("/v1/users/eve/erase", null).ExpectAsync(HttpStatusCode.Accepted);
        Assert.Equal([held], accepted.GetProperty("heldSessions").EnumerateArray().Select(s => s.GetString()));
        var erasureId = accepted.GetProperty("erasureId").GetString();
        JsonElement erasure;
        var waited = 0;
        while ((erasure = await tenant.App.GetAsync($"/v1/erasures/{erasureId}").ExpectAsync(HttpStatusCode.OK))
               .GetProperty("status").GetString() != "completed")
        {
            Assert.True(waited++ < 100, "the erasure did not complete");
            await Task.Delay(100);
        }
        Assert.Equal(1, erasure.GetProperty("masked").GetInt64());

        Assert.Equal(["(erased)", "fay's words"], Texts(await tenant.App.HistoryAsync(open)));
        Assert.Equal(["eve's secret", "fay's words"], Texts(await tenant.App.HistoryAsync(held)));
        await gc.Host.ProjectionsCaughtUpAsync();
        var fay = (await tenant.App.SyncAllAsync("fay")).Items.Where(i => i.GetProperty("sessionId").GetString() == open).ToList();
        Assert.Equal(JsonValueKind.Null, fay.Single(i => i.GetProperty("from").GetString() == "eve").GetProperty("body").ValueKind);
        // In the events too, and nowhere else in the tenant's store.
        Assert.Equal(0, await TestDatabase.CountAsync(gc.Postgres,
            "select count(*) from mp.mt_events where tenant_id = $1 and stream_id = $2 and data::text like '%eve''s secret%'", tenant.TenantId, open));
        Assert.Equal(1, await TestDatabase.CountAsync(gc.Postgres,
            "select count(*) from mp.mt_events where tenant_id = $1 and stream_id = $2 and data::text like '%eve''s secret%'", tenant.TenantId, held));
        const string Undelivered = "select count(*) from mp.mp_webhook_deliveries where tenant_id = $1 and session_id = $2 and payload::text like '%eve''s secret%'";
        Assert.Equal(0, await TestDatabase.CountAsync(gc.Postgres, Undelivered, tenant.TenantId, open));
        Assert.Equal(1, await TestDatabase.CountAsync(gc.Postgres, Undelivered, tenant.TenantId, held));
        Assert.Equal(1, await TestDatabase.CountAsync(gc.Postgres,
            "select count(*) from mp.mp_webhook_deliveries where tenant_id = $1 and session_id = $2 and payload::text like '%fay''s words%'", tenant.TenantId, open));

        var records = (await gc.Auditor(tenant).GetAsync("/v1/audit/gc").ExpectAsync(HttpStatusCode.OK)).GetProperty("records");
        var record = Assert.Single(records.EnumerateArray(), r => r.GetProperty("kind").GetString() == "erasure");
        Assert.Equal("eve", record.GetProperty("userId").GetString());
        Assert.Equal(1, record.GetProperty("count").GetInt64());
        Assert.DoesNotContain("secret", records.GetRawText());
        // `before` in another offset is the same instant (it answered 500: Npgsql writes only UTC to timestamptz).
        // A second before the record at +14:00 reads later on the clock than the record in UTC, yet does not list it.
        // Relative to the record's own time: the fixture's clock runs days ahead of the wall clock.
        var at = record.GetProperty("at").GetDateTimeOffset();
        string Before(TimeSpan fromRecord) => Uri.EscapeDataString(at.Add(fromRecord).ToOffset(TimeSpan.FromHours(14)).ToString("o"));
        var later = await gc.Auditor(tenant).GetAsync($"/v1/audit/gc?before={Before(TimeSpan.FromSeconds(1))}").ExpectAsync(HttpStatusCode.OK);
        Assert.Contains(later.GetProperty("records").EnumerateArray(), r => r.GetProperty("kind").GetString() == "erasure");
        var earlier = await gc.Auditor(tenant).GetAsync($"/v1/audit/gc?before={Before(TimeSpan.FromSeconds(-1))}").ExpectAsync(HttpStatusCode.OK);
        Assert.DoesNotContain(earlier.GetProperty("records").EnumerateArray(), r => r.GetProperty("kind").GetString() == "erasure");
        await tenant.App.GetAsync("/v1/audit/gc").ExpectAsync(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task broadcasts_are_kept_by_the_tenants_broadcast_retention()
    {
        var response = await gc.Admin.PostAsJsonAsync("/v1/tenants",
            new { tenantId = GcFixture.NewId("bc"), name = "Broadcasts", scenario = "social", broadcastRetention = "last:2" });
        var created = await response.Content.ReadFromJsonAsync<JsonElement>();
        var app = gc.Host.ClientWith(created.GetProperty("appKey").GetString()!);
        var tenant = new TestTenant(created.GetProperty("tenantId").GetString()!, created.GetProperty("appKey").GetString()!,
            created.GetProperty("auditorKey").GetString()!, app);
        for (var i = 0; i < 5; i++)
            await app.PostAsJsonAsync("/v1/broadcasts", new { clientMsgId = $"b{i}", type = "system", body = new { text = $"b{i}" } })
                .ExpectAsync(HttpStatusCode.Created);

        var records = await gc.CollectUntilAsync(tenant, r => r.Any(x => x.GetProperty("kind").GetString() == "broadcasts"));
        Assert.Equal(3, records.Single(r => r.GetProperty("kind").GetString() == "broadcasts").GetProperty("count").GetInt64());
        await gc.Host.ProjectionsCaughtUpAsync();
        Assert.Equal(["b3", "b4"], (await app.SyncAllAsync("anyone")).Items.Select(i => i.GetProperty("body").GetProperty("text").GetString()));
        Assert.Equal(3, await TestDatabase.CountAsync(gc.Postgres,
            "select count(*) from mp.mt_events where tenant_id = $1 and stream_id = '$broadcasts'", tenant.TenantId));
    }
}
