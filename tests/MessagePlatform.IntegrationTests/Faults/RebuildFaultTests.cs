using System.Net;
using System.Text.Json;
using MessagePlatform.IntegrationTests.Infrastructure;
using Npgsql;

namespace MessagePlatform.IntegrationTests.Faults;

/// <summary>
/// A rebuild under faults, on a node and database of its own (these tests stop its projections and
/// break its tables on purpose): apart from the request, one at a time, and never leaving the
/// projections stopped.
/// </summary>
public sealed class RebuildFaultTests : IAsyncLifetime
{
    private string _postgres = "";
    private PlatformHost _host = null!;
    private HttpClient _admin = null!;

    public async Task InitializeAsync()
    {
        _postgres = await TestServers.CreateDatabaseAsync();
        _host = new PlatformHost(_postgres);
        _admin = _host.ClientWith(PlatformHost.AdminKey);
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private async Task<TestTenant> TenantWithMessagesAsync()
    {
        var tenant = await PlatformFixture.NewTenantAsync(_host, _admin, "enterprise");
        await tenant.App.OpenAsync(new { type = "c2c", members = new[] { "a", "b" } });
        for (var i = 0; i < 3; i++) await tenant.App.SendAsync("c2c:a:b", "a", $"m{i}").ExpectAsync(HttpStatusCode.Created);
        await _host.ProjectionsCaughtUpAsync();
        return tenant;
    }

    [Fact]
    public async Task a_second_rebuild_while_one_runs_is_a_409_naming_it_and_the_first_completes_apart_from_its_request()
    {
        var tenant = await TenantWithMessagesAsync();
        // The user chain's table locked by another transaction: the rebuild's teardown waits on it, so it is still running below.
        await using var blocker = new NpgsqlConnection(_postgres);
        await blocker.OpenAsync();
        var hold = await blocker.BeginTransactionAsync();
        await using (var lockTable = new NpgsqlCommand("lock table mp.mp_user_chain in access exclusive mode", blocker, hold))
            await lockTable.ExecuteNonQueryAsync();

        // The request that starts it is gone at once (its client disposed): the rebuild goes on regardless.
        string rebuildId;
        using (var gone = _host.ClientWith(PlatformHost.AdminKey))
            rebuildId = (await gone.StartRebuildAsync()).GetProperty("rebuildId").GetString()!;
        var second = await _admin.PostAsync("/v1/admin/projections/rebuild", null);
        Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);
        var problem = await second.Json();
        Assert.Equal(rebuildId, problem.GetProperty("rebuildId").GetString());
        Assert.Equal("running", (await _admin.GetAsync($"/v1/admin/projections/rebuilds/{rebuildId}").ExpectAsync(HttpStatusCode.OK))
            .GetProperty("status").GetString());

        await hold.RollbackAsync();
        var ended = await _admin.RebuildEndedAsync(rebuildId);
        Assert.Equal("completed", ended.GetProperty("status").GetString());
        Assert.Equal(3, (await tenant.App.SyncAllAsync("b")).Items.Count);
        // Once it ended, another may start.
        await _admin.RebuildAsync();
        await _admin.GetAsync("/v1/admin/projections/rebuilds/no-such-rebuild").ExpectAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task a_rebuild_that_fails_starts_the_projection_it_stopped_again()
    {
        var tenant = await TenantWithMessagesAsync();
        // Clearing the user chain fails in PostgreSQL, as a broken table or a permission change would.
        await TestDatabase.CountAsync(_postgres, """
            create function mp.rebuild_fault() returns trigger language plpgsql as $$ begin raise exception 'injected rebuild fault'; end $$;
            create trigger rebuild_fault before delete or truncate on mp.mp_user_chain for each statement execute function mp.rebuild_fault();
            """);
        JsonElement ended;
        try
        {
            var started = await _admin.StartRebuildAsync();
            ended = await _admin.RebuildEndedAsync(started.GetProperty("rebuildId").GetString()!);
        }
        finally
        {
            await TestDatabase.CountAsync(_postgres, "drop trigger if exists rebuild_fault on mp.mp_user_chain; drop function if exists mp.rebuild_fault();");
        }
        Assert.Equal("failed", ended.GetProperty("status").GetString());
        Assert.Contains("injected rebuild fault", ended.GetProperty("error").GetString());

        // The user chain projects again without a restart: a new message reaches the timeline.
        await tenant.App.SendAsync("c2c:a:b", "a", "after-failed-rebuild").ExpectAsync(HttpStatusCode.Created);
        await Poll.UntilAsync(async () => (await tenant.App.SyncAllAsync("b")).Items.Count, n => n >= 1, seconds: 60);
        await Poll.UntilAsync(() => TestDatabase.CountAsync(_postgres,
            "select count(*) from mp.mp_user_chain where tenant_id = $1 and user_id = 'b'", tenant.TenantId), n => n >= 4, seconds: 60);
    }
}
