using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MessagePlatform.IntegrationTests.Infrastructure;

namespace MessagePlatform.IntegrationTests.Gc;

[Collection(GcCollection.Name)]
public sealed class RetentionTests(GcFixture gc)
{
    private static async Task SendManyAsync(HttpClient app, string sessionId, int count, string from = "host", int first = 0)
    {
        for (var i = first; i < first + count; i++)
            await app.SendAsync(sessionId, from, $"m{i}", new { text = $"message {i}" }).ExpectAsync(HttpStatusCode.Created);
    }

    private static List<long> Seqs(JsonElement history) =>
        [.. history.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("seq").GetInt64())];

    private static bool HasRecord(List<JsonElement> records, string sessionId, string kind) =>
        records.Any(r => r.GetProperty("sessionId").GetString() == sessionId && r.GetProperty("kind").GetString() == kind);

    [Fact]
    public async Task a_live_room_keeps_its_last_n_messages_while_live_and_nothing_after_it_closes()
    {
        var tenant = await gc.NewTenantAsync("live");
        var room = GcFixture.NewId("room");
        await tenant.App.OpenAsync(new { sessionId = room, type = "room", members = Array.Empty<string>(), policy = new { retention = "last:5" } });
        await SendManyAsync(tenant.App, room, 12);
        var before = Seqs(await tenant.App.HistoryAsync(room, "?limit=100"));

        var records = await gc.CollectUntilAsync(tenant, r => HasRecord(r, room, "retention"));
        Assert.Equal(before[^5..], Seqs(await tenant.App.HistoryAsync(room, "?limit=100")));
        var record = records.Single(r => r.GetProperty("sessionId").GetString() == room);
        Assert.Equal(7, record.GetProperty("count").GetInt64());
        Assert.Equal(before[0], record.GetProperty("fromSeq").GetInt64());
        Assert.Equal(before[6], record.GetProperty("toSeq").GetInt64());
        Assert.Equal("last:5", record.GetProperty("policy").GetString());

        // The ring buffer goes on: seqs continue where they were, and the head keeps dropping.
        await SendManyAsync(tenant.App, room, 3, first: 12);
        var session = await tenant.App.GetAsync($"/v1/sessions/{room}").ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(before[^1] + 3, session.GetProperty("lastSeq").GetInt64());
        await gc.CollectUntilAsync(tenant, r => r.Count(x => x.GetProperty("sessionId").GetString() == room) == 2);
        Assert.Equal(5, Seqs(await tenant.App.HistoryAsync(room, "?limit=100")).Count);

        await tenant.App.PostAsync($"/v1/sessions/{room}/close", null).ExpectAsync(HttpStatusCode.OK);
        records = await gc.CollectUntilAsync(tenant, r => HasRecord(r, room, "onClose"));
        Assert.Equal(5, records.Single(r => r.GetProperty("kind").GetString() == "onClose").GetProperty("count").GetInt64());
        await tenant.App.GetAsync($"/v1/sessions/{room}").ExpectAsync(HttpStatusCode.NotFound);
        Assert.Equal(0, await TestDatabase.CountAsync(gc.Postgres,
            "select count(*) from mp.mt_events where tenant_id = $1 and stream_id = $2", tenant.TenantId, room));
        Assert.Equal(0, await TestDatabase.CountAsync(gc.Postgres,
            "select count(*) from mp.mp_session_chain where tenant_id = $1 and session_id = $2", tenant.TenantId, room));

        // The id is free again: the next broadcast of the same room starts over.
        await tenant.App.OpenAsync(new { sessionId = room, type = "room", members = Array.Empty<string>() });
        var again = await tenant.App.SendAsync(room, "host", "m0").ExpectAsync(HttpStatusCode.Created);
        Assert.Equal(2, again.GetProperty("seq").GetInt64());
        Assert.Equal([2L], Seqs(await tenant.App.HistoryAsync(room)));
    }

    [Fact]
    public async Task a_held_room_keeps_everything_until_the_hold_is_lifted()
    {
        var tenant = await gc.NewTenantAsync("live");
        var auditor = gc.Auditor(tenant);
        var room = GcFixture.NewId("held");
        await tenant.App.OpenAsync(new { sessionId = room, type = "room", members = Array.Empty<string>(), policy = new { retention = "last:2" } });
        await auditor.PostAsJsonAsync($"/v1/audit/sessions/{room}/legal-hold", new { reason = "case 42" }).ExpectAsync(HttpStatusCode.OK);
        await auditor.PostAsJsonAsync($"/v1/audit/sessions/{room}/legal-hold", new { }).ExpectAsync(HttpStatusCode.OK);
        await SendManyAsync(tenant.App, room, 6);
        await tenant.App.PostAsync($"/v1/sessions/{room}/close", null).ExpectAsync(HttpStatusCode.OK);

        var view = await tenant.App.GetAsync($"/v1/sessions/{room}").ExpectAsync(HttpStatusCode.OK);
        Assert.True(view.GetProperty("legalHold").GetBoolean());
        var holds = await auditor.GetAsync("/v1/audit/legal-holds").ExpectAsync(HttpStatusCode.OK);
        Assert.Contains(holds.GetProperty("sessions").EnumerateArray(), s => s.GetProperty("sessionId").GetString() == room);

        var records = await gc.CollectAsync(tenant);
        Assert.DoesNotContain(records, r => r.GetProperty("sessionId").GetString() == room);
        Assert.Equal(6, Seqs(await tenant.App.HistoryAsync(room, "?limit=100")).Count);

        await auditor.DeleteAsync($"/v1/audit/sessions/{room}/legal-hold").ExpectAsync(HttpStatusCode.NoContent);
        await gc.CollectUntilAsync(tenant, r => HasRecord(r, room, "onClose"));
        await tenant.App.GetAsync($"/v1/sessions/{room}").ExpectAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task an_enterprise_session_keeps_all()
    {
        var tenant = await gc.NewTenantAsync("enterprise");
        var group = GcFixture.NewId("team");
        await tenant.App.OpenAsync(new { sessionId = group, type = "group", members = new[] { "host", "ann" } });
        await SendManyAsync(tenant.App, group, 5);
        await tenant.App.PostAsync($"/v1/sessions/{group}/close", null).ExpectAsync(HttpStatusCode.OK);
        gc.Clock.Advance(TimeSpan.FromDays(400));
        var records = await gc.CollectAsync(tenant);
        // Members' timelines expire (the tenant's 7 days); the session itself keeps every message.
        Assert.DoesNotContain(records, r => r.GetProperty("sessionId").GetString() == group);
        Assert.All(records, r => Assert.Equal("timeline", r.GetProperty("kind").GetString()));
        Assert.Equal(5, Seqs(await tenant.App.HistoryAsync(group, "?limit=100")).Count);
    }

    [Fact]
    public async Task a_session_with_the_same_id_in_another_tenant_is_never_touched()
    {
        var live = await gc.NewTenantAsync("live");
        var other = await gc.NewTenantAsync("enterprise");
        var room = GcFixture.NewId("same");
        foreach (var t in new[] { live, other })
        {
            await t.App.OpenAsync(new { sessionId = room, type = "room", members = Array.Empty<string>() });
            await SendManyAsync(t.App, room, 4);
            await t.App.PostAsync($"/v1/sessions/{room}/close", null).ExpectAsync(HttpStatusCode.OK);
        }

        await gc.CollectUntilAsync(live, r => HasRecord(r, room, "onClose"));
        await live.App.GetAsync($"/v1/sessions/{room}").ExpectAsync(HttpStatusCode.NotFound);
        Assert.Equal(4, Seqs(await other.App.HistoryAsync(room, "?limit=100")).Count);
        Assert.Empty((await gc.Auditor(other).GetAsync("/v1/audit/gc").ExpectAsync(HttpStatusCode.OK)).GetProperty("records").EnumerateArray());
        // Opened, four messages, closed: every event of the other tenant's session is still there.
        Assert.Equal(6, await TestDatabase.CountAsync(gc.Postgres,
            "select count(*) from mp.mt_events where tenant_id = $1 and stream_id = $2", other.TenantId, room));
    }

    [Fact]
    public async Task a_compacted_session_rebuilds_to_what_it_showed()
    {
        var tenant = await gc.NewTenantAsync("social");
        var group = GcFixture.NewId("trim");
        await tenant.App.OpenAsync(new { sessionId = group, type = "group", members = new[] { "amy", "ben" }, policy = new { retention = "last:3" } });
        await SendManyAsync(tenant.App, group, 7, from: "amy");
        await gc.CollectUntilAsync(tenant, r => HasRecord(r, group, "retention"));
        var history = (await tenant.App.HistoryAsync(group)).ToString();
        var sync = (await tenant.App.SyncAllAsync("ben")).Items.Select(i => i.ToString()).ToList();
        Assert.Equal(3, sync.Count);

        await gc.Admin.RebuildAsync();
        await gc.Host.ProjectionsCaughtUpAsync();
        Assert.Equal(history, (await tenant.App.HistoryAsync(group)).ToString());
        Assert.Equal(sync, (await tenant.App.SyncAllAsync("ben")).Items.Select(i => i.ToString()).ToList());

        // The snapshot carried the members: the session goes on as before.
        await SendManyAsync(tenant.App, group, 1, from: "ben", first: 7);
        await gc.Host.ProjectionsCaughtUpAsync();
        Assert.Equal(4, (await tenant.App.SyncAllAsync("amy")).Items.Count);
    }
}
