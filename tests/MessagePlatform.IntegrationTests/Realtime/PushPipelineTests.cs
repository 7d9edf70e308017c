using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MessagePlatform.IntegrationTests.Infrastructure;

namespace MessagePlatform.IntegrationTests.Realtime;

/// <summary>Issue 12, point 2: fan-out keeps each session's members from its membership events, in order with its messages.</summary>
[Collection(PlatformCollection.Name)]
public sealed class PushPipelineTests(PlatformFixture platform)
{
    [Fact]
    public async Task a_member_added_just_before_a_message_gets_it_and_one_removed_just_before_never_does()
    {
        var tenant = await platform.NewTenantAsync();
        await tenant.App.OpenAsync(new { sessionId = "crew", type = "group", members = new[] { "ann", "bob" } });
        await using var bob = await SocketClient.ConnectAsync(platform.Host, await tenant.App.TokenAsync("bob"));
        await using var carol = await SocketClient.ConnectAsync(platform.Host, await tenant.App.TokenAsync("carol"));
        // Fan-out has met the session: what follows reaches it only as membership changes.
        await tenant.App.SendAsync("crew", "ann", "first").ExpectAsync(HttpStatusCode.Created);
        var (first, _) = await bob.ReceiveUntilAsync("message");
        await bob.SendAsync(new { type = "ack", msgId = first.GetProperty("msgId").GetString() });

        await tenant.App.PostAsJsonAsync("/v1/sessions/crew/members", new { userIds = new[] { "carol" } }).ExpectAsync(HttpStatusCode.OK);
        await tenant.App.DeleteAsync("/v1/sessions/crew/members/bob").ExpectAsync(HttpStatusCode.NoContent);
        var second = (await tenant.App.SendAsync("crew", "ann", "second").ExpectAsync(HttpStatusCode.Created)).GetProperty("msgId").GetString();
        // Carol's frame shows the push has gone out; bob's socket is read for a while after it.
        var (pushed, before) = await carol.ReceiveUntilAsync("message");
        Assert.Equal(second, pushed.GetProperty("msgId").GetString());
        Assert.DoesNotContain(before, f => f.GetProperty("type").GetString() == "message");
        Assert.DoesNotContain(await FramesWithinAsync(bob, TimeSpan.FromSeconds(2)),
            f => f.GetProperty("type").GetString() == "message" && f.GetProperty("msgId").GetString() == second);
    }

    [Fact]
    public async Task a_page_of_many_sessions_reaches_each_member_in_each_sessions_order()
    {
        var tenant = await platform.NewTenantAsync();
        const int sessions = 8, each = 6;
        for (var s = 0; s < sessions; s++) await tenant.App.OpenAsync(new { sessionId = $"s{s}", type = "group", members = new[] { "ann", "bob" } });
        await using var bob = await SocketClient.ConnectAsync(platform.Host, await tenant.App.TokenAsync("bob"));
        // Concurrent across sessions (one page holds many), in order within each.
        await Task.WhenAll(Enumerable.Range(0, sessions).Select(async s =>
        {
            for (var i = 0; i < each; i++) await tenant.App.SendAsync($"s{s}", "ann", $"{i}").ExpectAsync(HttpStatusCode.Created);
        }));
        var seqs = new Dictionary<string, List<long>>();
        while (seqs.Values.Sum(l => l.Count) < sessions * each)
        {
            var (frame, _) = await bob.ReceiveUntilAsync("message");
            await bob.SendAsync(new { type = "ack", msgId = frame.GetProperty("msgId").GetString() });
            var session = frame.GetProperty("sessionId").GetString()!;
            if (!seqs.TryGetValue(session, out var list)) seqs[session] = list = [];
            list.Add(frame.GetProperty("seq").GetInt64());
        }
        Assert.Equal(sessions, seqs.Count);
        Assert.All(seqs.Values, list => Assert.Equal(list.Order(), list));
    }

    /// <summary>Every frame the socket gets within <paramref name="window"/>.</summary>
    internal static async Task<List<JsonElement>> FramesWithinAsync(SocketClient client, TimeSpan window)
    {
        var frames = new List<JsonElement>();
        var until = DateTime.UtcNow + window;
        while (DateTime.UtcNow < until)
        {
            try
            {
                frames.Add(await client.ReceiveAsync(until - DateTime.UtcNow));
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
        return frames;
    }
}
