using System.Net;
using System.Net.Http.Json;
using MessagePlatform.IntegrationTests.Infrastructure;
using Npgsql;

namespace MessagePlatform.IntegrationTests.Sessions;

[Collection(PlatformCollection.Name)]
public sealed class SessionsTests(PlatformFixture platform)
{
    [Fact]
    public async Task a_c2c_session_has_a_deterministic_id_and_opening_it_again_answers_200_with_it()
    {
        var tenant = await platform.NewTenantAsync("social");
        var first = await tenant.App.OpenAsync(new { type = "c2c", members = new[] { "zoe", "adam" } });
        Assert.Equal("c2c:adam:zoe", first.GetProperty("sessionId").GetString());
        Assert.Equal("write", first.GetProperty("diffusion").GetString());
        Assert.Equal("days:7", first.GetProperty("policy").GetProperty("retention").GetString());
        Assert.Equal(120, first.GetProperty("policy").GetProperty("recallWindowSeconds").GetInt32());

        var again = await tenant.App.OpenAsync(new { type = "c2c", members = new[] { "adam", "zoe" } }, HttpStatusCode.OK);
        Assert.Equal("c2c:adam:zoe", again.GetProperty("sessionId").GetString());
        Assert.Single(await StreamEventTypes(tenant.TenantId, "c2c:adam:zoe"));
    }

    [Fact]
    public async Task concurrent_opens_of_one_c2c_pair_create_it_once()
    {
        var tenant = await platform.NewTenantAsync();
        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ =>
            tenant.App.PostAsJsonAsync("/v1/sessions", new { type = "c2c", members = new[] { "p", "q" } })));
        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.Created);
        Assert.All(responses, r => Assert.Contains(r.StatusCode, new[] { HttpStatusCode.Created, HttpStatusCode.OK }));
        Assert.Equal(["session_opened"], await StreamEventTypes(tenant.TenantId, "c2c:p:q"));
    }

    [Fact]
    public async Task groups_and_rooms_get_generated_ids_and_their_diffusion()
    {
        var tenant = await platform.NewTenantAsync();
        var group = await tenant.App.OpenAsync(new { type = "group", members = new[] { "a", "b", "c" } });
        Assert.Equal("write", group.GetProperty("diffusion").GetString());
        Assert.NotEqual(group.GetProperty("sessionId").GetString(),
            (await tenant.App.OpenAsync(new { type = "group", members = new[] { "a" } })).GetProperty("sessionId").GetString());

        var room = await tenant.App.OpenAsync(new { type = "room", members = Array.Empty<string>() });
        Assert.Equal("read", room.GetProperty("diffusion").GetString());

        var big = await tenant.App.OpenAsync(new { type = "group", members = Enumerable.Range(0, 501).Select(i => $"u{i}") });
        Assert.Equal("read", big.GetProperty("diffusion").GetString());
    }

    [Fact]
    public async Task a_group_that_grows_past_the_threshold_switches_to_read_diffusion()
    {
        var tenant = await platform.NewTenantAsync();
        var id = (await tenant.App.OpenAsync(new { type = "group", members = Enumerable.Range(0, 500).Select(i => $"u{i}") }))
            .GetProperty("sessionId").GetString();
        Assert.Equal("write", (await tenant.App.GetAsync($"/v1/sessions/{id}").ExpectAsync(HttpStatusCode.OK)).GetProperty("diffusion").GetString());
        var grown = await tenant.App.PostAsJsonAsync($"/v1/sessions/{id}/members", new { userIds = new[] { "u500" } })
            .ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("read", grown.GetProperty("diffusion").GetString());
        Assert.Equal(["session_opened", "members_joined", "diffusion_switched"], await StreamEventTypes(tenant.TenantId, id!));
    }

    [Fact]
    public async Task members_join_and_leave_as_events_of_the_session_stream()
    {
        var tenant = await platform.NewTenantAsync();
        await tenant.App.OpenAsync(new { sessionId = "team", type = "group", members = new[] { "ann", "ben" } });
        var joined = await tenant.App.PostAsJsonAsync("/v1/sessions/team/members", new { userIds = new[] { "cat", "ann" } })
            .ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(["ann", "ben", "cat"], joined.GetProperty("members").EnumerateArray().Select(m => m.GetString()));

        await tenant.App.DeleteAsync("/v1/sessions/team/members/ben").ExpectAsync(HttpStatusCode.NoContent);
        var session = await tenant.App.GetAsync("/v1/sessions/team").ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(["ann", "cat"], session.GetProperty("members").EnumerateArray().Select(m => m.GetString()));
        Assert.Equal(3, session.GetProperty("lastSeq").GetInt64());
        Assert.False(session.GetProperty("closed").GetBoolean());
        Assert.False(session.GetProperty("legalHold").GetBoolean());
        Assert.Equal(["session_opened", "members_joined", "member_left"], await StreamEventTypes(tenant.TenantId, "team"));

        await tenant.App.DeleteAsync("/v1/sessions/team/members/ben").ExpectAsync(HttpStatusCode.NotFound);
        await tenant.App.SendAsync("team", "ben", "after-leaving").ExpectAsync(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task a_closed_session_refuses_sends_with_409_and_closing_again_is_fine()
    {
        var tenant = await platform.NewTenantAsync();
        await tenant.App.OpenAsync(new { sessionId = "ending", type = "group", members = new[] { "a", "b" } });
        var closed = await tenant.App.PostAsync("/v1/sessions/ending/close", null).ExpectAsync(HttpStatusCode.OK);
        Assert.True(closed.GetProperty("closed").GetBoolean());
        await tenant.App.PostAsync("/v1/sessions/ending/close", null).ExpectAsync(HttpStatusCode.OK);
        Calls.AssertProblem(await tenant.App.SendAsync("ending", "a", "late").ExpectAsync(HttpStatusCode.Conflict), 409);
        await tenant.App.PostAsJsonAsync("/v1/sessions/ending/members", new { userIds = new[] { "c" } }).ExpectAsync(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task a_policy_given_at_creation_overrides_the_scenario_default()
    {
        var tenant = await platform.NewTenantAsync("live");
        var room = await tenant.App.OpenAsync(new { type = "room", members = Array.Empty<string>(), policy = new { retention = "last:50" } });
        var policy = room.GetProperty("policy");
        Assert.Equal("last:50", policy.GetProperty("retention").GetString());
        Assert.Equal("delete", policy.GetProperty("onClose").GetString());

        var bad = await tenant.App.PostAsJsonAsync("/v1/sessions",
            new { sessionId = "bad-policy", type = "room", members = Array.Empty<string>(), policy = new { retention = "weeks:2", onClose = "burn" } })
            .ExpectAsync(HttpStatusCode.BadRequest);
        Assert.True(bad.GetProperty("errors").TryGetProperty("policy.retention", out _));
        Assert.True(bad.GetProperty("errors").TryGetProperty("policy.onClose", out _));
        await tenant.App.GetAsync("/v1/sessions/bad-policy").ExpectAsync(HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("""{"type":"c2c","members":["only-one"]}""", "members")]
    [InlineData("""{"type":"c2c","members":["a","a"]}""", "members")]
    [InlineData("""{"members":["a","b"]}""", "type")]
    [InlineData("""{"sessionId":"has space","type":"group","members":["a"]}""", "sessionId")]
    [InlineData("""{"type":"group","members":["bad:id"]}""", "members")]
    public async Task invalid_sessions_are_validation_problems(string json, string field)
    {
        var tenant = await platform.NewTenantAsync();
        var response = await tenant.App.PostAsync("/v1/sessions", new StringContent(json, System.Text.Encoding.UTF8, "application/json"));
        var problem = await Task.FromResult(response).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
    }

    [Fact]
    public async Task the_same_session_id_in_two_tenants_is_two_sessions_and_neither_sees_the_other()
    {
        var red = await platform.NewTenantAsync();
        var blue = await platform.NewTenantAsync();
        await red.App.OpenAsync(new { sessionId = "shared-name", type = "group", members = new[] { "r1", "r2" } });
        await blue.App.GetAsync("/v1/sessions/shared-name").ExpectAsync(HttpStatusCode.NotFound);
        await blue.App.SendAsync("shared-name", "r1", "sneak").ExpectAsync(HttpStatusCode.NotFound);
        await blue.App.GetAsync("/v1/sessions/shared-name/messages").ExpectAsync(HttpStatusCode.NotFound);

        await blue.App.OpenAsync(new { sessionId = "shared-name", type = "group", members = new[] { "b1" } });
        await red.App.SendAsync("shared-name", "r1", "m").ExpectAsync(HttpStatusCode.Created);
        await blue.App.SendAsync("shared-name", "b1", "m").ExpectAsync(HttpStatusCode.Created);

        var redSession = await red.App.GetAsync("/v1/sessions/shared-name").ExpectAsync(HttpStatusCode.OK);
        var blueSession = await blue.App.GetAsync("/v1/sessions/shared-name").ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(["r1", "r2"], redSession.GetProperty("members").EnumerateArray().Select(m => m.GetString()));
        Assert.Equal(["b1"], blueSession.GetProperty("members").EnumerateArray().Select(m => m.GetString()));
        var redHistory = await red.App.HistoryAsync("shared-name");
        Assert.Equal("r1", Assert.Single(redHistory.GetProperty("messages").EnumerateArray()).GetProperty("from").GetString());
    }

    private async Task<List<string>> StreamEventTypes(string tenantId, string sessionId)
    {
        await using var db = new NpgsqlConnection(platform.Postgres);
        await db.OpenAsync();
        await using var cmd = new NpgsqlCommand(
            "select type from mp.mt_events where tenant_id = @t and stream_id = @s order by version", db);
        cmd.Parameters.AddWithValue("t", tenantId);
        cmd.Parameters.AddWithValue("s", sessionId);
        var types = new List<string>();
        await using var reader = await cmd.ExecuteReaderAsync();
        while (await reader.ReadAsync()) types.Add(reader.GetString(0));
        return types;
    }
}
