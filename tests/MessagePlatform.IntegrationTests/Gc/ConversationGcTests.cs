using System.Net;
using System.Net.Http.Json;
using MessagePlatform.IntegrationTests.Infrastructure;

namespace MessagePlatform.IntegrationTests.Gc;

/// <summary>Read marks and conversation settings go with their session; the user's own settings stream is never taken for one.</summary>
[Collection(GcCollection.Name)]
public sealed class ConversationGcTests(GcFixture gc)
{
    private Task<long> CountAsync(string table, string tenantId, string sessionId) => TestDatabase.CountAsync(gc.Postgres,
        $"select count(*) from mp.{table} where tenant_id = $1 and session_id = $2", tenantId, sessionId);

    [Fact]
    public async Task a_removed_session_takes_its_read_marks_and_settings_and_leaves_the_users_stream()
    {
        var tenant = await gc.NewTenantAsync("live");
        var group = GcFixture.NewId("grp");
        await tenant.App.OpenAsync(new { sessionId = group, type = "group", members = new[] { "ann", "bob" } });
        var sent = await tenant.App.SendAsync(group, "bob", "m1").ExpectAsync(HttpStatusCode.Created);
        await tenant.App.PostAsJsonAsync($"/v1/users/ann/conversations/{group}/read", new { seq = sent.GetProperty("seq").GetInt64() })
            .ExpectAsync(HttpStatusCode.OK);
        await tenant.App.PutAsJsonAsync($"/v1/users/ann/conversations/{group}/settings", new { pinned = true }).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(1, await CountAsync("mp_read_marks", tenant.TenantId, group));
        Assert.Equal(1, await CountAsync("mp_conversation_settings", tenant.TenantId, group));

        await tenant.App.PostAsync($"/v1/sessions/{group}/close", null).ExpectAsync(HttpStatusCode.OK);
        await gc.CollectUntilAsync(tenant, r => r.Any(x => x.GetProperty("sessionId").GetString() == group && x.GetProperty("kind").GetString() == "onClose"));
        Assert.Equal(0, await CountAsync("mp_read_marks", tenant.TenantId, group));
        Assert.Equal(0, await CountAsync("mp_conversation_settings", tenant.TenantId, group));
        // The settings change stays in ann's own stream for audit; GC never took that stream for a session.
        Assert.Equal(1, await TestDatabase.CountAsync(gc.Postgres,
            "select count(*) from mp.mt_events where tenant_id = $1 and stream_id = '$conversations:ann'", tenant.TenantId));
        Assert.DoesNotContain(await gc.CollectAsync(tenant), r => r.GetProperty("sessionId").GetString()!.StartsWith('$'));
    }
}
