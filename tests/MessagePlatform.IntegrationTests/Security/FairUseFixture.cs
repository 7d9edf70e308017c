using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Marten;
using Marten.Events;
using MessagePlatform.IntegrationTests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace MessagePlatform.IntegrationTests.Security;

/// <summary>
/// One node on a fresh database with the fair-use limits on and small enough for a test to reach:
/// the per-sender send limit (off on the other test hosts), a low rate for user tokens and a small
/// history-on-join bound.
/// </summary>
public sealed class FairUseFixture : IAsyncLifetime
{
    public const int UserRequestsPerSecond = 40;
    public const int HistoryMessages = 30;
    public const int HistoryRowsPerJoin = 60;

    private PlatformHost _base = null!;

    public WebApplicationFactory<Program> Host { get; private set; } = null!;
    public HttpClient Admin { get; private set; } = null!;
    public string Postgres { get; private set; } = "";

    public async Task InitializeAsync()
    {
        Postgres = await TestServers.CreateDatabaseAsync();
        _base = new PlatformHost(Postgres);
        Host = _base.WithWebHostBuilder(b => b
            .UseSetting("Messages:SenderMessagesPerSecond", "10")
            .UseSetting("Messages:SenderBurst", "20")
            .UseSetting("RequestLimits:PerCredentialPerSecond", UserRequestsPerSecond.ToString())
            .UseSetting("HistoryOnJoin:MaxMessages", HistoryMessages.ToString())
            .UseSetting("HistoryOnJoin:MaxRowsPerJoin", HistoryRowsPerJoin.ToString()));
        Admin = ClientWith(PlatformHost.AdminKey);
    }

    public HttpClient ClientWith(string credential)
    {
        var client = Host.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", credential);
        return client;
    }

    public async Task<TestTenant> NewTenantAsync(string scenario = "enterprise")
    {
        var tenantId = $"f-{Guid.NewGuid():N}"[..20];
        var created = await Admin.PostAsJsonAsync("/v1/tenants", new { tenantId, name = "Fair use", scenario }).ExpectAsync(HttpStatusCode.Created);
        var appKey = created.GetProperty("appKey").GetString()!;
        return new TestTenant(tenantId, appKey, created.GetProperty("auditorKey").GetString()!, ClientWith(appKey));
    }

    public Task ProjectionsCaughtUpAsync() =>
        Host.Services.GetRequiredService<IDocumentStore>().WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(60));

    public async Task DisposeAsync()
    {
        await Host.DisposeAsync();
        await _base.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class FairUseCollection : ICollectionFixture<FairUseFixture>
{
    public const string Name = "fair-use";
}
