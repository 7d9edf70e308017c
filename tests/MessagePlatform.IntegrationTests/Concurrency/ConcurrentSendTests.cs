using System.Net;
using System.Net.Http.Json;
using MessagePlatform.IntegrationTests.Infrastructure;

namespace MessagePlatform.IntegrationTests.Concurrency;

public sealed class ConcurrentSendTests(TwoNodeFixture cluster) : IClassFixture<TwoNodeFixture>
{
    private async Task<(HttpClient A, HttpClient B)> TenantOnBothNodes()
    {
        var tenant = await PlatformFixture.NewTenantAsync(cluster.NodeA, cluster.Admin);
        return (tenant.App, cluster.NodeB.ClientWith(tenant.AppKey));
    }

    [Fact]
    public async Task duplicate_client_msg_id_from_two_connections_on_two_nodes_stores_one_message()
    {
        var (a, b) = await TenantOnBothNodes();
        await a.OpenAsync(new { sessionId = "dup", type = "group", members = new[] { "alice", "bob" } });
        for (var round = 0; round < 5; round++)
        {
            var clientMsgId = $"retry-{round}";
            var responses = await Task.WhenAll(Enumerable.Range(0, 12).Select(i =>
                (i % 2 == 0 ? a : b).SendAsync("dup", "alice", clientMsgId)));
            Assert.All(responses, r => Assert.Contains(r.StatusCode, new[] { HttpStatusCode.Created, HttpStatusCode.OK }));
            Assert.Single(responses, r => r.StatusCode == HttpStatusCode.Created);
            var answers = await Task.WhenAll(responses.Select(r => r.Json()));
            Assert.Single(answers.Select(x => x.GetProperty("msgId").GetString()).Distinct());
            Assert.Single(answers.Select(x => x.GetProperty("seq").GetInt64()).Distinct());
        }
        var history = await a.HistoryAsync("dup");
        Assert.Equal(5, history.GetProperty("messages").GetArrayLength());
    }

    [Fact]
    public async Task concurrent_senders_into_one_session_on_two_nodes_all_commit_in_one_order()
    {
        var (a, b) = await TenantOnBothNodes();
        const int writers = 16, each = 20;
        // A group, not a room: rooms are rate-limited (40 messages/s by default).
        await a.OpenAsync(new { sessionId = "hot", type = "group", members = Enumerable.Range(0, writers).Select(w => $"writer{w}") });
        var answers = await Task.WhenAll(Enumerable.Range(0, writers).Select(async w =>
        {
            var client = w % 2 == 0 ? a : b;
            var mine = new List<(long Seq, string MsgId)>();
            for (var i = 0; i < each; i++)
            {
                var sent = await client.SendAsync("hot", $"writer{w}", $"{w}-{i}").ExpectAsync(HttpStatusCode.Created);
                mine.Add((sent.GetProperty("seq").GetInt64(), sent.GetProperty("msgId").GetString()!));
            }
            // One writer's messages keep its order.
            Assert.True(mine.Select(m => m.Seq).SequenceEqual(mine.Select(m => m.Seq).Order()));
            return mine;
        }));
        var all = answers.SelectMany(x => x).ToList();
        Assert.Equal(writers * each, all.Select(x => x.Seq).Distinct().Count());
        Assert.Equal(writers * each, all.Select(x => x.MsgId).Distinct().Count());

        var stored = new List<(long Seq, string MsgId)>();
        for (long after = 0; ;)
        {
            var page = await b.HistoryAsync("hot", $"?afterSeq={after}&limit=500");
            var messages = page.GetProperty("messages").EnumerateArray().ToList();
            stored.AddRange(messages.Select(m => (m.GetProperty("seq").GetInt64(), m.GetProperty("msgId").GetString()!)));
            if (!page.GetProperty("hasMore").GetBoolean()) break;
            after = stored[^1].Seq;
        }
        Assert.Equal(all.OrderBy(x => x.Seq), stored);
        Assert.Equal(Enumerable.Range(2, writers * each).Select(i => (long)i), stored.Select(s => s.Seq));
    }

    [Fact]
    public async Task a_user_token_issued_on_one_node_is_accepted_on_the_other()
    {
        var (a, b) = await TenantOnBothNodes();
        await a.OpenAsync(new { type = "c2c", members = new[] { "ann", "bob" } });
        var issued = await a.PostAsJsonAsync("/v1/users/ann/tokens", new { }).ExpectAsync(HttpStatusCode.Created);
        using var annOnB = cluster.NodeB.ClientWith(issued.GetProperty("token").GetString()!);
        await annOnB.PostAsJsonAsync("/v1/sessions/c2c:ann:bob/messages", new { clientMsgId = "x", type = "text", body = "from B" })
            .ExpectAsync(HttpStatusCode.Created);
        _ = b;
    }

    [Fact]
    public async Task retracting_one_message_from_both_nodes_at_once_stores_one_retraction()
    {
        var (a, b) = await TenantOnBothNodes();
        await a.OpenAsync(new { sessionId = "race", type = "group", members = new[] { "ann" } });
        for (var round = 0; round < 5; round++)
        {
            var msgId = (await a.SendAsync("race", "ann", $"m{round}").ExpectAsync(HttpStatusCode.Created)).GetProperty("msgId").GetString();
            var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(i =>
                (i % 2 == 0 ? a : b).PostAsJsonAsync($"/v1/sessions/race/messages/{msgId}/retract", new { by = "ann" })));
            Assert.All(answers, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        }
        var history = (await b.HistoryAsync("race")).GetProperty("messages");
        Assert.All(history.EnumerateArray(), m => Assert.True(m.GetProperty("retracted").GetBoolean()));
        // Five messages and five retractions after the opening: seq 11 is the last event.
        var session = await b.GetAsync("/v1/sessions/race").ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(11, session.GetProperty("lastSeq").GetInt64());
    }

    [Fact]
    public async Task membership_changed_on_one_node_is_respected_by_the_other()
    {
        var (a, b) = await TenantOnBothNodes();
        await a.OpenAsync(new { sessionId = "club", type = "group", members = new[] { "m1" } });
        await b.SendAsync("club", "m1", "warm-the-cache").ExpectAsync(HttpStatusCode.Created);
        await b.SendAsync("club", "m2", "not-yet").ExpectAsync(HttpStatusCode.Forbidden);

        await a.PostAsJsonAsync("/v1/sessions/club/members", new { userIds = new[] { "m2" } }).ExpectAsync(HttpStatusCode.OK);
        await b.SendAsync("club", "m2", "now-a-member").ExpectAsync(HttpStatusCode.Created);

        await a.PostAsync("/v1/sessions/club/close", null).ExpectAsync(HttpStatusCode.OK);
        await b.SendAsync("club", "m1", "after-close").ExpectAsync(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task sends_spread_over_many_sessions_on_two_nodes_all_land_once()
    {
        var (a, b) = await TenantOnBothNodes();
        const int sessions = 20, perSession = 10;
        for (var s = 0; s < sessions; s++)
            await a.OpenAsync(new { sessionId = $"s{s}", type = "group", members = new[] { "x", "y" } });
        await Task.WhenAll(Enumerable.Range(0, sessions * perSession).Select(i =>
            (i % 2 == 0 ? a : b).SendAsync($"s{i % sessions}", i % 3 == 0 ? "x" : "y", $"c{i}").ExpectAsync(HttpStatusCode.Created)));
        for (var s = 0; s < sessions; s++)
        {
            var history = await b.HistoryAsync($"s{s}");
            Assert.Equal(perSession, history.GetProperty("messages").GetArrayLength());
        }
    }
}
