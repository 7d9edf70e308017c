using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Marten;
using MessagePlatform.Domain;
using MessagePlatform.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace MessagePlatform.IntegrationTests.Audit;

[Collection(PlatformCollection.Name)]
public sealed class SessionStateTests(PlatformFixture platform)
{
    private static Task<JsonElement> StateAsync(HttpClient auditor, string sessionId, DateTimeOffset asOf) =>
        auditor.GetAsync($"/v1/audit/sessions/{sessionId}/state?asOf={Uri.EscapeDataString(asOf.ToString("O"))}")
            .ExpectAsync(HttpStatusCode.OK);

    private static async Task<DateTimeOffset> LastEventTimeAsync(HttpClient auditor, string sessionId)
    {
        var page = await auditor.GetAsync($"/v1/audit/sessions/{sessionId}/events?limit=1000").ExpectAsync(HttpStatusCode.OK);
        return page.GetProperty("events").EnumerateArray().Last().GetProperty("timestamp").GetDateTimeOffset();
    }

    [Fact]
    public async Task as_of_replay_matches_what_the_history_showed_at_that_time()
    {
        var tenant = await platform.NewTenantAsync();
        var auditor = platform.Host.ClientWith(tenant.AuditorKey);
        await tenant.App.OpenAsync(new { sessionId = "board", type = "group", members = new[] { "ann", "bob" } });
        for (var i = 0; i < 3; i++) await tenant.App.SendAsync("board", i % 2 == 0 ? "ann" : "bob", $"m{i}", new { text = $"t{i}" }).ExpectAsync(HttpStatusCode.Created);
        var then = (await tenant.App.HistoryAsync("board")).GetProperty("messages").EnumerateArray().ToList();
        var thenTime = await LastEventTimeAsync(auditor, "board");

        var secondMsgId = then[1].GetProperty("msgId").GetString();
        await Task.Delay(5);
        await tenant.App.PostAsJsonAsync($"/v1/sessions/board/messages/{secondMsgId}/retract", new { by = "bob", reason = "oops" }).ExpectAsync(HttpStatusCode.OK);
        await tenant.App.PostAsJsonAsync("/v1/sessions/board/members", new { userIds = new[] { "cid" } }).ExpectAsync(HttpStatusCode.OK);
        await tenant.App.SendAsync("board", "cid", "late").ExpectAsync(HttpStatusCode.Created);
        await tenant.App.PostAsync("/v1/sessions/board/close", null).ExpectAsync(HttpStatusCode.OK);

        var past = await StateAsync(auditor, "board", thenTime);
        Assert.Equal(["ann", "bob"], past.GetProperty("members").EnumerateArray().Select(m => m.GetString()));
        Assert.False(past.GetProperty("closed").GetBoolean());
        Assert.Equal("group", past.GetProperty("type").GetString());
        Assert.Equal(4, past.GetProperty("version").GetInt64());
        var replayed = past.GetProperty("messages").EnumerateArray().ToList();
        Assert.Equal(then.Count, replayed.Count);
        foreach (var (shown, replay) in then.Zip(replayed))
            foreach (var field in new[] { "msgId", "seq", "from", "type", "body", "priority", "sentAt", "retracted" })
                Assert.Equal(shown.GetProperty(field).ToString(), replay.GetProperty(field).ToString());

        var now = await StateAsync(auditor, "board", DateTimeOffset.UtcNow.AddMinutes(1));
        Assert.True(now.GetProperty("closed").GetBoolean());
        Assert.Equal(["ann", "bob", "cid"], now.GetProperty("members").EnumerateArray().Select(m => m.GetString()));
        var retracted = now.GetProperty("messages")[1];
        Assert.True(retracted.GetProperty("retracted").GetBoolean());
        // Users see the place without the body; auditors see the original and who took it back.
        Assert.Equal("t1", retracted.GetProperty("body").GetProperty("text").GetString());
        Assert.Equal("bob", retracted.GetProperty("retraction").GetProperty("by").GetString());
        Assert.Equal("oops", retracted.GetProperty("retraction").GetProperty("reason").GetString());
        Assert.Equal(JsonValueKind.Null, (await tenant.App.HistoryAsync("board")).GetProperty("messages")[1].GetProperty("body").ValueKind);
        Assert.Equal(4, now.GetProperty("messages").GetArrayLength());
        Assert.Equal(JsonValueKind.Null, now.GetProperty("compactedThrough").ValueKind);
    }

    [Fact]
    public async Task a_compacted_stream_replays_from_its_snapshot_and_says_how_far_history_was_removed()
    {
        var tenant = await platform.NewTenantAsync();
        var auditor = platform.Host.ClientWith(tenant.AuditorKey);
        await tenant.App.OpenAsync(new { sessionId = "ring", type = "group", members = new[] { "ann" } });
        await tenant.App.SendAsync("ring", "ann", "old").ExpectAsync(HttpStatusCode.Created);
        await tenant.App.PostAsJsonAsync("/v1/sessions/ring/members", new { userIds = new[] { "bob" } }).ExpectAsync(HttpStatusCode.OK);
        await tenant.App.SendAsync("ring", "bob", "kept").ExpectAsync(HttpStatusCode.Created);

        var store = platform.Host.Services.GetRequiredService<IDocumentStore>();
        await using (var session = store.LightweightSession(tenant.TenantId))
        {
            await session.Events.CompactStreamAsync<Session>("ring", r => r.Version = 3);
            await session.SaveChangesAsync();
        }

        var state = await StateAsync(auditor, "ring", DateTimeOffset.UtcNow.AddMinutes(1));
        Assert.Equal(3, state.GetProperty("compactedThrough").GetInt64());
        Assert.False(state.GetProperty("legalHold").GetBoolean());
        Assert.Equal(["ann", "bob"], state.GetProperty("members").EnumerateArray().Select(m => m.GetString()));
        var message = Assert.Single(state.GetProperty("messages").EnumerateArray());
        Assert.Equal("bob", message.GetProperty("from").GetString());
        var events = await auditor.GetAsync("/v1/audit/sessions/ring/events").ExpectAsync(HttpStatusCode.OK);
        var head = events.GetProperty("events")[0];
        Assert.Equal("session.compacted", head.GetProperty("type").GetString());
        Assert.Equal(3, head.GetProperty("version").GetInt64());
        Assert.Equal(["ann", "bob"], head.GetProperty("data").GetProperty("snapshot").GetProperty("members").EnumerateArray().Select(m => m.GetString()));
    }

    [Fact]
    public async Task as_of_must_be_a_time_and_the_session_must_have_existed_then()
    {
        var tenant = await platform.NewTenantAsync();
        var auditor = platform.Host.ClientWith(tenant.AuditorKey);
        var before = DateTimeOffset.UtcNow.AddMinutes(-5);
        await tenant.App.OpenAsync(new { sessionId = "s", type = "group", members = new[] { "ann" } });

        foreach (var bad in new[] { "", "?asOf=", "?asOf=yesterday", "?asOf=2026-13-45T00:00:00Z" })
        {
            var problem = await auditor.GetAsync($"/v1/audit/sessions/s/state{bad}").ExpectAsync(HttpStatusCode.BadRequest);
            Assert.True(problem.GetProperty("errors").TryGetProperty("asOf", out _), bad);
        }
        Calls.AssertProblem(await auditor.GetAsync($"/v1/audit/sessions/s/state?asOf={Uri.EscapeDataString(before.ToString("O"))}").ExpectAsync(HttpStatusCode.NotFound), 404);
        Calls.AssertProblem(await auditor.GetAsync("/v1/audit/sessions/nope/state?asOf=2030-01-01T00:00:00Z").ExpectAsync(HttpStatusCode.NotFound), 404);
        // Without an offset a time is UTC, as every time of the API.
        await auditor.GetAsync($"/v1/audit/sessions/s/state?asOf={DateTime.UtcNow.AddMinutes(1):yyyy-MM-ddTHH:mm:ss}").ExpectAsync(HttpStatusCode.OK);
    }
}
