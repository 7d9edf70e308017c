using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Marten;
using MessagePlatform.Api.Audit;
using MessagePlatform.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Xunit.Abstractions;

namespace MessagePlatform.IntegrationTests.Audit;

[Collection(PlatformCollection.Name)]
public sealed class AuditExportTests(PlatformFixture platform, ITestOutputHelper output)
{
    private static async Task<List<JsonElement>> ExportAsync(HttpClient auditor, string query = "")
    {
        var response = await auditor.GetAsync($"/v1/audit/export{query}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/x-ndjson", response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync();
        return [.. text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonDocument.Parse(line).RootElement.Clone())];
    }

    [Fact]
    public async Task the_export_holds_every_event_of_the_tenant_in_global_order_within_from_and_to()
    {
        var tenant = await platform.NewTenantAsync();
        var other = await platform.NewTenantAsync();
        var auditor = platform.Host.ClientWith(tenant.AuditorKey);
        await tenant.App.OpenAsync(new { sessionId = "a", type = "group", members = new[] { "ann" } });
        await other.App.OpenAsync(new { sessionId = "a", type = "group", members = new[] { "eve" } });
        await tenant.App.SendAsync("a", "ann", "1", new { text = "first" }).ExpectAsync(HttpStatusCode.Created);
        await Task.Delay(20);
        var middle = DateTimeOffset.UtcNow;
        await Task.Delay(20);
        await tenant.App.OpenAsync(new { sessionId = "b", type = "room", members = Array.Empty<string>() });
        await tenant.App.SendAsync("b", "bob", "2", new { text = "second" }).ExpectAsync(HttpStatusCode.Created);

        var all = (await ExportAsync(auditor)).Where(e => e.GetProperty("streamKey").GetString() != AccessLogStream.Key).ToList();
        Assert.Equal(["a", "a", "b", "b"], all.Select(e => e.GetProperty("streamKey").GetString()));
        Assert.Equal(["session.opened", "message.sent", "session.opened", "message.sent"], all.Select(e => e.GetProperty("type").GetString()));
        var sequences = all.Select(e => e.GetProperty("sequence").GetInt64()).ToList();
        Assert.Equal(sequences.Order(), sequences);
        Assert.DoesNotContain(all, e => e.ToString().Contains("\"eve\""));
        Assert.Equal("second", all[3].GetProperty("data").GetProperty("body").GetProperty("text").GetString());
        Assert.Equal("app", all[3].GetProperty("causedBy").GetString());

        var at = Uri.EscapeDataString(middle.ToString("O"));
        var before = await ExportAsync(auditor, $"?to={at}");
        var after = await ExportAsync(auditor, $"?from={at}");
        Assert.Equal(["a", "a"], before.Select(e => e.GetProperty("streamKey").GetString()));
        Assert.Equal(["b", "b"], after.Where(e => e.GetProperty("streamKey").GetString() != AccessLogStream.Key)
            .Select(e => e.GetProperty("streamKey").GetString()));

        var bad = await auditor.GetAsync($"/v1/audit/export?from={at}&to=2000-01-01T00:00:00Z").ExpectAsync(HttpStatusCode.BadRequest);
        Assert.True(bad.GetProperty("errors").TryGetProperty("to", out _));
        await auditor.GetAsync("/v1/audit/export?from=soon").ExpectAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task a_100k_event_export_streams_in_constant_server_memory_to_a_slow_reader()
    {
        const int Events = 100_000;
        // Two nodes on one database form a cluster, and a cluster runs on RabbitMQ: a database and a vhost of its own.
        var postgres = await TestServers.CreateDatabaseAsync();
        var rabbitMq = await TestServers.CreateVirtualHostAsync();
        await using var loader = new PlatformHost(postgres, nodeId: 40, transport: "rabbitmq", rabbitMq: rabbitMq);
        var tenant = await PlatformFixture.NewTenantAsync(loader, loader.ClientWith(PlatformHost.AdminKey));
        await tenant.App.OpenAsync(new { sessionId = "warm", type = "group", members = new[] { "ann" } });
        var loadedAfter = DateTimeOffset.UtcNow;
        await Task.Delay(20);
        var appending = Stopwatch.StartNew();
        await AppendAccessEventsAsync(loader, tenant.TenantId, Events);
        output.WriteLine($"appended {Events:N0} events in {appending.ElapsedMilliseconds:N0} ms");

        // The server in a process of its own, so its memory is its alone: workstation GC, so the heap
        // follows what is live rather than server GC's budgets, and a managed heap capped at 50 MiB,
        // well under the export's ~110 MiB: an export buffered in memory would fail outright.
        await using var server = await ApiProcess.StartAsync(postgres, nodeId: 41, new Dictionary<string, string>
        {
            ["DOTNET_gcServer"] = "0", ["DOTNET_GCHeapHardLimit"] = "0x3200000", ["MP_TRANSPORT"] = "rabbitmq", ["MP_RABBITMQ"] = rabbitMq,
        });
        using var auditor = server.ClientWith(tenant.AuditorKey);
        auditor.Timeout = TimeSpan.FromMinutes(5);
        // Warm-up (JIT, pools, the first pages) with an export that stops before the load.
        await (await auditor.GetAsync($"/v1/audit/export?to={Uri.EscapeDataString(loadedAfter.ToString("O"))}")).Content.ReadAsStringAsync();
        await Task.Delay(1000);
        // The export is a snapshot taken as it starts: its own access event commits just after.
        var expected = await CountEventsAsync(postgres, tenant.TenantId);
        var baseline = Rss(server.ProcessId).Current;
        ResetPeak(server.ProcessId);

        long lines = 0, bytes = 0, peakSampled = baseline;
        var trajectory = new List<string>();
        var reading = Stopwatch.StartNew();
        using (var response = await auditor.GetAsync("/v1/audit/export", HttpCompletionOption.ResponseHeadersRead))
        await using (var body = await response.Content.ReadAsStreamAsync())
        using (var reader = new StreamReader(body))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            while (await reader.ReadLineAsync() is { } line)
            {
                lines++;
                bytes += line.Length + 1;
                // A slow consumer: the server must wait for it rather than read ahead into memory.
                if (lines % 2_000 == 0)
                {
                    await Task.Delay(25);
                    var now = Rss(server.ProcessId).Current;
                    peakSampled = Math.Max(peakSampled, now);
                    if (lines % 10_000 == 0) trajectory.Add($"{lines / 1000}k:{(now - baseline) / 1048576.0:F1}");
                }
            }
        }
        var (current, peak) = Rss(server.ProcessId);
        peak = Math.Max(peak, peakSampled);
        var growth = peak - baseline;
        output.WriteLine($"export: {lines:N0} lines, {bytes / 1048576.0:F1} MiB in {reading.ElapsedMilliseconds:N0} ms; " +
                         $"server RSS baseline {baseline / 1048576.0:F1} MiB, peak {peak / 1048576.0:F1} MiB " +
                         $"(growth {growth / 1048576.0:F1} MiB), after {current / 1048576.0:F1} MiB");
        output.WriteLine($"growth in MiB after k lines: {string.Join(" ", trajectory)}");

        Assert.Equal(expected, lines);
        Assert.True(lines >= Events);
        // Buffering the export would grow the server by its size; streaming it, by a page and the socket's buffers.
        Assert.True(bytes > 100 * 1048576, $"the export is {bytes:N0} bytes");
        Assert.True(growth < bytes / 4, $"server grew by {growth:N0} bytes while streaming {bytes:N0}");
    }

    /// <summary>
    /// Load straight through Marten, in batches: access-log events, which no projection or
    /// subscription reads, so the daemon has nothing to catch up on afterwards. Wide queries make
    /// each line about 1 KiB, so buffering the export would show plainly.
    /// </summary>
    private static async Task AppendAccessEventsAsync(PlatformHost host, string tenantId, int count)
    {
        var store = host.Services.GetRequiredService<IDocumentStore>();
        var query = "?" + string.Join("&", Enumerable.Range(0, 40).Select(i => $"filter{i}=value-{i:D4}"));
        for (var done = 0; done < count; done += 5_000)
        {
            await using var session = store.LightweightSession(tenantId);
            var batch = Enumerable.Range(done, Math.Min(5_000, count - done))
                .Select(i => (object)new AuditAccessed("auditor", "GET", $"/v1/audit/sessions/s{i % 997}/events", query, 200, DateTimeOffset.UtcNow))
                .ToArray();
            session.Events.Append(AccessLogStream.Key, batch);
            await session.SaveChangesAsync();
        }
    }

    private static async Task<long> CountEventsAsync(string postgres, string tenantId)
    {
        await using var db = new NpgsqlConnection(postgres);
        await db.OpenAsync();
        await using var cmd = new NpgsqlCommand("select count(*) from mp.mt_events where tenant_id = @t", db);
        cmd.Parameters.AddWithValue("t", tenantId);
        return (long)(await cmd.ExecuteScalarAsync())!;
    }

    /// <summary>Resident set size now and its peak since the last reset (Linux /proc).</summary>
    private static (long Current, long Peak) Rss(int pid)
    {
        long Field(string[] status, string name) =>
            long.Parse(status.First(l => l.StartsWith(name)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
        var status = File.ReadAllLines($"/proc/{pid}/status");
        return (Field(status, "VmRSS:"), Field(status, "VmHWM:"));
    }

    /// <summary>"5" resets the peak RSS to the current one, so the peak is that of the export.</summary>
    private static void ResetPeak(int pid) => File.WriteAllText($"/proc/{pid}/clear_refs", "5");
}
