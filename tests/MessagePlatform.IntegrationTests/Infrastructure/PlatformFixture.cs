using System.Net;
using System.Net.Http.Json;

namespace MessagePlatform.IntegrationTests.Infrastructure;

public sealed record TestTenant(string TenantId, string AppKey, string AuditorKey, HttpClient App);

/// <summary>One node on a fresh database, shared by the tests of the "platform" collection.</summary>
public sealed class PlatformFixture : IAsyncLifetime
{
    public string Postgres { get; private set; } = "";
    public PlatformHost Host { get; private set; } = null!;
    public HttpClient Admin { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Postgres = await TestServers.CreateDatabaseAsync();
        Host = new PlatformHost(Postgres);
        Admin = Host.ClientWith(PlatformHost.AdminKey);
    }

    public async Task DisposeAsync() => await Host.DisposeAsync();

    public Task<TestTenant> NewTenantAsync(string scenario = "enterprise") => NewTenantAsync(Host, Admin, scenario);

    public static async Task<TestTenant> NewTenantAsync(PlatformHost host, HttpClient admin, string scenario = "enterprise")
    {
        var tenantId = $"t-{Guid.NewGuid():N}"[..20];
        var response = await admin.PostAsJsonAsync("/v1/tenants", new { tenantId, name = "Test tenant", scenario });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = await response.Content.ReadFromJsonAsync<CreatedTenantBody>();
        return new TestTenant(tenantId, created!.AppKey, created.AuditorKey, host.ClientWith(created.AppKey));
    }

    private sealed record CreatedTenantBody(string TenantId, string AppKey, string AuditorKey);
}

[CollectionDefinition(Name)]
public sealed class PlatformCollection : ICollectionFixture<PlatformFixture>
{
    public const string Name = "platform";
}
