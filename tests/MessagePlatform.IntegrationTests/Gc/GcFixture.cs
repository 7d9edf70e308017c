using System.Net;
using System.Text.Json;
using MessagePlatform.IntegrationTests.Infrastructure;

namespace MessagePlatform.IntegrationTests.Gc;

/// <summary>A node on a database of its own whose clock tests move forward, so GC passes touch only GC tests' data.</summary>
public sealed class GcFixture : IAsyncLifetime
{
    public TestClock Clock { get; } = new();
    public string Postgres { get; private set; } = "";
    public PlatformHost Host { get; private set; } = null!;
    public HttpClient Admin { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Postgres = await TestServers.CreateDatabaseAsync();
        Host = new PlatformHost(Postgres, clock: Clock);
        Admin = Host.ClientWith(PlatformHost.AdminKey);
    }

    public async Task DisposeAsync() => await Host.DisposeAsync();

    /// <summary>A fresh id, so tests sharing the fixture's database never meet.</summary>
    public static string NewId(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..24];

    public Task<TestTenant> NewTenantAsync(string scenario) => PlatformFixture.NewTenantAsync(Host, Admin, scenario);

    public HttpClient Auditor(TestTenant tenant) => Host.ClientWith(tenant.AuditorKey);

    /// <summary>
    /// Runs GC passes until <paramref name="done"/> holds for the tenant's GC records: a pass removes
    /// only what every reader of the store has passed, which may take the daemon a moment.
    /// </summary>
    public async Task<List<JsonElement>> CollectUntilAsync(TestTenant tenant, Func<List<JsonElement>, bool> done)
    {
        await Host.ProjectionsCaughtUpAsync();
        var auditor = Auditor(tenant);
        for (var attempt = 0; ; attempt++)
        {
            await Admin.PostAsync("/v1/admin/gc/run", null).ExpectAsync(HttpStatusCode.OK);
            var records = (await auditor.GetAsync("/v1/audit/gc").ExpectAsync(HttpStatusCode.OK))
                .GetProperty("records").EnumerateArray().ToList();
            if (done(records)) return records;
            Assert.True(attempt < 50, $"GC did not get there; records: {JsonSerializer.Serialize(records)}");
            await Task.Delay(200);
        }
    }

    public Task<List<JsonElement>> CollectAsync(TestTenant tenant) => CollectUntilAsync(tenant, _ => true);
}

[CollectionDefinition(Name)]
public sealed class GcCollection : ICollectionFixture<GcFixture>
{
    public const string Name = "gc";
}
