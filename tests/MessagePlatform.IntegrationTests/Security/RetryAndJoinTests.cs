using System.Net;
using System.Net.Http.Json;
using MessagePlatform.IntegrationTests.Infrastructure;

namespace MessagePlatform.IntegrationTests.Security;

/// <summary>A stored send's retry always gets its first answer; a new member reads only what its policy shows.</summary>
[Collection(PlatformCollection.Name)]
public sealed class RetryAndJoinTests(PlatformFixture platform)
{
    [Fact]
    public async Task a_retried_send_that_was_stored_gets_its_200_even_when_over_the_limit()
    {
        var tenantId = $"rt-{Guid.NewGuid():N}"[..20];
        var created = await platform.Admin.PostAsJsonAsync("/v1/tenants", new
        {
            tenantId, name = "Limited", scenario = "live", limits = new { roomMessagesPerSecond = 1, tenantMessagesPerSecond = 10_000 },
        }).ExpectAsync(HttpStatusCode.Created);
        var app = platform.Host.ClientWith(created.GetProperty("appKey").GetString()!);
        await app.OpenAsync(new { sessionId = "tiny", type = "room", members = Array.Empty<string>() });

        var first = await app.SendAsync("tiny", "ann", "once").ExpectAsync(HttpStatusCode.Created);
        var again = await app.SendAsync("tiny", "ann", "once").ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(first.GetProperty("msgId").GetString(), again.GetProperty("msgId").GetString());
        Assert.Equal(first.GetProperty("seq").GetInt64(), again.GetProperty("seq").GetInt64());
        var other = await app.SendAsync("tiny", "ann", "new-one");
        Assert.Equal(HttpStatusCode.TooManyRequests, other.StatusCode);
    }

    [Fact]
    public async Task a_retried_send_that_was_stored_gets_its_200_when_moderation_now_denies()
    {
        await using var receiver = await HookReceiver.StartAsync("a-long-enough-secret");
        var tenant = await platform.NewTenantAsync();
        await tenant.App.OpenAsync(new { sessionId = "g", type = "group", members = new[] { "ann" } });
        var first = await tenant.App.SendAsync("g", "ann", "before-hook").ExpectAsync(HttpStatusCode.Created);

        await tenant.App.PutAsJsonAsync("/v1/hooks/before-send",
            new { url = receiver.Url("deny"), secret = "a-long-enough-secret", timeoutMs = 1500, failurePolicy = "closed" })
            .ExpectAsync(HttpStatusCode.OK);
        var again = await tenant.App.SendAsync("g", "ann", "before-hook").ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(first.GetProperty("msgId").GetString(), again.GetProperty("msgId").GetString());
        Assert.Empty(receiver.Calls);
        await tenant.App.SendAsync("g", "ann", "after-hook").ExpectAsync(HttpStatusCode.UnprocessableEntity);
    }

    [Fact]
    public async Task a_member_who_joined_later_reads_history_only_from_its_joining()
    {
        var tenant = await platform.NewTenantAsync();
        await tenant.App.OpenAsync(new { sessionId = "club", type = "group", members = new[] { "ann" }, policy = new { historyOnJoin = "fromJoin" } });
        await tenant.App.OpenAsync(new { sessionId = "open-club", type = "group", members = new[] { "ann" }, policy = new { historyOnJoin = "all" } });
        foreach (var session in new[] { "club", "open-club" })
        {
            await tenant.App.SendAsync(session, "ann", "before-1").ExpectAsync(HttpStatusCode.Created);
            await tenant.App.SendAsync(session, "ann", "before-2").ExpectAsync(HttpStatusCode.Created);
            await tenant.App.PostAsJsonAsync($"/v1/sessions/{session}/members", new { userIds = new[] { "bob" } }).ExpectAsync(HttpStatusCode.OK);
            await tenant.App.SendAsync(session, "ann", "after").ExpectAsync(HttpStatusCode.Created);
        }
        var bob = platform.Host.ClientWith(await tenant.App.TokenAsync("bob"));
        var ann = platform.Host.ClientWith(await tenant.App.TokenAsync("ann"));

        Assert.Equal(1, (await bob.HistoryAsync("club")).GetProperty("messages").GetArrayLength());
        Assert.Equal(0, (await bob.HistoryAsync("club", "?beforeSeq=4")).GetProperty("messages").GetArrayLength());
        Assert.Equal(3, (await ann.HistoryAsync("club")).GetProperty("messages").GetArrayLength());
        Assert.Equal(3, (await tenant.App.HistoryAsync("club")).GetProperty("messages").GetArrayLength());
        Assert.Equal(3, (await bob.HistoryAsync("open-club")).GetProperty("messages").GetArrayLength());
    }
}
