using System.Net;
using System.Net.Http.Json;
using MessagePlatform.IntegrationTests.Infrastructure;

namespace MessagePlatform.IntegrationTests.Access;

[Collection(PlatformCollection.Name)]
public sealed class UserTokenTests(PlatformFixture platform)
{
    private async Task<(TestTenant Tenant, HttpClient Ann)> TenantWithAnnAsync(int? ttlSeconds = null)
    {
        var tenant = await platform.NewTenantAsync();
        await tenant.App.OpenAsync(new { type = "c2c", members = new[] { "ann", "bob" } });
        await tenant.App.OpenAsync(new { sessionId = "bobs-group", type = "group", members = new[] { "bob", "cy" } });
        await tenant.App.OpenAsync(new { sessionId = "stage", type = "room", members = Array.Empty<string>() });
        var issued = await tenant.App.PostAsJsonAsync("/v1/users/ann/tokens", new { ttlSeconds }).ExpectAsync(HttpStatusCode.Created);
        Assert.True(issued.GetProperty("expiresAt").GetDateTimeOffset() > DateTimeOffset.UtcNow);
        return (tenant, platform.Host.ClientWith(issued.GetProperty("token").GetString()!));
    }

    [Fact]
    public async Task a_user_token_sends_reads_and_retracts_as_its_user_only()
    {
        var (tenant, ann) = await TenantWithAnnAsync();
        var sent = await ann.PostAsJsonAsync("/v1/sessions/c2c:ann:bob/messages", new { clientMsgId = "1", type = "text", body = "hi" })
            .ExpectAsync(HttpStatusCode.Created);
        await ann.PostAsJsonAsync("/v1/sessions/c2c:ann:bob/messages", new { from = "bob", clientMsgId = "2", type = "text", body = "x" })
            .ExpectAsync(HttpStatusCode.Forbidden);
        await ann.PostAsJsonAsync("/v1/sessions/bobs-group/messages", new { clientMsgId = "3", type = "text", body = "x" })
            .ExpectAsync(HttpStatusCode.Forbidden);
        await ann.PostAsJsonAsync("/v1/sessions/stage/messages", new { clientMsgId = "4", type = "text", body = "x" })
            .ExpectAsync(HttpStatusCode.Created);

        var history = await ann.GetAsync("/v1/sessions/c2c:ann:bob/messages").ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("ann", history.GetProperty("messages")[0].GetProperty("from").GetString());
        await ann.GetAsync("/v1/sessions/stage/messages").ExpectAsync(HttpStatusCode.OK);
        await ann.GetAsync("/v1/sessions/bobs-group/messages").ExpectAsync(HttpStatusCode.Forbidden);

        var msgId = sent.GetProperty("msgId").GetString();
        await ann.PostAsJsonAsync($"/v1/sessions/c2c:ann:bob/messages/{msgId}/retract", new { asAdmin = true }).ExpectAsync(HttpStatusCode.Forbidden);
        await ann.PostAsJsonAsync($"/v1/sessions/c2c:ann:bob/messages/{msgId}/retract", new { by = "bob" }).ExpectAsync(HttpStatusCode.Forbidden);
        await ann.PostAsJsonAsync($"/v1/sessions/c2c:ann:bob/messages/{msgId}/retract", new { }).ExpectAsync(HttpStatusCode.OK);

        await ann.GetAsync("/v1/users/ann/sync").ExpectAsync(HttpStatusCode.OK);
        await ann.GetAsync("/v1/users/ann/conversations").ExpectAsync(HttpStatusCode.OK);
        await ann.GetAsync("/v1/users/bob/sync").ExpectAsync(HttpStatusCode.Forbidden);
        await ann.GetAsync("/v1/users/bob/conversations").ExpectAsync(HttpStatusCode.Forbidden);
        await ann.PostAsJsonAsync("/v1/users/bob/conversations/c2c:ann:bob/read", new { seq = 1 }).ExpectAsync(HttpStatusCode.Forbidden);
        _ = tenant;
    }

    [Fact]
    public async Task a_user_token_cannot_manage_sessions_tenants_or_tokens()
    {
        var (_, ann) = await TenantWithAnnAsync();
        await ann.PostAsJsonAsync("/v1/sessions", new { type = "c2c", members = new[] { "ann", "zed" } }).ExpectAsync(HttpStatusCode.Forbidden);
        await ann.PostAsync("/v1/sessions/bobs-group/close", null).ExpectAsync(HttpStatusCode.Forbidden);
        await ann.PostAsJsonAsync("/v1/users/ann/tokens", new { }).ExpectAsync(HttpStatusCode.Forbidden);
        await ann.GetAsync("/v1/tenants/anything").ExpectAsync(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task a_tampered_or_expired_token_is_401()
    {
        var (tenant, _) = await TenantWithAnnAsync(ttlSeconds: 1);
        var issued = await tenant.App.PostAsJsonAsync("/v1/users/ann/tokens", new { ttlSeconds = 1 }).ExpectAsync(HttpStatusCode.Created);
        var token = issued.GetProperty("token").GetString()!;
        using var tampered = platform.Host.ClientWith(token[..^3] + (token[^3] == 'A' ? "BBB" : "AAA"));
        await tampered.GetAsync("/v1/users/ann/sync").ExpectAsync(HttpStatusCode.Unauthorized);

        await Task.Delay(TimeSpan.FromSeconds(1.5));
        using var expired = platform.Host.ClientWith(token);
        await expired.GetAsync("/v1/users/ann/sync").ExpectAsync(HttpStatusCode.Unauthorized);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2_592_001)]
    public async Task a_token_lifetime_out_of_range_is_a_validation_problem(int ttlSeconds)
    {
        var tenant = await platform.NewTenantAsync();
        await tenant.App.PostAsJsonAsync("/v1/users/ann/tokens", new { ttlSeconds }).ExpectAsync(HttpStatusCode.BadRequest);
    }
}
