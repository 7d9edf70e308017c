using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MessagePlatform.IntegrationTests.Gc;
using MessagePlatform.IntegrationTests.Infrastructure;

namespace MessagePlatform.IntegrationTests.ChatFanOut;

[Collection(GcCollection.Name)]
public sealed class ChatTimelineSweepTests(GcFixture gc)
{
    [Fact]
    public async Task reaction_entries_past_timeline_retention_are_swept_by_their_own_time()
    {
        var created = await gc.Admin.PostAsJsonAsync("/v1/tenants",
            new { tenantId = GcFixture.NewId("rx"), name = "Reaction timelines", scenario = "enterprise", timelineRetentionDays = 1 }).ExpectAsync(HttpStatusCode.Created);
        var tenantId = created.GetProperty("tenantId").GetString()!;
        var tenant = new TestTenant(tenantId, created.GetProperty("appKey").GetString()!, created.GetProperty("auditorKey").GetString()!,
            gc.Host.ClientWith(created.GetProperty("appKey").GetString()!));
        await tenant.App.OpenAsync(new { type = "c2c", members = new[] { "cat", "dan" } });
        var old = await tenant.App.SendAsync("c2c:cat:dan", "cat", "a", new { text = "two days ago" }).ExpectAsync(HttpStatusCode.Created);
        await tenant.App.PutAsJsonAsync($"/v1/sessions/c2c:cat:dan/messages/{old.GetProperty("msgId").GetString()}/reactions/up", new { by = "dan" })
            .ExpectAsync(HttpStatusCode.OK);
        await gc.Host.ProjectionsCaughtUpAsync();
        // dan syncs now; cat first syncs after the clock moves, so its timeline is not swept as inactive.
        Assert.Equal(2, (await tenant.App.SyncAllAsync("dan")).Items.Count);

        gc.Clock.Advance(TimeSpan.FromDays(2));
        await tenant.App.SendAsync("c2c:cat:dan", "cat", "b", new { text = "today" }).ExpectAsync(HttpStatusCode.Created);
        await gc.Host.ProjectionsCaughtUpAsync();
        Assert.Single((await tenant.App.SyncAllAsync("cat")).Items);

        const string Rows = "select count(*) from mp.mp_user_chain where tenant_id = $1 and user_id = 'cat' and kind = ";
        await Poll.UntilAsync(async () =>
        {
            await gc.CollectAsync(tenant);
            return await TestDatabase.CountAsync(gc.Postgres, Rows + "'reaction'", tenantId);
        }, n => n == 0);
        // cat's timeline was swept by age, not as a whole: today's message stays.
        Assert.Equal(1, await TestDatabase.CountAsync(gc.Postgres, Rows + "'message'", tenantId));
    }
}
