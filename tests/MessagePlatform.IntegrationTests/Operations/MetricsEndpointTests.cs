using System.Net;
using System.Net.Http.Json;
using MessagePlatform.IntegrationTests.Gc;
using MessagePlatform.IntegrationTests.Infrastructure;

namespace MessagePlatform.IntegrationTests.Operations;

/// <summary>
/// /metrics is Prometheus text carrying the names API.md fixes. On the GC fixture's host: a pass
/// runs only when a test asks, so the head this test's retention drops goes in the pass it runs.
/// </summary>
[Collection(GcCollection.Name)]
public sealed class MetricsEndpointTests(GcFixture gc)
{
    private const string Secret = "metrics-webhook-secret";

    [Fact]
    public async Task metrics_carry_the_platform_names_after_a_send_a_connection_a_delivery_and_a_gc_pass_without_tenant_ids()
    {
        await using var receiver = await HookReceiver.StartAsync(Secret);
        var tenant = await gc.NewTenantAsync("enterprise");
        var group = GcFixture.NewId("group");
        await tenant.App.OpenAsync(new { sessionId = group, type = "group", members = new[] { "ann", "bob" }, policy = new { retention = "last:1" } });
        await tenant.App.PutAsJsonAsync($"/v1/sessions/{group}/webhook", new { url = receiver.Url("hook"), secret = Secret, events = new[] { "message.sent" } })
            .ExpectAsync(HttpStatusCode.OK);
        await using var bob = await SocketClient.ConnectAsync(gc.Host, await tenant.App.TokenAsync("bob"));
        await tenant.App.SendAsync(group, "ann", "m1").ExpectAsync(HttpStatusCode.Created);
        await tenant.App.SendAsync(group, "ann", "m2").ExpectAsync(HttpStatusCode.Created);
        await bob.ReceiveUntilAsync("message");
        await Poll.UntilAsync(() => Task.FromResult(receiver.Delivered.Count), n => n > 0);
        await gc.CollectUntilAsync(tenant, records => records.Any(r => r.GetProperty("kind").GetString() == "retention"));

        using var scraper = gc.Host.CreateClient();
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
