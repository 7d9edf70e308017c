using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MessagePlatform.IntegrationTests.Infrastructure;

namespace MessagePlatform.IntegrationTests.Chat;

[Collection(PlatformCollection.Name)]
public sealed class PinTests(PlatformFixture platform)
{
    private static Task<HttpResponseMessage> PinAsync(HttpClient client, string session, object body) =>
        client.PostAsJsonAsync($"/v1/sessions/{session}/pins", body);

    private static async Task<List<JsonElement>> PinsAsync(HttpClient client, string session) =>
        [.. (await client.GetAsync($"/v1/sessions/{session}/pins").ExpectAsync(HttpStatusCode.OK)).GetProperty("pins").EnumerateArray()];

    [Fact]
    public async Task pins_are_listed_with_who_and_when_idempotently_and_leave_with_a_retraction()
    {
        var tenant = await platform.NewTenantAsync();
        await tenant.App.OpenAsync(new { sessionId = "board", type = "group", members = new[] { "ann", "bob" } });
        var first = (await tenant.App.SendAsync("board", "ann", "a").ExpectAsync(HttpStatusCode.Created)).GetProperty("msgId").GetString()!;
        var second = (await tenant.App.SendAsync("board", "bob", "b").ExpectAsync(HttpStatusCode.Created)).GetProperty("msgId").GetString()!;

        var pinned = await PinAsync(tenant.App, "board", new { msgId = first, by = "bob" }).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(first, pinned.GetProperty("msgId").GetString());
        Assert.Equal("bob", pinned.GetProperty("by").GetString());
        var again = await PinAsync(tenant.App, "board", new { msgId = first, by = "ann" }).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("bob", again.GetProperty("by").GetString());
        Assert.Equal(pinned.GetProperty("pinnedAt").GetDateTimeOffset(), again.GetProperty("pinnedAt").GetDateTimeOffset());
        var ann = platform.Host.ClientWith(await tenant.App.TokenAsync("ann"));
        await PinAsync(ann, "board", new { msgId = second }).ExpectAsync(HttpStatusCode.OK);

        var pins = await PinsAsync(ann, "board");
        Assert.Equal([first, second], pins.Select(p => p.GetProperty("msgId").GetString()));
        Assert.Equal(["bob", "ann"], pins.Select(p => p.GetProperty("by").GetString()));

        await tenant.App.DeleteAsync($"/v1/sessions/board/pins/{first}?by=ann").ExpectAsync(HttpStatusCode.NoContent);
        await tenant.App.DeleteAsync($"/v1/sessions/board/pins/{first}?by=ann").ExpectAsync(HttpStatusCode.NoContent);
        await tenant.App.PostAsJsonAsync($"/v1/sessions/board/messages/{second}/retract", new { by = "bob" }).ExpectAsync(HttpStatusCode.OK);
        Assert.Empty(await PinsAsync(tenant.App, "board"));
        Calls.AssertProblem(await PinAsync(tenant.App, "board", new { msgId = second, by = "ann" }).ExpectAsync(HttpStatusCode.Conflict), 409);
        Assert.Equal(1, await TestDatabase.CountAsync(platform.Postgres,
            "select count(*) from mp.mt_events where tenant_id = $1 and stream_id = 'board' and type = 'message_unpinned'", tenant.TenantId));
    }

    [Fact]
    public async Task strangers_unknown_messages_and_bad_requests_are_refused()
    {
        var tenant = await platform.NewTenantAsync();
        await tenant.App.OpenAsync(new { sessionId = "g", type = "group", members = new[] { "ann" } });
        var msgId = (await tenant.App.SendAsync("g", "ann", "a").ExpectAsync(HttpStatusCode.Created)).GetProperty("msgId").GetString()!;
        var zed = platform.Host.ClientWith(await tenant.App.TokenAsync("zed"));

        await PinAsync(tenant.App, "g", new { msgId, by = "zed" }).ExpectAsync(HttpStatusCode.Forbidden);
        await PinAsync(zed, "g", new { msgId }).ExpectAsync(HttpStatusCode.Forbidden);
        await PinAsync(zed, "g", new { msgId, by = "ann" }).ExpectAsync(HttpStatusCode.Forbidden);
        await zed.GetAsync("/v1/sessions/g/pins").ExpectAsync(HttpStatusCode.Forbidden);
        await zed.DeleteAsync($"/v1/sessions/g/pins/{msgId}").ExpectAsync(HttpStatusCode.Forbidden);
        await PinAsync(tenant.App, "g", new { msgId = "999", by = "ann" }).ExpectAsync(HttpStatusCode.NotFound);
        await PinAsync(tenant.App, "g", new { msgId = "x", by = "ann" }).ExpectAsync(HttpStatusCode.BadRequest);
        await PinAsync(tenant.App, "g", new { msgId }).ExpectAsync(HttpStatusCode.BadRequest);
        await tenant.App.DeleteAsync($"/v1/sessions/g/pins/{msgId}").ExpectAsync(HttpStatusCode.BadRequest);
        await tenant.App.GetAsync("/v1/sessions/nowhere/pins").ExpectAsync(HttpStatusCode.NotFound);
        Assert.Empty(await PinsAsync(tenant.App, "g"));
    }
}
