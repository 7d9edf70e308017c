using System.Net;
using System.Text.Json;
using MessagePlatform.Domain;
using MessagePlatform.IntegrationTests.Infrastructure;
using static MessagePlatform.IntegrationTests.ChatFanOut.ChatEventsAppended;

namespace MessagePlatform.IntegrationTests.ChatFanOut;

/// <summary>A room's reactions reach who joined as a few `counts` frames of totals, not one frame per reaction.</summary>
[Collection(PlatformCollection.Name)]
public sealed class RoomReactionCountsTests(PlatformFixture platform)
{
    [Fact]
    public async Task a_burst_of_reactions_in_a_room_arrives_as_a_few_frames_of_totals()
    {
        var tenant = await platform.NewTenantAsync("live");
        await tenant.App.OpenAsync(new { sessionId = "stage", type = "room", members = Array.Empty<string>() });
        await using var viewer = await SocketClient.ConnectAsync(platform.Host, await tenant.App.TokenAsync("viewer"));
        await viewer.SendAsync(new { type = "join", sessionId = "stage" });
        await viewer.SendAsync(new { type = "ping" });
        await viewer.ReceiveUntilAsync("pong");
        var sent = await tenant.App.SendAsync("stage", "host", "live-1").ExpectAsync(HttpStatusCode.Created);
        var (msgId, seq) = (long.Parse(sent.GetProperty("msgId").GetString()!), sent.GetProperty("seq").GetInt64());
        await viewer.ReceiveUntilAsync("message");

        // 90 reactions in three commits, one taken off again: 60 thumbs and 29 hearts in the end.
        for (var commit = 0; commit < 3; commit++)
            await AppendAsync(platform.Host.Services, tenant.TenantId, "stage",
                [.. Enumerable.Range(commit * 30, 30).Select(i => (object)new ReactionAdded(msgId, seq, i % 3 == 2 ? "❤️" : "👍", $"v{i}", At))]);
        await AppendAsync(platform.Host.Services, tenant.TenantId, "stage", new ReactionRemoved(msgId, seq, "❤️", "v2", At));

        var frames = new List<JsonElement>();
        while (true)
        {
            var frame = await viewer.ReceiveAsync(TimeSpan.FromSeconds(20));
            if (frame.GetProperty("type").GetString() != "reaction") continue;
            frames.Add(frame);
            var counts = frame.GetProperty("counts");
            if (counts.TryGetProperty("👍", out var up) && up.GetInt64() == 60 && counts.TryGetProperty("❤️", out var heart) && heart.GetInt64() == 29) break;
        }
        Assert.All(frames, f =>
        {
            Assert.Equal((msgId.ToString(), seq), (f.GetProperty("msgId").GetString(), f.GetProperty("seq").GetInt64()));
            Assert.False(f.TryGetProperty("by", out _));
        });
        // One frame per window: however the four commits fall into windows, far fewer than 91 frames.
        Assert.InRange(frames.Count, 1, 4);
    }
}
