using System.Net;
using System.Net.Http.Json;
using MessagePlatform.IntegrationTests.Infrastructure;

namespace MessagePlatform.IntegrationTests.Sync;

[Collection(PlatformCollection.Name)]
public sealed class ConversationsTests(PlatformFixture platform)
{
    [Fact]
    public async Task conversations_show_last_message_and_unread_most_recent_first_and_own_messages_are_never_unread()
    {
        var tenant = await platform.NewTenantAsync();
        await tenant.App.OpenAsync(new { type = "c2c", members = new[] { "ann", "bob" } });
        await tenant.App.OpenAsync(new { sessionId = "team", type = "group", members = new[] { "ann", "bob", "cy" } });
        await tenant.App.OpenAsync(new { sessionId = "stage", type = "room", members = new[] { "ann" } });
        await tenant.App.SendAsync("c2c:ann:bob", "bob", "1").ExpectAsync(HttpStatusCode.Created);
        await tenant.App.SendAsync("c2c:ann:bob", "ann", "2").ExpectAsync(HttpStatusCode.Created);
        await tenant.App.SendAsync("c2c:ann:bob", "bob", "3").ExpectAsync(HttpStatusCode.Created);
        await tenant.App.SendAsync("team", "cy", "4").ExpectAsync(HttpStatusCode.Created);
        await platform.Host.ProjectionsCaughtUpAsync();

        var list = (await tenant.App.GetAsync("/v1/users/ann/conversations").ExpectAsync(HttpStatusCode.OK)).EnumerateArray().ToList();
        Assert.Equal(["team", "c2c:ann:bob"], list.Select(c => c.GetProperty("sessionId").GetString()));
        Assert.Equal("group", list[0].GetProperty("type").GetString());
        Assert.Equal(1, list[0].GetProperty("unread").GetInt64());
        Assert.Equal(2, list[1].GetProperty("unread").GetInt64());
        Assert.Equal(0, list[1].GetProperty("readSeq").GetInt64());
        Assert.Equal("bob", list[1].GetProperty("lastMessage").GetProperty("from").GetString());
        Assert.Equal(4, list[1].GetProperty("lastMessage").GetProperty("seq").GetInt64());
    }

    [Fact]
    public async Task marking_read_moves_forward_only_and_every_device_sees_it()
    {
        var tenant = await platform.NewTenantAsync();
        await tenant.App.OpenAsync(new { type = "c2c", members = new[] { "ann", "bob" } });
        for (var i = 0; i < 4; i++) await tenant.App.SendAsync("c2c:ann:bob", "bob", $"m{i}").ExpectAsync(HttpStatusCode.Created);
        await platform.Host.ProjectionsCaughtUpAsync();

        var mark = await tenant.App.PostAsJsonAsync("/v1/users/ann/conversations/c2c:ann:bob/read", new { seq = 3 })
            .ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(3, mark.GetProperty("readSeq").GetInt64());
        var back = await tenant.App.PostAsJsonAsync("/v1/users/ann/conversations/c2c:ann:bob/read", new { seq = 2 })
            .ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(3, back.GetProperty("readSeq").GetInt64());

        // Another device of ann's (another client) sees the same.
        using var otherDevice = platform.Host.ClientWith(tenant.AppKey);
        var conversation = Assert.Single((await otherDevice.GetAsync("/v1/users/ann/conversations").ExpectAsync(HttpStatusCode.OK)).EnumerateArray());
        Assert.Equal(3, conversation.GetProperty("readSeq").GetInt64());
        Assert.Equal(2, conversation.GetProperty("unread").GetInt64());

        var all = await tenant.App.PostAsJsonAsync("/v1/users/ann/conversations/c2c:ann:bob/read", new { seq = 1000 })
            .ExpectAsync(HttpStatusCode.OK);
        // The head of the stream: four messages after the opening, then the first mark's own event at 6.
        Assert.Equal(6, all.GetProperty("readSeq").GetInt64());
    }

    [Fact]
    public async Task marking_read_where_the_user_is_not_a_member_is_404_and_bad_input_400()
    {
        var tenant = await platform.NewTenantAsync();
        await tenant.App.OpenAsync(new { type = "c2c", members = new[] { "ann", "bob" } });
        await tenant.App.PostAsJsonAsync("/v1/users/eve/conversations/c2c:ann:bob/read", new { seq = 1 }).ExpectAsync(HttpStatusCode.NotFound);
        await tenant.App.PostAsJsonAsync("/v1/users/ann/conversations/nowhere/read", new { seq = 1 }).ExpectAsync(HttpStatusCode.NotFound);
        await tenant.App.PostAsJsonAsync("/v1/users/ann/conversations/c2c:ann:bob/read", new { seq = -1 }).ExpectAsync(HttpStatusCode.BadRequest);
    }
}
