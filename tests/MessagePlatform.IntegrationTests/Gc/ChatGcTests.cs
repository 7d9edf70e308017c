using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MessagePlatform.IntegrationTests.Infrastructure;

namespace MessagePlatform.IntegrationTests.Gc;

/// <summary>Everyday chat's rows (reactions, pins, edited bodies) go with their message, and erasure reaches every version.</summary>
[Collection(GcCollection.Name)]
public sealed class ChatGcTests(GcFixture gc)
{
    private Task<long> CountAsync(string table, string tenantId, string sessionId) => TestDatabase.CountAsync(gc.Postgres,
        $"select count(*) from mp.{table} where tenant_id = $1 and session_id = $2", tenantId, sessionId);

    [Fact]
    public async Task reactions_and_pins_go_with_the_messages_retention_drops_and_all_go_on_close()
    {
        var tenant = await gc.NewTenantAsync("live");
        var room = GcFixture.NewId("room");
        await tenant.App.OpenAsync(new { sessionId = room, type = "room", members = Array.Empty<string>(), policy = new { retention = "last:2" } });
        var ids = new List<string>();
        for (var i = 0; i < 4; i++)
            ids.Add((await tenant.App.SendAsync(room, "host", $"m{i}").ExpectAsync(HttpStatusCode.Created)).GetProperty("msgId").GetString()!);
        foreach (var id in ids)
        {
            await tenant.App.PutAsJsonAsync($"/v1/sessions/{room}/messages/{id}/reactions/like", new { by = "fan" }).ExpectAsync(HttpStatusCode.OK);
            await tenant.App.PostAsJsonAsync($"/v1/sessions/{room}/pins", new { msgId = id, by = "host" }).ExpectAsync(HttpStatusCode.OK);
        }
        Assert.Equal(4, await CountAsync("mp_message_reactions", tenant.TenantId, room));

        await gc.CollectUntilAsync(tenant, r => r.Any(x => x.GetProperty("sessionId").GetString() == room));
        var kept = (await tenant.App.HistoryAsync(room)).GetProperty("messages").EnumerateArray().ToList();
        Assert.Equal(ids[^2..], kept.Select(m => m.GetProperty("msgId").GetString()));
        Assert.All(kept, m => Assert.Equal(1, m.GetProperty("reactions").GetProperty("like").GetProperty("count").GetInt32()));
        Assert.Equal(2, await CountAsync("mp_message_reactions", tenant.TenantId, room));
        var pins = (await tenant.App.GetAsync($"/v1/sessions/{room}/pins").ExpectAsync(HttpStatusCode.OK)).GetProperty("pins").EnumerateArray();
        Assert.Equal(ids[^2..], pins.Select(p => p.GetProperty("msgId").GetString()));

        await tenant.App.PostAsync($"/v1/sessions/{room}/close", null).ExpectAsync(HttpStatusCode.OK);
        await gc.CollectUntilAsync(tenant, r => r.Any(x => x.GetProperty("sessionId").GetString() == room && x.GetProperty("kind").GetString() == "onClose"));
        Assert.Equal(0, await CountAsync("mp_message_reactions", tenant.TenantId, room));
        Assert.Equal(0, await CountAsync("mp_session_pins", tenant.TenantId, room));
    }

    [Fact]
    public async Task erasure_masks_every_version_of_an_edited_message()
    {
        var tenant = await gc.NewTenantAsync("enterprise");
        var group = GcFixture.NewId("edits");
        await tenant.App.OpenAsync(new { sessionId = group, type = "group", members = new[] { "eve", "fay" } });
        var msgId = (await tenant.App.SendAsync(group, "eve", "e1", new { text = "eve first secret" }).ExpectAsync(HttpStatusCode.Created))
            .GetProperty("msgId").GetString()!;
        await tenant.App.PostAsJsonAsync($"/v1/sessions/{group}/messages/{msgId}/edit", new { by = "eve", body = new { text = "eve second secret" } })
            .ExpectAsync(HttpStatusCode.OK);
        await tenant.App.PostAsJsonAsync($"/v1/sessions/{group}/messages/{msgId}/edit",
            new { by = "moderator", asAdmin = true, body = new { text = "eve third secret" } }).ExpectAsync(HttpStatusCode.OK);
        await tenant.App.SendAsync(group, "fay", "f1", new { text = "fay's words" }).ExpectAsync(HttpStatusCode.Created);
        await tenant.App.PutAsJsonAsync($"/v1/sessions/{group}/messages/{msgId}/reactions/like", new { by = "fay" }).ExpectAsync(HttpStatusCode.OK);

        await gc.Host.ProjectionsCaughtUpAsync();
        var erasureId = (await tenant.App.PostAsync("/v1/users/eve/erase", null).ExpectAsync(HttpStatusCode.Accepted)).GetProperty("erasureId").GetString();
        await Poll.UntilAsync(() => tenant.App.GetAsync($"/v1/erasures/{erasureId}").ExpectAsync(HttpStatusCode.OK),
            e => e.GetProperty("status").GetString() == "completed");

        var messages = (await tenant.App.HistoryAsync(group)).GetProperty("messages").EnumerateArray().ToList();
        Assert.Equal(JsonValueKind.Null, messages[0].GetProperty("body").ValueKind);
        Assert.True(messages[0].GetProperty("edited").GetBoolean());
        Assert.Equal("fay's words", messages[1].GetProperty("body").GetProperty("text").GetString());
        Assert.Equal(0, await TestDatabase.CountAsync(gc.Postgres,
            "select count(*) from mp.mt_events where tenant_id = $1 and stream_id = $2 and data::text like '%secret%'", tenant.TenantId, group));
        Assert.Equal(2, await TestDatabase.CountAsync(gc.Postgres,
            "select count(*) from mp.mt_events where tenant_id = $1 and stream_id = $2 and type = 'message_edited'", tenant.TenantId, group));
        // Erasure is of bodies: fay's reaction on eve's message stays.
        Assert.Equal(1, await CountAsync("mp_message_reactions", tenant.TenantId, group));
    }
}
