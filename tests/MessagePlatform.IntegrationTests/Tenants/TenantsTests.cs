using System.Net;
using System.Net.Http.Json;
using MessagePlatform.IntegrationTests.Infrastructure;
using Npgsql;

namespace MessagePlatform.IntegrationTests.Tenants;

[Collection(PlatformCollection.Name)]
public sealed class TenantsTests(PlatformFixture platform)
{
    [Fact]
    public async Task creating_a_tenant_shows_its_keys_once_and_reading_it_shows_its_default_policy()
    {
        var created = await platform.Admin.PostAsJsonAsync("/v1/tenants",
            new { tenantId = "acme-live", name = "Acme Live", scenario = "live" }).ExpectAsync(HttpStatusCode.Created);
        Assert.Equal("acme-live", created.GetProperty("tenantId").GetString());
        Assert.Equal("live", created.GetProperty("scenario").GetString());
        Assert.StartsWith("mp_app_", created.GetProperty("appKey").GetString());
        Assert.StartsWith("mp_auditor_", created.GetProperty("auditorKey").GetString());

        var read = await platform.Admin.GetAsync("/v1/tenants/acme-live").ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("Acme Live", read.GetProperty("name").GetString());
        Assert.Equal("last:1000", read.GetProperty("defaultPolicy").GetProperty("retention").GetString());
        Assert.Equal("delete", read.GetProperty("defaultPolicy").GetProperty("onClose").GetString());
        Assert.False(read.TryGetProperty("appKey", out _));
        Assert.False(read.TryGetProperty("auditorKey", out _));
    }

    [Fact]
    public async Task creating_an_existing_tenant_is_a_conflict()
    {
        var tenant = await platform.NewTenantAsync();
        var problem = await platform.Admin.PostAsJsonAsync("/v1/tenants",
            new { tenantId = tenant.TenantId, name = "Again", scenario = "social" }).ExpectAsync(HttpStatusCode.Conflict);
        Calls.AssertProblem(problem, 409);
    }

    [Theory]
    [InlineData("A-upper")]
    [InlineData("-leading-dash")]
    [InlineData("x")]
    [InlineData("has space")]
    public async Task a_malformed_tenant_id_is_a_validation_problem(string tenantId)
    {
        var response = await platform.Admin.PostAsJsonAsync("/v1/tenants", new { tenantId, name = "Bad", scenario = "social" });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Json();
        Assert.True(problem.GetProperty("errors").TryGetProperty("tenantId", out _));
        // No tenant can have such an id: the path is refused as such.
        await platform.Admin.GetAsync($"/v1/tenants/{Uri.EscapeDataString(tenantId)}").ExpectAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task a_missing_or_unknown_credential_is_401_and_a_wrong_role_is_403()
    {
        var tenant = await platform.NewTenantAsync();
        using var anonymous = platform.Host.CreateClient();
        Calls.AssertProblem(await anonymous.GetAsync($"/v1/tenants/{tenant.TenantId}").ExpectAsync(HttpStatusCode.Unauthorized), 401);
        using var forged = platform.Host.ClientWith("mp_app_not-a-key");
        await forged.GetAsync($"/v1/tenants/{tenant.TenantId}").ExpectAsync(HttpStatusCode.Unauthorized);
        await forged.GetAsync("/v1/sessions/anything").ExpectAsync(HttpStatusCode.Unauthorized);

        Calls.AssertProblem(await tenant.App.GetAsync($"/v1/tenants/{tenant.TenantId}").ExpectAsync(HttpStatusCode.Forbidden), 403);
        using var auditor = platform.Host.ClientWith(tenant.AuditorKey);
        await auditor.GetAsync("/v1/sessions/anything").ExpectAsync(HttpStatusCode.Forbidden);
        await platform.Admin.GetAsync("/v1/sessions/anything").ExpectAsync(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task keys_are_stored_only_as_hashes()
    {
        var tenant = await platform.NewTenantAsync();
        await using var db = new NpgsqlConnection(platform.Postgres);
        await db.OpenAsync();
        await using var cmd = new NpgsqlCommand(
            "select count(*) from mp.mt_doc_apikey where data::text like '%' || @key || '%' or id = @key", db);
        cmd.Parameters.AddWithValue("key", tenant.AppKey);
        Assert.Equal(0L, (long)(await cmd.ExecuteScalarAsync())!);
        await using var all = new NpgsqlCommand("select count(*) from mp.mt_doc_apikey where coalesce(data->>'TenantId', data->>'tenantId') = @t", db);
        all.Parameters.AddWithValue("t", tenant.TenantId);
        Assert.Equal(2L, (long)(await all.ExecuteScalarAsync())!);
    }
}
