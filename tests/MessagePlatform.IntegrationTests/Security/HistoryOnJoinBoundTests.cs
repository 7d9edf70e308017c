using System.Net;
using System.Net.Http.Json;
using MessagePlatform.IntegrationTests.Infrastructure;

namespace MessagePlatform.IntegrationTests.Security;

/// <summary>`historyOnJoin: all` copies a bounded history: the newest N per member, and a share of one join's row budget.</summary>
[Collection(FairUseCollection.Name)]
public sealed class HistoryOnJoinBoundTests(FairUseFixture fair)
{
    [Fact]
    public async Task a_member_joining_more_history_than_the_bound_syncs_the_newest_n_in_order_once()
    {
        var tenant = await fair.NewTenantAsync();
        var senders = Enumerable.Range(0, 10).Select(i => $"s{i}").ToArray();
        await tenant.App.OpenAsync(new { sessionId = "club", type = "group", members = senders, policy = new { historyOnJoin = "all" } });
        var seqs = new List<long>();
        // Ten senders in turn, four each: under the per-sender limit, in a known order.
        for (var i = 0; i < 40; i++)
            seqs.Add((await tenant.App.SendAsync("club", senders[i % 10], $"m{i}").ExpectAsync(HttpStatusCode.Created)).GetProperty("seq").GetInt64());

        await tenant.App.PostAsJsonAsync("/v1/sessions/club/members", new { userIds = new[] { "late" } }).ExpectAsync(HttpStatusCode.OK);
        seqs.Add((await tenant.App.SendAsync("club", "s0", "after").ExpectAsync(HttpStatusCode.Created)).GetProperty("seq").GetInt64());
        // Four at once share the join's row budget (60): fifteen each.
        await tenant.App.PostAsJsonAsync("/v1/sessions/club/members", new { userIds = new[] { "w", "x", "y", "z" } }).ExpectAsync(HttpStatusCode.OK);
        await fair.ProjectionsCaughtUpAsync();

        var late = (await tenant.App.SyncAllAsync("late", limit: 7)).Items.Select(i => i.GetProperty("seq").GetInt64()).ToList();
        Assert.Equal([.. seqs[10..40], seqs[40]], late);
        foreach (var user in new[] { "w", "x", "y", "z" })
        {
            var items = (await tenant.App.SyncAllAsync(user, limit: 4)).Items.Select(i => i.GetProperty("seq").GetInt64()).ToList();
            Assert.Equal(seqs[^(FairUseFixture.HistoryRowsPerJoin / 4)..], items);
        }
    }
}
