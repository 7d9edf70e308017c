using System.Net;
using System.Net.Http.Json;
using CsCheck;
using MessagePlatform.IntegrationTests.Infrastructure;

namespace MessagePlatform.IntegrationTests.Fuzz;

/// <summary>
/// What the fuzz aims at: two tenants, a group, a c2c, a room and a closed session with messages,
/// users with tokens (a member and a stranger), and every kind of credential. Its own auditor key
/// reads the exports that must not change; the fuzz never learns that key or its id.
/// </summary>
public sealed class FuzzWorld
{
    public required TestTenant Tenant { get; init; }
    public required TestTenant Other { get; init; }
    public required string CheckerKey { get; init; }
    public required string OtherCheckerKey { get; init; }
    public required IReadOnlyDictionary<string, string?> Credentials { get; init; }
    public required IReadOnlyDictionary<string, string[]> Values { get; init; }

    public Gen<string> CredentialGen => Gens.Weighted(
        (1, Gen.OneOf("none", "malformed", "basic", "admin", "other-app", "other-auditor")),
        (2, Gen.OneOf("auditor", "user-other")),
        (5, Gen.OneOf("app")),
        (3, Gen.OneOf("user-member")));

    /// <summary>Values a parameter or field of this name plausibly takes here, so that some calls get past validation.</summary>
    public IReadOnlyList<string> Plausible(string name) =>
        Values.TryGetValue(name, out var values) ? values : Values["*"];

    public static async Task<FuzzWorld> CreateAsync(PlatformHost host, HttpClient admin)
    {
        var tenant = await PlatformFixture.NewTenantAsync(host, admin);
        var other = await PlatformFixture.NewTenantAsync(host, admin);
        await tenant.App.OpenAsync(new { sessionId = "g", type = "group", members = new[] { "ann", "bob" } });
        await tenant.App.OpenAsync(new { type = "c2c", members = new[] { "ann", "bob" } });
        await tenant.App.OpenAsync(new { sessionId = "room", type = "room", members = Array.Empty<string>() });
        await tenant.App.OpenAsync(new { sessionId = "closed", type = "group", members = new[] { "ann" } });
        await other.App.OpenAsync(new { sessionId = "g", type = "group", members = new[] { "ann", "zed" } });
        var msgIds = new List<string>();
        foreach (var (session, from) in new[] { ("g", "ann"), ("g", "bob"), ("c2c:ann:bob", "ann"), ("room", "carl"), ("closed", "ann") })
            msgIds.Add((await tenant.App.SendAsync(session, from, $"seed-{session}-{from}").ExpectAsync(HttpStatusCode.Created))
                .GetProperty("msgId").GetString()!);
        msgIds.Add((await other.App.SendAsync("g", "zed", "seed-other").ExpectAsync(HttpStatusCode.Created)).GetProperty("msgId").GetString()!);
        await tenant.App.PostAsync("/v1/sessions/closed/close", null).ExpectAsync(HttpStatusCode.OK);
        var cursor = (await tenant.App.SyncAllAsync("ann", limit: 1)).Cursor ?? "";

        var ann = await tenant.App.TokenAsync("ann");
        var carl = await tenant.App.TokenAsync("carl");
        // A disposable key the fuzz may delete; the checker's key is never shown to it.
        var spare = await admin.PostAsJsonAsync($"/v1/tenants/{tenant.TenantId}/keys", new { role = "app" }).ExpectAsync(HttpStatusCode.Created);
        var checker = await admin.PostAsJsonAsync($"/v1/tenants/{tenant.TenantId}/keys", new { role = "auditor" }).ExpectAsync(HttpStatusCode.Created);
        var otherChecker = await admin.PostAsJsonAsync($"/v1/tenants/{other.TenantId}/keys", new { role = "auditor" }).ExpectAsync(HttpStatusCode.Created);

        var users = new[] { "ann", "bob", "carl", "zed", "nobody" };
        string[] sessions = ["g", "c2c:ann:bob", "room", "closed", "nope", "c2c:bob:ann"];
        return new FuzzWorld
        {
            Tenant = tenant,
            Other = other,
            CheckerKey = checker.GetProperty("key").GetString()!,
            OtherCheckerKey = otherChecker.GetProperty("key").GetString()!,
            Credentials = new Dictionary<string, string?>
            {
                ["none"] = null,
                ["malformed"] = "Bearer mp_app_" + new string('A', 42),
                ["basic"] = "Basic YWRtaW46YWRtaW4=",
                ["admin"] = "Bearer " + PlatformHost.AdminKey,
                ["app"] = "Bearer " + tenant.AppKey,
                ["auditor"] = "Bearer " + tenant.AuditorKey,
                ["user-member"] = "Bearer " + ann,
                ["user-other"] = "Bearer " + carl,
                ["other-app"] = "Bearer " + other.AppKey,
                ["other-auditor"] = "Bearer " + other.AuditorKey,
            },
            Values = new Dictionary<string, string[]>
            {
                ["*"] = ["x", "ann", "1"],
                ["sessionId"] = sessions,
                ["userId"] = users,
                ["from"] = users,
                ["by"] = users,
                ["members"] = users,
                ["userIds"] = users,
                ["msgId"] = [.. msgIds, "0", "1", "9223372036854775807"],
                ["replyTo"] = [.. msgIds],
                ["tenantId"] = [tenant.TenantId, other.TenantId, "fuzz-new-tenant", "no-such-tenant"],
                ["keyId"] = [spare.GetProperty("keyId").GetString()!, "no-such-key"],
                ["deliveryId"] = ["no-such-delivery", "1"],
                ["erasureId"] = ["no-such-erasure"],
                ["cursor"] = [cursor, cursor + "x", cursor.Length > 2 ? cursor[..^2] : "AA", "AAAA", "-1", "eyJ2IjoxfQ", "%%%%", "0"],
                ["clientMsgId"] = ["fz-1", "fz-2", "seed-g-ann"],
                ["type"] = ["text", "image", "file", "custom", "system", "c2c", "group", "room"],
                ["msgType"] = ["text", "custom"],
                ["priority"] = ["high", "normal", "low"],
                ["role"] = ["app", "auditor", "admin", "user"],
                ["scenario"] = ["live", "enterprise", "social"],
                ["retention"] = ["forever", "days:7", "last:3", "days:0", "last:-1", "days:99999999999", "weeks:1"],
                ["broadcastRetention"] = ["days:7", "forever", "last:1"],
                ["onClose"] = ["keep", "delete"],
                ["historyOnJoin"] = ["all", "fromJoin", "none"],
                ["failurePolicy"] = ["open", "closed"],
                ["url"] = ["https://example.com/hook", "http://127.0.0.1:1/", "http://169.254.169.254/", "ftp://example.com", "http://[::1]:1/", "not a url"],
                ["secret"] = ["s3cret", ""],
                ["events"] = ["message.sent", "message.retracted", "session.closed", "user.online", "user.offline", "bogus"],
                ["tags"] = ["vip", "female", "a.b_c-d"],
                ["types"] = ["text", "image"],
                ["name"] = ["Fuzz", ""],
                ["reason"] = ["spam", ""],
                ["seq"] = ["1", "2", "3"],
                ["limit"] = ["1", "50", "500", "501"],
                ["afterSeq"] = ["0", "1", "2"],
                ["beforeSeq"] = ["1", "3"],
                ["fromVersion"] = ["0", "1"],
            },
        };
    }
}
