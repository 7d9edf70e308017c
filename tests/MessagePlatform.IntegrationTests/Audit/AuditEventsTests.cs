using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MessagePlatform.IntegrationTests.Infrastructure;
using Npgsql;

namespace MessagePlatform.IntegrationTests.Audit;

[Collection(PlatformCollection.Name)]
public sealed class AuditEventsTests(PlatformFixture platform)
{
    private static Task<JsonElement> EventsAsync(HttpClient auditor, string sessionId, string query = "") =>
        auditor.GetAsync($"/v1/audit/sessions/{sessionId}/events{query}").ExpectAsync(HttpStatusCode.OK);

    [Fact]
    public async Task raw_events_come_in_version_order_with_who_caused_them_and_the_retracted_original()
    {
        var tenant = await platform.NewTenantAsync();
        var auditor = platform.Host.ClientWith(tenant.AuditorKey);
        await tenant.App.OpenAsync(new { type = "c2c", members = new[] { "ann", "bob" } });
        var token = (await tenant.App.PostAsJsonAsync("/v1/users/ann/tokens", new { }).ExpectAsync(HttpStatusCode.Created))
            .GetProperty("token").GetString()!;
        var ann = platform.Host.ClientWith(token);
        ann.DefaultRequestHeaders.Add("X-Correlation-Id", "case-4711");
        var sent = await ann.PostAsJsonAsync("/v1/sessions/c2c:ann:bob/messages", new { clientMsgId = "1", type = "text", body = new { text = "secret" } })
            .ExpectAsync(HttpStatusCode.Created);
        var msgId = sent.GetProperty("msgId").GetString();
        await tenant.App.PostAsJsonAsync($"/v1/sessions/c2c:ann:bob/messages/{msgId}/retract", new { by = "mod", asAdmin = true })
            .ExpectAsync(HttpStatusCode.OK);

        var page = await EventsAsync(auditor, "c2c:ann:bob");
        var events = page.GetProperty("events").EnumerateArray().ToList();
        Assert.Equal(["session.opened", "message.sent", "message.retracted"], events.Select(e => e.GetProperty("type").GetString()));
        Assert.Equal([1L, 2L, 3L], events.Select(e => e.GetProperty("version").GetInt64()));
        Assert.True(events[0].GetProperty("sequence").GetInt64() < events[1].GetProperty("sequence").GetInt64());
        Assert.Equal(["app", "user:ann", "app"], events.Select(e => e.GetProperty("causedBy").GetString()));
        Assert.Equal("case-4711", events[1].GetProperty("correlationId").GetString());
        Assert.False(string.IsNullOrEmpty(events[2].GetProperty("correlationId").GetString()));
        Assert.False(string.IsNullOrEmpty(events[2].GetProperty("causationId").GetString()));
        // The event store keeps the original: only the read models mask it.
        var data = events[1].GetProperty("data");
        Assert.Equal("secret", data.GetProperty("body").GetProperty("text").GetString());
        Assert.Equal(msgId, data.GetProperty("msgId").GetInt64().ToString());
        Assert.Equal("c2c", events[0].GetProperty("data").GetProperty("type").GetString());
        Assert.Equal("mod", events[2].GetProperty("data").GetProperty("by").GetString());
        Assert.True(events[1].GetProperty("timestamp").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddMinutes(-5));
        Assert.Equal(3, page.GetProperty("lastVersion").GetInt64());
        Assert.False(page.GetProperty("hasMore").GetBoolean());
    }

    [Fact]
    public async Task the_quick_append_stores_each_events_own_caller_in_the_event_table()
    {
        var tenant = await platform.NewTenantAsync();
        tenant.App.DefaultRequestHeaders.Add("X-Correlation-Id", "open-1");
        await tenant.App.OpenAsync(new { sessionId = "meta", type = "group", members = new[] { "ann" } });
        tenant.App.DefaultRequestHeaders.Remove("X-Correlation-Id");
        // Concurrent sends share commits: each event must still carry its own request's correlation.
        await Task.WhenAll(Enumerable.Range(0, 20).Select(async i =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/sessions/meta/messages")
            {
                Content = JsonContent.Create(new { from = "ann", clientMsgId = $"m{i}", type = "text", body = new { i } }),
            };
            request.Headers.Add("X-Correlation-Id", $"send-{i}");
            (await tenant.App.SendAsync(request)).EnsureSuccessStatusCode();
        }));

        await using var db = new NpgsqlConnection(platform.Postgres);
        await db.OpenAsync();
        await using var cmd = new NpgsqlCommand(
            "select correlation_id, causation_id, headers->>'causedBy', data->'Body'->>'i', type from mp.mt_events where tenant_id = @t and stream_id = 'meta' order by version", db);
        cmd.Parameters.AddWithValue("t", tenant.TenantId);
        var rows = new List<(string Correlation, string Causation, string By, string? I, string Type)>();
        await using (var reader = await cmd.ExecuteReaderAsync())
            while (await reader.ReadAsync())
                rows.Add((reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetString(3), reader.GetString(4)));
        Assert.Equal(21, rows.Count);
        Assert.Equal("open-1", rows[0].Correlation);
        Assert.All(rows, r => Assert.Equal("app", r.By));
        Assert.All(rows.Skip(1), r => Assert.Equal($"send-{r.I}", r.Correlation));
        Assert.Equal(21, rows.Select(r => r.Causation).Distinct().Count());
    }

    [Fact]
    public async Task events_page_from_a_version_and_bad_paging_is_a_validation_problem()
    {
        var tenant = await platform.NewTenantAsync();
        var auditor = platform.Host.ClientWith(tenant.AuditorKey);
        await tenant.App.OpenAsync(new { sessionId = "paged", type = "group", members = new[] { "ann" } });
        for (var i = 0; i < 4; i++) await tenant.App.SendAsync("paged", "ann", $"m{i}").ExpectAsync(HttpStatusCode.Created);

        var first = await EventsAsync(auditor, "paged", "?limit=2");
        Assert.True(first.GetProperty("hasMore").GetBoolean());
        Assert.Equal(3, first.GetProperty("nextVersion").GetInt64());
        var rest = await EventsAsync(auditor, "paged", "?fromVersion=3&limit=10");
        Assert.Equal([3L, 4L, 5L], rest.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("version").GetInt64()));
        Assert.False(rest.GetProperty("hasMore").GetBoolean());

        foreach (var bad in new[] { "?limit=0", "?limit=1001", "?limit=x", "?fromVersion=0", "?fromVersion=-1" })
        {
            var problem = await auditor.GetAsync($"/v1/audit/sessions/paged/events{bad}").ExpectAsync(HttpStatusCode.BadRequest);
            Calls.AssertProblem(problem, 400);
            Assert.True(problem.TryGetProperty("errors", out _), bad);
        }
    }

    [Fact]
    public async Task unknown_sessions_and_the_access_log_stream_are_not_sessions()
    {
        var tenant = await platform.NewTenantAsync();
        var auditor = platform.Host.ClientWith(tenant.AuditorKey);
        Calls.AssertProblem(await auditor.GetAsync("/v1/audit/sessions/nope/events").ExpectAsync(HttpStatusCode.NotFound), 404);
        await auditor.GetAsync("/v1/audit/access-log").ExpectAsync(HttpStatusCode.OK);
        // '$' can never be in a session id: the streams that are not sessions are refused by their id.
        await auditor.GetAsync("/v1/audit/sessions/%24audit-access/events").ExpectAsync(HttpStatusCode.BadRequest);
        await tenant.App.GetAsync("/v1/sessions/%24audit-access").ExpectAsync(HttpStatusCode.BadRequest);
    }
}
