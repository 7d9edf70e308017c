using System.Net;
using MessagePlatform.Api.Realtime.Gateway;
using MessagePlatform.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace MessagePlatform.IntegrationTests.Faults;

/// <summary>Issue 13, point 9: clients that disconnect while the database is down are not left online once it returns.</summary>
public sealed class PresenceOutageTests
{
    [Fact]
    public async Task users_who_disconnect_while_the_database_is_down_go_offline_once_it_returns()
    {
        await using var postgres = await PrivatePostgres.StartAsync();
        await using var host = new PlatformHost(postgres.ConnectionString);
        using var admin = host.ClientWith(PlatformHost.AdminKey);
        var tenant = await PlatformFixture.NewTenantAsync(host, admin);
        string[] users = ["ann", "bob", "cat"];
        var sockets = new List<SocketClient>();
        foreach (var user in users) sockets.Add(await SocketClient.ConnectAsync(host, await tenant.App.TokenAsync(user)));
        foreach (var user in users) await Poll.UntilAsync(() => PresenceAsync(tenant, user), p => p.GetProperty("online").GetBoolean(), seconds: 60);

        await postgres.StopAsync();
        foreach (var socket in sockets) await socket.DisposeAsync();
        // The gateway freed the connections at once, though it could not record their end.
        var local = host.Services.GetRequiredService<LocalConnections>();
        await Poll.UntilAsync(() => Task.FromResult(local.Count), n => n == 0);
        await postgres.StartAgainAsync();

        // Node heartbeat back within its backoff (at most 10 s), owed disconnects recorded before it, then the debounce.
        foreach (var user in users)
            await Poll.UntilAsync(() => PresenceAsync(tenant, user), p => !p.GetProperty("online").GetBoolean(), seconds: 90);
    }

    private static Task<System.Text.Json.JsonElement> PresenceAsync(TestTenant tenant, string userId) =>
        tenant.App.GetAsync($"/v1/users/{userId}/presence").ExpectAsync(HttpStatusCode.OK);
}
