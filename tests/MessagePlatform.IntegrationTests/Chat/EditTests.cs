using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MessagePlatform.IntegrationTests.Infrastructure;

namespace MessagePlatform.IntegrationTests.Chat;

[Collection(PlatformCollection.Name)]
public sealed class EditTests(PlatformFixture platform)
{
    internal static Task<HttpResponseMessage> EditAsync(HttpClient client, string session, string msgId, object body) =>
        client.PostAsJsonAsync($"/v1/sessions/{session}/messages/{msgId}/edit", body);

    private static string Text(JsonElement message) => message.GetProperty("body").GetProperty("text").GetString()!;

    [Fact]
    public async Task an_edit_shows_the_latest_body_in_history_and_audit_keeps_both_versions()
    {
        var tenant = await platform.NewTenantAsync();
        var auditor = platform.Host.ClientWith(tenant.AuditorKey);
        await tenant.App.OpenAsync(new { sessionId = "notes", type = "group", members = new[] { "ann", "bob" } });
        var sent = await tenant.App.SendAsync("notes", "ann", "n1", new { text = "first draft" }).ExpectAsync(HttpStatusCode.Created);
        var msgId = sent.GetProperty("msgId").GetString()!;
        var beforeEdit = (await auditor.GetAsync("/v1/audit/sessions/notes/events").ExpectAsync(HttpStatusCode.OK))
            .GetProperty("events").EnumerateArray().Last().GetProperty("timestamp").GetDateTimeOffset();
        await Task.Delay(5);

        var answer = await EditAsync(tenant.App, "notes", msgId, new { by = "ann", body = new { text = "final" } }).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(msgId, answer.GetProperty("msgId").GetString());
        Assert.Equal(sent.GetProperty("seq").GetInt64(), answer.GetProperty("seq").GetInt64());
        var editedAt = answer.GetProperty("editedAt").GetDateTimeOffset();
        // The same body again is a no-op that answers as the edit did.
        var again = await EditAsync(tenant.App, "notes", msgId, new { by = "ann", body = new { text = "final" } }).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(editedAt, again.GetProperty("editedAt").GetDateTimeOffset());

        var message = Assert.Single((await tenant.App.HistoryAsync("notes")).GetProperty("messages").EnumerateArray());
        Assert.Equal("final", Text(message));
        Assert.True(message.GetProperty("edited").GetBoolean());
        Assert.Equal(editedAt, message.GetProperty("editedAt").GetDateTimeOffset());

        var events = (await auditor.GetAsync("/v1/audit/sessions/notes/events").ExpectAsync(HttpStatusCode.OK)).GetProperty("events").EnumerateArray().ToList();
        Assert.Equal(["session.opened", "message.sent", "message.edited"], events.Select(e => e.GetProperty("type").GetString()));
        Assert.Contains("first draft", events[1].GetProperty("data").GetRawText());
        Assert.Contains("final", events[2].GetProperty("data").GetRawText());

        // As of before the edit the replay shows the first draft; as of now, the latest with its time.
        var past = await auditor.GetAsync($"/v1/audit/sessions/notes/state?asOf={Uri.EscapeDataString(beforeEdit.ToString("O"))}").ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("first draft", Text(Assert.Single(past.GetProperty("messages").EnumerateArray())));
        var now = await auditor.GetAsync($"/v1/audit/sessions/notes/state?asOf={Uri.EscapeDataString(DateTimeOffset.UtcNow.AddMinutes(1).ToString("O"))}")
            .ExpectAsync(HttpStatusCode.OK);
        var replayed = Assert.Single(now.GetProperty("messages").EnumerateArray());
        Assert.Equal("final", Text(replayed));
        Assert.Equal(editedAt, replayed.GetProperty("editedAt").GetDateTimeOffset());
    }

    [Fact]
    public async Task only_the_sender_within_the_window_edits_a_message_that_is_not_retracted()
    {
        var tenant = await platform.NewTenantAsync();
        await tenant.App.OpenAsync(new { sessionId = "strict", type = "group", members = new[] { "ann", "bob" }, policy = new { editWindowSeconds = 0 } });
        await tenant.App.OpenAsync(new { sessionId = "loose", type = "group", members = new[] { "ann", "bob" } });
        var late = (await tenant.App.SendAsync("strict", "ann", "m").ExpectAsync(HttpStatusCode.Created)).GetProperty("msgId").GetString()!;
        var open = (await tenant.App.SendAsync("loose", "ann", "m").ExpectAsync(HttpStatusCode.Created)).GetProperty("msgId").GetString()!;
        await Task.Delay(10);
        object Edit(string by, bool? asAdmin = null) => new { by, body = new { text = "changed" }, asAdmin };

        Calls.AssertProblem(await EditAsync(tenant.App, "loose", open, Edit("bob")).ExpectAsync(HttpStatusCode.Forbidden), 403);
        Calls.AssertProblem(await EditAsync(tenant.App, "strict", late, Edit("ann")).ExpectAsync(HttpStatusCode.Conflict), 409);
        // The window binds admins too.
        Calls.AssertProblem(await EditAsync(tenant.App, "strict", late, Edit("moderator", asAdmin: true)).ExpectAsync(HttpStatusCode.Conflict), 409);
        await EditAsync(tenant.App, "loose", open, Edit("moderator", asAdmin: true)).ExpectAsync(HttpStatusCode.OK);
        await EditAsync(tenant.App, "loose", "123", Edit("ann")).ExpectAsync(HttpStatusCode.NotFound);
        await EditAsync(tenant.App, "loose", open, new { by = "ann" }).ExpectAsync(HttpStatusCode.BadRequest);
        await EditAsync(tenant.App, "loose", open, new { body = new { text = "no by" } }).ExpectAsync(HttpStatusCode.BadRequest);
        await EditAsync(tenant.App, "loose", open, new { by = "ann", body = new string('x', 70_000) }).ExpectAsync(HttpStatusCode.RequestEntityTooLarge);

        await tenant.App.PostAsJsonAsync($"/v1/sessions/loose/messages/{open}/retract", new { by = "ann" }).ExpectAsync(HttpStatusCode.OK);
        Calls.AssertProblem(await EditAsync(tenant.App, "loose", open, Edit("ann")).ExpectAsync(HttpStatusCode.Conflict), 409);
        var retracted = Assert.Single((await tenant.App.HistoryAsync("loose")).GetProperty("messages").EnumerateArray());
        Assert.Equal(JsonValueKind.Null, retracted.GetProperty("body").ValueKind);
    }

    [Fact]
    public async Task a_user_token_edits_only_as_its_user_never_as_admin()
    {
        var tenant = await platform.NewTenantAsync();
        await tenant.App.OpenAsync(new { sessionId = "mine", type = "group", members = new[] { "ann", "bob" } });
        var msgId = (await tenant.App.SendAsync("mine", "ann", "m").ExpectAsync(HttpStatusCode.Created)).GetProperty("msgId").GetString()!;
        var ann = platform.Host.ClientWith(await tenant.App.TokenAsync("ann"));
        var bob = platform.Host.ClientWith(await tenant.App.TokenAsync("bob"));

        await EditAsync(bob, "mine", msgId, new { body = new { text = "bob's" } }).ExpectAsync(HttpStatusCode.Forbidden);
        await EditAsync(bob, "mine", msgId, new { by = "ann", body = new { text = "as ann" } }).ExpectAsync(HttpStatusCode.Forbidden);
        await EditAsync(ann, "mine", msgId, new { body = new { text = "x" }, asAdmin = true }).ExpectAsync(HttpStatusCode.Forbidden);
        await EditAsync(ann, "mine", msgId, new { body = new { text = "ann's own" } }).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("ann's own", Text(Assert.Single((await ann.HistoryAsync("mine")).GetProperty("messages").EnumerateArray())));
    }
}
