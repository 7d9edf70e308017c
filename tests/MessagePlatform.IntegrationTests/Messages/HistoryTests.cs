using System.Net;
using MessagePlatform.IntegrationTests.Infrastructure;

namespace MessagePlatform.IntegrationTests.Messages;

[Collection(PlatformCollection.Name)]
public sealed class HistoryTests(PlatformFixture platform)
{
    private static long[] Seqs(System.Text.Json.JsonElement page) =>
        [.. page.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("seq").GetInt64())];

    [Fact]
    public async Task history_pages_forward_after_a_seq_and_backward_before_one_always_ascending()
    {
        var tenant = await platform.NewTenantAsync();
        await tenant.App.OpenAsync(new { sessionId = "h", type = "group", members = new[] { "a", "b" } });
        for (var i = 0; i < 5; i++) await tenant.App.SendAsync("h", "a", $"m{i}").ExpectAsync(HttpStatusCode.Created);
        await tenant.App.PostAsync("/v1/sessions/h/members", System.Net.Http.Json.JsonContent.Create(new { userIds = new[] { "c" } }))
            .ExpectAsync(HttpStatusCode.OK);
        for (var i = 5; i < 8; i++) await tenant.App.SendAsync("h", "c", $"m{i}").ExpectAsync(HttpStatusCode.Created);

        var all = await tenant.App.HistoryAsync("h");
        Assert.Equal(new long[] { 2, 3, 4, 5, 6, 8, 9, 10 }, Seqs(all));
        Assert.False(all.GetProperty("hasMore").GetBoolean());

        var first = await tenant.App.HistoryAsync("h", "?limit=3");
        Assert.Equal(new long[] { 2, 3, 4 }, Seqs(first));
        Assert.True(first.GetProperty("hasMore").GetBoolean());
        var next = await tenant.App.HistoryAsync("h", "?afterSeq=4&limit=3");
        Assert.Equal(new long[] { 5, 6, 8 }, Seqs(next));
        var last = await tenant.App.HistoryAsync("h", "?afterSeq=8&limit=3");
        Assert.Equal(new long[] { 9, 10 }, Seqs(last));
        Assert.False(last.GetProperty("hasMore").GetBoolean());

        var latest = await tenant.App.HistoryAsync("h", "?beforeSeq=11&limit=3");
        Assert.Equal(new long[] { 8, 9, 10 }, Seqs(latest));
        Assert.True(latest.GetProperty("hasMore").GetBoolean());
        Assert.Equal(new long[] { 4, 5 }, Seqs(await tenant.App.HistoryAsync("h", "?afterSeq=3&beforeSeq=6")));
    }

    [Theory]
    [InlineData("?limit=0")]
    [InlineData("?limit=501")]
    [InlineData("?afterSeq=-1")]
    [InlineData("?limit=lots")]
    public async Task bad_paging_is_a_400_problem(string query)
    {
        var tenant = await platform.NewTenantAsync();
        await tenant.App.OpenAsync(new { sessionId = "q", type = "room", members = Array.Empty<string>() });
        Calls.AssertProblem(await tenant.App.GetAsync($"/v1/sessions/q/messages{query}").ExpectAsync(HttpStatusCode.BadRequest), 400);
    }

    [Fact]
    public async Task history_of_an_unknown_session_is_404()
    {
        var tenant = await platform.NewTenantAsync();
        await tenant.App.GetAsync("/v1/sessions/none/messages").ExpectAsync(HttpStatusCode.NotFound);
    }
}
