using System.Net;
using System.Net.Http.Json;
using MessagePlatform.IntegrationTests.Infrastructure;

namespace MessagePlatform.IntegrationTests.Realtime;

/// <summary>
/// Issue 12, point 5: a push that reaches its node late is shed in the documented order. The
/// thresholds are set to a millisecond here, so every push counts as late.
/// </summary>
public sealed class LatePushSheddingTests
{
    private static async Task<(PlatformHost Host, TestTenant Tenant)> NodeAsync(int nodeId, int lowAfterMs, int syncAfterMs)
    {
        var host = new PlatformHost(await TestServers.CreateDatabaseAsync(), nodeId: nodeId, settings: new Dictionary<string, string>
        {
            ["Realtime:ShedLowPriorityAfterMilliseconds"] = $"{lowAfterMs}",
            ["Realtime:SyncInsteadAfterMilliseconds"] = $"{syncAfterMs}",
            ["Realtime:RoomPushBudgetPerSecond"] = "1000",
        });
        return (host, await PlatformFixture.NewTenantAsync(host, host.ClientWith(PlatformHost.AdminKey)));
    }

    [Fact]
    public async Task late_low_priority_room_pushes_are_dropped_first_and_the_others_still_go()
    {
        var (host, tenant) = await NodeAsync(42, lowAfterMs: 1, syncAfterMs: 600_000);
        await using var _ = host;
        await tenant.App.OpenAsync(new { sessionId = "stage", type = "room", members = Array.Empty<string>() });
        await using var viewer = await SocketClient.ConnectAsync(host, await tenant.App.TokenAsync("viewer"));
        await viewer.SendAsync(new { type = "join", sessionId = "stage" });
        await viewer.SendAsync(new { type = "ping" });
        await viewer.ReceiveUntilAsync("pong");

        await tenant.App.PostAsJsonAsync("/v1/sessions/stage/messages", new { from = "host", clientMsgId = "low", type = "text", body = "low", priority = "low" })
            .ExpectAsync(HttpStatusCode.Created);
        await tenant.App.PostAsJsonAsync("/v1/sessions/stage/messages", new { from = "host", clientMsgId = "normal", type = "text", body = "normal" })
            .ExpectAsync(HttpStatusCode.Created);
        var (frame, before) = await viewer.ReceiveUntilAsync("message");
        Assert.Equal("normal", frame.GetProperty("body").GetString());
        Assert.DoesNotContain(before, f => f.GetProperty("type").GetString() == "message");
        // Shed from the push only: both are stored.
        Assert.Equal(2, (await tenant.App.HistoryAsync("stage")).GetProperty("messages").GetArrayLength());
    }

    [Fact]
    public async Task later_still_a_member_gets_one_sync_hint_instead_of_the_message_frames()
    {
        var (host, tenant) = await NodeAsync(43, lowAfterMs: 1, syncAfterMs: 1);
        await using var _ = host;
        await tenant.App.OpenAsync(new { type = "c2c", members = new[] { "ann", "bob" } });
        await using var bob = await SocketClient.ConnectAsync(host, await tenant.App.TokenAsync("bob"));
        var sent = (await tenant.App.SendAsync("c2c:ann:bob", "ann", "late").ExpectAsync(HttpStatusCode.Created)).GetProperty("msgId").GetString();

        var (sync, before) = await bob.ReceiveUntilAsync("sync");
        Assert.DoesNotContain(before, f => f.GetProperty("type").GetString() == "message");
        // The hint is all it takes: sync holds the message.
        await host.ProjectionsCaughtUpAsync();
        var synced = await tenant.App.GetAsync("/v1/users/bob/sync").ExpectAsync(HttpStatusCode.OK);
        Assert.Contains(synced.GetProperty("items").EnumerateArray(), item => item.GetProperty("msgId").GetString() == sent);
        Assert.Equal("sync", sync.GetProperty("type").GetString());
    }
}
