using System.Net;
using System.Text.Json;
using MessagePlatform.IntegrationTests.Gc;
using MessagePlatform.IntegrationTests.Infrastructure;
using Npgsql;

namespace MessagePlatform.IntegrationTests.Faults;

/// <summary>GC under faults in PostgreSQL itself: a stuck lock and a statement that always fails, on one session's rows.</summary>
[Collection(GcCollection.Name)]
public sealed class GcFaultTests(GcFixture gc)
{
    private static bool HasRecord(List<JsonElement> records, string sessionId) =>
        records.Any(r => r.GetProperty("sessionId").GetString() == sessionId);

    private async Task<List<string>> RingBuffersAsync(TestTenant tenant, int count)
    {
        var ids = Enumerable.Range(0, count).Select(_ => GcFixture.NewId("ring")).ToList();
        foreach (var id in ids)
        {
            await tenant.App.OpenAsync(new { sessionId = id, type = "group", members = new[] { "kim", "lee" }, policy = new { retention = "last:2" } });
            for (var i = 0; i < 5; i++) await tenant.App.SendAsync(id, "kim", $"m{i}", new { text = $"m{i}" }).ExpectAsync(HttpStatusCode.Created);
        }
        await gc.Host.ProjectionsCaughtUpAsync();
        return ids;
    }

    private async Task<List<JsonElement>> FailuresAsync() =>
        [.. (await gc.Admin.GetAsync("/v1/admin/gc/failures").ExpectAsync(HttpStatusCode.OK)).GetProperty("sessions").EnumerateArray()];

    private async Task<JsonElement> ReadyGcAsync()
    {
        using var anonymous = gc.Host.CreateClient();
        var response = await anonymous.GetAsync("/health/ready");
        return (await response.Json()).GetProperty("checks").GetProperty("gc");
    }

    [Fact]
    public async Task a_session_whose_stream_row_is_locked_fails_alone_and_the_pass_completes_the_others()
    {
        var tenant = await gc.NewTenantAsync("social");
        var sessions = await RingBuffersAsync(tenant, 3);
        var stuck = sessions[0];

        // A transaction that never ends holds the stuck session's stream row, as a hung client of the database would.
        await using var blocker = new NpgsqlConnection(gc.Postgres);
        await blocker.OpenAsync();
        await using var hold = await blocker.BeginTransactionAsync();
        await using (var lockRow = new NpgsqlCommand("select 1 from mp.mt_streams where tenant_id = $1 and id = $2 for update", blocker, hold)
                     { Parameters = { new() { Value = tenant.TenantId }, new() { Value = stuck } } })
            await lockRow.ExecuteNonQueryAsync();

        var records = await gc.CollectUntilAsync(tenant, r => HasRecord(r, sessions[1]) && HasRecord(r, sessions[2]));
        Assert.False(HasRecord(records, stuck));
        var failure = Assert.Single(await FailuresAsync(), f => f.GetProperty("sessionId").GetString() == stuck);
        Assert.Equal(tenant.TenantId, failure.GetProperty("tenantId").GetString());
        Assert.Contains("lock", failure.GetProperty("lastError").GetString());
        Assert.Equal(1, failure.GetProperty("failures").GetInt32());

        // Released, it is tried again once its backoff has passed, and then collected like the others.
        await hold.RollbackAsync();
        await gc.Admin.PostAsync("/v1/admin/gc/run", null).ExpectAsync(HttpStatusCode.OK);
        Assert.False(HasRecord((await gc.Auditor(tenant).GetAsync("/v1/audit/gc").ExpectAsync(HttpStatusCode.OK))
            .GetProperty("records").EnumerateArray().ToList(), stuck));
        gc.Clock.Advance(TimeSpan.FromHours(2));
        records = await gc.CollectUntilAsync(tenant, r => HasRecord(r, stuck));
        Assert.Equal(3, records.Single(r => r.GetProperty("sessionId").GetString() == stuck).GetProperty("count").GetInt64());
        Assert.DoesNotContain(await FailuresAsync(), f => f.GetProperty("sessionId").GetString() == stuck);
        Assert.Equal(2, (await tenant.App.HistoryAsync(stuck)).GetProperty("messages").GetArrayLength());
    }

    [Fact]
    public async Task a_session_failing_every_pass_is_retried_with_backoff_and_readiness_says_degraded_until_it_succeeds()
    {
        var tenant = await gc.NewTenantAsync("social");
        var sessions = await RingBuffersAsync(tenant, 2);
        var broken = sessions[0];
        // Every removal of the broken session's chain rows fails in PostgreSQL, as a bad row or a broken index would.
        var trigger = $"gc_fault_{Guid.NewGuid():N}"[..20];
        await TestDatabase.CountAsync(gc.Postgres, $"""
            create function mp.{trigger}() returns trigger language plpgsql as $$ begin raise exception 'injected fault'; end $$;
            create trigger {trigger} before delete on mp.mp_session_chain for each row
              when (old.session_id = '{broken}') execute function mp.{trigger}();
            """);
        try
        {
            await gc.CollectUntilAsync(tenant, r => HasRecord(r, sessions[1]));
            Assert.Equal(1, (await FailuresAsync()).Single(f => f.GetProperty("sessionId").GetString() == broken).GetProperty("failures").GetInt32());

            // Within its backoff a pass leaves it alone: the count does not move.
            await gc.Admin.PostAsync("/v1/admin/gc/run", null).ExpectAsync(HttpStatusCode.OK);
            Assert.Equal(1, (await FailuresAsync()).Single(f => f.GetProperty("sessionId").GetString() == broken).GetProperty("failures").GetInt32());
            Assert.Equal("Healthy", (await ReadyGcAsync()).GetProperty("status").GetString());

            // Past each backoff (doubling: the interval, capped at an hour here) it is tried and fails again.
            for (var failures = 2; failures <= 3; failures++)
            {
                gc.Clock.Advance(TimeSpan.FromHours(1.5));
                var report = await gc.Admin.PostAsync("/v1/admin/gc/run", null).ExpectAsync(HttpStatusCode.OK);
                Assert.True(report.GetProperty("sessionsFailed").GetInt32() >= 1);
                Assert.Equal(failures, (await FailuresAsync()).Single(f => f.GetProperty("sessionId").GetString() == broken).GetProperty("failures").GetInt32());
            }
            var degraded = await ReadyGcAsync();
            Assert.Equal("Degraded", degraded.GetProperty("status").GetString());
            Assert.True(degraded.GetProperty("data").GetProperty("failingSessions").GetInt64() >= 1);
        }
        finally
        {
            await TestDatabase.CountAsync(gc.Postgres, $"drop trigger if exists {trigger} on mp.mp_session_chain; drop function if exists mp.{trigger}();");
        }

        gc.Clock.Advance(TimeSpan.FromHours(1.5));
        var records = await gc.CollectUntilAsync(tenant, r => HasRecord(r, broken));
        Assert.Equal(3, records.Single(r => r.GetProperty("sessionId").GetString() == broken).GetProperty("count").GetInt64());
        Assert.DoesNotContain(await FailuresAsync(), f => f.GetProperty("sessionId").GetString() == broken);
        Assert.Equal("Healthy", (await ReadyGcAsync()).GetProperty("status").GetString());
    }
}
