using System.Net;
using MessagePlatform.IntegrationTests.Infrastructure;
using Npgsql;

namespace MessagePlatform.IntegrationTests.Faults;

/// <summary>
/// An audit read is recorded before its data leaves. When the store goes away between the read and its
/// record, the answer is the outage's 503 with Retry-After, without the data: the database outage test
/// once got, instead, the exception of a throwing OnStarting (a 500 under Kestrel).
/// </summary>
public sealed class AuditRecordFaultTests
{
    [Fact]
    public async Task an_audit_read_whose_record_is_cut_off_answers_503_with_retry_after_and_no_data()
    {
        var postgres = await TestServers.CreateDatabaseAsync();
        await using var host = new PlatformHost(postgres);
        using var admin = host.ClientWith(PlatformHost.AdminKey);
        var tenant = await PlatformFixture.NewTenantAsync(host, admin);
        await tenant.App.OpenAsync(new { sessionId = "audited", type = "group", members = new[] { "ann", "bob" } });
        await tenant.App.SendAsync("audited", "ann", "m1", new { text = "the audited text" }).ExpectAsync(HttpStatusCode.Created);
        using var auditor = host.ClientWith(tenant.AuditorKey);
        // The first read makes the tenant's access-log stream, whose row is then held.
        await auditor.GetAsync("/v1/audit/sessions/audited/events").ExpectAsync(HttpStatusCode.OK);

        await using var blocker = new NpgsqlConnection(postgres);
        await blocker.OpenAsync();
        await using var hold = await blocker.BeginTransactionAsync();
        await using (var lockRow = new NpgsqlCommand("select 1 from mp.mt_streams where tenant_id = $1 and id = '$audit-access' for update", blocker, hold)
                     { Parameters = { new() { Value = tenant.TenantId } } })
            Assert.Equal(1, await lockRow.ExecuteScalarAsync());

        // The read succeeds; its record waits on the row. Each connection that waits is cut, as a
        // server going down would cut it, until the lane gives the record up as the store being away.
        var read = auditor.GetAsync("/v1/audit/sessions/audited/events");
        await using var terminator = new NpgsqlConnection(postgres);
        await terminator.OpenAsync();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!read.IsCompleted)
        {
            Assert.True(DateTime.UtcNow < deadline, "the audit read did not answer while its record was cut off");
            await using (var cut = new NpgsqlCommand(
                "select count(pg_terminate_backend(pid)) from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock' and pid <> pg_backend_pid()",
                terminator))
                await cut.ExecuteScalarAsync();
            await Task.WhenAny(read, Task.Delay(100));
        }

        using var response = await read;
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.NotNull(response.Headers.RetryAfter);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.DoesNotContain("the audited text", await response.Content.ReadAsStringAsync());

        // Once the row is free, reads are answered and recorded again.
        await hold.RollbackAsync();
        var page = await Poll.UntilAsync(async () => await auditor.GetAsync("/v1/audit/access-log"), r => r.StatusCode == HttpStatusCode.OK);
        Assert.Contains("/v1/audit/sessions/audited/events", await page.Content.ReadAsStringAsync());
    }
}
