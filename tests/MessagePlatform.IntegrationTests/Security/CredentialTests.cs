using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MessagePlatform.Api.Access;
using MessagePlatform.IntegrationTests.Concurrency;
using MessagePlatform.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using MQTTnet;

namespace MessagePlatform.IntegrationTests.Security;

/// <summary>Key rotation and deletion, token revocation and bearer shapes, on two nodes of one cluster.</summary>
public sealed class CredentialTests(TwoNodeFixture cluster) : IClassFixture<TwoNodeFixture>
{
    private static readonly TimeSpan InForceWithin = TimeSpan.FromSeconds(5);

    private static Task<HttpResponseMessage> TagsOf(HttpClient client) => client.GetAsync("/v1/users/ann/tags");

    /// <summary>Polls until <paramref name="status"/> answers; returns how long that took (a deadline, not a sleep).</summary>
    private static async Task<TimeSpan> UntilAsync(Func<Task<HttpResponseMessage>> call, HttpStatusCode status, TimeSpan within)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            using var response = await call();
            if (response.StatusCode == status) return clock.Elapsed;
            Assert.True(clock.Elapsed < within, $"still {(int)response.StatusCode} after {within}, expected {(int)status}");
            await Task.Delay(100);
        }
    }

    private async Task<(string KeyId, string Key)> IssueAsync(string tenantId, string role)
    {
        var issued = await cluster.Admin.PostAsJsonAsync($"/v1/tenants/{tenantId}/keys", new { role }).ExpectAsync(HttpStatusCode.Created);
        Assert.Equal(role, issued.GetProperty("role").GetString());
        return (issued.GetProperty("keyId").GetString()!, issued.GetProperty("key").GetString()!);
    }

    private async Task<JsonElement[]> KeysAsync(string tenantId) =>
        [.. (await cluster.Admin.GetAsync($"/v1/tenants/{tenantId}/keys").ExpectAsync(HttpStatusCode.OK)).GetProperty("keys").EnumerateArray()];

    [Fact]
    public async Task a_new_app_key_works_beside_the_old_and_a_deleted_key_is_refused_on_both_nodes_within_5_s()
    {
        var tenant = await PlatformFixture.NewTenantAsync(cluster.NodeA, cluster.Admin);
        var (newKeyId, newKey) = await IssueAsync(tenant.TenantId, "app");
        using var oldOnA = cluster.NodeA.ClientWith(tenant.AppKey);
        using var oldOnB = cluster.NodeB.ClientWith(tenant.AppKey);
        using var newOnA = cluster.NodeA.ClientWith(newKey);
        using var newOnB = cluster.NodeB.ClientWith(newKey);
        // Both keys used on both nodes first, so each node has them cached when the old one is deleted.
        foreach (var client in new[] { oldOnA, oldOnB, newOnA, newOnB }) await TagsOf(client).ExpectAsync(HttpStatusCode.OK);

        var oldKeyId = (await KeysAsync(tenant.TenantId))
            .Single(k => k.GetProperty("role").GetString() == "app" && k.GetProperty("keyId").GetString() != newKeyId)
            .GetProperty("keyId").GetString();
        await cluster.Admin.DeleteAsync($"/v1/tenants/{tenant.TenantId}/keys/{oldKeyId}").ExpectAsync(HttpStatusCode.NoContent);
        var deleted = Stopwatch.StartNew();
        await TagsOf(oldOnA).ExpectAsync(HttpStatusCode.Unauthorized);
        await UntilAsync(() => TagsOf(oldOnB), HttpStatusCode.Unauthorized, InForceWithin - deleted.Elapsed);
        Assert.True(deleted.Elapsed < InForceWithin);

        await TagsOf(newOnA).ExpectAsync(HttpStatusCode.OK);
        await TagsOf(newOnB).ExpectAsync(HttpStatusCode.OK);
        Assert.Single(await KeysAsync(tenant.TenantId), k => k.GetProperty("role").GetString() == "app");
        var last = await cluster.Admin.DeleteAsync($"/v1/tenants/{tenant.TenantId}/keys/{newKeyId}").ExpectAsync(HttpStatusCode.Conflict);
        Calls.AssertProblem(last, 409);
        await TagsOf(newOnB).ExpectAsync(HttpStatusCode.OK);
        await cluster.Admin.DeleteAsync($"/v1/tenants/{tenant.TenantId}/keys/{oldKeyId}").ExpectAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task two_deletions_racing_for_the_last_two_keys_of_a_role_delete_one()
    {
        var tenant = await PlatformFixture.NewTenantAsync(cluster.NodeA, cluster.Admin);
        await IssueAsync(tenant.TenantId, "auditor");
        var auditorIds = (await KeysAsync(tenant.TenantId)).Where(k => k.GetProperty("role").GetString() == "auditor")
            .Select(k => k.GetProperty("keyId").GetString()).ToArray();
        using var adminB = cluster.NodeB.ClientWith(PlatformHost.AdminKey);
        var answers = await Task.WhenAll(
            cluster.Admin.DeleteAsync($"/v1/tenants/{tenant.TenantId}/keys/{auditorIds[0]}"),
            adminB.DeleteAsync($"/v1/tenants/{tenant.TenantId}/keys/{auditorIds[1]}"));
        Assert.Equal([HttpStatusCode.NoContent, HttpStatusCode.Conflict], answers.Select(a => a.StatusCode).Order());
        Assert.Single(await KeysAsync(tenant.TenantId), k => k.GetProperty("role").GetString() == "auditor");
    }

    [Fact]
    public async Task the_key_list_never_shows_a_key_and_only_the_admin_manages_keys()
    {
        var tenant = await PlatformFixture.NewTenantAsync(cluster.NodeA, cluster.Admin);
        var other = await PlatformFixture.NewTenantAsync(cluster.NodeA, cluster.Admin);
        var (_, issued) = await IssueAsync(tenant.TenantId, "auditor");

        var listed = await cluster.Admin.GetStringAsync($"/v1/tenants/{tenant.TenantId}/keys");
        foreach (var secret in new[] { tenant.AppKey, tenant.AuditorKey, issued, Credentials.Fingerprint(tenant.AppKey) })
            Assert.DoesNotContain(secret, listed);
        var keys = await KeysAsync(tenant.TenantId);
        Assert.Equal(3, keys.Length);
        Assert.All(keys, k => Assert.Equal(["createdAt", "keyId", "role"], k.EnumerateObject().Select(p => p.Name).Order()));

        using var auditor = cluster.NodeA.ClientWith(tenant.AuditorKey);
        foreach (var client in new[] { tenant.App, auditor })
        {
            await client.GetAsync($"/v1/tenants/{tenant.TenantId}/keys").ExpectAsync(HttpStatusCode.Forbidden);
            await client.PostAsJsonAsync($"/v1/tenants/{tenant.TenantId}/keys", new { role = "app" }).ExpectAsync(HttpStatusCode.Forbidden);
            await client.DeleteAsync($"/v1/tenants/{tenant.TenantId}/keys/{keys[0].GetProperty("keyId")}").ExpectAsync(HttpStatusCode.Forbidden);
        }
        // Another tenant's key id under this tenant's path is not this tenant's key.
        var othersKey = (await KeysAsync(other.TenantId))[0].GetProperty("keyId").GetString();
        await cluster.Admin.DeleteAsync($"/v1/tenants/{tenant.TenantId}/keys/{othersKey}").ExpectAsync(HttpStatusCode.NotFound);
        Assert.Equal(2, (await KeysAsync(other.TenantId)).Length);

        await cluster.Admin.GetAsync("/v1/tenants/no-such-tenant/keys").ExpectAsync(HttpStatusCode.NotFound);
        await cluster.Admin.PostAsJsonAsync("/v1/tenants/no-such-tenant/keys", new { role = "app" }).ExpectAsync(HttpStatusCode.NotFound);
        foreach (var role in new[] { "admin", "user", "" })
            await cluster.Admin.PostAsJsonAsync($"/v1/tenants/{tenant.TenantId}/keys", new { role }).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.Equal(3, (await KeysAsync(tenant.TenantId)).Length);
    }

    [Fact]
    public async Task revoked_tokens_are_refused_on_both_nodes_within_5_s_and_a_token_issued_after_works()
    {
        var tenant = await PlatformFixture.NewTenantAsync(cluster.NodeA, cluster.Admin);
        var before = await tenant.App.TokenAsync("ann");
        var bobs = await tenant.App.TokenAsync("bob");
        using var annOnA = cluster.NodeA.ClientWith(before);
        using var annOnB = cluster.NodeB.ClientWith(before);
        using var bobOnB = cluster.NodeB.ClientWith(bobs);
        Task<HttpResponseMessage> Sync(HttpClient client, string user = "ann") => client.GetAsync($"/v1/users/{user}/sync");
        await Sync(annOnA).ExpectAsync(HttpStatusCode.OK);
        await Sync(annOnB).ExpectAsync(HttpStatusCode.OK);
        await annOnA.DeleteAsync("/v1/users/ann/tokens").ExpectAsync(HttpStatusCode.Forbidden);

        await tenant.App.DeleteAsync("/v1/users/ann/tokens").ExpectAsync(HttpStatusCode.NoContent);
        var revoked = Stopwatch.StartNew();
        await Sync(annOnA).ExpectAsync(HttpStatusCode.Unauthorized);
        await UntilAsync(() => Sync(annOnB), HttpStatusCode.Unauthorized, InForceWithin - revoked.Elapsed);
        Assert.True(revoked.Elapsed < InForceWithin);

        var after = await tenant.App.TokenAsync("ann");
        using var againOnA = cluster.NodeA.ClientWith(after);
        using var againOnB = cluster.NodeB.ClientWith(after);
        await Sync(againOnA).ExpectAsync(HttpStatusCode.OK);
        await Sync(againOnB).ExpectAsync(HttpStatusCode.OK);
        await Sync(bobOnB, "bob").ExpectAsync(HttpStatusCode.OK);
        await Sync(annOnB).ExpectAsync(HttpStatusCode.Unauthorized);

        // The same user id in another tenant is another user.
        var other = await PlatformFixture.NewTenantAsync(cluster.NodeA, cluster.Admin);
        using var othersAnn = cluster.NodeB.ClientWith(await other.App.TokenAsync("ann"));
        await tenant.App.DeleteAsync("/v1/users/ann/tokens").ExpectAsync(HttpStatusCode.NoContent);
        await Sync(othersAnn).ExpectAsync(HttpStatusCode.OK);
        await tenant.App.DeleteAsync("/v1/users/not%20a%20user/tokens").ExpectAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task a_revoked_token_cannot_connect_over_mqtt_or_websocket_on_another_node()
    {
        var tenant = await PlatformFixture.NewTenantAsync(cluster.NodeA, cluster.Admin);
        var token = await tenant.App.TokenAsync("ann");
        var (before, beforeResult) = await MqttTestClient.OverWebSocketAsync(cluster.NodeB, "ann", token);
        await using (before) Assert.Equal(MqttClientConnectResultCode.Success, beforeResult.ResultCode);

        await tenant.App.DeleteAsync("/v1/users/ann/tokens").ExpectAsync(HttpStatusCode.NoContent);
        using var annOnB = cluster.NodeB.ClientWith(token);
        await UntilAsync(() => annOnB.GetAsync("/v1/users/ann/sync"), HttpStatusCode.Unauthorized, InForceWithin);

        var (after, afterResult) = await MqttTestClient.OverWebSocketAsync(cluster.NodeB, "ann", token);
        await using (after) Assert.Equal(MqttClientConnectResultCode.BadUserNameOrPassword, afterResult.ResultCode);
        var refused = await Assert.ThrowsAnyAsync<Exception>(() => SocketClient.ConnectAsync(cluster.NodeB, token));
        Assert.Contains("401", refused.Message);
    }

    [Fact]
    public async Task a_bearer_that_cannot_be_a_key_or_token_is_refused_without_a_look_up()
    {
        var lookups = cluster.NodeA.Services.GetRequiredService<KeyLookups>();
        var secret = new string('A', 43);
        string[] malformed =
        [
            "garbage", "mp_app_short", $"mp_app_{secret}A", $"mp_app_!{secret[1..]}", $"mp_root_{secret}", $"mp_app_{secret[1..]}=",
            new string('x', 5000), "mp_user_***", "mp_user_" + new string('A', 2000), $"mp_app_{secret[1..]}\u00e9",
        ];
        var (lookupsBefore, cachedBefore) = (lookups.StoreLookups, lookups.Cached);
        foreach (var bearer in malformed)
        {
            using var client = cluster.NodeA.CreateClient();
            client.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", $"Bearer {bearer}");
            await TagsOf(client).ExpectAsync(HttpStatusCode.Unauthorized);
        }
        Assert.Equal(lookupsBefore, lookups.StoreLookups);
        Assert.True(lookups.Cached <= cachedBefore);

        // A well-formed unknown key is looked up, every time: a miss is never kept.
        using var unknown = cluster.NodeA.ClientWith($"mp_app_{secret}");
        await TagsOf(unknown).ExpectAsync(HttpStatusCode.Unauthorized);
        await TagsOf(unknown).ExpectAsync(HttpStatusCode.Unauthorized);
        Assert.Equal(lookupsBefore + 2, lookups.StoreLookups);
        Assert.True(lookups.Cached <= cachedBefore);
    }
}
