using System.Net;
using MessagePlatform.IntegrationTests.Infrastructure;
using Npgsql;

namespace MessagePlatform.IntegrationTests.Gc;

/// <summary>
/// GC across a crash and across nodes, each on a database of its own: a pass SIGKILLed midway is
/// finished by the next, and the schedule stays exact under sends from two nodes.
/// </summary>
public sealed class GcResumeTests
{
    private const int Sessions = 20;

    // Every reader of the store has passed every event: what GC may remove is everything its policies say.
    private const string ReadersCaughtUp = """
        select count(*) from mp.mt_event_progression
        where (name like 'UserChain%' or name like 'RealtimePublisher%' or name like 'WebhookOutbox%')
          and last_seq_id >= (select coalesce(max(seq_id), 0) from mp.mt_events)
        """;

    [Fact]
    public async Task a_pass_killed_midway_is_finished_by_the_next_and_nothing_is_collected_twice_or_half()
    {
        var postgres = await TestServers.CreateDatabaseAsync();
        var settings = new Dictionary<string, string> { ["Gc__StepLockTimeoutSeconds"] = "60" };
        var node = await ApiProcess.StartAsync(postgres, nodeId: 81, settings);
        var tenant = await node.NewTenantAsync("social");
        var ids = Enumerable.Range(0, Sessions).Select(i => $"ring-{i:D2}").ToList();
        foreach (var id in ids)
        {
            await tenant.App.OpenAsync(new { sessionId = id, type = "group", members = new[] { "mia", "ned" }, policy = new { retention = "last:1" } });
            for (var i = 0; i < 3; i++) await tenant.App.SendAsync(id, "mia", $"m{i}", new { text = $"m{i}" }).ExpectAsync(HttpStatusCode.Created);
        }
        await Poll.UntilAsync(() => TestDatabase.CountAsync(postgres, ReadersCaughtUp), n => n >= 3, seconds: 60);

        // The pass stops halfway, waiting on a session whose stream row another transaction holds; the node dies there.
        await using (var blocker = new NpgsqlConnection(postgres))
        {
            await blocker.OpenAsync();
            var hold = await blocker.BeginTransactionAsync();
            await using (var lockRow = new NpgsqlCommand("select 1 from mp.mt_streams where tenant_id = $1 and id = 'ring-10' for update", blocker, hold)
                         { Parameters = { new() { Value = tenant.TenantId } } })
                await lockRow.ExecuteNonQueryAsync();
            using var admin = node.ClientWith(PlatformHost.AdminKey);
            var pass = admin.PostAsync("/v1/admin/gc/run", null);
            await Poll.UntilAsync(() => TestDatabase.CountAsync(postgres, "select count(*) from mp.mp_gc_log where tenant_id = $1", tenant.TenantId),
                n => n >= 10, seconds: 60);
            node.Kill();
            await Assert.ThrowsAnyAsync<Exception>(() => pass);
            await hold.RollbackAsync();
        }
        Assert.Equal(10, await TestDatabase.CountAsync(postgres, "select count(*) from mp.mp_gc_log where tenant_id = $1", tenant.TenantId));

        await using var restarted = await ApiProcess.StartAsync(postgres, nodeId: 81, settings);
        using (var admin = restarted.ClientWith(PlatformHost.AdminKey))
            await admin.PostAsync("/v1/admin/gc/run", null).ExpectAsync(HttpStatusCode.OK);

        // One record per session, each of the two oldest messages; the chains hold exactly the newest.
        Assert.Equal(Sessions, await TestDatabase.CountAsync(postgres,
            "select count(distinct session_id) from mp.mp_gc_log where tenant_id = $1 and kind = 'retention' and count = 2 and from_seq = 2 and to_seq = 3",
            tenant.TenantId));
        Assert.Equal(Sessions, await TestDatabase.CountAsync(postgres, "select count(*) from mp.mp_gc_log where tenant_id = $1", tenant.TenantId));
        Assert.Equal(Sessions, await TestDatabase.CountAsync(postgres, "select count(*) from mp.mp_session_chain where tenant_id = $1 and seq = 4", tenant.TenantId));
        Assert.Equal(Sessions, await TestDatabase.CountAsync(postgres, "select count(*) from mp.mp_session_chain where tenant_id = $1", tenant.TenantId));
        Assert.Equal(0, await TestDatabase.CountAsync(postgres,
            "select count(*) from mp.mp_user_chain u left join mp.mp_session_chain c on c.tenant_id = u.tenant_id and c.session_id = u.session_id and c.seq = u.seq where u.tenant_id = $1 and c.seq is null",
            tenant.TenantId));
        Assert.Equal(Sessions, await TestDatabase.CountAsync(postgres,
            "select count(*) from mp.mp_gc_due where tenant_id = $1 and messages = 1 and due_at is null and failures = 0", tenant.TenantId));
        var (items, _) = await restarted.ClientWith(tenant.AppKey).SyncAllAsync("ned");
        Assert.Equal(Sessions, items.Count);
    }

    [Fact]
    public async Task the_gc_schedule_is_exact_under_concurrent_sends_on_two_nodes()
    {
        var postgres = await TestServers.CreateDatabaseAsync();
        var rabbitMq = await TestServers.CreateVirtualHostAsync();
        await using var first = new PlatformHost(postgres, nodeId: 82, transport: "rabbitmq", rabbitMq: rabbitMq);
        await using var second = new PlatformHost(postgres, nodeId: 83, transport: "rabbitmq", rabbitMq: rabbitMq);
        using var admin = first.ClientWith(PlatformHost.AdminKey);
        var tenant = await PlatformFixture.NewTenantAsync(first, admin, "social");
        var apps = new[] { tenant.App, second.ClientWith(tenant.AppKey) };
        var ids = Enumerable.Range(0, 4).Select(i => $"busy-{i}").ToList();
        foreach (var id in ids)
            await tenant.App.OpenAsync(new { sessionId = id, type = "group", members = new[] { "ola", "pia" }, policy = new { retention = "last:30" } });

        // 4 sessions x 2 nodes x 20 senders: every message goes through one node's lane or the other's, at once.
        await Task.WhenAll(ids.SelectMany(id => apps.SelectMany((app, n) => Enumerable.Range(0, 20).Select(i =>
            app.SendAsync(id, "ola", $"n{n}-{i}", new { text = $"{n}/{i}" }).ExpectAsync(HttpStatusCode.Created)))));

        foreach (var id in ids)
        {
            var chain = await TestDatabase.CountAsync(postgres, "select count(*) from mp.mp_session_chain where tenant_id = $1 and session_id = $2", tenant.TenantId, id);
            Assert.Equal(40, chain);
            Assert.Equal(chain, await TestDatabase.CountAsync(postgres,
                "select messages from mp.mp_gc_due where tenant_id = $1 and session_id = $2 and due_at is not null", tenant.TenantId, id));
        }

        // A pass keeps the newest 30 of each, and leaves each exactly at its N, not due.
        await first.ProjectionsCaughtUpAsync();
        await Poll.UntilAsync(async () =>
        {
            await admin.PostAsync("/v1/admin/gc/run", null).ExpectAsync(HttpStatusCode.OK);
            return await TestDatabase.CountAsync(postgres, "select count(*) from mp.mp_gc_due where tenant_id = $1 and messages = 30 and due_at is null", tenant.TenantId);
        }, n => n == ids.Count, seconds: 60);
        Assert.Equal(ids.Count * 30, await TestDatabase.CountAsync(postgres, "select count(*) from mp.mp_session_chain where tenant_id = $1", tenant.TenantId));
    }

    [Fact]
    public async Task sessions_stored_before_the_schedule_existed_are_adopted_by_the_first_pass()
    {
        var postgres = await TestServers.CreateDatabaseAsync();
        await using var host = new PlatformHost(postgres, nodeId: 84);
        using var admin = host.ClientWith(PlatformHost.AdminKey);
        var tenant = await PlatformFixture.NewTenantAsync(host, admin, "social");
        await tenant.App.OpenAsync(new { sessionId = "old-ring", type = "group", members = new[] { "qi", "ru" }, policy = new { retention = "last:1" } });
        for (var i = 0; i < 3; i++) await tenant.App.SendAsync("old-ring", "qi", $"m{i}", new { text = $"m{i}" }).ExpectAsync(HttpStatusCode.Created);
        // As a database from before the schedule: the session has no row in it.
        await TestDatabase.CountAsync(postgres, "delete from mp.mp_gc_due where tenant_id = $1", tenant.TenantId);
        await host.ProjectionsCaughtUpAsync();

        await Poll.UntilAsync(async () =>
        {
            await admin.PostAsync("/v1/admin/gc/run", null).ExpectAsync(HttpStatusCode.OK);
            return await TestDatabase.CountAsync(postgres, "select count(*) from mp.mp_session_chain where tenant_id = $1", tenant.TenantId);
        }, n => n == 1, seconds: 60);
        Assert.Equal(1, await TestDatabase.CountAsync(postgres,
            "select count(*) from mp.mp_gc_due where tenant_id = $1 and keep_last = 1 and messages = 1 and due_at is null", tenant.TenantId));
        // Its terms are known again: the next messages make it due as they arrive.
        await tenant.App.SendAsync("old-ring", "qi", "m3", new { text = "m3" }).ExpectAsync(HttpStatusCode.Created);
        Assert.Equal(1, await TestDatabase.CountAsync(postgres,
            "select count(*) from mp.mp_gc_due where tenant_id = $1 and messages = 2 and due_at is not null", tenant.TenantId));
    }
}
