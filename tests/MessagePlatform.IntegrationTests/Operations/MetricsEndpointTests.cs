using System.Net;
using System.Net.Http.Json;
using MessagePlatform.IntegrationTests.Infrastructure;

namespace MessagePlatform.IntegrationTests.Operations;

/// <summary>
/// /metrics is Prometheus text carrying the names API.md fixes. A host of its own with the real clock
/// (the GC fixture's moved clock makes pushes late, so they become sync hints); its GC passes run
/// only when the test asks.
/// </summary>
[Collection(ProcessWideMetricsCollection.Name)]
public sealed class MetricsEndpointTests
{
    private const string Secret = "metrics-webhook-secret";

    [Fact]
    public async Task metrics_carry_the_platform_names_after_a_send_a_connection_a_delivery_and_a_gc_pass_without_tenant_ids()
    {
        await using var receiver = await HookReceiver.StartAsync(Secret);
        await using var node = new PlatformHost(await TestServers.CreateDatabaseAsync(), settings: TracingTests.NoLateShedding);
        using var admin = node.ClientWith(PlatformHost.AdminKey);
        var tenant = await PlatformFixture.NewTenantAsync(node, admin);
        const string group = "measured";
        await tenant.App.OpenAsync(new { sessionId = group, type = "group", members = new[] { "ann", "bob" }, policy = new { retention = "last:1" } });
        await tenant.App.PutAsJsonAsync($"/v1/sessions/{group}/webhook", new { url = receiver.Url("hook"), secret = Secret, events = new[] { "message.sent" } })
            .ExpectAsync(HttpStatusCode.OK);
        await using var bob = await SocketClient.ConnectAsync(node, await tenant.App.TokenAsync("bob"));
        await tenant.App.SendAsync(group, "ann", "m1").ExpectAsync(HttpStatusCode.Created);
        await tenant.App.SendAsync(group, "ann", "m2").ExpectAsync(HttpStatusCode.Created);
        await bob.ReceiveUntilAsync("message", TimeSpan.FromSeconds(30));
        await Poll.UntilAsync(() => Task.FromResult(receiver.Delivered.Count), n => n > 0);
        // A pass removes only what every reader has passed: run passes until the head went.
        using var auditor = node.ClientWith(tenant.AuditorKey);
        await Poll.UntilAsync(async () =>
        {
            await admin.PostAsync("/v1/admin/gc/run", null).ExpectAsync(HttpStatusCode.OK);
            return (await auditor.GetAsync("/v1/audit/gc").ExpectAsync(HttpStatusCode.OK)).GetProperty("records").EnumerateArray()
                .Any(r => r.GetProperty("kind").GetString() == "retention");
        }, removed => removed);

        using var scraper = node.CreateClient();
        // Anonymous, like /health: no credential is sent. The webhook counter is bumped after the row is settled: poll.
        var text = await Poll.UntilAsync(async () =>
        {
            using var response = await scraper.GetAsync("/metrics");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType);
            return await response.Content.ReadAsStringAsync();
        }, t => t.Contains("mp_webhook_deliveries_total{") && t.Contains("mp_gc_removed_total{"));

        var samples = text.Split('\n').Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
        string[] names =
        [
            "mp_messages_sent_total", "mp_send_duration_seconds_bucket", "mp_send_duration_seconds_count", "mp_connections",
            "mp_push_frames_total", "mp_subscription_lag_events", "mp_webhook_deliveries_total", "mp_gc_removed_total",
        ];
        foreach (var name in names)
            Assert.True(samples.Any(s => s.StartsWith(name + "{") || s.StartsWith(name + " ")), $"no sample of {name} in:\n{text}");
        Assert.Contains(samples, s => s.StartsWith("mp_connections{") && s.Contains("transport=\"websocket\"") && !s.EndsWith(" 0"));
        Assert.Contains(samples, s => s.StartsWith("mp_webhook_deliveries_total{") && s.Contains("outcome=\"delivered\""));
        Assert.Contains(samples, s => s.StartsWith("mp_subscription_lag_events{") && s.Contains("subscription=\"WebhookOutbox\""));
        Assert.Contains(samples, s => s.StartsWith("mp_gc_removed_total{") && s.Contains("kind=\"retention\""));
        // Beside ours: ASP.NET Core's, the runtime's and Npgsql's.
        Assert.Contains(samples, s => s.StartsWith("http_server_request_duration_seconds_bucket{"));
        Assert.Contains(samples, s => s.StartsWith("dotnet_gc_collections_total") || s.StartsWith("process_runtime_dotnet_gc_collections_count_total"));
        Assert.Contains(samples, s => s.StartsWith("db_client_"));
        // Tenant ids are no label values (nor anything else in the text).
        Assert.DoesNotContain(tenant.TenantId, text);
    }
}
