using System.Net;
using System.Net.Http.Json;
using MessagePlatform.IntegrationTests.Concurrency;
using MessagePlatform.IntegrationTests.Infrastructure;

namespace MessagePlatform.IntegrationTests.Security;

/// <summary>
/// A lane caches its sessions' state; another node may have moved them since. A no-op decided on
/// that cache ("already held", "already a member") must be checked against the store first.
/// </summary>
public sealed class StaleLaneStateTests(TwoNodeFixture cluster) : IClassFixture<TwoNodeFixture>
{
    private async Task<(TestTenant Tenant, HttpClient A, HttpClient B)> TenantOnBothNodes()
    {
        var tenant = await PlatformFixture.NewTenantAsync(cluster.NodeA, cluster.Admin);
        return (tenant, tenant.App, cluster.NodeB.ClientWith(tenant.AppKey));
    }

    [Fact]
    public async Task hold_placed_again_on_the_first_node_is_in_force()
    {
        var (tenant, a, b) = await TenantOnBothNodes();
        await a.OpenAsync(new { sessionId = "evidence", type = "group", members = new[] { "x" } });
        var auditorA = cluster.NodeA.ClientWith(tenant.AuditorKey);
        var auditorB = cluster.NodeB.ClientWith(tenant.AuditorKey);

        await auditorA.PostAsJsonAsync("/v1/audit/sessions/evidence/legal-hold", new { reason = "case 1" }).ExpectAsync(HttpStatusCode.OK);
        await auditorB.DeleteAsync("/v1/audit/sessions/evidence/legal-hold").ExpectAsync(HttpStatusCode.NoContent);
        await auditorA.PostAsJsonAsync("/v1/audit/sessions/evidence/legal-hold", new { reason = "case 1, again" }).ExpectAsync(HttpStatusCode.OK);

        foreach (var node in new[] { a, b })
        {
            var session = await node.GetAsync("/v1/sessions/evidence").ExpectAsync(HttpStatusCode.OK);
            Assert.True(session.GetProperty("legalHold").GetBoolean());
        }
        var events = await auditorA.GetAsync("/v1/audit/sessions/evidence/events").ExpectAsync(HttpStatusCode.OK);
        var types = events.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("type").GetString()).ToList();
        Assert.Equal(2, types.Count(t => t!.Contains("placed", StringComparison.OrdinalIgnoreCase)));
    }

    [Fact]
    public async Task member_removed_on_another_node_is_added_again()
    {
        var (_, a, b) = await TenantOnBothNodes();
        await a.OpenAsync(new { sessionId = "club", type = "group", members = new[] { "owner" } });
        await a.PostAsJsonAsync("/v1/sessions/club/members", new { userIds = new[] { "guest" } }).ExpectAsync(HttpStatusCode.OK);
        await b.DeleteAsync("/v1/sessions/club/members/guest").ExpectAsync(HttpStatusCode.NoContent);
        var added = await a.PostAsJsonAsync("/v1/sessions/club/members", new { userIds = new[] { "guest" } }).ExpectAsync(HttpStatusCode.OK);
        Assert.Contains("guest", added.GetProperty("members").EnumerateArray().Select(m => m.GetString()));

        var onB = await b.GetAsync("/v1/sessions/club").ExpectAsync(HttpStatusCode.OK);
        Assert.Contains("guest", onB.GetProperty("members").EnumerateArray().Select(m => m.GetString()));
        await b.SendAsync("club", "guest", "back-again").ExpectAsync(HttpStatusCode.Created);
    }

    [Fact]
    public async Task a_session_closed_on_another_node_is_not_closed_again_but_reported_closed()
    {
        var (_, a, b) = await TenantOnBothNodes();
        await a.OpenAsync(new { sessionId = "live", type = "group", members = new[] { "x" } });
        await a.SendAsync("live", "x", "warm").ExpectAsync(HttpStatusCode.Created);
        await b.PostAsync("/v1/sessions/live/close", null).ExpectAsync(HttpStatusCode.OK);
        var closed = await a.PostAsync("/v1/sessions/live/close", null).ExpectAsync(HttpStatusCode.OK);
        Assert.True(closed.GetProperty("closed").GetBoolean());
    }
}
