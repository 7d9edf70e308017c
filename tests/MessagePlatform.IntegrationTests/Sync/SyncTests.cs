using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MessagePlatform.IntegrationTests.Infrastructure;

namespace MessagePlatform.IntegrationTests.Sync;

[Collection(PlatformCollection.Name)]
public sealed class SyncTests(PlatformFixture platform)
{
    private static IEnumerable<(string Session, long Seq)> Keys(IEnumerable<JsonElement> items) =>
        items.Select(i => (i.GetProperty("sessionId").GetString()!, i.GetProperty("seq").GetInt64()));

    [Fact]
    public async Task sync_returns_every_message_of_c2c_and_groups_once_in_order_across_pages_and_leaves_rooms_out()
    {
        var tenant = await platform.NewTenantAsync();
        await tenant.App.OpenAsync(new { type = "c2c", members = new[] { "ann", "bob" } });
        await tenant.App.OpenAsync(new { sessionId = "team", type = "group", members = new[] { "ann", "bob", "cy" } });
        await tenant.App.OpenAsync(new { sessionId = "stage", type = "room", members = new[] { "ann" } });
        for (var i = 0; i < 5; i++)
        {
            await tenant.App.SendAsync("c2c:ann:bob", i % 2 == 0 ? "ann" : "bob", $"c{i}").ExpectAsync(HttpStatusCode.Created);
            await tenant.App.SendAsync("team", "cy", $"t{i}").ExpectAsync(HttpStatusCode.Created);
            await tenant.App.SendAsync("stage", "ann", $"r{i}").ExpectAsync(HttpStatusCode.Created);
        }
        await platform.Host.ProjectionsCaughtUpAsync();

        var (items, cursor) = await tenant.App.SyncAllAsync("ann", limit: 2);
        var keys = Keys(items).ToList();
        Assert.Equal(10, keys.Count);
        Assert.Equal(keys.Count, keys.Distinct().Count());
        Assert.DoesNotContain(keys, k => k.Session == "stage");
        foreach (var session in keys.GroupBy(k => k.Session))
            Assert.Equal(session.Select(k => k.Seq).Order(), session.Select(k => k.Seq));
        Assert.All(items, i => Assert.Equal("message", i.GetProperty("kind").GetString()));
        Assert.Equal("hello from cy", items.First(i => i.GetProperty("sessionId").GetString() == "team")
            .GetProperty("body").GetProperty("text").GetString());

        // Nothing new: the cursor holds; something new: only that.
        Assert.Empty((await tenant.App.SyncAllAsync("ann", cursor)).Items);
        await tenant.App.SendAsync("team", "bob", "later").ExpectAsync(HttpStatusCode.Created);
        await platform.Host.ProjectionsCaughtUpAsync();
        var (more, _) = await tenant.App.SyncAllAsync("ann", cursor);
        Assert.Equal("bob", Assert.Single(more).GetProperty("from").GetString());
    }

    [Fact]
    public async Task a_removed_member_gets_nothing_sent_after_removal_and_a_new_one_only_what_follows_its_joining()
    {
        var tenant = await platform.NewTenantAsync();
        await tenant.App.OpenAsync(new { sessionId = "g", type = "group", members = new[] { "a", "b" } });
        await tenant.App.SendAsync("g", "a", "before").ExpectAsync(HttpStatusCode.Created);
        await tenant.App.DeleteAsync("/v1/sessions/g/members/b").ExpectAsync(HttpStatusCode.NoContent);
        await tenant.App.PostAsJsonAsync("/v1/sessions/g/members", new { userIds = new[] { "c" } }).ExpectAsync(HttpStatusCode.OK);
        await tenant.App.SendAsync("g", "a", "after").ExpectAsync(HttpStatusCode.Created);
        await platform.Host.ProjectionsCaughtUpAsync();

        // seq 2 "before", 3 b left, 4 c joined, 5 "after"
        Assert.Equal([2L], (await tenant.App.SyncAllAsync("b")).Items.Select(i => i.GetProperty("seq").GetInt64()));
        Assert.Equal([5L], (await tenant.App.SyncAllAsync("c")).Items.Select(i => i.GetProperty("seq").GetInt64()));
        Assert.Equal([2L, 5L], (await tenant.App.SyncAllAsync("a")).Items.Select(i => i.GetProperty("seq").GetInt64()));
    }

    [Fact]
    public async Task with_history_on_join_all_a_new_member_syncs_what_came_before_it()
    {
        var tenant = await platform.NewTenantAsync();
        await tenant.App.OpenAsync(new { sessionId = "club", type = "group", members = new[] { "a" }, policy = new { historyOnJoin = "all" } });
        await tenant.App.SendAsync("club", "a", "one").ExpectAsync(HttpStatusCode.Created);
        await tenant.App.SendAsync("club", "a", "two").ExpectAsync(HttpStatusCode.Created);
        await tenant.App.PostAsJsonAsync("/v1/sessions/club/members", new { userIds = new[] { "late" } }).ExpectAsync(HttpStatusCode.OK);
        await tenant.App.SendAsync("club", "late", "three").ExpectAsync(HttpStatusCode.Created);
        await platform.Host.ProjectionsCaughtUpAsync();
        Assert.Equal([2L, 3L, 5L], (await tenant.App.SyncAllAsync("late")).Items.Select(i => i.GetProperty("seq").GetInt64()));
    }

    [Fact]
    public async Task a_read_diffusion_group_is_merged_into_sync_without_fan_out()
    {
        var tenant = await platform.NewTenantAsync();
        var big = Enumerable.Range(0, 501).Select(i => $"m{i}").ToArray();
        await tenant.App.OpenAsync(new { sessionId = "town", type = "group", members = big });
        await tenant.App.OpenAsync(new { sessionId = "other-town", type = "group", members = big[1..] });
        await tenant.App.OpenAsync(new { type = "c2c", members = new[] { "m0", "friend" } });
        for (var i = 0; i < 4; i++)
        {
            await tenant.App.SendAsync("town", "m1", $"t{i}").ExpectAsync(HttpStatusCode.Created);
            await tenant.App.SendAsync("other-town", "m1", $"o{i}").ExpectAsync(HttpStatusCode.Created);
            await tenant.App.SendAsync("c2c:friend:m0", "friend", $"f{i}").ExpectAsync(HttpStatusCode.Created);
        }
        await platform.Host.ProjectionsCaughtUpAsync();

        var keys = Keys((await tenant.App.SyncAllAsync("m0", limit: 3)).Items).ToList();
        Assert.Equal(8, keys.Count);
        Assert.Equal(4, keys.Count(k => k.Session == "town"));
        Assert.DoesNotContain(keys, k => k.Session == "other-town");
        Assert.Equal(8, keys.Distinct().Count());
        Assert.Equal(4, Keys((await tenant.App.SyncAllAsync("m500")).Items).Count(k => k.Session == "other-town"));
    }

    [Theory]
    [InlineData("?cursor=not-a-cursor")]
    [InlineData("?cursor=djEuLTEuMA")]
    [InlineData("?limit=0")]
    [InlineData("?limit=501")]
    public async Task a_bad_cursor_or_limit_is_a_400_problem(string query)
    {
        var tenant = await platform.NewTenantAsync();
        Calls.AssertProblem(await tenant.App.GetAsync($"/v1/users/ann/sync{query}").ExpectAsync(HttpStatusCode.BadRequest), 400);
    }
}
