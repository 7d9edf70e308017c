using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MessagePlatform.IntegrationTests.Infrastructure;

namespace MessagePlatform.IntegrationTests.Gc;

[Collection(GcCollection.Name)]
public sealed class HeldErasureTests(GcFixture gc)
{
    private static List<string> Texts(JsonElement history) =>
        [.. history.GetProperty("messages").EnumerateArray().Select(m =>
            m.GetProperty("body").ValueKind == JsonValueKind.Null ? "(erased)" : m.GetProperty("body").GetProperty("text").GetString()!)];

    [Fact]
    public async Task an_erasure_that_skipped_a_held_session_finishes_it_once_the_hold_is_lifted()
    {
        var tenant = await gc.NewTenantAsync("enterprise");
        var (open, held) = (GcFixture.NewId("open"), GcFixture.NewId("held"));
        foreach (var id in new[] { open, held })
        {
            await tenant.App.OpenAsync(new { sessionId = id, type = "group", members = new[] { "gil", "hal" } });
            await tenant.App.SendAsync(id, "gil", "g1", new { text = "gil's secret" }).ExpectAsync(HttpStatusCode.Created);
            await tenant.App.SendAsync(id, "hal", "h1", new { text = "hal's words" }).ExpectAsync(HttpStatusCode.Created);
        }
        var auditor = gc.Auditor(tenant);
        await auditor.PostAsJsonAsync($"/v1/audit/sessions/{held}/legal-hold", new { }).ExpectAsync(HttpStatusCode.OK);
        await gc.Host.ProjectionsCaughtUpAsync();

        var accepted = await tenant.App.PostAsync("/v1/users/gil/erase", null).ExpectAsync(HttpStatusCode.Accepted);
        var erasureId = accepted.GetProperty("erasureId").GetString();
        var erasure = await Poll.UntilAsync(() => tenant.App.GetAsync($"/v1/erasures/{erasureId}").ExpectAsync(HttpStatusCode.OK),
            e => e.GetProperty("status").GetString() == "completed");
        Assert.Equal([held], erasure.GetProperty("awaitingHolds").EnumerateArray().Select(s => s.GetString()));
        Assert.Equal(["(erased)", "hal's words"], Texts(await tenant.App.HistoryAsync(open)));
        Assert.Equal(["gil's secret", "hal's words"], Texts(await tenant.App.HistoryAsync(held)));

        // Lifting the hold is all it takes: no second erase call.
        await auditor.DeleteAsync($"/v1/audit/sessions/{held}/legal-hold").ExpectAsync(HttpStatusCode.NoContent);
        erasure = await Poll.UntilAsync(() => tenant.App.GetAsync($"/v1/erasures/{erasureId}").ExpectAsync(HttpStatusCode.OK),
            e => e.GetProperty("awaitingHolds").GetArrayLength() == 0);
        Assert.Equal(2, erasure.GetProperty("masked").GetInt64());
        Assert.Equal(["(erased)", "hal's words"], Texts(await tenant.App.HistoryAsync(held)));
        Assert.Equal(0, await TestDatabase.CountAsync(gc.Postgres,
            "select count(*) from mp.mt_events where tenant_id = $1 and data::text like '%gil''s secret%'", tenant.TenantId));
        var records = (await auditor.GetAsync("/v1/audit/gc").ExpectAsync(HttpStatusCode.OK)).GetProperty("records").EnumerateArray()
            .Where(r => r.GetProperty("kind").GetString() == "erasure").ToList();
        Assert.Equal(2, records.Count);
        Assert.Contains(records, r => r.GetProperty("sessionId").GetString() == held && r.GetProperty("count").GetInt64() == 1);

        // Later passes have nothing more to do for it: the record is not repeated.
        await gc.Admin.PostAsync("/v1/admin/gc/run", null).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(2, (await auditor.GetAsync("/v1/audit/gc").ExpectAsync(HttpStatusCode.OK)).GetProperty("records").EnumerateArray()
            .Count(r => r.GetProperty("kind").GetString() == "erasure"));
    }

    [Fact]
    public async Task a_held_session_is_not_erased_by_later_passes_while_its_hold_lasts()
    {
        var tenant = await gc.NewTenantAsync("enterprise");
        var held = GcFixture.NewId("held");
        await tenant.App.OpenAsync(new { sessionId = held, type = "group", members = new[] { "ivy", "jon" } });
        await tenant.App.SendAsync(held, "ivy", "i1", new { text = "ivy's secret" }).ExpectAsync(HttpStatusCode.Created);
        var auditor = gc.Auditor(tenant);
        await auditor.PostAsJsonAsync($"/v1/audit/sessions/{held}/legal-hold", new { }).ExpectAsync(HttpStatusCode.OK);
        await gc.Host.ProjectionsCaughtUpAsync();
        var erasureId = (await tenant.App.PostAsync("/v1/users/ivy/erase", null).ExpectAsync(HttpStatusCode.Accepted)).GetProperty("erasureId").GetString();
        await Poll.UntilAsync(() => tenant.App.GetAsync($"/v1/erasures/{erasureId}").ExpectAsync(HttpStatusCode.OK),
            e => e.GetProperty("status").GetString() == "completed");

        await gc.Admin.PostAsync("/v1/admin/gc/run", null).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(["ivy's secret"], Texts(await tenant.App.HistoryAsync(held)));
        var erasure = await tenant.App.GetAsync($"/v1/erasures/{erasureId}").ExpectAsync(HttpStatusCode.OK);
        Assert.Equal([held], erasure.GetProperty("awaitingHolds").EnumerateArray().Select(s => s.GetString()));
    }
}
