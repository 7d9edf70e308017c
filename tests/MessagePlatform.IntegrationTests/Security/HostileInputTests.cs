using System.Net;
using System.Net.Http.Json;
using System.Text;
using MessagePlatform.IntegrationTests.Infrastructure;

namespace MessagePlatform.IntegrationTests.Security;

/// <summary>Values JSON allows and PostgreSQL refuses, and ids that only look valid: each is the sender's own 400.</summary>
[Collection(PlatformCollection.Name)]
public sealed class HostileInputTests(PlatformFixture platform)
{
    private static StringContent Json(string raw) => new(raw, Encoding.UTF8, "application/json");

    private static Task<HttpResponseMessage> SendRawAsync(HttpClient app, string sessionId, string raw) =>
        app.PostAsync($"/v1/sessions/{sessionId}/messages", Json(raw));

    [Fact]
    public async Task one_nul_body_fails_only_its_own_send()
    {
        var tenant = await platform.NewTenantAsync();
        var rooms = Enumerable.Range(0, 40).Select(i => $"nul-room-{i}").ToArray();
        foreach (var room in rooms) await tenant.App.OpenAsync(new { sessionId = room, type = "room", members = Array.Empty<string>() });

        for (var round = 0; round < 20; round++)
        {
            var r = round;
            var valid = rooms.Select((room, i) => tenant.App.SendAsync(room, $"u{r}-{i}", $"ok-{r}-{i}")).ToList();
            var poison = SendRawAsync(tenant.App, rooms[round % rooms.Length],
                $$$"""{"from":"mallory","clientMsgId":"bad-{{{round}}}","type":"text","body":{"text":"a\u0000b"}}""");
            var answers = await Task.WhenAll(valid);
            Assert.All(answers, a => Assert.Equal(HttpStatusCode.Created, a.StatusCode));
            var refused = await poison.ExpectAsync(HttpStatusCode.BadRequest);
            Assert.True(refused.GetProperty("errors").TryGetProperty("body", out _));
        }
        var history = await tenant.App.HistoryAsync(rooms[0]);
        Assert.Equal(20, history.GetProperty("messages").GetArrayLength());
    }

    [Theory]
    [InlineData("""{"from":"a","clientMsgId":"c1","type":"text","body":{"text":"\ud800"}}""", "body")]
    [InlineData("""{"from":"a","clientMsgId":"c2","type":"text","body":{"\udc00":"x"}}""", "body")]
    [InlineData("""{"from":"a","clientMsgId":"c3","type":"text","body":{"n":1e200000}}""", "body")]
    [InlineData("""{"from":"a","clientMsgId":"c4","type":"text","body":[-1e400]}""", "body")]
    [InlineData("""{"from":"a","clientMsgId":"c\u0000","type":"text","body":"x"}""", "clientMsgId")]
    [InlineData("""{"from":"a\n","clientMsgId":"c5","type":"text","body":"x"}""", "from")]
    public async Task a_value_postgres_cannot_store_is_a_400_that_stores_nothing(string raw, string field)
    {
        var tenant = await platform.NewTenantAsync();
        await tenant.App.OpenAsync(new { sessionId = "g", type = "group", members = new[] { "a" } });
        var problem = await SendRawAsync(tenant.App, "g", raw).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
        Assert.Equal(0, (await tenant.App.HistoryAsync("g")).GetProperty("messages").GetArrayLength());
        // The session still takes a good send.
        await tenant.App.SendAsync("g", "a", "fine").ExpectAsync(HttpStatusCode.Created);
    }

    [Fact]
    public async Task a_nul_in_a_retract_reason_a_broadcast_or_a_hold_reason_is_a_400()
    {
        var tenant = await platform.NewTenantAsync();
        await tenant.App.OpenAsync(new { sessionId = "g", type = "group", members = new[] { "a" } });
        var sent = await tenant.App.SendAsync("g", "a", "m1").ExpectAsync(HttpStatusCode.Created);
        var msgId = sent.GetProperty("msgId").GetString();

        await tenant.App.PostAsync($"/v1/sessions/g/messages/{msgId}/retract", Json("""{"by":"a","reason":"x\u0000"}"""))
            .ExpectAsync(HttpStatusCode.BadRequest);
        await tenant.App.PostAsync("/v1/broadcasts", Json("""{"clientMsgId":"b1","type":"system","body":{"t":"\u0000"}}"""))
            .ExpectAsync(HttpStatusCode.BadRequest);
        await tenant.App.PostAsync("/v1/broadcasts", Json("""{"clientMsgId":"b\u0000","type":"system","body":{"t":"x"}}"""))
            .ExpectAsync(HttpStatusCode.BadRequest);
        var auditor = platform.Host.ClientWith(tenant.AuditorKey);
        await auditor.PostAsync("/v1/audit/sessions/g/legal-hold", Json("""{"reason":"case \u0000"}"""))
            .ExpectAsync(HttpStatusCode.BadRequest);

        var history = await tenant.App.HistoryAsync("g");
        Assert.False(history.GetProperty("messages")[0].GetProperty("retracted").GetBoolean());
        var session = await tenant.App.GetAsync("/v1/sessions/g").ExpectAsync(HttpStatusCode.OK);
        Assert.False(session.GetProperty("legalHold").GetBoolean());
    }

    [Theory]
    // A NUL never gets this far: ASP.NET Core refuses a path holding one before routing.
    [InlineData("/v1/sessions/g%01/messages")]
    [InlineData("/v1/sessions/g%0A/messages")]
    [InlineData("/v1/users/bob%0A/sync")]
    [InlineData("/v1/users/bob%7F/conversations")]
    [InlineData("/v1/sessions/g/messages/not-a-number/retract")]
    public async Task a_malformed_id_in_the_path_is_a_400(string path)
    {
        var tenant = await platform.NewTenantAsync();
        await tenant.App.OpenAsync(new { sessionId = "g", type = "group", members = new[] { "a" } });
        var call = path.EndsWith("/retract") ? tenant.App.PostAsJsonAsync(path, new { by = "a" }) : tenant.App.GetAsync(path);
        Calls.AssertProblem(await call.ExpectAsync(HttpStatusCode.BadRequest), 400);
    }

    [Fact]
    public async Task an_id_or_retention_with_a_trailing_newline_is_refused()
    {
        var tenant = await platform.NewTenantAsync();
        var policy = await tenant.App.PostAsJsonAsync("/v1/sessions",
            new { type = "group", members = new[] { "a" }, policy = new { retention = "days:7\n" } }).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.True(policy.GetProperty("errors").TryGetProperty("policy.retention", out _));
        await tenant.App.PostAsJsonAsync("/v1/sessions", new { sessionId = "g\n", type = "group", members = new[] { "a" } })
            .ExpectAsync(HttpStatusCode.BadRequest);
        await tenant.App.PostAsJsonAsync("/v1/sessions", new { type = "group", members = new[] { "a\n" } })
            .ExpectAsync(HttpStatusCode.BadRequest);
        await tenant.App.PutAsJsonAsync("/v1/users/a/tags", new { tags = new[] { "vip\n" } }).ExpectAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task a_user_token_may_not_send_a_system_message()
    {
        var tenant = await platform.NewTenantAsync();
        await tenant.App.OpenAsync(new { sessionId = "g", type = "group", members = new[] { "alice" } });
        var alice = platform.Host.ClientWith(await tenant.App.TokenAsync("alice"));
        var problem = await alice.PostAsJsonAsync("/v1/sessions/g/messages",
            new { clientMsgId = "s1", type = "system", body = new { text = "you won" } }).ExpectAsync(HttpStatusCode.Forbidden);
        Calls.AssertProblem(problem, 403);
        // The app may.
        await tenant.App.SendAsync("g", "alice", "s2", type: "system").ExpectAsync(HttpStatusCode.Created);
    }
}
