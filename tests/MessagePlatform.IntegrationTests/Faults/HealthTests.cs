using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MessagePlatform.Api.Platform;
using MessagePlatform.IntegrationTests.Infrastructure;
using Npgsql;

namespace MessagePlatform.IntegrationTests.Faults;

/// <summary>
/// Issue 13, point 8: readiness tells the truth about the store's readers (a stalled one is named and
/// degraded, and recovers by itself) and stays cheap: it answers from the poller's last sample, and
/// its database check is bounded even when the database hangs.
/// </summary>
public sealed class HealthTests
{
    private static readonly string Progression = $"{EventStoreConfig.Schema}.mt_event_progression";

    [Fact]
    public async Task a_stalled_realtime_publisher_makes_readiness_degraded_naming_it_and_readiness_recovers_once_it_moves()
    {
        var postgres = await TestServers.CreateDatabaseAsync();
        await using var host = new PlatformHost(postgres, settings: new Dictionary<string, string>
        {
            ["Health:StalledAfterSeconds"] = "2",
            ["Intake:SampleEveryMs"] = "100",
        });
        using var admin = host.ClientWith(PlatformHost.AdminKey);
        using var probe = host.CreateClient();
        var tenant = await PlatformFixture.NewTenantAsync(host, admin);
        await tenant.App.OpenAsync(new { sessionId = "g", type = "group", members = new[] { "ann", "bob" } });
        await SendAsync(tenant, "warm-up");
        // A head above zero: a sample taken before the first event says "no lag" before the publisher has any progress row to hold.
        await Poll.UntilAsync(() => ProjectionsAsync(probe), p => p.Status == "Healthy" && p.Head > 0 && p.Lag("RealtimePublisher") == 0, seconds: 60);

        // The publisher can publish but not record its progress: as a hung broker call would, it stops moving.
        await using var hold = new NpgsqlConnection(postgres);
        await hold.OpenAsync();
        var held = await hold.BeginTransactionAsync();
        await using (var lockRow = new NpgsqlCommand($"select 1 from {Progression} where name = 'RealtimePublisher:All' for update", hold, held))
            Assert.Equal(1, await lockRow.ExecuteScalarAsync());
        await SendAsync(tenant, "while-held");

        var stalled = await Poll.UntilAsync(() => ProjectionsAsync(probe), p => p.Status == "Degraded", seconds: 60);
        Assert.True(stalled.Data.TryGetProperty("stalledSeconds.RealtimePublisher", out var stuck) && stuck.GetInt64() >= 2, stalled.Data.ToString());
        // Only the held reader is named: the user chain went on projecting.
        Assert.False(stalled.Data.TryGetProperty("stalledSeconds.UserChain", out _), stalled.Data.ToString());
        Assert.True(stalled.Lag("RealtimePublisher") > 0);
        // Degraded, not failing: the node still takes sends.
        Assert.Equal(HttpStatusCode.OK, (await probe.GetAsync("/health/ready")).StatusCode);

        await held.RollbackAsync();
        var recovered = await Poll.UntilAsync(() => ProjectionsAsync(probe), p => p.Status == "Healthy", seconds: 60);
        Assert.False(recovered.Data.TryGetProperty("stalledSeconds.RealtimePublisher", out _), recovered.Data.ToString());
    }

    [Fact]
    public async Task readiness_answers_from_the_last_sample_and_within_its_bound_when_the_database_hangs()
    {
        await using var postgres = await PrivatePostgres.StartAsync();
        await using var host = new PlatformHost(postgres.ConnectionString, settings: new Dictionary<string, string>
        {
            // One sample in ten seconds: what readiness reports between two is the last one, not a query of its own.
            ["Intake:SampleEveryMs"] = "10000",
            ["Health:DatabaseTimeoutSeconds"] = "2",
        });
        using var admin = host.ClientWith(PlatformHost.AdminKey);
        using var probe = host.CreateClient();
        var tenant = await PlatformFixture.NewTenantAsync(host, admin);
        await tenant.App.OpenAsync(new { sessionId = "g", type = "group", members = new[] { "ann", "bob" } });
        var before = await Poll.UntilAsync(() => ProjectionsAsync(probe), p => p.Head > 0, seconds: 60);
        var sampledAt = before.SampleAgeMs;
        for (var i = 0; i < 5; i++) await SendAsync(tenant, $"m-{i}");
        var after = await ProjectionsAsync(probe);
        // Still the same sample (unless the next one just came): the head it reports did not move with the sends.
        Assert.True(after.Head == before.Head || after.SampleAgeMs < sampledAt, $"{before.Data} then {after.Data}");

        // Every server process of the database frozen: connections open, nothing answers.
        var frozen = await FreezeAsync(postgres.ConnectionString);
        try
        {
            var clock = Stopwatch.StartNew();
            using var ready = await probe.GetAsync("/health/ready");
            var took = clock.Elapsed;
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
            var checks = JsonDocument.Parse(await ready.Content.ReadAsStringAsync()).RootElement.GetProperty("checks");
            Assert.Equal("Unhealthy", checks.GetProperty("postgres").GetProperty("status").GetString());
            // The database check gives up after its 2 s; the lag check answers from memory at once.
            Assert.True(took < TimeSpan.FromSeconds(6), $"readiness took {took}");
        }
        finally
        {
            Signal(frozen, "CONT");
        }
        await Poll.UntilAsync(() => probe.GetAsync("/health/ready"), r => r.StatusCode == HttpStatusCode.OK, seconds: 60);
    }

    /// <summary>SIGSTOPs the postmaster and every backend of the server behind this connection string; their pids.</summary>
    private static async Task<int[]> FreezeAsync(string connectionString)
    {
        await using var db = new NpgsqlConnection(connectionString);
        await db.OpenAsync();
        await using var cmd = new NpgsqlCommand("select pg_backend_pid()", db);
        var backend = (int)(await cmd.ExecuteScalarAsync())!;
        var postmaster = int.Parse(File.ReadAllText($"/proc/{backend}/stat").Split(')')[1].Trim().Split(' ')[1]);
        var children = Directory.EnumerateDirectories("/proc").Select(Path.GetFileName).Where(d => d!.All(char.IsDigit)).Select(int.Parse!)
            .Where(pid => ParentOf(pid) == postmaster);
        int[] pids = [postmaster, .. children];
        Signal(pids, "STOP");
        return pids;
    }

    private static int? ParentOf(int pid)
    {
        try { return int.Parse(File.ReadAllText($"/proc/{pid}/stat").Split(')')[^1].Trim().Split(' ')[1]); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException) { return null; }
    }

    private static void Signal(int[] pids, string signal)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", $"-{signal} {string.Join(' ', pids)}"))!;
        kill.WaitForExit();
    }

    private static async Task SendAsync(TestTenant tenant, string clientMsgId) =>
        await tenant.App.PostAsJsonAsync("/v1/sessions/g/messages",
            new { from = "ann", clientMsgId, type = "text", body = new { text = clientMsgId } }).ExpectAsync(HttpStatusCode.Created);

    private sealed record ProjectionsCheck(string Status, JsonElement Data)
    {
        public long Lag(string reader) => Data.TryGetProperty($"lag.{reader}", out var lag) ? lag.GetInt64() : -1;
        public long Head => Data.TryGetProperty("headSequence", out var head) ? head.GetInt64() : 0;
        public long SampleAgeMs => Data.TryGetProperty("sampleAgeMs", out var age) ? age.GetInt64() : 0;
        public override string ToString() => $"{Status} {Data}";
    }

    private static async Task<ProjectionsCheck> ProjectionsAsync(HttpClient probe)
    {
        using var response = await probe.GetAsync("/health/ready");
        var check = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("checks").GetProperty("projections");
        return new ProjectionsCheck(check.GetProperty("status").GetString()!, check.GetProperty("data").Clone());
    }
}
