using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text.Json;
using MessagePlatform.IntegrationTests.Infrastructure;

namespace MessagePlatform.IntegrationTests.Presence;

[Collection(PlatformCollection.Name)]
public sealed class PresenceTests(PlatformFixture platform)
{
    private const string Secret = "presence-webhook-secret";

    private static async Task<JsonElement> PresenceAsync(TestTenant tenant, string userId) =>
        await tenant.App.GetAsync($"/v1/users/{userId}/presence").ExpectAsync(HttpStatusCode.OK);

    private static async Task EventuallyAsync(Func<Task<bool>> condition, TimeSpan within, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(clock.Elapsed < within, $"{what} did not happen within {within.TotalSeconds} s");
            await Task.Delay(200);
        }
    }

    [Fact]
    public async Task a_user_is_online_while_connected_and_the_webhook_hears_each_change_once()
    {
        var tenant = await platform.NewTenantAsync();
        await using var receiver = await HookReceiver.StartAsync(Secret);
        await tenant.App.PutAsJsonAsync("/v1/webhooks/default",
            new { url = receiver.Url("hook"), secret = Secret, events = new[] { "user.online", "user.offline" } }).ExpectAsync(HttpStatusCode.OK);
        var before = await PresenceAsync(tenant, "pia");
        Assert.False(before.GetProperty("online").GetBoolean());
        Assert.Equal(JsonValueKind.Null, before.GetProperty("lastSeenAt").ValueKind);

        var token = await tenant.App.TokenAsync("pia");
        var first = await SocketClient.ConnectAsync(platform.Host, token);
        var second = await SocketClient.ConnectAsync(platform.Host, token);
        await EventuallyAsync(async () => (await PresenceAsync(tenant, "pia")).GetProperty("connections").GetInt32() == 2,
            TimeSpan.FromSeconds(10), "two connections");
        Assert.True((await PresenceAsync(tenant, "pia")).GetProperty("online").GetBoolean());

        List<JsonElement> Changes() => [.. receiver.Delivered.SelectMany(d => JsonDocument.Parse(d.Body).RootElement.GetProperty("events").EnumerateArray())];
        await EventuallyAsync(() => Task.FromResult(Changes().Count == 1), TimeSpan.FromSeconds(15), "user.online");

        // A reconnect within the debounce is no change at all.
        await first.DisposeAsync();
        await second.DisposeAsync();
        await using (await SocketClient.ConnectAsync(platform.Host, token))
            await Task.Delay(TimeSpan.FromSeconds(3));
        await EventuallyAsync(async () => !(await PresenceAsync(tenant, "pia")).GetProperty("online").GetBoolean(),
            TimeSpan.FromSeconds(10), "offline");
        await EventuallyAsync(() => Task.FromResult(Changes().Count == 2), TimeSpan.FromSeconds(20), "user.offline");
        await Task.Delay(TimeSpan.FromSeconds(3));

        var changes = Changes();
        Assert.Equal(["user.online", "user.offline"], changes.Select(c => c.GetProperty("type").GetString()));
        Assert.All(changes, c => Assert.Equal("pia", c.GetProperty("userId").GetString()));
        Assert.All(receiver.Delivered, d => Assert.Equal(JsonValueKind.Null, JsonDocument.Parse(d.Body).RootElement.GetProperty("sessionId").ValueKind));
        var after = await PresenceAsync(tenant, "pia");
        Assert.Equal(0, after.GetProperty("connections").GetInt32());
        Assert.NotEqual(JsonValueKind.Null, after.GetProperty("lastSeenAt").ValueKind);
    }

    [Fact]
    public async Task a_thousand_users_are_answered_in_one_call_in_the_order_asked()
    {
        var tenant = await platform.NewTenantAsync();
        await using var socket = await SocketClient.ConnectAsync(platform.Host, await tenant.App.TokenAsync("u500"));
        var ids = Enumerable.Range(0, 1000).Select(i => $"u{i}").Reverse().ToArray();
        await EventuallyAsync(async () => (await PresenceAsync(tenant, "u500")).GetProperty("online").GetBoolean(),
            TimeSpan.FromSeconds(10), "u500 online");
        var answer = await tenant.App.PostAsJsonAsync("/v1/presence/query", new { userIds = ids }).ExpectAsync(HttpStatusCode.OK);
        var users = answer.GetProperty("users").EnumerateArray().ToList();
        Assert.Equal(ids, users.Select(u => u.GetProperty("userId").GetString()));
        Assert.Equal(["u500"], users.Where(u => u.GetProperty("online").GetBoolean()).Select(u => u.GetProperty("userId").GetString()));

        Calls.AssertProblem(await tenant.App.PostAsJsonAsync("/v1/presence/query", new { userIds = ids.Append("one-more") })
            .ExpectAsync(HttpStatusCode.BadRequest), 400);
        await tenant.App.PostAsJsonAsync("/v1/presence/query", new { userIds = new[] { "bad id" } }).ExpectAsync(HttpStatusCode.BadRequest);
        var other = await platform.NewTenantAsync();
        Assert.False((await PresenceAsync(other, "u500")).GetProperty("online").GetBoolean());
    }

    [Fact]
    public async Task a_killed_nodes_users_are_offline_within_30_seconds()
    {
        // Two nodes on one database form a cluster, and a cluster runs on RabbitMQ: a database and a vhost of its own.
        var postgres = await TestServers.CreateDatabaseAsync();
        var rabbitMq = await TestServers.CreateVirtualHostAsync();
        await using var host = new PlatformHost(postgres, nodeId: 30, transport: "rabbitmq", rabbitMq: rabbitMq);
        var tenant = await PlatformFixture.NewTenantAsync(host, host.ClientWith(PlatformHost.AdminKey));
        var token = await tenant.App.TokenAsync("kim");
        await using var node = await ApiProcess.StartAsync(postgres, nodeId: 31,
            new Dictionary<string, string> { ["MP_TRANSPORT"] = "rabbitmq", ["MP_RABBITMQ"] = rabbitMq });
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(new Uri($"ws://{node.Address.Authority}/v1/connect?access_token={Uri.EscapeDataString(token)}"), CancellationToken.None);
        await EventuallyAsync(async () => (await PresenceAsync(tenant, "kim")).GetProperty("online").GetBoolean(),
            TimeSpan.FromSeconds(15), "kim online through the other node");

        node.Kill();
        var clock = Stopwatch.StartNew();
        await EventuallyAsync(async () => !(await PresenceAsync(tenant, "kim")).GetProperty("online").GetBoolean(),
            TimeSpan.FromSeconds(30), "kim offline after the node was killed");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30));
    }
}
