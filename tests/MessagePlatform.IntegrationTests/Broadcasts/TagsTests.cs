using System.Net;
using System.Net.Http.Json;
using MessagePlatform.IntegrationTests.Infrastructure;

namespace MessagePlatform.IntegrationTests.Broadcasts;

[Collection(PlatformCollection.Name)]
public sealed class TagsTests(PlatformFixture platform)
{
    [Fact]
    public async Task tags_are_set_read_and_each_change_is_an_event()
    {
        var tenant = await platform.NewTenantAsync();
        var set = await tenant.App.PutAsJsonAsync("/v1/users/zoe/tags", new { tags = new[] { "vip", "female" } }).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(["female", "vip"], set.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        await tenant.App.PutAsJsonAsync("/v1/users/zoe/tags", new { tags = new[] { "vip" } }).ExpectAsync(HttpStatusCode.OK);
        await tenant.App.PutAsJsonAsync("/v1/users/zoe/tags", new { tags = new[] { "vip" } }).ExpectAsync(HttpStatusCode.OK);
        var read = await tenant.App.GetAsync("/v1/users/zoe/tags").ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(["vip"], read.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));

        // Two changes, not three: setting the same tags again stores nothing.
        Assert.Equal(2, await TestDatabase.CountAsync(platform.Postgres,
            "select count(*) from mp.mt_events where tenant_id = $1 and stream_id = '$tags:zoe' and headers ->> 'causedBy' = 'app'", tenant.TenantId));
        var other = await platform.NewTenantAsync();
        Assert.Empty((await other.App.GetAsync("/v1/users/zoe/tags").ExpectAsync(HttpStatusCode.OK)).GetProperty("tags").EnumerateArray());
    }

    [Fact]
    public async Task bad_tags_are_refused_and_change_nothing()
    {
        var tenant = await platform.NewTenantAsync();
        Calls.AssertProblem(await tenant.App.PutAsJsonAsync("/v1/users/yan/tags", new { tags = new[] { "a/b" } })
            .ExpectAsync(HttpStatusCode.BadRequest), 400);
        await tenant.App.PutAsJsonAsync("/v1/users/yan/tags", new { }).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.Empty((await tenant.App.GetAsync("/v1/users/yan/tags").ExpectAsync(HttpStatusCode.OK)).GetProperty("tags").EnumerateArray());
        using var auditor = platform.Host.ClientWith(tenant.AuditorKey);
        await auditor.PutAsJsonAsync("/v1/users/yan/tags", new { tags = new[] { "vip" } }).ExpectAsync(HttpStatusCode.Forbidden);
    }
}
