using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MessagePlatform.IntegrationTests.Concurrency;
using MessagePlatform.IntegrationTests.Infrastructure;

namespace MessagePlatform.IntegrationTests.ChatFanOut;

/// <summary>
/// The sync cursor's promise with everyday chat in the stream: sends, edits and reactions written
/// concurrently on two nodes (RabbitMQ), read by a user paging while they are written, come out
/// each exactly once, in each session's order, every chat item after the message it is about.
/// </summary>
public sealed class ChatSyncTwoNodeTests(TwoNodeFixture nodes) : IClassFixture<TwoNodeFixture>
{
    private readonly TwoNodeFixture _nodes = nodes;

    [Fact]
    public async Task edits_and_reactions_interleaved_with_sends_on_two_nodes_sync_exactly_once_in_order()
    {
        var tenant = await PlatformFixture.NewTenantAsync(_nodes.NodeA, _nodes.Admin);
        using var appB = _nodes.NodeB.ClientWith(tenant.AppKey);
        HttpClient[] apps = [tenant.App, appB];
        (string Id, string[] Members)[] sessions = [("c2c:u0:u1", ["u0", "u1"]), ("small", ["u0", "u1", "u2"])];
        await tenant.App.OpenAsync(new { type = "c2c", members = sessions[0].Members });
        await tenant.App.OpenAsync(new { sessionId = "small", type = "group", members = sessions[1].Members });

        var written = new ConcurrentBag<string>();
        async Task WriteAsync(int writer)
        {
            var random = new Random(writer);
            for (var i = 0; i < 12; i++)
            {
                var (session, members) = sessions[random.Next(sessions.Length)];
                var app = apps[(writer + i) % 2];
                var from = members[random.Next(members.Length)];
                var sent = await app.SendAsync(session, from, $"w{writer}-{i}").ExpectAsync(HttpStatusCode.Created);
                var msgId = sent.GetProperty("msgId").GetString()!;
                written.Add($"{session}/message/{msgId}");
                // Through the other node: the edit and the reactions race the sends still coming on both.
                var other = apps[(writer + i + 1) % 2];
                if (random.Next(2) == 0)
                {
                    await other.PostAsJsonAsync($"/v1/sessions/{session}/messages/{msgId}/edit", new { by = from, body = new { text = $"e{writer}-{i}" } })
                        .ExpectAsync(HttpStatusCode.OK);
                    written.Add($"{session}/edit/{msgId}");
                }
                var reactor = members[random.Next(members.Length)];
                await other.PutAsJsonAsync($"/v1/sessions/{session}/messages/{msgId}/reactions/up", new { by = reactor }).ExpectAsync(HttpStatusCode.OK);
                written.Add($"{session}/reaction/{msgId}/{reactor}/True");
                if (random.Next(3) == 0)
                {
                    await app.DeleteAsync($"/v1/sessions/{session}/messages/{msgId}/reactions/up?by={reactor}").ExpectAsync(HttpStatusCode.NoContent);
                    written.Add($"{session}/reaction/{msgId}/{reactor}/False");
                }
            }
        }

        var received = new List<JsonElement>();
        string? cursor = null;
        async Task<bool> PageAsync()
        {
            var page = await appB.GetAsync($"/v1/users/u0/sync?limit=5{(cursor is null ? "" : $"&cursor={cursor}")}").ExpectAsync(HttpStatusCode.OK);
            received.AddRange(page.GetProperty("items").EnumerateArray());
            cursor = page.GetProperty("cursor").GetString();
            return page.GetProperty("hasMore").GetBoolean();
        }

        var writers = Task.WhenAll(Enumerable.Range(0, 6).Select(WriteAsync));
        while (!writers.IsCompleted) await PageAsync();
        await writers;
        await _nodes.NodeA.ProjectionsCaughtUpAsync();
        await _nodes.NodeB.ProjectionsCaughtUpAsync();
        while (await PageAsync()) { }

        static string Key(JsonElement i) => i.GetProperty("kind").GetString() switch
        {
            "reaction" => $"{i.GetProperty("sessionId").GetString()}/reaction/{i.GetProperty("msgId").GetString()}/{i.GetProperty("by").GetString()}/{i.GetProperty("added").GetBoolean()}",
            var kind => $"{i.GetProperty("sessionId").GetString()}/{kind}/{i.GetProperty("msgId").GetString()}",
        };
        var keys = received.Select(Key).ToList();
        Assert.Equal(keys.Count, keys.Distinct().Count());
        Assert.Equal(written.Order(), keys.Order());
        foreach (var session in received.GroupBy(i => i.GetProperty("sessionId").GetString()))
        {
            var messageSeqs = session.Where(i => i.GetProperty("kind").GetString() == "message").Select(i => i.GetProperty("seq").GetInt64()).ToList();
            Assert.Equal(messageSeqs.Order(), messageSeqs);
            var seen = new HashSet<string>();
            foreach (var item in session)
                if (item.GetProperty("kind").GetString() == "message") seen.Add(item.GetProperty("msgId").GetString()!);
                else Assert.Contains(item.GetProperty("msgId").GetString()!, seen);
        }
    }
}
