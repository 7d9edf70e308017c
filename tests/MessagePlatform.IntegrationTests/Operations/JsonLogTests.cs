using System.Net;
using System.Text.Json;
using MessagePlatform.IntegrationTests.Infrastructure;

namespace MessagePlatform.IntegrationTests.Operations;

/// <summary>`MP_LOG_FORMAT=json`: every line a node writes is one JSON object, for a log shipper.</summary>
public sealed class JsonLogTests
{
    [Fact]
    public async Task with_json_log_format_every_output_line_is_a_compact_json_event_and_requests_name_their_tenant()
    {
        await using var node = await ApiProcess.StartAsync(await TestServers.CreateDatabaseAsync(), nodeId: 91, new Dictionary<string, string>
        {
            ["MP_LOG_FORMAT"] = "json",
            // Information, so the request log (which names the tenant) is written.
            ["Serilog__MinimumLevel__Default"] = "Information",
        });
        var tenant = await node.NewTenantAsync();
        await tenant.App.OpenAsync(new { sessionId = "logged", type = "group", members = new[] { "ann" } });
        await tenant.App.SendAsync("logged", "ann", "m1").ExpectAsync(HttpStatusCode.Created);

        var events = await Poll.UntilAsync(() => Task.FromResult(node.Output.ToList()), lines => lines.Any(l =>
            l.Contains("/v1/sessions/logged/messages") && l.Contains(tenant.TenantId)));
        Assert.NotEmpty(events);
        var parsed = events.Select(line =>
        {
            using var doc = JsonDocument.Parse(line); // throws, failing the test, for a line that is not JSON
            return doc.RootElement.Clone();
        }).ToList();
        Assert.All(parsed, e =>
        {
            Assert.Equal(JsonValueKind.Object, e.ValueKind);
            Assert.True(e.TryGetProperty("@t", out _), e.ToString());
            Assert.True(e.TryGetProperty("@mt", out _), e.ToString());
        });
        var send = parsed.Single(e => e.TryGetProperty("RequestPath", out var p) && p.GetString() == "/v1/sessions/logged/messages");
        Assert.Equal(tenant.TenantId, send.GetProperty("TenantId").GetString());
        Assert.Equal("logged", send.GetProperty("SessionId").GetString());
        // The request's trace id, the same the events of the send carry as their correlation id.
        Assert.Matches("^[0-9a-f]{32}$", send.GetProperty("@tr").GetString());
    }
}
