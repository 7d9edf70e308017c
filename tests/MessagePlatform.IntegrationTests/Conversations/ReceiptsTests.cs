using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using MessagePlatform.IntegrationTests.Infrastructure;

namespace MessagePlatform.IntegrationTests.Conversations;

[Collection(PlatformCollection.Name)]
public sealed class ReceiptsTests(PlatformFixture platform)
{
    private static Task<JsonElement> MarkAsync(HttpClient client, string user, string session, long seq) =>
        client.PostAsJsonAsync($"/v1/users/{user}/conversations/{session}/read", new { seq }).ExpectAsync(HttpStatusCode.OK);

    [Fact]
    public async Task a_read_mark_is_a_conversation_read_event_in_the_session_stream_and_a_repeat_appends_nothing()
    {
        var tenant = await platform.NewTenantAsync();
        await tenant.App.OpenAsync(new { sessionId = "crew", type = "group", members = new[] { "ann", "bob", "cy" } });
        for (var i = 0; i < 3; i++) await tenant.App.SendAsync("crew", "bob", $"m{i}").ExpectAsync(HttpStatusCode.Created);

        Assert.Equal(3, (await MarkAsync(tenant.App, "ann", "crew", 3)).GetProperty("readSeq").GetInt64());
        Assert.Equal(3, (await MarkAsync(tenant.App, "ann", "crew", 3)).GetProperty("readSeq").GetInt64());
        Assert.Equal(3, (await MarkAsync(tenant.App, "ann", "crew", 1)).GetProperty("readSeq").GetInt64());
        var reads = await TestDatabase.CountAsync(platform.Postgres,
            "select count(*) from mp.mt_events where tenant_id = $1 and stream_id = 'crew' and type = 'conversation_read'", tenant.TenantId);
        Assert.Equal(1, reads);

        // Concurrent marks of one user from several devices: the mark ends at the highest, never lower.
        await Task.WhenAll(Enumerable.Range(1, 4).Select(s => MarkAsync(tenant.App, "cy", "crew", s)));
        var receipts = await tenant.App.GetAsync("/v1/sessions/crew/receipts").ExpectAsync(HttpStatusCode.OK);
        var marks = receipts.GetProperty("members").EnumerateArray().ToDictionary(m => m.GetProperty("userId").GetString()!, m => m.GetProperty("readSeq").GetInt64());
        Assert.Equal(new Dictionary<string, long> { ["ann"] = 3, ["bob"] = 0, ["cy"] = 4 }, marks);
    }

    [Fact]
    public async Task message_receipts_split_the_members_but_the_sender_into_read_and_unread()
    {
        var tenant = await platform.NewTenantAsync();
        await tenant.App.OpenAsync(new { sessionId = "desk", type = "group", members = new[] { "ann", "bob", "cy", "dan" } });
        var first = await tenant.App.SendAsync("desk", "ann", "first").ExpectAsync(HttpStatusCode.Created);
        var second = await tenant.App.SendAsync("desk", "ann", "second").ExpectAsync(HttpStatusCode.Created);
        await MarkAsync(tenant.App, "bob", "desk", second.GetProperty("seq").GetInt64());
        await MarkAsync(tenant.App, "cy", "desk", first.GetProperty("seq").GetInt64());

        async Task<(string[] Read, string[] Unread)> Of(HttpClient client, JsonElement message)
        {
            var r = await client.GetAsync($"/v1/sessions/desk/messages/{message.GetProperty("msgId").GetString()}/receipts").ExpectAsync(HttpStatusCode.OK);
            return ([.. r.GetProperty("readBy").EnumerateArray().Select(u => u.GetString()!)], [.. r.GetProperty("unreadBy").EnumerateArray().Select(u => u.GetString()!)]);
        }
        var (readFirst, unreadFirst) = await Of(tenant.App, first);
        Assert.Equal(["bob", "cy"], readFirst);
        Assert.Equal(["dan"], unreadFirst);
        // A member's token reads them too.
        using var dan = platform.Host.ClientWith(await tenant.App.TokenAsync("dan"));
        var (read, unread) = await Of(dan, second);
        Assert.Equal(["bob"], read);
        Assert.Equal(["cy", "dan"], unread);

        using var eve = platform.Host.ClientWith(await tenant.App.TokenAsync("eve"));
        await eve.GetAsync("/v1/sessions/desk/receipts").ExpectAsync(HttpStatusCode.Forbidden);
        await eve.GetAsync($"/v1/sessions/desk/messages/{first.GetProperty("msgId").GetString()}/receipts").ExpectAsync(HttpStatusCode.Forbidden);
        await tenant.App.GetAsync("/v1/sessions/desk/messages/12345/receipts").ExpectAsync(HttpStatusCode.NotFound);
        await tenant.App.GetAsync("/v1/sessions/nowhere/receipts").ExpectAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task read_diffusion_groups_and_rooms_keep_no_receipts_and_answer_409()
    {
        var tenant = await platform.NewTenantAsync();
        await tenant.App.OpenAsync(new { sessionId = "town", type = "group", members = Enumerable.Range(0, 501).Select(i => $"m{i}").ToArray() });
        await tenant.App.OpenAsync(new { sessionId = "stage", type = "room", members = new[] { "ann" } });
        var sent = await tenant.App.SendAsync("town", "m1", "t").ExpectAsync(HttpStatusCode.Created);
        Calls.AssertProblem(await tenant.App.GetAsync("/v1/sessions/town/receipts").ExpectAsync(HttpStatusCode.Conflict), 409);
        await tenant.App.GetAsync($"/v1/sessions/town/messages/{sent.GetProperty("msgId").GetString()}/receipts").ExpectAsync(HttpStatusCode.Conflict);
        await tenant.App.GetAsync("/v1/sessions/stage/receipts").ExpectAsync(HttpStatusCode.Conflict);
    }

    private static async Task<List<JsonElement>> ListAsync(HttpClient app, string user) =>
        (await app.GetAsync($"/v1/users/{user}/conversations").ExpectAsync(HttpStatusCode.OK)).EnumerateArray().ToList();

    private static Task<JsonElement> SettingsAsync(HttpClient client, string user, string session, object settings,
        HttpStatusCode status = HttpStatusCode.OK) =>
        client.PutAsJsonAsync($"/v1/users/{user}/conversations/{session}/settings", settings).ExpectAsync(status);

    [Fact]
    public async Task pinned_conversations_come_first_and_muted_ones_say_so()
    {
        var tenant = await platform.NewTenantAsync();
        foreach (var s in new[] { "a", "b", "c" })
            await tenant.App.OpenAsync(new { sessionId = s, type = "group", members = new[] { "ann", "bob" } });
        foreach (var s in new[] { "a", "b", "c" }) await tenant.App.SendAsync(s, "bob", $"in-{s}").ExpectAsync(HttpStatusCode.Created);
        await platform.Host.ProjectionsCaughtUpAsync();
        Assert.Equal(["c", "b", "a"], (await ListAsync(tenant.App, "ann")).Select(c => c.GetProperty("sessionId").GetString()));

        var pinned = await SettingsAsync(tenant.App, "ann", "a", new { pinned = true });
        Assert.True(pinned.GetProperty("pinned").GetBoolean());
        Assert.False(pinned.GetProperty("muted").GetBoolean());
        using var annToken = platform.Host.ClientWith(await tenant.App.TokenAsync("ann"));
        var muted = await SettingsAsync(annToken, "ann", "b", new { muted = true });
        Assert.True(muted.GetProperty("muted").GetBoolean());
        // Leaving a setting out leaves it as it is; repeating one changes nothing.
        Assert.True((await SettingsAsync(annToken, "ann", "a", new { muted = false })).GetProperty("pinned").GetBoolean());

        var list = await ListAsync(tenant.App, "ann");
        Assert.Equal(["a", "c", "b"], list.Select(c => c.GetProperty("sessionId").GetString()));
        Assert.True(list[0].GetProperty("pinned").GetBoolean());
        Assert.True(list[2].GetProperty("muted").GetBoolean());
        Assert.False(list[1].GetProperty("hidden").GetBoolean());
        // Bob's own view is untouched.
        Assert.All(await ListAsync(tenant.App, "bob"), c => Assert.False(c.GetProperty("pinned").GetBoolean()));

        var changes = await TestDatabase.CountAsync(platform.Postgres,
            "select count(*) from mp.mt_events where tenant_id = $1 and stream_id = '$conversations:ann' and type = 'conversation_settings_changed'",
            tenant.TenantId);
        Assert.Equal(2, changes);
    }

    [Fact]
    public async Task a_hidden_conversation_is_left_out_until_a_newer_message_arrives()
    {
        var tenant = await platform.NewTenantAsync();
        await tenant.App.OpenAsync(new { type = "c2c", members = new[] { "ann", "bob" } });
        await tenant.App.OpenAsync(new { sessionId = "club", type = "group", members = new[] { "ann", "bob" } });
        await tenant.App.SendAsync("c2c:ann:bob", "bob", "old").ExpectAsync(HttpStatusCode.Created);
        await tenant.App.SendAsync("club", "bob", "c").ExpectAsync(HttpStatusCode.Created);
        await platform.Host.ProjectionsCaughtUpAsync();

        Assert.True((await SettingsAsync(tenant.App, "ann", "c2c:ann:bob", new { hidden = true })).GetProperty("hidden").GetBoolean());
        Assert.Equal(["club"], (await ListAsync(tenant.App, "ann")).Select(c => c.GetProperty("sessionId").GetString()));
        Assert.Equal(2, (await ListAsync(tenant.App, "bob")).Count);

        await tenant.App.SendAsync("c2c:ann:bob", "bob", "new").ExpectAsync(HttpStatusCode.Created);
        var back = await ListAsync(tenant.App, "ann");
        Assert.Equal(["c2c:ann:bob", "club"], back.Select(c => c.GetProperty("sessionId").GetString()));
        Assert.False(back[0].GetProperty("hidden").GetBoolean());
        // Brought back, it reads as not hidden: hiding it again is a change.
        Assert.True((await SettingsAsync(tenant.App, "ann", "c2c:ann:bob", new { hidden = true })).GetProperty("hidden").GetBoolean());
        Assert.Single(await ListAsync(tenant.App, "ann"));
    }

    [Fact]
    public async Task settings_of_a_conversation_the_user_is_not_in_are_404_and_another_users_token_403()
    {
        var tenant = await platform.NewTenantAsync();
        await tenant.App.OpenAsync(new { type = "c2c", members = new[] { "ann", "bob" } });
        await tenant.App.OpenAsync(new { sessionId = "stage", type = "room", members = new[] { "ann" } });
        await SettingsAsync(tenant.App, "eve", "c2c:ann:bob", new { pinned = true }, HttpStatusCode.NotFound);
        await SettingsAsync(tenant.App, "ann", "nowhere", new { pinned = true }, HttpStatusCode.NotFound);
        await SettingsAsync(tenant.App, "ann", "stage", new { pinned = true }, HttpStatusCode.NotFound);
        using var bob = platform.Host.ClientWith(await tenant.App.TokenAsync("bob"));
        await SettingsAsync(bob, "ann", "c2c:ann:bob", new { pinned = true }, HttpStatusCode.Forbidden);
        await tenant.App.PutAsync("/v1/users/ann/conversations/c2c:ann:bob/settings",
            new StringContent("{\"pinned\":\"yes\"}", new MediaTypeHeaderValue("application/json"))).ExpectAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task unread_mentions_count_messages_after_the_read_mark_that_name_the_user_or_everyone()
    {
        var tenant = await platform.NewTenantAsync();
        await tenant.App.OpenAsync(new { sessionId = "ops", type = "group", members = new[] { "ann", "bob", "cy" } });
        Task<JsonElement> Send(string from, string id, string[]? mentions) =>
            tenant.App.PostAsJsonAsync("/v1/sessions/ops/messages",
                new { from, clientMsgId = id, type = "text", body = new { text = id }, mentions }).ExpectAsync(HttpStatusCode.Created);
        var early = await Send("bob", "early", ["ann"]);
        await Send("bob", "all", ["@all"]);
        await Send("cy", "cy-only", ["cy"]);
        await Send("cy", "plain", null);
        // Her own message mentioning everyone is not unread for her.
        await Send("ann", "mine", ["@all"]);
        await platform.Host.ProjectionsCaughtUpAsync();

        async Task<JsonElement> Ops(string user) =>
            Assert.Single(await ListAsync(tenant.App, user), c => c.GetProperty("sessionId").GetString() == "ops");
        Assert.Equal(2, (await Ops("ann")).GetProperty("unreadMentions").GetInt64());
        Assert.Equal(4, (await Ops("ann")).GetProperty("unread").GetInt64());
        Assert.Equal(2, (await Ops("cy")).GetProperty("unreadMentions").GetInt64());
        Assert.Equal(1, (await Ops("bob")).GetProperty("unreadMentions").GetInt64());

        await MarkAsync(tenant.App, "ann", "ops", early.GetProperty("seq").GetInt64());
        Assert.Equal(1, (await Ops("ann")).GetProperty("unreadMentions").GetInt64());
    }

    [Fact]
    public async Task marking_read_tells_the_other_member_by_a_read_frame_and_a_read_sync_item()
    {
        var tenant = await platform.NewTenantAsync();
        await tenant.App.OpenAsync(new { type = "c2c", members = new[] { "ann", "bob" } });
        var sent = await tenant.App.SendAsync("c2c:ann:bob", "bob", "hi").ExpectAsync(HttpStatusCode.Created);
        await using var bob = await SocketClient.ConnectAsync(platform.Host, await tenant.App.TokenAsync("bob"));
        var seq = sent.GetProperty("seq").GetInt64();
        await MarkAsync(tenant.App, "ann", "c2c:ann:bob", seq);

        var (read, _) = await bob.ReceiveUntilAsync("read", TimeSpan.FromSeconds(20));
        Assert.Equal(("c2c:ann:bob", "ann", seq),
            (read.GetProperty("sessionId").GetString(), read.GetProperty("userId").GetString(), read.GetProperty("seq").GetInt64()));
        await platform.Host.ProjectionsCaughtUpAsync();
        var (items, _) = await tenant.App.SyncAllAsync("bob");
        var item = Assert.Single(items, i => i.GetProperty("kind").GetString() == "read");
        Assert.Equal(("ann", seq), (item.GetProperty("userId").GetString(), item.GetProperty("seq").GetInt64()));
    }
}
