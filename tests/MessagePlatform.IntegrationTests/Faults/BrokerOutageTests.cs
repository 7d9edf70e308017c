using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MessagePlatform.IntegrationTests.Infrastructure;
using MessagePlatform.IntegrationTests.Realtime;

namespace MessagePlatform.IntegrationTests.Faults;

/// <summary>
/// Issue 13, point 3: the broker out for longer than the push consumers' retries (MassTransit's
/// Exponential(5, 100 ms .. 5 s) in RealtimeConfig, about 20 s at most). Sends keep answering 201,
/// readiness says degraded (200), and once the broker is back every push (or a `sync` hint) and
/// every webhook arrives.
/// </summary>
[Collection(RabbitMqCollection.Name)]
public sealed class BrokerOutageTests
{
    private const string Secret = "the-webhook-secret";

    // Longer than the consumers' whole retry schedule, and far past RefuseAllAtMs below: without the
    // intake fix (BrokerOutage) the realtime publisher's lag would refuse every send after 6 s of it.
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(22);

    // Intake on, as in production, with thresholds a loaded test machine does not reach by itself
    // but the outage does.
    private static readonly Dictionary<string, string> Intake = new()
    {
        ["Intake:Enabled"] = "true",
        ["Intake:ShedLowPriorityAtMs"] = "3000",
        ["Intake:RefuseAllAtMs"] = "6000",
    };

    [Fact]
    public async Task a_broker_outage_past_the_consumers_retries_fails_no_send_reads_degraded_and_loses_no_push_or_webhook()
    {
        var postgres = await TestServers.CreateDatabaseAsync();
        var vhost = await TestServers.CreateVirtualHostAsync();
        await using var a = new PlatformHost(postgres, nodeId: 61, transport: "rabbitmq", settings: Intake, rabbitMq: vhost);
        await using var b = new PlatformHost(postgres, nodeId: 62, transport: "rabbitmq", settings: Intake, rabbitMq: vhost);
        await using var receiver = await HookReceiver.StartAsync(Secret);
        var tenant = await PlatformFixture.NewTenantAsync(a, a.ClientWith(PlatformHost.AdminKey));
        using var appB = b.ClientWith(tenant.AppKey);
        using var healthA = a.CreateClient();
        using var healthB = b.CreateClient();
        await tenant.App.OpenAsync(new { type = "c2c", members = new[] { "ann", "bob" } });
        await tenant.App.PutAsJsonAsync("/v1/webhooks/default", new { url = receiver.Url("hook"), secret = Secret, events = new[] { "message.sent" } })
            .ExpectAsync(HttpStatusCode.OK);
        await BusCheckAsync(healthA, "Healthy");
        await BusCheckAsync(healthB, "Healthy");

        // Bob stays connected to node B through the outage: the gateway does not need the broker.
        await using var bob = await SocketClient.ConnectAsync(b, await tenant.App.TokenAsync("bob"));
        var sent = new List<string> { await SendAsync(tenant.App, "before") };
        var (first, _) = await bob.ReceiveUntilAsync("message", TimeSpan.FromSeconds(30));
        Assert.Equal(sent[0], first.GetProperty("msgId").GetString());
        await bob.SendAsync(new { type = "ack", msgId = sent[0] });

        await TestServers.RabbitMqAsync("stop");
        var degraded = new HashSet<string>();
        try
        {
            // Sends through both nodes throughout the outage, each answered 201; readiness read between them.
            for (var outage = Stopwatch.StartNew(); outage.Elapsed < Outage; await Task.Delay(250))
            {
                var i = sent.Count;
                sent.Add(await SendAsync(i % 2 == 0 ? tenant.App : appB, $"during-{i}"));
                foreach (var (node, health) in new[] { ("a", healthA), ("b", healthB) })
                    if (await ReadinessAsync(health) == "Degraded") degraded.Add(node);
            }
        }
        finally
        {
            await TestServers.RabbitMqAsync("start");
        }
        Assert.True(sent.Count > 20, $"only {sent.Count} sends during the outage");
        Assert.Equal(["a", "b"], degraded.Order());

        // Once the broker is back, both nodes read healthy again without a restart.
        await BusCheckAsync(healthA, "Healthy", seconds: 60);
        await BusCheckAsync(healthB, "Healthy", seconds: 60);

        // Every message reaches bob on node B: as a frame, or through his sync after a `sync` hint
        // (pushes that reach the node late are shed into one, README "Realtime").
        var received = new HashSet<string> { sent[0] };
        while (!sent.All(received.Contains))
        {
            var frame = await bob.ReceiveAsync(TimeSpan.FromSeconds(45));
            switch (frame.GetProperty("type").GetString())
            {
                case "message":
                    var msgId = frame.GetProperty("msgId").GetString()!;
                    received.Add(msgId);
                    await bob.SendAsync(new { type = "ack", msgId });
                    break;
                case "sync":
                    await a.ProjectionsCaughtUpAsync();
                    var (items, _) = await tenant.App.SyncAllAsync("bob", limit: 100);
                    received.UnionWith(items.Select(item => item.GetProperty("msgId").GetString()!));
                    break;
            }
        }

        // Every message.sent reaches the tenant's webhook, each message under exactly one deliveryId
        // (retries of a delivery keep theirs; a message is never delivered anew).
        Dictionary<string, HashSet<string>> DeliveriesByMessage() => receiver.Delivered
            .SelectMany(d => JsonDocument.Parse(d.Body).RootElement.GetProperty("events").EnumerateArray()
                .Where(e => e.GetProperty("type").GetString() == "message.sent")
                .Select(e => (MsgId: e.GetProperty("msgId").GetString()!, d.DeliveryId)))
            .GroupBy(x => x.MsgId)
            .ToDictionary(g => g.Key, g => g.Select(x => x.DeliveryId).ToHashSet());
        var byMessage = await Poll.UntilAsync(() => Task.FromResult(DeliveriesByMessage()), d => sent.All(d.ContainsKey), seconds: 45);
        Assert.Equal(sent.Order(), byMessage.Keys.Order());
        Assert.All(byMessage, m => Assert.Single(m.Value));
    }

    private static async Task<string> SendAsync(HttpClient app, string clientMsgId) =>
        (await app.SendAsync("c2c:ann:bob", "ann", clientMsgId).ExpectAsync(HttpStatusCode.Created)).GetProperty("msgId").GetString()!;

    /// <summary>The bus check of `/health/ready`, which must answer 200 whether the bus is healthy or degraded.</summary>
    private static async Task<string> ReadinessAsync(HttpClient health)
    {
        var ready = await health.GetAsync("/health/ready").ExpectAsync(HttpStatusCode.OK);
        return ready.GetProperty("checks").GetProperty("masstransit-bus").GetProperty("status").GetString()!;
    }

    private static async Task BusCheckAsync(HttpClient health, string status, int seconds = 30)
    {
        for (var deadline = DateTime.UtcNow.AddSeconds(seconds); ; await Task.Delay(200))
        {
            var response = await health.GetAsync("/health/ready");
            if (response.StatusCode == HttpStatusCode.OK
                && (await response.Json()).GetProperty("checks").GetProperty("masstransit-bus").GetProperty("status").GetString() == status)
                return;
            Assert.True(DateTime.UtcNow < deadline, $"the bus check did not read {status} within {seconds} s: {await response.Content.ReadAsStringAsync()}");
        }
    }
}
