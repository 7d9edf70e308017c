using System.Net;
using System.Net.Http.Json;
using MessagePlatform.IntegrationTests.Infrastructure;
using Npgsql;

namespace MessagePlatform.IntegrationTests.Sync;

[Collection(PlatformCollection.Name)]
public sealed class RebuildTests(PlatformFixture platform)
{
    [Fact]
    public async Task rebuilding_the_projections_from_the_events_gives_back_the_live_state()
    {
        var tenant = await platform.NewTenantAsync();
        await tenant.App.OpenAsync(new { type = "c2c", members = new[] { "a", "b" } });
        await tenant.App.OpenAsync(new { sessionId = "g", type = "group", members = new[] { "a", "b", "c" } });
        await tenant.App.OpenAsync(new { sessionId = "big", type = "group", members = Enumerable.Range(0, 501).Select(i => $"m{i}").Append("a") });
        for (var i = 0; i < 6; i++)
        {
            await tenant.App.SendAsync("c2c:a:b", "b", $"c{i}").ExpectAsync(HttpStatusCode.Created);
            await tenant.App.SendAsync("g", "c", $"g{i}").ExpectAsync(HttpStatusCode.Created);
            await tenant.App.SendAsync("big", "m1", $"b{i}").ExpectAsync(HttpStatusCode.Created);
            if (i == 2) await tenant.App.DeleteAsync("/v1/sessions/g/members/b").ExpectAsync(HttpStatusCode.NoContent);
            if (i == 3) await tenant.App.PostAsJsonAsync("/v1/sessions/g/members", new { userIds = new[] { "d" } }).ExpectAsync(HttpStatusCode.OK);
        }
        await platform.Host.ProjectionsCaughtUpAsync();
        var live = await Snapshot(tenant.TenantId);
        var liveSync = (await tenant.App.SyncAllAsync("a")).Items.Select(i => i.ToString()).ToList();

        // Lose part of the read models, as a bug or a bad migration would: the rebuild must restore them.
        await Execute("delete from mp.mp_user_chain where tenant_id = $1 and user_id = 'a'", tenant.TenantId);
        await Execute("delete from mp.mp_session_chain where tenant_id = $1 and session_id = 'g'", tenant.TenantId);
        Assert.NotEqual(live, await Snapshot(tenant.TenantId));

        var report = await platform.Admin.RebuildAsync();
        Assert.Contains("UserChain", report.GetProperty("projections").EnumerateArray().Select(p => p.GetString()));
        await platform.Host.ProjectionsCaughtUpAsync();

        Assert.Equal(live, await Snapshot(tenant.TenantId));
        Assert.Equal(liveSync, (await tenant.App.SyncAllAsync("a")).Items.Select(i => i.ToString()).ToList());
        Assert.Contains("g", live);

        // Projecting goes on after the rebuild.
        await tenant.App.SendAsync("c2c:a:b", "b", "after-rebuild").ExpectAsync(HttpStatusCode.Created);
        await platform.Host.ProjectionsCaughtUpAsync();
        Assert.Equal(liveSync.Count + 1, (await tenant.App.SyncAllAsync("a")).Items.Count);
    }

    [Fact]
    public async Task only_the_admin_may_rebuild()
    {
        var tenant = await platform.NewTenantAsync();
        await tenant.App.PostAsync("/v1/admin/projections/rebuild", null).ExpectAsync(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task readiness_shows_how_far_the_projections_trail()
    {
        using var anonymous = platform.Host.CreateClient();
        var ready = await anonymous.GetAsync("/health/ready").ExpectAsync(HttpStatusCode.OK);
        var projections = ready.GetProperty("checks").GetProperty("projections");
        Assert.True(projections.GetProperty("data").GetProperty("lagEvents").GetInt64() >= 0);
    }

    private Task Execute(string sql, string tenantId) => TestDatabase.CountAsync(platform.Postgres, sql, tenantId);

    private async Task<string> Snapshot(string tenantId)
    {
        await using var db = new NpgsqlConnection(platform.Postgres);
        await db.OpenAsync();
        var lines = new List<string>();
        foreach (var sql in new[]
                 {
                     "select user_id, position, session_id, seq, kind from mp.mp_user_chain where tenant_id = @t order by 1, 2",
                     "select position, session_id, seq, kind from mp.mp_read_feed where tenant_id = @t order by 1",
                     "select session_id, seq, msg_id, sender, body::text from mp.mp_session_chain where tenant_id = @t order by 1, 2",
                     "select session_id, user_id, joined_seq, left_seq from mp.mp_chain_members where tenant_id = @t order by 1, 2",
                 })
        {
            await using var cmd = new NpgsqlCommand(sql, db);
            cmd.Parameters.AddWithValue("t", tenantId);
            await using var reader = await cmd.ExecuteReaderAsync();
            while (await reader.ReadAsync())
                lines.Add(string.Join("|", Enumerable.Range(0, reader.FieldCount).Select(i => reader.IsDBNull(i) ? "" : reader.GetValue(i).ToString())));
        }
        return string.Join("\n", lines);
    }
}
