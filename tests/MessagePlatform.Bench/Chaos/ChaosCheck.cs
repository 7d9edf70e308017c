using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text.Json;

namespace MessagePlatform.Bench.Chaos;

/// <summary>The chaos run's verdict: what every user's sync and every receiver must hold once the cluster is whole again.</summary>
public static class ChaosCheck
{
    public static async Task<int> RunAsync(HttpClient http, Uri node, List<ChaosSend> acknowledged, List<(string Id, string[] Members)> sessions,
        List<ChaosReceiver> receivers, CancellationTokenSource stopReceivers, List<Task> receiving, int kills, int lost, int noNodeUp,
        ConcurrentDictionary<string, int> refusals, Action<string> log)
    {
        var violations = new List<string>();
        var duplicateAnswers = acknowledged.GroupBy(a => a.MsgId).Count(g => g.Count() > 1);
        if (duplicateAnswers > 0) violations.Add($"{duplicateAnswers} msgIds answered for more than one send");
        var syncedItems = 0;
        foreach (var user in receivers.Select(r => r.UserId))
        {
            var expected = acknowledged.Where(a => sessions.Single(s => s.Id == a.SessionId).Members.Contains(user)).ToDictionary(a => a.MsgId!);
            List<JsonElement> items = [];
            for (var deadline = DateTime.UtcNow.AddSeconds(90); DateTime.UtcNow < deadline; await Task.Delay(500))
            {
                items = await SyncAllAsync(http, node, user);
                if (expected.Keys.All(items.Select(i => i.GetProperty("msgId").GetString()).ToHashSet().Contains)) break;
            }
            var ids = items.Select(i => i.GetProperty("msgId").GetString()!).ToList();
            syncedItems += ids.Count;
            if (ids.Count != ids.Distinct().Count()) violations.Add($"{user}: {ids.Count - ids.Distinct().Count()} messages twice in sync");
            if (expected.Keys.Except(ids).Count() is var missing and > 0) violations.Add($"{user}: {missing} acknowledged messages missing from sync");
            if (ids.Except(expected.Keys).Count() is var extra and > 0) violations.Add($"{user}: {extra} messages in sync nobody was answered for");
            foreach (var session in items.GroupBy(i => i.GetProperty("sessionId").GetString()))
            {
                var seqs = session.Select(i => i.GetProperty("seq").GetInt64()).ToList();
                if (!seqs.SequenceEqual(seqs.Order())) violations.Add($"{user}: {session.Key} out of seq order in sync");
            }
            if (items.Count(i => expected.TryGetValue(i.GetProperty("msgId").GetString()!, out var sent) && sent.Seq != i.GetProperty("seq").GetInt64()) is var moved and > 0)
                violations.Add($"{user}: {moved} messages with another seq than their answer gave");
        }

        // Frames still on their way get a while to land; then what is neither received nor covered is a violation.
        var uncovered = 0;
        for (var deadline = DateTime.UtcNow.AddSeconds(30); DateTime.UtcNow < deadline; await Task.Delay(500))
        {
            uncovered = receivers.Sum(r => r.Uncovered(Expected(r.UserId)).Count);
            if (uncovered == 0) break;
        }
        if (uncovered > 0) violations.Add($"{uncovered} frames neither received nor covered by a sync hint or a reconnect");
        await stopReceivers.CancelAsync();
        await Task.WhenAll(receiving);

        var framed = receivers.Sum(r => Expected(r.UserId).Count(s => r.Frames.ContainsKey(s.MsgId!)));
        var owed = receivers.Sum(r => Expected(r.UserId).Count(s => s.StartedAt >= r.FirstConnectedAt));
        Console.WriteLine("## Chaos run");
        Console.WriteLine($"- {kills} SIGKILLs of a random node of three (each started again), {acknowledged.Count:N0} sends acknowledged, " +
                          $"{lost:N0} answers lost to a kill, {noNodeUp:N0} sends held while no node was up; those and every refused send settled by retrying their clientMsgId");
        Console.WriteLine($"- refusals while nodes died: {(refusals.IsEmpty ? "none" : string.Join(", ", refusals.OrderBy(r => r.Key).Select(r => $"{r.Value:N0} × {r.Key}")))}");
        Console.WriteLine($"- sync: {syncedItems:N0} items over {receivers.Count} users; each acknowledged message once, in seq order: {(violations.Any(v => v.Contains("sync")) ? "NO" : "yes")}");
        Console.WriteLine($"- frames: {framed:N0} of {owed:N0} owed to connected receivers arrived as frames, the rest covered by a sync hint or a reconnect " +
                          $"({receivers.Sum(r => r.Reconnects)} reconnects); uncovered: {uncovered}");
        Console.WriteLine(violations.Count == 0 ? "- verdict: no violation" : $"- verdict: {violations.Count} violations:\n  " + string.Join("\n  ", violations));
        return violations.Count == 0 ? 0 : 1;

        List<ChaosSend> Expected(string user) => [.. acknowledged.Where(a => sessions.Single(s => s.Id == a.SessionId).Members.Contains(user))];
    }

    private static async Task<List<JsonElement>> SyncAllAsync(HttpClient http, Uri node, string user)
    {
        var items = new List<JsonElement>();
        string? cursor = null;
        while (true)
        {
            var page = await http.GetFromJsonAsync<JsonElement>(new Uri(node, $"/v1/users/{user}/sync?limit=500{(cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor))}"));
            items.AddRange(page.GetProperty("items").EnumerateArray().Where(i => i.GetProperty("kind").GetString() == "message").Select(i => i.Clone()));
            cursor = page.GetProperty("cursor").GetString();
            if (!page.GetProperty("hasMore").GetBoolean()) return items;
        }
    }
}
