using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using MessagePlatform.IntegrationTests.Infrastructure;

namespace MessagePlatform.IntegrationTests.Security;

/// <summary>
/// Exports by slow readers hold only their own small pool: past the per-tenant and per-node
/// limits they are refused, sends and readiness answer meanwhile, and the time budget frees them.
/// On Kestrel in a process of its own: only a real socket makes a reader that does not read hold the export back.
/// </summary>
[Collection(FairUseCollection.Name)]
public sealed class ExportFloodTests
{
    private const int BudgetSeconds = 10;

    // About 6 MiB: more than the socket buffers of a reader with a small receive buffer, so an unread export blocks on its response.
    private static async Task<TestTenant> TenantWithBulkyHistoryAsync(ApiProcess node)
    {
        var tenant = await node.NewTenantAsync();
        await tenant.App.OpenAsync(new { sessionId = "bulk", type = "group", members = new[] { "ann" } });
        await Parallel.ForEachAsync(Enumerable.Range(0, 100), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, _) =>
            await tenant.App.SendAsync("bulk", "ann", $"b{i}", new { text = new string('x', 60_000) }).ExpectAsync(HttpStatusCode.Created));
        return tenant;
    }

    /// <summary>A slow reader: a small fixed receive buffer (no autotuning up to tens of MiB on loopback).</summary>
    private static HttpClient SlowReader(ApiProcess node, string credential)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (context, ct) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 64 * 1024, NoDelay = true };
                await socket.ConnectAsync(context.DnsEndPoint, ct);
                return new NetworkStream(socket, ownsSocket: true);
            },
        };
        var client = new HttpClient(handler) { BaseAddress = node.Address };
        client.DefaultRequestHeaders.Authorization = new("Bearer", credential);
        return client;
    }

    private static Task<HttpResponseMessage> StartExportAsync(HttpClient auditor) =>
        auditor.GetAsync("/v1/audit/export", HttpCompletionOption.ResponseHeadersRead);

    [Fact]
    public async Task slow_exports_past_the_limits_are_refused_while_sends_and_readiness_answer_and_the_budget_ends_them()
    {
        // A database of its own: the fixture's in-memory node lets no other node start beside it.
        await using var node = await ApiProcess.StartAsync(await TestServers.CreateDatabaseAsync(), nodeId: 52, new Dictionary<string, string>
        {
            ["Audit__ExportPoolSize"] = "3", ["Audit__MaxExports"] = "3", ["Audit__MaxExportsPerTenant"] = "2",
            ["Audit__ExportMaxSeconds"] = BudgetSeconds.ToString(),
        });
        var a = await TenantWithBulkyHistoryAsync(node);
        var b = await TenantWithBulkyHistoryAsync(node);
        var c = await node.NewTenantAsync();
        using var appC = node.ClientWith(c.AppKey);
        await appC.OpenAsync(new { sessionId = "g", type = "group", members = new[] { "ann" } });
        using var auditorA = SlowReader(node, a.AuditorKey);
        using var auditorB = SlowReader(node, b.AuditorKey);
        using var auditorC = SlowReader(node, c.AuditorKey);

        // Two of A's and one of B's: the node's three slots, each held by a reader that does not read.
        var started = Stopwatch.StartNew();
        var held = new List<HttpResponseMessage>
        {
            await StartExportAsync(auditorA), await StartExportAsync(auditorA), await StartExportAsync(auditorB),
        };
        Assert.All(held, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));

        var third = await StartExportAsync(auditorA);
        Assert.Equal(HttpStatusCode.TooManyRequests, third.StatusCode);
        Assert.NotNull(third.Headers.RetryAfter);
        var nodeFull = await StartExportAsync(auditorC);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, nodeFull.StatusCode);
        Assert.NotNull(nodeFull.Headers.RetryAfter);
        Calls.AssertProblem(await nodeFull.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>(), 503);

        // The main pool is untouched: a send and readiness answer at once.
        var quick = Stopwatch.StartNew();
        await appC.SendAsync("g", "ann", "still-here").ExpectAsync(HttpStatusCode.Created);
        using var probe = new HttpClient { BaseAddress = node.Address };
        Assert.Equal(HttpStatusCode.OK, (await probe.GetAsync("/health/ready")).StatusCode);
        Assert.True(quick.Elapsed < TimeSpan.FromSeconds(2), $"send and readiness took {quick.ElapsedMilliseconds} ms");
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(BudgetSeconds), "the checks outlasted the export budget");

        // Past the budget the held exports end and free their slots.
        var deadline = DateTime.UtcNow.AddSeconds(BudgetSeconds + 30);
        HttpResponseMessage again;
        while ((again = await StartExportAsync(auditorA)).StatusCode != HttpStatusCode.OK && DateTime.UtcNow < deadline)
            await Task.Delay(200);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.True(started.Elapsed >= TimeSpan.FromSeconds(BudgetSeconds - 1), $"a slot came free after {started.ElapsedMilliseconds} ms");
        Assert.Contains("message.sent", await again.Content.ReadAsStringAsync());
        // A held export was cut off, not ended: its reader cannot take the part for the whole.
        // A held export that ran out of time is cut off, not ended: its reader cannot take the part for
        // the whole. (One whose last bytes fit in the socket buffers may have ended, complete, in time.)
        var cut = 0;
        foreach (var response in held)
        {
            try
            {
                var export = await response.Content.ReadAsStringAsync();
                Assert.Equal(100, export.Split('\n').Count(line => line.Contains("\"message.sent\"")));
            }
            catch (HttpRequestException)
            {
                cut++;
            }
        }
        Assert.True(cut > 0, "no held export was cut off by its budget");
        foreach (var response in held) response.Dispose();
    }
}
