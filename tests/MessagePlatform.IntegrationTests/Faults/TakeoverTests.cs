using System.Diagnostics;
using System.Net;
using MessagePlatform.IntegrationTests.Infrastructure;

namespace MessagePlatform.IntegrationTests.Faults;

/// <summary>
/// Three nodes on RabbitMQ; the one running the projections and the subscriptions (the daemon's
/// HotCold leader: Marten's advisory lock) and the fan-out (`mp-fanout` is single-active-consumer:
/// the broker gives it to the first node that consumed it) is SIGKILLed with sends under way and
/// receivers connected to the other two. Builds on Concurrency/SyncUnderLoadTests, which kills the
/// projection host of two; here the fan-out dies with it and the receivers are checked too.
/// </summary>
public sealed class TakeoverTests
{
    private static readonly string[] Users = ["u0", "u1", "u2", "u3", "u4", "u5"];

    [Fact]
    public async Task killing_the_node_running_projections_and_fan_out_of_three_hands_both_over_within_30_s_and_nothing_is_missed_or_synced_twice()
    {
        var postgres = await TestServers.CreateDatabaseAsync();
        var rabbitMq = await TestServers.CreateVirtualHostAsync();
        var bus = new Dictionary<string, string> { ["MP_TRANSPORT"] = "rabbitmq", ["MP_RABBITMQ"] = rabbitMq };
        // The leader starts alone and has projected and pushed a message before the others start,
        // so it holds the daemon's lock and is the fan-out queue's active consumer.
        var leader = await ApiProcess.StartAsync(postgres, nodeId: 41, bus);
        var tenant = await leader.NewTenantAsync();
        var sessions = new List<(string Id, string[] Members)>();
        foreach (var other in Users[1..]) sessions.Add(($"c2c:u0:{other}", ["u0", other]));
        sessions.Add(("g-all", Users));
        sessions.Add(("g-some", ["u1", "u2", "u3", "u4"]));
        foreach (var (id, members) in sessions)
            await tenant.App.OpenAsync(id.StartsWith("c2c:") ? new { type = "c2c", members } : (object)new { sessionId = id, type = "group", members });
        var ledger = new SendLedger(sessions);
        await using (var probe = await FrameRecorder.ConnectAsync(leader.Address, tenant.App, "u5"))
        {
            var first = new SendAttempt("g-all", "u0", "probe", DateTime.UtcNow);
            Assert.True(await ledger.TrySendAsync(tenant.App, first));
            await Poll.UntilAsync(() => Task.FromResult(probe.Frames.ContainsKey(first.MsgId!)), seen => seen);
        }
        await using var b = await ApiProcess.StartAsync(postgres, nodeId: 42, bus);
        await using var c = await ApiProcess.StartAsync(postgres, nodeId: 43, bus);
        using var appB = b.ClientWith(tenant.AppKey);
        using var appC = c.ClientWith(tenant.AppKey);

        var receivers = new List<FrameRecorder>();
        foreach (var (user, i) in Users.Select((u, i) => (u, i)))
            receivers.Add(await FrameRecorder.ConnectAsync(i % 2 == 0 ? b.Address : c.Address, i % 2 == 0 ? appB : appC, user));
        var connected = DateTime.UtcNow;
        try
        {
            var leaderAlive = true;
            HttpClient[] Nodes() => leaderAlive ? [tenant.App, appB, appC] : [appB, appC];
            using var stop = new CancellationTokenSource();
            var senders = Task.WhenAll(Enumerable.Range(0, 12).Select(w => Task.Run(() => ledger.SendUntilAsync(w, Nodes, stop.Token))));
            await Poll.UntilAsync(() => Task.FromResult(ledger.Acknowledged.Count >= 120), done => done, seconds: 60);

            leaderAlive = false;
            leader.Kill();
            var killed = Stopwatch.StartNew();
            // Sends go on through the kill for a while. (Under them pushes come seconds late, as `sync`
            // hints: two nodes writing one session collide, and each rolled-back append leaves a gap in
            // the event sequence that the daemon waits out before reading past it.)
            await Task.Delay(TimeSpan.FromSeconds(3));
            await stop.CancelAsync();
            await senders;

            // Taken over: a message sent on a survivor shows up in sync (the projections) and reaches
            // the other survivor (the publisher and the fan-out): as a frame, or, when the batch came
            // more than a second late (the new leader still draining the backlog on a loaded machine),
            // as a `sync` hint, which the fan-out delivers too. A marker goes out every second until one
            // has arrived.
            var u1 = receivers.Single(r => r.UserId == "u1");
            var markers = new List<SendAttempt>();
            try
            {
                await Poll.UntilAsync(async () =>
                {
                    var marker = new SendAttempt("c2c:u0:u1", "u0", $"after-the-kill-{markers.Count}", DateTime.UtcNow);
                    if (await ledger.TrySendAsync(appB, marker)) markers.Add(marker);
                    await Task.Delay(900);
                    return u1.Uncovered(markers).Count < markers.Count;
                }, arrived => arrived, seconds: 30);
            }
            catch (Exception failure)
            {
                throw new Exception(
                    $"no marker reached u1 {killed.Elapsed} after the kill ({markers.Count} sent, {u1.SyncHints.Count} sync hints); " +
                    $"b logged:\n{string.Join('\n', b.Output.TakeLast(40))}\nc logged:\n{string.Join('\n', c.Output.TakeLast(40))}", failure);
            }
            await Poll.UntilAsync(async () => (await appC.SyncAllAsync("u1", limit: 500)).Items, items =>
                items.Any(i => i.GetProperty("msgId").GetString() == markers[0].MsgId), seconds: 30);
            Assert.True(killed.Elapsed < TimeSpan.FromSeconds(30), $"took over after {killed.Elapsed}");

            await ledger.SettleUnansweredAsync(appB);
            foreach (var user in Users) await ledger.AssertSyncExactAsync(user == "u0" ? appB : appC, user);
            Assert.Equal(0L, await TestDatabase.CountAsync(postgres,
                "select count(*) from (select 1 from mp.mp_user_chain group by tenant_id, user_id, session_id, seq having count(*) > 1) d"));

            // Every receiver got each of its messages as a frame, or a sync hint after it was sent.
            foreach (var receiver in receivers)
            {
                var expected = ledger.ExpectedFor(receiver.UserId).Values.Where(sent => sent.StartedAt >= connected).ToList();
                await Poll.UntilAsync(() => Task.FromResult(receiver.Uncovered(expected)), missing => missing.Count == 0, seconds: 30);
            }
        }
        finally
        {
            foreach (var receiver in receivers) await receiver.DisposeAsync();
        }
    }
}
