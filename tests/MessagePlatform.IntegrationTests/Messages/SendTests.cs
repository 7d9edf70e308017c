using System.Net;
using System.Net.Http.Json;
using System.Text;
using MessagePlatform.IntegrationTests.Infrastructure;

namespace MessagePlatform.IntegrationTests.Messages;

[Collection(PlatformCollection.Name)]
public sealed class SendTests(PlatformFixture platform)
{
    [Fact]
    public async Task a_send_answers_201_with_a_time_ordered_msg_id_and_its_stream_position()
    {
        var tenant = await platform.NewTenantAsync();
        await tenant.App.OpenAsync(new { sessionId = "chat", type = "group", members = new[] { "a", "b" } });
        var first = await tenant.App.SendAsync("chat", "a", "c1").ExpectAsync(HttpStatusCode.Created);
        var second = await tenant.App.SendAsync("chat", "b", "c1").ExpectAsync(HttpStatusCode.Created);

        Assert.Equal(2, first.GetProperty("seq").GetInt64());
        Assert.Equal(3, second.GetProperty("seq").GetInt64());
        Assert.Equal("chat", first.GetProperty("sessionId").GetString());
        Assert.True(long.Parse(second.GetProperty("msgId").GetString()!) > long.Parse(first.GetProperty("msgId").GetString()!));
        Assert.True(first.GetProperty("sentAt").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddMinutes(-1));
    }

    [Fact]
    public async Task the_same_client_msg_id_from_the_same_sender_answers_200_with_the_first_answer_and_stores_nothing()
    {
        var tenant = await platform.NewTenantAsync();
        await tenant.App.OpenAsync(new { sessionId = "dup", type = "group", members = new[] { "a", "b" } });
        var first = await tenant.App.SendAsync("dup", "a", "same").ExpectAsync(HttpStatusCode.Created);
        var again = await tenant.App.SendAsync("dup", "a", "same", new { text = "a different body" }).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(first.ToString(), again.ToString());

        var history = await tenant.App.HistoryAsync("dup");
        Assert.Single(history.GetProperty("messages").EnumerateArray());
    }

    [Fact]
    public async Task senders_must_be_members_of_c2c_and_groups_but_rooms_take_anyone()
    {
        var tenant = await platform.NewTenantAsync();
        await tenant.App.OpenAsync(new { type = "c2c", members = new[] { "a", "b" } });
        Calls.AssertProblem(await tenant.App.SendAsync("c2c:a:b", "mallory", "x").ExpectAsync(HttpStatusCode.Forbidden), 403);
        await tenant.App.OpenAsync(new { sessionId = "stage", type = "room", members = Array.Empty<string>() });
        await tenant.App.SendAsync("stage", "anyone", "x").ExpectAsync(HttpStatusCode.Created);
        Calls.AssertProblem(await tenant.App.SendAsync("nowhere", "a", "x").ExpectAsync(HttpStatusCode.NotFound), 404);
    }

    [Fact]
    public async Task a_body_over_64_kib_is_413_and_one_at_the_limit_is_stored()
    {
        var tenant = await platform.NewTenantAsync();
        await tenant.App.OpenAsync(new { sessionId = "big", type = "room", members = Array.Empty<string>() });
        // A JSON string body: two quotes plus the characters.
        Calls.AssertProblem(await tenant.App.SendAsync("big", "a", "too-big", new string('x', 64 * 1024 - 1))
            .ExpectAsync(HttpStatusCode.RequestEntityTooLarge), 413);
        await tenant.App.SendAsync("big", "a", "fits", new string('x', 64 * 1024 - 2)).ExpectAsync(HttpStatusCode.Created);
        var session = await tenant.App.GetAsync("/v1/sessions/big").ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(2, session.GetProperty("lastSeq").GetInt64());
    }

    [Theory]
    [InlineData("""{"clientMsgId":"c","type":"text","body":"x"}""", "from")]
    [InlineData("""{"from":"a","type":"text","body":"x"}""", "clientMsgId")]
    [InlineData("""{"from":"a","clientMsgId":"c","type":"video","body":"x"}""", "type")]
    [InlineData("""{"from":"a","clientMsgId":"c","type":"text"}""", "body")]
    [InlineData("""{"from":"a","clientMsgId":"c","type":"text","body":"x","priority":"urgent"}""", "priority")]
    public async Task an_invalid_send_is_a_validation_problem_and_changes_nothing(string json, string field)
    {
        var tenant = await platform.NewTenantAsync();
        await tenant.App.OpenAsync(new { sessionId = "v", type = "group", members = new[] { "a" } });
        var problem = await tenant.App.PostAsync("/v1/sessions/v/messages", new StringContent(json, Encoding.UTF8, "application/json"))
            .ExpectAsync(HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
        var session = await tenant.App.GetAsync("/v1/sessions/v").ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(1, session.GetProperty("lastSeq").GetInt64());
    }

    [Fact]
    public async Task malformed_json_is_a_400_problem()
    {
        var tenant = await platform.NewTenantAsync();
        var response = await tenant.App.PostAsync("/v1/sessions/v/messages",
            new StringContent("""{"from": "a", """, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("JSON", (await response.Json()).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task priority_defaults_to_normal_and_the_body_comes_back_as_sent()
    {
        var tenant = await platform.NewTenantAsync();
        await tenant.App.OpenAsync(new { sessionId = "p", type = "group", members = new[] { "a" } });
        await tenant.App.PostAsJsonAsync("/v1/sessions/p/messages",
            new { from = "a", clientMsgId = "1", type = "custom", body = new { kind = "gift", count = 3, tags = new[] { "x" } }, priority = "high" })
            .ExpectAsync(HttpStatusCode.Created);
        await tenant.App.SendAsync("p", "a", "2").ExpectAsync(HttpStatusCode.Created);
        var messages = (await tenant.App.HistoryAsync("p")).GetProperty("messages").EnumerateArray().ToList();
        Assert.Equal("high", messages[0].GetProperty("priority").GetString());
        Assert.Equal(3, messages[0].GetProperty("body").GetProperty("count").GetInt32());
        Assert.Equal("custom", messages[0].GetProperty("type").GetString());
        Assert.Equal("normal", messages[1].GetProperty("priority").GetString());
        Assert.False(messages[1].GetProperty("retracted").GetBoolean());
    }
}
