using System.Net;
using System.Text.Json;
using MessagePlatform.Api.EventStore;
using MessagePlatform.Domain;
using MessagePlatform.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace MessagePlatform.IntegrationTests.Sync;

/// <summary>
/// The user chain writes one statement per run of a session's messages, a run ending at a
/// membership change: messages queued around a join and a leave, landing in one commit and one
/// daemon page, must reach exactly the members of their time, each at the position its event's
/// sequence gives. Live, the daemon may split them over pages; a rebuild replays them in one.
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class SetBasedPageTests(PlatformFixture platform)
{
    [Fact]
    public async Task messages_around_a_join_and_a_leave_in_one_page_reach_exactly_the_members_of_their_time()
    {
        var tenant = await platform.NewTenantAsync();
        await tenant.App.OpenAsync(new { sessionId = "g", type = "group", members = new[] { "a", "b" }, policy = new { historyOnJoin = "fromJoin" } });

        // Straight into the session's lane, in this order and not awaited one by one: they commit together.
        var lanes = platform.Host.Services.GetRequiredService<GroupCommit>();
        var body = JsonDocument.Parse("""{"text":"hi"}""").RootElement.Clone();
        Task<StreamOutcome> Send(string id) =>
            lanes.ExecuteAsync(new SendCommand(tenant.TenantId, new SendMessage("g", "a", id, "text", body, "normal")), default);
        var commands = new List<Task<StreamOutcome>>();
        commands.AddRange(Enumerable.Range(0, 5).Select(i => Send($"pre-{i}")));
        commands.Add(lanes.ExecuteAsync(new SessionCommand(tenant.TenantId, "g", (s, now) => SessionRules.AddMembers(s, ["c"], 500, now)), default));
        commands.AddRange(Enumerable.Range(0, 5).Select(i => Send($"mid-{i}")));
        commands.Add(lanes.ExecuteAsync(new SessionCommand(tenant.TenantId, "g", (s, now) => SessionRules.RemoveMember(s, "b", 500, now)), default));
        commands.AddRange(Enumerable.Range(0, 5).Select(i => Send($"post-{i}")));
        Assert.All(await Task.WhenAll(commands), o => Assert.Null(o.Rejection));
        await platform.Host.ProjectionsCaughtUpAsync();

        await AssertChainsAsync(tenant.TenantId);

        await platform.Admin.RebuildAsync();
        await platform.Host.ProjectionsCaughtUpAsync();
        await AssertChainsAsync(tenant.TenantId);
    }

    private async Task AssertChainsAsync(string tenantId)
    {
        await using var db = new NpgsqlConnection(platform.Postgres);
        await db.OpenAsync();
        var joinedSeq = await Scalar(db, "select joined_seq from mp.mp_chain_members where tenant_id = $1 and session_id = 'g' and user_id = 'c'", tenantId);
        var leftSeq = await Scalar(db, "select left_seq from mp.mp_chain_members where tenant_id = $1 and session_id = 'g' and user_id = 'b'", tenantId);
        var seqs = await Rows(db, "select seq, 0 from mp.mp_session_chain where tenant_id = $1 and session_id = 'g' order by seq", tenantId);
        Assert.Equal(15, seqs.Count);

        foreach (var user in new[] { "a", "b", "c" })
        {
            var chain = await Rows(db,
                $"select seq, position from mp.mp_user_chain where tenant_id = $1 and user_id = '{user}' and session_id = 'g' order by position",
                tenantId);
            var expected = seqs.Select(s => s.Seq).Where(s => user switch { "b" => s < leftSeq, "c" => s > joinedSeq, _ => true }).ToList();
            Assert.Equal(expected, chain.Select(r => r.Seq).ToList());
            // Positions follow seq, one event sequence (shifted) each: no two rows share one.
            Assert.Equal(chain.Count, chain.Select(r => r.Position).Distinct().Count());
            Assert.All(chain, r => Assert.Equal(0, r.Position & 0xFFFF));
        }
        Assert.Equal((7L, 13L), (joinedSeq, leftSeq));
    }

    private static async Task<long> Scalar(NpgsqlConnection db, string sql, string tenantId)
    {
        await using var cmd = new NpgsqlCommand(sql, db) { Parameters = { new() { Value = tenantId } } };
        return (long)(await cmd.ExecuteScalarAsync())!;
    }

    private static async Task<List<(long Seq, long Position)>> Rows(NpgsqlConnection db, string sql, string tenantId)
    {
        await using var cmd = new NpgsqlCommand(sql, db) { Parameters = { new() { Value = tenantId } } };
        await using var reader = await cmd.ExecuteReaderAsync();
        var rows = new List<(long, long)>();
        while (await reader.ReadAsync()) rows.Add((reader.GetInt64(0), reader.GetInt64(1)));
        return rows;
    }
}
