using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MessagePlatform.IntegrationTests.Infrastructure;

namespace MessagePlatform.IntegrationTests.Faults;

/// <summary>
/// PostgreSQL stopped, or its connections cut, under load: every request answers (503 with
/// Retry-After while the store is away), nothing hangs, and the node recovers by itself.
/// Each test has a server of its own (<see cref="PrivatePostgres"/>): no other test sees the outage.
/// </summary>
public sealed class DatabaseOutageTests
{
    private static readonly TimeSpan AnswerWithin = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan NoneLongerThan = TimeSpan.FromSeconds(10);

    private sealed record Answer(string Call, HttpStatusCode Status, TimeSpan Took, bool RetryAfter, string? MediaType, DateTime StartedAt);

    [Fact]
    public async Task with_postgres_stopped_under_load_every_request_answers_503_with_retry_after_and_all_recovers_without_a_restart()
    {
        await using var postgres = await PrivatePostgres.StartAsync();
        await using var host = new PlatformHost(postgres.ConnectionString);
        using var admin = host.ClientWith(PlatformHost.AdminKey);
        var tenant = await PlatformFixture.NewTenantAsync(host, admin);
        await tenant.App.OpenAsync(new { sessionId = "outage", type = "group", members = new[] { "ann", "bob" } });
        // Bob connects before the first send: a push goes only to connections that exist at its fan-out.
        await using var bob = await SocketClient.ConnectAsync(host, await tenant.App.TokenAsync("bob"));
        var before = await tenant.App.SendAsync("outage", "ann", "before").ExpectAsync(HttpStatusCode.Created);
        await PushedOrToldToSyncAsync(bob, before.GetProperty("msgId").GetString());

        var answers = new ConcurrentBag<Answer>();
        using var load = new CancellationTokenSource();
        var sent = 0;
        async Task Call(string name, Func<Task<HttpResponseMessage>> call)
        {
            var started = Stopwatch.GetTimestamp();
            var at = DateTime.UtcNow;
            using var response = await call();
            answers.Add(new Answer(name, response.StatusCode, Stopwatch.GetElapsedTime(started), response.Headers.RetryAfter is not null,
                response.Content.Headers.ContentType?.MediaType, at));
        }
        async Task Loop(string name, Func<Task<HttpResponseMessage>> call)
        {
            while (!load.IsCancellationRequested)
            {
                await Call(name, call);
                await Task.Delay(50);
            }
        }
        var auditor = host.ClientWith(tenant.AuditorKey);
        var loops = new List<Task>();
        foreach (var sender in new[] { "ann", "bob", "ann", "bob" })
            loops.Add(Loop("send", () => tenant.App.SendAsync("outage", sender, $"load-{Interlocked.Increment(ref sent)}")));
        loops.Add(Loop("history", () => tenant.App.GetAsync("/v1/sessions/outage/messages")));
        loops.Add(Loop("sync", () => tenant.App.GetAsync("/v1/users/bob/sync?limit=50")));
        loops.Add(Loop("conversations", () => tenant.App.GetAsync("/v1/users/bob/conversations")));
        loops.Add(Loop("session", () => tenant.App.GetAsync("/v1/sessions/outage")));
        loops.Add(Loop("tenant", () => admin.GetAsync($"/v1/tenants/{tenant.TenantId}")));
        loops.Add(Loop("open", () => tenant.App.PostAsJsonAsync("/v1/sessions",
            new { sessionId = $"s-{Guid.NewGuid():N}"[..12], type = "group", members = new[] { "ann" } })));
        loops.Add(Loop("audit", () => auditor.GetAsync("/v1/audit/sessions/outage/events?limit=10")));
        await Task.Delay(1000);

        await postgres.StopAsync();
        var stopped = DateTime.UtcNow;
        await Task.Delay(TimeSpan.FromSeconds(6));
        var readyWhileDown = Stopwatch.StartNew();
        using (var ready = await host.CreateClient().GetAsync("/health/ready"))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
            Assert.True(readyWhileDown.Elapsed < AnswerWithin, $"/health/ready took {readyWhileDown.Elapsed}");
        }
        // Taken before the start: the server accepts connections a moment before its script returns,
        // and a request answered in that moment is rightly a 201.
        var restarted = DateTime.UtcNow;
        await postgres.StartAgainAsync();
        await load.CancelAsync();
        await Task.WhenAll(loops);

        var all = answers.ToList();
        Assert.All(all, a => Assert.True(a.Took < NoneLongerThan, $"{a.Call} took {a.Took} (answered {(int)a.Status})"));
        // Started once the server was gone (a second's grace for those in flight at the stop) and
        // before it was back: each one refused, as a problem that says when to come back.
        var duringOutage = all.Where(a => a.StartedAt > stopped.AddSeconds(1) && a.StartedAt + a.Took < restarted).ToList();
        Assert.True(duringOutage.Count > 20, $"only {duringOutage.Count} requests during the outage");
        Assert.All(duringOutage, a =>
        {
            Assert.True(a.Status == HttpStatusCode.ServiceUnavailable && a.RetryAfter && a.MediaType == "application/problem+json",
                $"{a.Call} answered {(int)a.Status} (Retry-After: {a.RetryAfter}, {a.MediaType}) during the outage");
            Assert.True(a.Took < AnswerWithin, $"{a.Call} took {a.Took} during the outage");
        });
        Assert.DoesNotContain(all, a => (int)a.Status >= 500 && a.Status != HttpStatusCode.ServiceUnavailable);
        Assert.Contains(duringOutage, a => a.Call == "send");

        // Back by itself: sends stored, pushed, synced and projected, with no restart of the node.
        await Poll.UntilAsync(async () => (await tenant.App.SendAsync("outage", "ann", $"probe-{Guid.NewGuid():N}")).StatusCode,
            s => s == HttpStatusCode.Created, seconds: 60);
        var after = await tenant.App.SendAsync("outage", "ann", "after", new { text = "after the outage" }).ExpectAsync(HttpStatusCode.Created);
        var msgId = after.GetProperty("msgId").GetString();
        await PushedOrToldToSyncAsync(bob, msgId);
        await host.ProjectionsCaughtUpAsync(TimeSpan.FromSeconds(60));
        var (items, _) = await tenant.App.SyncAllAsync("bob", limit: 500);
        Assert.Contains(items, i => i.GetProperty("msgId").GetString() == msgId);
        await Poll.UntilAsync(async () => (await host.CreateClient().GetAsync("/health/ready")).StatusCode, s => s == HttpStatusCode.OK, seconds: 60);

        // Nothing stored twice: each clientMsgId of the load is in the stream at most once.
        var stored = await SentClientMsgIdsAsync(auditor);
        Assert.Equal(stored.Count, stored.Distinct().Count());
        Assert.Contains("after", stored);
    }

    [Fact]
    public async Task connections_cut_mid_commit_leave_each_send_stored_once_or_refused_and_a_retry_stores_exactly_one()
    {
        await using var postgres = await PrivatePostgres.StartAsync();
        await using var host = new PlatformHost(postgres.ConnectionString);
        using var admin = host.ClientWith(PlatformHost.AdminKey);
        var tenant = await PlatformFixture.NewTenantAsync(host, admin);
        var sessions = new[] { "cut-1", "cut-2", "cut-3" };
        foreach (var s in sessions) await tenant.App.OpenAsync(new { sessionId = s, type = "group", members = new[] { "ann", "bob" } });

        var refused = new ConcurrentBag<(string Session, string From, string ClientMsgId)>();
        var answered = new ConcurrentBag<string>();
        using var load = new CancellationTokenSource();
        var next = 0;
        var senders = Enumerable.Range(0, 6).Select(w => Task.Run(async () =>
        {
            while (!load.IsCancellationRequested)
            {
                var session = sessions[w % sessions.Length];
                var (from, clientMsgId) = (w % 2 == 0 ? "ann" : "bob", $"m-{Interlocked.Increment(ref next)}");
                var started = Stopwatch.GetTimestamp();
                using var response = await tenant.App.SendAsync(session, from, clientMsgId);
                Assert.True(Stopwatch.GetElapsedTime(started) < NoneLongerThan, $"a send took {Stopwatch.GetElapsedTime(started)}");
                if (response.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK) answered.Add(clientMsgId);
                else
                {
                    Assert.True(response.StatusCode == HttpStatusCode.ServiceUnavailable && response.Headers.RetryAfter is not null,
                        $"a send answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
                    refused.Add((session, from, clientMsgId));
                }
            }
        })).ToList();
        for (var cut = 0; cut < 15; cut++)
        {
            await Task.Delay(Random.Shared.Next(100, 300));
            await postgres.TerminateSessionsAsync();
        }
        await load.CancelAsync();
        await Task.WhenAll(senders);
        Assert.True(answered.Count > 20, $"only {answered.Count} sends stored");

        // Each refused send retried with its clientMsgId: stored now (201), or found stored before (200).
        foreach (var (session, from, clientMsgId) in refused)
            await Poll.UntilAsync(async () => (await tenant.App.SendAsync(session, from, clientMsgId)).StatusCode,
                s => s is HttpStatusCode.Created or HttpStatusCode.OK, seconds: 30);

        var stored = await SentClientMsgIdsAsync(host.ClientWith(tenant.AuditorKey));
        var expected = answered.Concat(refused.Select(r => r.ClientMsgId)).Order().ToList();
        Assert.Equal(expected, stored.Order().ToList());
    }

    /// <summary>
    /// Waits for the push of <paramref name="msgId"/> (any message when null), or a `sync` hint: a
    /// push that trails its commit on a loaded machine is replaced by one, as the contract allows.
    /// </summary>
    private static async Task PushedOrToldToSyncAsync(SocketClient client, string? msgId)
    {
        for (var deadline = DateTime.UtcNow.AddSeconds(60); ;)
        {
            var frame = await client.ReceiveAsync(deadline - DateTime.UtcNow);
            var type = frame.GetProperty("type").GetString();
            if (type == "sync") return;
            if (type == "message" && (msgId is null || frame.GetProperty("msgId").GetString() == msgId)) return;
        }
    }

    /// <summary>The clientMsgId of every message.sent in the tenant's audit export, repeats kept.</summary>
    private static async Task<List<string>> SentClientMsgIdsAsync(HttpClient auditor)
    {
        var text = await (await auditor.GetAsync("/v1/audit/export")).EnsureSuccessStatusCode().Content.ReadAsStringAsync();
        return text.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => JsonDocument.Parse(line).RootElement)
            .Where(e => e.GetProperty("type").GetString() == "message.sent")
            .Select(e => e.GetProperty("data").GetProperty("clientMsgId").GetString()!)
            .ToList();
    }
}
