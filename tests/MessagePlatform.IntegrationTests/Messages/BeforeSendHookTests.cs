using System.Net;
using System.Net.Http.Json;
using MessagePlatform.IntegrationTests.Infrastructure;

namespace MessagePlatform.IntegrationTests.Messages;

[Collection(PlatformCollection.Name)]
public sealed class BeforeSendHookTests(PlatformFixture platform)
{
    private const string Secret = "a-secret-of-the-tenant";

    private async Task<TestTenant> TenantWithHookAsync(HookReceiver receiver, string path, string failurePolicy = "open", int timeoutMs = 1500)
    {
        var tenant = await platform.NewTenantAsync();
        await tenant.App.PutAsJsonAsync("/v1/hooks/before-send", new { url = receiver.Url(path), secret = Secret, timeoutMs, failurePolicy })
            .ExpectAsync(HttpStatusCode.OK);
        await tenant.App.OpenAsync(new { sessionId = "chat", type = "group", members = new[] { "ann" } });
        return tenant;
    }

    private static async Task<int> StoredAsync(TestTenant tenant) =>
        (await tenant.App.HistoryAsync("chat")).GetProperty("messages").GetArrayLength();

    [Fact]
    public async Task allow_stores_and_the_hook_gets_the_send_signed()
    {
        await using var receiver = await HookReceiver.StartAsync(Secret);
        var tenant = await TenantWithHookAsync(receiver, "allow");
        await tenant.App.SendAsync("chat", "ann", "1", new { text = "hello" }).ExpectAsync(HttpStatusCode.Created);
        var call = Assert.Single(receiver.Calls);
        Assert.True(call.SignatureValid);
        Assert.Contains("hello", call.Body);
        Assert.Equal(1, await StoredAsync(tenant));
    }

    [Fact]
    public async Task deny_blocks_the_send_with_422_and_stores_nothing()
    {
        await using var receiver = await HookReceiver.StartAsync(Secret);
        var tenant = await TenantWithHookAsync(receiver, "deny");
        var problem = await tenant.App.SendAsync("chat", "ann", "1").ExpectAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Contains("bad word", problem.GetProperty("detail").GetString());
        Assert.Equal(0, await StoredAsync(tenant));
    }

    [Fact]
    public async Task modify_stores_the_hooks_body()
    {
        await using var receiver = await HookReceiver.StartAsync(Secret);
        var tenant = await TenantWithHookAsync(receiver, "modify");
        await tenant.App.SendAsync("chat", "ann", "1", new { text = "rude" }).ExpectAsync(HttpStatusCode.Created);
        var message = (await tenant.App.HistoryAsync("chat")).GetProperty("messages")[0];
        Assert.Equal("***", message.GetProperty("body").GetProperty("text").GetString());
    }

    [Theory]
    [InlineData("hang", "open", HttpStatusCode.Created)]
    [InlineData("fail", "open", HttpStatusCode.Created)]
    [InlineData("hang", "closed", HttpStatusCode.ServiceUnavailable)]
    [InlineData("fail", "closed", HttpStatusCode.ServiceUnavailable)]
    public async Task a_hook_that_hangs_or_fails_follows_the_failure_policy(string path, string policy, HttpStatusCode expected)
    {
        await using var receiver = await HookReceiver.StartAsync(Secret);
        var tenant = await TenantWithHookAsync(receiver, path, policy, timeoutMs: 300);
        await tenant.App.SendAsync("chat", "ann", "1").ExpectAsync(expected);
        Assert.Equal(expected == HttpStatusCode.Created ? 1 : 0, await StoredAsync(tenant));
    }

    [Fact]
    public async Task removing_the_hook_lets_sends_through_and_bad_hooks_are_refused()
    {
        await using var receiver = await HookReceiver.StartAsync(Secret);
        var tenant = await TenantWithHookAsync(receiver, "deny");
        await tenant.App.DeleteAsync("/v1/hooks/before-send").ExpectAsync(HttpStatusCode.NoContent);
        await tenant.App.SendAsync("chat", "ann", "1").ExpectAsync(HttpStatusCode.Created);
        var problem = await tenant.App.PutAsJsonAsync("/v1/hooks/before-send", new { url = "ftp://x", secret = "short", failurePolicy = "maybe" })
            .ExpectAsync(HttpStatusCode.BadRequest);
        Assert.Equal(3, problem.GetProperty("errors").EnumerateObject().Count());
    }
}
