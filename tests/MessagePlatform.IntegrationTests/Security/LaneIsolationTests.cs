using System.Net;
using System.Text.Json;
using MessagePlatform.Api.EventStore;
using MessagePlatform.Domain;
using MessagePlatform.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace MessagePlatform.IntegrationTests.Security;

/// <summary>A group commit holds many callers' commands, of many tenants: one bad one must fail alone.</summary>
[Collection(PlatformCollection.Name)]
public sealed class LaneIsolationTests(PlatformFixture platform)
{
    private static readonly JsonElement Poison = JsonDocument.Parse("""{"text":"a\u0000b"}""").RootElement.Clone();
    private static readonly JsonElement Fine = JsonDocument.Parse("""{"text":"fine"}""").RootElement.Clone();

    [Fact]
    public async Task a_command_the_database_refuses_fails_alone_in_its_group_commit()
    {
        // Straight to the lanes, past the door's validation: what if a value slips through?
        var lanes = platform.Host.Services.GetRequiredService<GroupCommit>();
        var tenants = new[] { await platform.NewTenantAsync(), await platform.NewTenantAsync() };
        var rooms = Enumerable.Range(0, 20).Select(i => $"iso-{i}").ToArray();
        foreach (var tenant in tenants)
        foreach (var room in rooms)
            await tenant.App.OpenAsync(new { sessionId = room, type = "room", members = Array.Empty<string>() });

        for (var round = 0; round < 10; round++)
        {
            var valid = tenants.SelectMany(t => rooms.Select(room => lanes.ExecuteAsync(
                new SendCommand(t.TenantId, new SendMessage(room, $"u{round}", $"ok-{round}", "text", Fine, "normal")), default))).ToList();
            var poison = lanes.ExecuteAsync(
                new SendCommand(tenants[0].TenantId, new SendMessage(rooms[round], "mallory", $"bad-{round}", "text", Poison, "normal")), default);
            var outcomes = await Task.WhenAll(valid);
            Assert.All(outcomes, o => Assert.Single(o.Appended));
            await Assert.ThrowsAnyAsync<Exception>(() => poison);
        }
        foreach (var tenant in tenants)
            Assert.Equal(10, (await tenant.App.HistoryAsync(rooms[0])).GetProperty("messages").GetArrayLength());
    }

    [Fact]
    public async Task a_full_lane_answers_503_with_retry_after_and_stores_only_what_it_answered_201()
    {
        await using var host = new PlatformHost(await TestServers.CreateDatabaseAsync(), settings: new Dictionary<string, string>
        {
            ["MP_COMMIT_LANES"] = "1",
            ["Lanes:QueueCapacity"] = "1",
        });
        var tenant = await PlatformFixture.NewTenantAsync(host, host.ClientWith(PlatformHost.AdminKey));
        var rooms = Enumerable.Range(0, 30).Select(i => $"full-{i}").ToArray();
        foreach (var room in rooms) await tenant.App.OpenAsync(new { sessionId = room, type = "room", members = Array.Empty<string>() });

        var answers = await Task.WhenAll(Enumerable.Range(0, 300).Select(i => tenant.App.SendAsync(rooms[i % 30], $"s{i}", $"c{i}")));
        Assert.All(answers, a => Assert.Contains(a.StatusCode, new[] { HttpStatusCode.Created, HttpStatusCode.ServiceUnavailable }));
        var busy = answers.Where(a => a.StatusCode == HttpStatusCode.ServiceUnavailable).ToList();
        Assert.NotEmpty(busy);
        Assert.All(busy, a => Assert.True(a.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1)));
        var stored = 0;
        foreach (var room in rooms) stored += (await tenant.App.HistoryAsync(room, "?limit=500")).GetProperty("messages").GetArrayLength();
        Assert.Equal(answers.Count(a => a.StatusCode == HttpStatusCode.Created), stored);
    }

    [Fact]
    public void the_session_cache_forgets_the_least_recently_used_session_not_all()
    {
        var cache = new SessionCache(capacity: 3);
        cache.Put("t", "a", null, 1);
        cache.Put("t", "b", null, 2);
        cache.Put("t", "c", null, 3);
        Assert.Equal(1, cache.Get("t", "a").Version);
        cache.Put("t", "d", null, 4);
        Assert.True(cache.Contains("t", "a"));
        Assert.False(cache.Contains("t", "b"));
        Assert.True(cache.Contains("t", "c"));
        Assert.True(cache.Contains("t", "d"));
        Assert.Equal(3, cache.Count);
    }
}
