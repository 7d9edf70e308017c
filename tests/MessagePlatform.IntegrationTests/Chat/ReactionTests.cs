using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MessagePlatform.IntegrationTests.Infrastructure;

namespace MessagePlatform.IntegrationTests.Chat;

[Collection(PlatformCollection.Name)]
public sealed class ReactionTests(PlatformFixture platform)
{
    private static string Path(string session, string msgId, string reaction) =>
        $"/v1/sessions/{session}/messages/{msgId}/reactions/{Uri.EscapeDataString(reaction)}";

    internal static Task<HttpResponseMessage> ReactAsync(HttpClient client, string session, string msgId, string reaction, string? by = null) =>
        client.PutAsJsonAsync(Path(session, msgId, reaction), new { by });

    internal static Task<HttpResponseMessage> UnreactAsync(HttpClient client, string session, string msgId, string reaction, string? by = null) =>
        client.DeleteAsync(Path(session, msgId, reaction) + (by is null ? "" : $"?by={by}"));

    private static JsonElement Reactions(JsonElement history) =>
        Assert.Single(history.GetProperty("messages").EnumerateArray()).GetProperty("reactions");

    [Fact]
    public async Task reactions_are_counted_per_message_idempotently_and_a_user_token_sees_its_own()
    {
        var tenant = await platform.NewTenantAsync();
        await tenant.App.OpenAsync(new { sessionId = "fun", type = "group", members = new[] { "ann", "bob", "cy" } });
        var msgId = (await tenant.App.SendAsync("fun", "ann", "m").ExpectAsync(HttpStatusCode.Created)).GetProperty("msgId").GetString()!;

        var answer = await ReactAsync(tenant.App, "fun", msgId, "👍", "bob").ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("👍", answer.GetProperty("reaction").GetString());
        await ReactAsync(tenant.App, "fun", msgId, "👍", "bob").ExpectAsync(HttpStatusCode.OK);
        await ReactAsync(tenant.App, "fun", msgId, "👍", "cy").ExpectAsync(HttpStatusCode.OK);
        await ReactAsync(tenant.App, "fun", msgId, "👨‍👩‍👧", "cy").ExpectAsync(HttpStatusCode.OK);
        await UnreactAsync(tenant.App, "fun", msgId, "👨‍👩‍👧", "cy").ExpectAsync(HttpStatusCode.NoContent);
        await UnreactAsync(tenant.App, "fun", msgId, "👨‍👩‍👧", "cy").ExpectAsync(HttpStatusCode.NoContent);
        await UnreactAsync(tenant.App, "fun", msgId, "heart", "ann").ExpectAsync(HttpStatusCode.NoContent);

        var byApp = Reactions(await tenant.App.HistoryAsync("fun"));
        Assert.Equal(["👍"], byApp.EnumerateObject().Select(p => p.Name));
        Assert.Equal(2, byApp.GetProperty("👍").GetProperty("count").GetInt32());
        Assert.False(byApp.GetProperty("👍").TryGetProperty("me", out _));
        var bob = platform.Host.ClientWith(await tenant.App.TokenAsync("bob"));
        var ann = platform.Host.ClientWith(await tenant.App.TokenAsync("ann"));
        Assert.True(Reactions(await bob.HistoryAsync("fun")).GetProperty("👍").GetProperty("me").GetBoolean());
        Assert.False(Reactions(await ann.HistoryAsync("fun")).GetProperty("👍").GetProperty("me").GetBoolean());
        // Two events stored for bob's two puts? No: the second was a no-op.
        Assert.Equal(2, await TestDatabase.CountAsync(platform.Postgres,
            "select count(*) from mp.mt_events where tenant_id = $1 and stream_id = 'fun' and type = 'reaction_added' and data ->> 'Reaction' = '👍'", tenant.TenantId));
        Assert.Equal(2, await TestDatabase.CountAsync(platform.Postgres,
            "select count(*) from mp.mp_message_reactions where tenant_id = $1 and session_id = 'fun'", tenant.TenantId));
    }

    [Fact]
    public async Task bad_reactions_strangers_and_retracted_messages_are_refused()
    {
        var tenant = await platform.NewTenantAsync();
        await tenant.App.OpenAsync(new { sessionId = "g", type = "group", members = new[] { "ann", "bob" } });
        var msgId = (await tenant.App.SendAsync("g", "ann", "m").ExpectAsync(HttpStatusCode.Created)).GetProperty("msgId").GetString()!;

        Calls.AssertProblem(await ReactAsync(tenant.App, "g", msgId, "two words", "bob").ExpectAsync(HttpStatusCode.BadRequest), 400);
        Calls.AssertProblem(await ReactAsync(tenant.App, "g", msgId, new string('a', 33), "bob").ExpectAsync(HttpStatusCode.BadRequest), 400);
        Calls.AssertProblem(await ReactAsync(tenant.App, "g", msgId, "e\u0301", "bob").ExpectAsync(HttpStatusCode.BadRequest), 400);
        await ReactAsync(tenant.App, "g", msgId, "ok").ExpectAsync(HttpStatusCode.BadRequest);
        Calls.AssertProblem(await ReactAsync(tenant.App, "g", msgId, "ok", "zed").ExpectAsync(HttpStatusCode.Forbidden), 403);
        await ReactAsync(tenant.App, "g", "123", "ok", "bob").ExpectAsync(HttpStatusCode.NotFound);
        await ReactAsync(tenant.App, "nowhere", msgId, "ok", "bob").ExpectAsync(HttpStatusCode.NotFound);

        var bob = platform.Host.ClientWith(await tenant.App.TokenAsync("bob"));
        await ReactAsync(bob, "g", msgId, "ok", "ann").ExpectAsync(HttpStatusCode.Forbidden);
        await UnreactAsync(bob, "g", msgId, "ok", "ann").ExpectAsync(HttpStatusCode.Forbidden);
        await ReactAsync(bob, "g", msgId, "ok").ExpectAsync(HttpStatusCode.OK);

        await tenant.App.PostAsJsonAsync($"/v1/sessions/g/messages/{msgId}/retract", new { by = "ann" }).ExpectAsync(HttpStatusCode.OK);
        Calls.AssertProblem(await ReactAsync(tenant.App, "g", msgId, "late", "bob").ExpectAsync(HttpStatusCode.Conflict), 409);
        Assert.Equal(1, await TestDatabase.CountAsync(platform.Postgres,
            "select count(*) from mp.mp_message_reactions where tenant_id = $1 and session_id = 'g'", tenant.TenantId));
    }

    [Fact]
    public async Task anyone_reacts_in_a_room()
    {
        var tenant = await platform.NewTenantAsync();
        await tenant.App.OpenAsync(new { sessionId = "stage", type = "room", members = Array.Empty<string>() });
        var msgId = (await tenant.App.SendAsync("stage", "host", "m").ExpectAsync(HttpStatusCode.Created)).GetProperty("msgId").GetString()!;
        var viewer = platform.Host.ClientWith(await tenant.App.TokenAsync("viewer1"));
        await ReactAsync(viewer, "stage", msgId, "🔥").ExpectAsync(HttpStatusCode.OK);
        await ReactAsync(tenant.App, "stage", msgId, "🔥", "viewer2").ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(2, Reactions(await viewer.HistoryAsync("stage")).GetProperty("🔥").GetProperty("count").GetInt32());
    }
}
