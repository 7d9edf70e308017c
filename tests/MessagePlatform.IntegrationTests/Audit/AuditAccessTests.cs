using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MessagePlatform.IntegrationTests.Infrastructure;

namespace MessagePlatform.IntegrationTests.Audit;

[Collection(PlatformCollection.Name)]
public sealed class AuditAccessTests(PlatformFixture platform)
{
    private static readonly string[] AuditReads =
    [
        "/v1/audit/sessions/c2c:ann:bob/events",
        "/v1/audit/sessions/c2c:ann:bob/state?asOf=2030-01-01T00:00:00Z",
        "/v1/audit/export",
        "/v1/audit/access-log",
    ];

    [Fact]
    public async Task only_the_tenants_auditor_key_reads_audit_and_it_reads_nothing_else()
    {
        var tenant = await platform.NewTenantAsync();
        var other = await platform.NewTenantAsync();
        await tenant.App.OpenAsync(new { type = "c2c", members = new[] { "ann", "bob" } });
        var token = (await tenant.App.PostAsJsonAsync("/v1/users/ann/tokens", new { }).ExpectAsync(HttpStatusCode.Created))
            .GetProperty("token").GetString()!;
        var auditor = platform.Host.ClientWith(tenant.AuditorKey);
        var anonymous = platform.Host.CreateClient();

        foreach (var path in AuditReads)
        {
            Assert.Equal(HttpStatusCode.OK, (await auditor.GetAsync(path)).StatusCode);
            Calls.AssertProblem(await tenant.App.GetAsync(path).ExpectAsync(HttpStatusCode.Forbidden), 403);
            Calls.AssertProblem(await platform.Host.ClientWith(token).GetAsync(path).ExpectAsync(HttpStatusCode.Forbidden), 403);
            Calls.AssertProblem(await platform.Admin.GetAsync(path).ExpectAsync(HttpStatusCode.Forbidden), 403);
            Calls.AssertProblem(await anonymous.GetAsync(path).ExpectAsync(HttpStatusCode.Unauthorized), 401);
        }
        // Another tenant's auditor cannot tell this tenant's session exists.
        var stranger = platform.Host.ClientWith(other.AuditorKey);
        Calls.AssertProblem(await stranger.GetAsync(AuditReads[0]).ExpectAsync(HttpStatusCode.NotFound), 404);
        Calls.AssertProblem(await stranger.GetAsync(AuditReads[1]).ExpectAsync(HttpStatusCode.NotFound), 404);
        var strangers = (await (await stranger.GetAsync("/v1/audit/export")).Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.All(strangers, line => Assert.Equal("$audit-access", JsonDocument.Parse(line).RootElement.GetProperty("streamKey").GetString()));

        // Read-only: an auditor key changes nothing and reads no app endpoint.
        await auditor.PostAsJsonAsync("/v1/sessions", new { type = "group", members = new[] { "x" } }).ExpectAsync(HttpStatusCode.Forbidden);
        await auditor.SendAsync("c2c:ann:bob", "ann", "a1").ExpectAsync(HttpStatusCode.Forbidden);
        await auditor.PostAsync("/v1/sessions/c2c:ann:bob/close", null).ExpectAsync(HttpStatusCode.Forbidden);
        await auditor.GetAsync("/v1/sessions/c2c:ann:bob/messages").ExpectAsync(HttpStatusCode.Forbidden);
        await auditor.PostAsJsonAsync("/v1/users/ann/tokens", new { }).ExpectAsync(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task every_audit_call_is_in_the_access_log_newest_first_with_its_caller_and_answer()
    {
        var tenant = await platform.NewTenantAsync();
        var auditor = platform.Host.ClientWith(tenant.AuditorKey);
        auditor.DefaultRequestHeaders.Add("X-Correlation-Id", "inquiry-7");
        await tenant.App.OpenAsync(new { sessionId = "looked-at", type = "group", members = new[] { "ann" } });

        await auditor.GetAsync("/v1/audit/sessions/looked-at/events?limit=5").ExpectAsync(HttpStatusCode.OK);
        await auditor.GetAsync("/v1/audit/sessions/missing/events").ExpectAsync(HttpStatusCode.NotFound);
        await tenant.App.GetAsync("/v1/audit/export").ExpectAsync(HttpStatusCode.Forbidden);
        await auditor.GetAsync("/v1/audit/export?from=bad").ExpectAsync(HttpStatusCode.BadRequest);
        // Paths under /v1/audit/ that other slices serve, or nobody, are recorded the same way.
        await auditor.GetAsync("/v1/audit/no-such-thing").ExpectAsync(HttpStatusCode.NotFound);

        var log = await auditor.GetAsync("/v1/audit/access-log").ExpectAsync(HttpStatusCode.OK);
        var entries = log.GetProperty("entries").EnumerateArray().ToList();
        Assert.Equal(
            ["/v1/audit/no-such-thing", "/v1/audit/export", "/v1/audit/export", "/v1/audit/sessions/missing/events", "/v1/audit/sessions/looked-at/events"],
            entries.Select(e => e.GetProperty("path").GetString()));
        Assert.Equal([404, 400, 403, 404, 200], entries.Select(e => e.GetProperty("status").GetInt32()));
        Assert.Equal(["auditor", "auditor", "app", "auditor", "auditor"], entries.Select(e => e.GetProperty("by").GetString()));
        Assert.Equal("?limit=5", entries[4].GetProperty("query").GetString());
        Assert.Equal("GET", entries[4].GetProperty("method").GetString());
        Assert.Equal("inquiry-7", entries[4].GetProperty("correlationId").GetString());
        Assert.True(entries[0].GetProperty("version").GetInt64() > entries[1].GetProperty("version").GetInt64());

        var older = await auditor.GetAsync($"/v1/audit/access-log?limit=2&before={entries[1].GetProperty("version").GetInt64()}").ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(entries.Skip(2).Take(2).Select(e => e.GetProperty("version").GetInt64()),
            older.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("version").GetInt64()));
        Assert.True(older.GetProperty("hasMore").GetBoolean());

        // Reading the log is an access too; the log is events of the tenant, in the export.
        var newest = (await auditor.GetAsync("/v1/audit/access-log?limit=1").ExpectAsync(HttpStatusCode.OK)).GetProperty("entries")[0];
        Assert.Equal("/v1/audit/access-log", newest.GetProperty("path").GetString());
        var export = await (await auditor.GetAsync("/v1/audit/export")).Content.ReadAsStringAsync();
        var accessEvents = export.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement)
            .Where(e => e.GetProperty("type").GetString() == "audit.accessed").ToList();
        Assert.True(accessEvents.Count >= 7);
        Assert.All(accessEvents, e => Assert.Equal("$audit-access", e.GetProperty("streamKey").GetString()));
    }

    [Fact]
    public async Task access_log_events_reach_no_read_model_webhook_or_sync()
    {
        var tenant = await platform.NewTenantAsync();
        var auditor = platform.Host.ClientWith(tenant.AuditorKey);
        await tenant.App.PutAsJsonAsync("/v1/webhooks/default", new
        {
            url = "http://127.0.0.1:9/never", secret = "a-secret-of-16-chars", events = new[] { "message.sent", "message.retracted", "session.closed" },
        }).ExpectAsync(HttpStatusCode.OK);
        await tenant.App.OpenAsync(new { type = "c2c", members = new[] { "ann", "bob" } });
        for (var i = 0; i < 3; i++) await auditor.GetAsync("/v1/audit/access-log").ExpectAsync(HttpStatusCode.OK);
        await tenant.App.SendAsync("c2c:ann:bob", "ann", "1").ExpectAsync(HttpStatusCode.Created);
        await platform.Host.ProjectionsCaughtUpAsync();

        Assert.Single((await tenant.App.SyncAllAsync("ann")).Items);
        var conversations = await tenant.App.GetAsync("/v1/users/ann/conversations").ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(["c2c:ann:bob"], conversations.EnumerateArray().Select(c => c.GetProperty("sessionId").GetString()));
        await using var db = new Npgsql.NpgsqlConnection(platform.Postgres);
        await db.OpenAsync();
        await using var cmd = new Npgsql.NpgsqlCommand(
            "select count(*), count(*) filter (where session_id <> 'c2c:ann:bob') from mp.mp_webhook_deliveries where tenant_id = @t", db);
        cmd.Parameters.AddWithValue("t", tenant.TenantId);
        await using var reader = await cmd.ExecuteReaderAsync();
        await reader.ReadAsync();
        Assert.Equal(1, reader.GetInt64(0));
        Assert.Equal(0, reader.GetInt64(1));
    }

    [Fact]
    public async Task gc_and_legal_hold_calls_are_in_the_access_log_and_a_hold_shows_in_the_replayed_state()
    {
        var tenant = await platform.NewTenantAsync();
        var auditor = platform.Host.ClientWith(tenant.AuditorKey);
        await tenant.App.OpenAsync(new { sessionId = "held", type = "group", members = new[] { "ann" } });
        await auditor.PostAsJsonAsync("/v1/audit/sessions/held/legal-hold", new { reason = "case 9" }).ExpectAsync(HttpStatusCode.OK);
        await auditor.GetAsync("/v1/audit/gc").ExpectAsync(HttpStatusCode.OK);

        var entries = (await auditor.GetAsync("/v1/audit/access-log").ExpectAsync(HttpStatusCode.OK)).GetProperty("entries");
        Assert.Equal(["GET /v1/audit/gc", "POST /v1/audit/sessions/held/legal-hold"],
            entries.EnumerateArray().Select(e => $"{e.GetProperty("method").GetString()} {e.GetProperty("path").GetString()}"));
        var state = await auditor.GetAsync($"/v1/audit/sessions/held/state?asOf={Uri.EscapeDataString(DateTimeOffset.UtcNow.AddMinutes(1).ToString("O"))}")
            .ExpectAsync(HttpStatusCode.OK);
        Assert.True(state.GetProperty("legalHold").GetBoolean());
    }

    [Fact]
    public async Task the_openapi_document_describes_every_audit_endpoint()
    {
        using var anonymous = platform.Host.CreateClient();
        var paths = (await anonymous.GetAsync("/openapi/v1.json").ExpectAsync(HttpStatusCode.OK)).GetProperty("paths");
        foreach (var path in new[]
                 {
                     "/v1/audit/sessions/{sessionId}/events", "/v1/audit/sessions/{sessionId}/state", "/v1/audit/export", "/v1/audit/access-log",
                 })
        {
            var operation = paths.GetProperty(path).GetProperty("get");
            Assert.False(string.IsNullOrEmpty(operation.GetProperty("summary").GetString()), path);
            var statuses = operation.GetProperty("responses").EnumerateObject().Select(r => r.Name).ToList();
            Assert.Contains("200", statuses);
            Assert.Contains("400", statuses);
            Assert.Contains("403", statuses);
        }
        Assert.True(paths.GetProperty("/v1/audit/export").GetProperty("get").GetProperty("responses").GetProperty("200")
            .GetProperty("content").TryGetProperty("application/x-ndjson", out _));
    }
}
