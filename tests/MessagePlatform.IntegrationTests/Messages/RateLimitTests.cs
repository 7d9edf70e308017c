using System.Net;
using System.Net.Http.Json;
using MessagePlatform.IntegrationTests.Infrastructure;

namespace MessagePlatform.IntegrationTests.Messages;

[Collection(PlatformCollection.Name)]
public sealed class RateLimitTests(PlatformFixture platform)
{
    private async Task<TestTenant> TenantWithLimitsAsync(int room, int tenant)
    {
        var tenantId = $"rl-{Guid.NewGuid():N}"[..20];
        var created = await platform.Admin.PostAsJsonAsync("/v1/tenants", new
        {
            tenantId, name = "Limited", scenario = "live", limits = new { roomMessagesPerSecond = room, tenantMessagesPerSecond = tenant },
        }).ExpectAsync(HttpStatusCode.Created);
        var appKey = created.GetProperty("appKey").GetString()!;
        return new TestTenant(tenantId, appKey, created.GetProperty("auditorKey").GetString()!, platform.Host.ClientWith(appKey));
    }

    [Fact]
    public async Task a_room_sending_past_its_limit_gets_429_with_retry_after_and_nothing_stored()
    {
        var tenant = await TenantWithLimitsAsync(room: 5, tenant: 10_000);
        await tenant.App.OpenAsync(new { sessionId = "hot-room", type = "room", members = Array.Empty<string>() });
        await tenant.App.OpenAsync(new { sessionId = "busy-group", type = "group", members = new[] { "a" } });

        var answers = await Task.WhenAll(Enumerable.Range(0, 12).Select(i => tenant.App.SendAsync("hot-room", $"v{i}", $"c{i}")));
        var limited = answers.Where(a => a.StatusCode == HttpStatusCode.TooManyRequests).ToList();
        Assert.NotEmpty(limited);
        Assert.All(limited, a => Assert.True(a.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1)));
        var stored = (await tenant.App.HistoryAsync("hot-room")).GetProperty("messages").GetArrayLength();
        Assert.Equal(answers.Count(a => a.StatusCode == HttpStatusCode.Created), stored);
        Assert.True(stored <= 6);

        // A group is not a room: the room limit does not apply to it.
        var group = await Task.WhenAll(Enumerable.Range(0, 12).Select(i => tenant.App.SendAsync("busy-group", "a", $"g{i}")));
        Assert.All(group, a => Assert.Equal(HttpStatusCode.Created, a.StatusCode));
    }

    [Fact]
    public async Task a_tenant_sending_past_its_limit_gets_429()
    {
        var tenant = await TenantWithLimitsAsync(room: 1000, tenant: 3);
        await tenant.App.OpenAsync(new { sessionId = "g", type = "group", members = new[] { "a" } });
        var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => tenant.App.SendAsync("g", "a", $"c{i}")));
        Assert.Contains(answers, a => a.StatusCode == HttpStatusCode.TooManyRequests);
        var tenantView = await platform.Admin.GetAsync($"/v1/tenants/{tenant.TenantId}").ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(3, tenantView.GetProperty("limits").GetProperty("tenantMessagesPerSecond").GetInt32());
    }

    [Fact]
    public async Task limits_out_of_range_are_a_validation_problem()
    {
        var problem = await platform.Admin.PostAsJsonAsync("/v1/tenants", new
        {
            tenantId = "bad-limits", name = "x", scenario = "live", limits = new { roomMessagesPerSecond = 0, tenantMessagesPerSecond = 10 },
        }).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty("limits.roomMessagesPerSecond", out _));
    }
}
