using System.Net;
using System.Net.Http.Json;
using MessagePlatform.IntegrationTests.Infrastructure;

namespace MessagePlatform.IntegrationTests.Messages;

[Collection(PlatformCollection.Name)]
public sealed class RetractTests(PlatformFixture platform)
{
    private static Task<HttpResponseMessage> RetractAsync(HttpClient app, string session, string msgId, object body) =>
        app.PostAsJsonAsync($"/v1/sessions/{session}/messages/{msgId}/retract", body);

    [Fact]
    public async Task a_retracted_message_keeps_its_place_without_its_body_everywhere_users_look()
    {
        var tenant = await platform.NewTenantAsync();
        await tenant.App.OpenAsync(new { type = "c2c", members = new[] { "ann", "bob" } });
        var sent = await tenant.App.SendAsync("c2c:ann:bob", "ann", "oops", new { text = "secret" }).ExpectAsync(HttpStatusCode.Created);
        var msgId = sent.GetProperty("msgId").GetString()!;

        var answer = await RetractAsync(tenant.App, "c2c:ann:bob", msgId, new { by = "ann", reason = "typo" }).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(sent.GetProperty("seq").GetInt64(), answer.GetProperty("seq").GetInt64());
        await RetractAsync(tenant.App, "c2c:ann:bob", msgId, new { by = "ann" }).ExpectAsync(HttpStatusCode.OK);

        var message = Assert.Single((await tenant.App.HistoryAsync("c2c:ann:bob")).GetProperty("messages").EnumerateArray());
        Assert.True(message.GetProperty("retracted").GetBoolean());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, message.GetProperty("body").ValueKind);
        Assert.Equal(2, message.GetProperty("seq").GetInt64());

        await platform.Host.ProjectionsCaughtUpAsync();
        var items = (await tenant.App.SyncAllAsync("bob")).Items;
        Assert.Equal(["message", "retract"], items.Select(i => i.GetProperty("kind").GetString()));
        Assert.All(items, i => Assert.Equal(msgId, i.GetProperty("msgId").GetString()));
        Assert.DoesNotContain("secret", string.Join("", items.Select(i => i.ToString())));

        var conversation = Assert.Single((await tenant.App.GetAsync("/v1/users/bob/conversations").ExpectAsync(HttpStatusCode.OK)).EnumerateArray());
        Assert.True(conversation.GetProperty("lastMessage").GetProperty("retracted").GetBoolean());
        Assert.Equal(0, conversation.GetProperty("unread").GetInt64());
        Assert.Equal(1, await CountEvents(tenant.TenantId, "c2c:ann:bob", "message_retracted"));
    }

    [Fact]
    public async Task only_the_sender_within_the_window_or_an_admin_may_retract()
    {
        var tenant = await platform.NewTenantAsync();
        await tenant.App.OpenAsync(new { sessionId = "strict", type = "group", members = new[] { "ann", "bob" }, policy = new { recallWindowSeconds = 0 } });
        var msgId = (await tenant.App.SendAsync("strict", "ann", "m").ExpectAsync(HttpStatusCode.Created)).GetProperty("msgId").GetString()!;
        await Task.Delay(10);

        Calls.AssertProblem(await RetractAsync(tenant.App, "strict", msgId, new { by = "bob" }).ExpectAsync(HttpStatusCode.Forbidden), 403);
        Calls.AssertProblem(await RetractAsync(tenant.App, "strict", msgId, new { by = "ann" }).ExpectAsync(HttpStatusCode.Conflict), 409);
        await RetractAsync(tenant.App, "strict", msgId, new { by = "moderator", asAdmin = true }).ExpectAsync(HttpStatusCode.OK);
        await RetractAsync(tenant.App, "strict", "123", new { by = "ann" }).ExpectAsync(HttpStatusCode.NotFound);
        await RetractAsync(tenant.App, "strict", "not-a-number", new { by = "ann" }).ExpectAsync(HttpStatusCode.BadRequest);
        await RetractAsync(tenant.App, "strict", msgId, new { reason = "no by" }).ExpectAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task concurrent_retractions_of_one_message_store_one()
    {
        var tenant = await platform.NewTenantAsync();
        await tenant.App.OpenAsync(new { sessionId = "race", type = "group", members = new[] { "ann" } });
        var msgId = (await tenant.App.SendAsync("race", "ann", "m").ExpectAsync(HttpStatusCode.Created)).GetProperty("msgId").GetString()!;
        var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => RetractAsync(tenant.App, "race", msgId, new { by = "ann" })));
        Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a.StatusCode));
        Assert.Equal(1, await CountEvents(tenant.TenantId, "race", "message_retracted"));
    }

    private Task<long> CountEvents(string tenantId, string sessionId, string type) => TestDatabase.CountAsync(platform.Postgres,
        "select count(*) from mp.mt_events where tenant_id = $1 and stream_id = $2 and type = $3", tenantId, sessionId, type);
}
