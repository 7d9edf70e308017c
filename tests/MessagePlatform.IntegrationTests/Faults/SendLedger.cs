using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using MessagePlatform.IntegrationTests.Infrastructure;

namespace MessagePlatform.IntegrationTests.Faults;

/// <summary>One send of a fault test: who sent what where, and what (if anything) the node answered.</summary>
public sealed record SendAttempt(string SessionId, string From, string ClientMsgId, DateTime StartedAt)
{
    public string? MsgId { get; set; }
    public long Seq { get; set; }
}

/// <summary>
/// The books a crash test keeps while senders hammer nodes that are about to die: every send it
/// started, the ones answered 201/200 (acknowledged: they must survive), and the ones whose answer was
/// lost (connection reset, 5xx): those may or may not be stored, and a retry with the same
/// clientMsgId must settle them to exactly one.
/// </summary>
public sealed class SendLedger(IReadOnlyList<(string Id, string[] Members)> sessions)
{
    public ConcurrentQueue<SendAttempt> Acknowledged { get; } = new();
    public ConcurrentQueue<SendAttempt> Unanswered { get; } = new();

    public IReadOnlyList<(string Id, string[] Members)> Sessions => sessions;

    /// <summary>One sender: sends through <paramref name="nodes"/> in turn (a node that is gone is noted and skipped) until stopped.</summary>
    public async Task SendUntilAsync(int writer, Func<HttpClient[]> nodes, CancellationToken stop)
    {
        var random = new Random(writer);
        for (var i = 0; !stop.IsCancellationRequested; i++)
        {
            var (id, members) = sessions[random.Next(sessions.Count)];
            var clients = nodes();
            var attempt = new SendAttempt(id, members[random.Next(members.Length)], $"w{writer}-{i}", DateTime.UtcNow);
            if (!await TrySendAsync(clients[(writer + i) % clients.Length], attempt)) await Task.Delay(50, CancellationToken.None);
        }
    }

    /// <summary>Sends it; true when it was answered 201 or 200 (then it is acknowledged), false when the answer was lost.</summary>
    public async Task<bool> TrySendAsync(HttpClient node, SendAttempt attempt)
    {
        try
        {
            using var answer = await node.SendAsync(attempt.SessionId, attempt.From, attempt.ClientMsgId);
            if (answer.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK)
            {
                var body = await answer.Json();
                attempt.MsgId = body.GetProperty("msgId").GetString();
                attempt.Seq = body.GetProperty("seq").GetInt64();
                Acknowledged.Enqueue(attempt);
                return true;
            }
            // Anything but a lost answer or an overload would be a bug this test must not hide.
            Assert.True((int)answer.StatusCode is 502 or 503 or 504, $"send answered {(int)answer.StatusCode}: {await answer.Content.ReadAsStringAsync()}");
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
        {
            // The node died with the request in flight: the send may or may not be stored.
        }
        Unanswered.Enqueue(attempt);
        return false;
    }

    /// <summary>
    /// Retries every unanswered send with its clientMsgId until it is answered: each ends stored
    /// once, now (201) or before the crash (200, the first answer). Returns how many were found stored.
    /// </summary>
    public async Task<int> SettleUnansweredAsync(HttpClient node)
    {
        var storedBefore = 0;
        while (Unanswered.TryDequeue(out var attempt))
        {
            var answer = await Poll.UntilAsync(async () =>
            {
                try { return await node.SendAsync(attempt.SessionId, attempt.From, attempt.ClientMsgId); }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException) { return null; }
            }, a => a?.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK, seconds: 30);
            if (answer!.StatusCode == HttpStatusCode.OK) storedBefore++;
            var body = await answer.Json();
            attempt.MsgId = body.GetProperty("msgId").GetString();
            attempt.Seq = body.GetProperty("seq").GetInt64();
            Acknowledged.Enqueue(attempt);
        }
        return storedBefore;
    }

    /// <summary>The acknowledged messages a user must find in its sync: one per (session, sender, clientMsgId).</summary>
    public Dictionary<string, SendAttempt> ExpectedFor(string userId)
    {
        var expected = new Dictionary<string, SendAttempt>();
        foreach (var sent in Acknowledged.Where(a => sessions.Single(s => s.Id == a.SessionId).Members.Contains(userId)))
        {
            if (expected.TryGetValue(sent.MsgId!, out var first))
                Assert.True(first.ClientMsgId == sent.ClientMsgId && first.SessionId == sent.SessionId,
                    $"msgId {sent.MsgId} answered for two sends: {first} and {sent}");
            else expected[sent.MsgId!] = sent;
        }
        return expected;
    }

    /// <summary>
    /// Follows <paramref name="userId"/>'s sync from the start until it holds every acknowledged
    /// message, then checks it holds each exactly once, nothing else, in seq order per session.
    /// </summary>
    public async Task<List<JsonElement>> AssertSyncExactAsync(HttpClient app, string userId, int seconds = 60)
    {
        var expected = ExpectedFor(userId);
        var items = await Poll.UntilAsync(async () => (await app.SyncAllAsync(userId, limit: 200)).Items,
            got => expected.Keys.All(got.Select(i => i.GetProperty("msgId").GetString()).ToHashSet().Contains), seconds);
        var messages = items.Where(i => i.GetProperty("kind").GetString() == "message").ToList();
        var ids = messages.Select(i => i.GetProperty("msgId").GetString()!).ToList();
        Assert.True(ids.Count == ids.Distinct().Count(), $"{userId}'s sync holds {ids.Count - ids.Distinct().Count()} messages twice");
        Assert.Equal(expected.Keys.Order(), ids.Order());
        foreach (var session in messages.GroupBy(i => i.GetProperty("sessionId").GetString()))
        {
            var seqs = session.Select(i => i.GetProperty("seq").GetInt64()).ToList();
            Assert.Equal(seqs.Order(), seqs);
        }
        foreach (var item in messages)
            Assert.Equal(expected[item.GetProperty("msgId").GetString()!].Seq, item.GetProperty("seq").GetInt64());
        return items;
    }
}
