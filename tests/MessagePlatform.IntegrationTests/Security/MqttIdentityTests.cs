using System.Net;
using MessagePlatform.IntegrationTests.Infrastructure;
using MQTTnet;

namespace MessagePlatform.IntegrationTests.Security;

/// <summary>Issue 11, point 5: a client id names a connection of one user of one tenant, and a session is never resumed.</summary>
[Collection(PlatformCollection.Name)]
public sealed class MqttIdentityTests(PlatformFixture platform)
{
    [Fact]
    public async Task a_client_id_squatted_by_another_user_or_tenant_is_still_free_for_its_owner()
    {
        var tenant = await platform.NewTenantAsync();
        var other = await platform.NewTenantAsync();
        const string predictable = "ann-phone";
        var (squatter, squatted) = await MqttTestClient.OverWebSocketAsync(platform.Host, "bob", await tenant.App.TokenAsync("bob"), clientId: predictable);
        await using var _squatter = squatter;
        var (elsewhere, elsewhereResult) = await MqttTestClient.OverWebSocketAsync(platform.Host, "ann", await other.App.TokenAsync("ann"), clientId: predictable);
        await using var _elsewhere = elsewhere;
        var (ann, annResult) = await MqttTestClient.OverWebSocketAsync(platform.Host, "ann", await tenant.App.TokenAsync("ann"), clientId: predictable);
        await using var _ann = ann;

        Assert.Equal((MqttClientConnectResultCode.Success, MqttClientConnectResultCode.Success, MqttClientConnectResultCode.Success),
            (squatted.ResultCode, elsewhereResult.ResultCode, annResult.ResultCode));
        // Nobody took anybody over: all three still talk to the node.
        await squatter.Client.PingAsync();
        await elsewhere.Client.PingAsync();
        await ann.Client.PingAsync();
    }

    [Fact]
    public async Task a_connect_without_clean_session_gets_a_fresh_session_and_nothing_of_the_previous_one()
    {
        var tenant = await platform.NewTenantAsync();
        await tenant.App.OpenAsync(new { type = "c2c", members = new[] { "ann", "bob" } });
        var (first, firstResult) = await MqttTestClient.OverWebSocketAsync(platform.Host, "ann", await tenant.App.TokenAsync("ann"),
            clientId: "ann-tablet", cleanSession: false);
        await using var _first = first;
        Assert.Equal(MqttClientConnectResultCode.Success, firstResult.ResultCode);
        await first.SubscribeAsync("single/ann");

        // The same id again, asking to resume: it takes the connection over but not its session.
        var (second, secondResult) = await MqttTestClient.OverWebSocketAsync(platform.Host, "ann", await tenant.App.TokenAsync("ann"),
            clientId: "ann-tablet", cleanSession: false);
        await using var _second = second;
        Assert.Equal(MqttClientConnectResultCode.Success, secondResult.ResultCode);
        Assert.False(secondResult.IsSessionPresent);
        await tenant.App.SendAsync("c2c:ann:bob", "bob", "m1").ExpectAsync(HttpStatusCode.Created);
        Assert.Null(await second.NothingWithinAsync(TimeSpan.FromSeconds(2)));

        // Subscribed afresh, it gets what it subscribed.
        await second.SubscribeAsync("single/ann");
        await tenant.App.SendAsync("c2c:ann:bob", "bob", "m2").ExpectAsync(HttpStatusCode.Created);
        var pushed = await second.ReceiveUntilAsync("message");
        Assert.Equal(("single/ann", "c2c:ann:bob"), (pushed.Topic, pushed.Frame.GetProperty("sessionId").GetString()));
    }
}
