using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using MessagePlatform.IntegrationTests.Infrastructure;

namespace MessagePlatform.IntegrationTests.Security;

/// <summary>
/// Exports by slow readers hold only their own small pool: past the per-tenant and per-node
/// limits they are refused, sends and readiness answer meanwhile, and the time budget frees them.
/// </summary>
[Collection(FairUseCollection.Name)]
public sealed class ExportFloodTests(FairUseFixture fair)
{
    // Enough bytes that an unread export blocks on its response rather than finishing into buffers.
    private static async Task<TestTenant> TenantWithBulkyHistoryAsync(FairUseFixture fair)
    {
        var tenant = await fair.NewTenantAsync();
        var members = Enumerable.Range(0, 12).Select(i => $"u{i}").ToArray();
        await tenant.App.OpenAsync(new { sessionId = "bulk", type = "group", members });
        foreach (var member in members)
            await tenant.App.SendAsync("bulk", member, "bulk", new { text = new string('x', 60_000) }).ExpectAsync(HttpStatusCode.Created);
        return tenant;
    }

    private static Task<HttpResponseMessage> StartExportAsync(HttpClient auditor) =>
        auditor.GetAsync("/v1/audit/export", HttpCompletionOption.ResponseHeadersRead);

    [Fact]
    public async Task slow_exports_past_the_limits_are_refused_while_sends_and_readiness_answer_and_the_budget_ends_them()
    {
        var a = await TenantWithBulkyHistoryAsync(fair);
        var b = await TenantWithBulkyHistoryAsync(fair);
        var c = await fair.NewTenantAsync();
        await c.App.OpenAsync(new { sessionId = "g", type = "group", members = new[] { "ann" } });
        using var auditorA = fair.ClientWith(a.AuditorKey);
        using var auditorB = fair.ClientWith(b.AuditorKey);
        using var auditorC = fair.ClientWith(c.AuditorKey);

        // Two of A's and one of B's: the node's three slots, each held by a reader that does not read.
        var held = new List<HttpResponseMessage>
        {
            await StartExportAsync(auditorA), await StartExportAsync(auditorA), await StartExportAsync(auditorB),
        };
        Assert.All(held, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        var started = Stopwatch.StartNew();

        var third = await StartExportAsync(auditorA);
        Assert.Equal(HttpStatusCode.TooManyRequests, third.StatusCode);
        Assert.NotNull(third.Headers.RetryAfter);
        var nodeFull = await StartExportAsync(auditorC);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, nodeFull.StatusCode);
        Assert.NotNull(nodeFull.Headers.RetryAfter);
        Calls.AssertProblem(await nodeFull.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>(), 503);

        // The main pool is untouched: a send and readiness answer at once.
        var quick = Stopwatch.StartNew();
        await c.App.SendAsync("g", "ann", "still-here").ExpectAsync(HttpStatusCode.Created);
        using var probe = fair.Host.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await probe.GetAsync("/health/ready")).StatusCode);
        Assert.True(quick.Elapsed < TimeSpan.FromSeconds(2), $"send and readiness took {quick.ElapsedMilliseconds} ms");
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(FairUseFixture.ExportBudgetSeconds), "the checks outlasted the export budget");

        // Past the budget the held exports are cut off (an incomplete body, not a clean end) and free their slots.
        foreach (var response in held)
            await Assert.ThrowsAnyAsync<Exception>(() => response.Content.ReadAsStringAsync());
        var deadline = DateTime.UtcNow.AddSeconds(30);
        HttpResponseMessage again;
        while ((again = await StartExportAsync(auditorA)).StatusCode != HttpStatusCode.OK && DateTime.UtcNow < deadline)
            await Task.Delay(200);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Contains("message.sent", await again.Content.ReadAsStringAsync());
        foreach (var response in held) response.Dispose();
    }
}
