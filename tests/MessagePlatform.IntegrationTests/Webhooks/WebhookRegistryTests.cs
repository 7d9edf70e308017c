using MessagePlatform.Api.Webhooks;
using MessagePlatform.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace MessagePlatform.IntegrationTests.Webhooks;

/// <summary>Issue 12, point 2: the outbox finds the registrations of a whole page in one query.</summary>
[Collection(PlatformCollection.Name)]
public sealed class WebhookRegistryTests(PlatformFixture platform)
{
    [Fact]
    public async Task one_lookup_gives_each_session_its_own_hook_else_its_tenants_default_else_none()
    {
        var registry = platform.Host.Services.GetRequiredService<WebhookRegistry>();
        var (withDefault, withoutHooks) = ($"t-{Guid.NewGuid():N}"[..20], $"t-{Guid.NewGuid():N}"[..20]);
        var tenantDefault = new WebhookRegistration("https://hooks.example/default", "s1", ["message.sent"]);
        var own = new WebhookRegistration("https://hooks.example/stage", "s2", ["message.sent", "session.closed"]);
        await registry.PutAsync(withDefault, "", tenantDefault, CancellationToken.None);
        await registry.PutAsync(withDefault, "stage", own, CancellationToken.None);

        var found = await registry.FindAsync([(withDefault, "stage"), (withDefault, "lobby"), (withoutHooks, "stage")], CancellationToken.None);

        Assert.Equal(2, found.Count);
        Assert.Equal(own.Url, found[(withDefault, "stage")].Url);
        Assert.Equal(own.Events, found[(withDefault, "stage")].Events);
        Assert.Equal(tenantDefault.Url, found[(withDefault, "lobby")].Url);
        Assert.False(found.ContainsKey((withoutHooks, "stage")));
        Assert.Empty(await registry.FindAsync([], CancellationToken.None));
    }
}
