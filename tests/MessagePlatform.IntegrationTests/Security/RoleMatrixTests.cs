using System.Net;
using System.Text;
using MessagePlatform.IntegrationTests.Fuzz;
using MessagePlatform.IntegrationTests.Infrastructure;

namespace MessagePlatform.IntegrationTests.Security;

/// <summary>
/// The part of the role matrix the contract fixes whatever the request holds: every operation of the
/// OpenAPI document refuses a missing or malformed credential with 401, an auditor key with 403 everywhere
/// but the audit endpoints, and the admin key with 403 everywhere but tenant management and /v1/admin. Authorization answers before validation, so an empty body
/// and placeholder ids are enough to reach it.
/// </summary>
public sealed class RoleMatrixTests
{
    /// <summary>Who may call an operation, by the contract's roles (API.md, "Keys and roles").</summary>
    private enum Access { Admin, App, AppOrOwnUser, AuditorOnly, Open }

    private static Access AccessOf(Operation operation) => operation.Template switch
    {
        var t when t.StartsWith("/v1/audit/", StringComparison.Ordinal) => Access.AuditorOnly,
        var t when t.StartsWith("/v1/tenants", StringComparison.Ordinal) => Access.Admin,
        // The operator's endpoints (projection rebuild, a GC pass) take the admin key.
        var t when t.StartsWith("/v1/admin/", StringComparison.Ordinal) => Access.Admin,
        var t when t.StartsWith("/v1/users/{userId}/", StringComparison.Ordinal) => Access.AppOrOwnUser,
        var t when t.StartsWith("/v1/", StringComparison.Ordinal) => Access.App,
        _ => Access.Open,
    };

    [Fact]
    public async Task every_operation_refuses_no_credential_and_a_malformed_one_with_401_the_auditor_outside_audit_and_the_admin_outside_tenants_with_403()
    {
        await using var host = new PlatformHost(await TestServers.CreateDatabaseAsync());
        using var admin = host.ClientWith(PlatformHost.AdminKey);
        var tenant = await PlatformFixture.NewTenantAsync(host, admin);
        var document = await OpenApiOperations.FetchAsync(admin);
        Assert.True(document.All.Count >= 40, $"only {document.All.Count} operations in the document");
        using var client = host.CreateClient();
        var credentials = new (string Name, string? Header)[]
        {
            ("none", null),
            ("malformed", "Bearer mp_app_" + new string('A', 42)),
            ("auditor", "Bearer " + tenant.AuditorKey),
            ("admin", "Bearer " + PlatformHost.AdminKey),
        };
        var mismatches = new List<string>();
        foreach (var operation in document.All.Where(o => AccessOf(o) != Access.Open))
        foreach (var (name, header) in credentials)
        {
            var access = AccessOf(operation);
            int? expected = name switch
            {
                "auditor" => access == Access.AuditorOnly ? null : 403,
                "admin" => access == Access.Admin ? null : 403,
                _ => 401,
            };
            if (expected is null) continue;
            var url = operation.PathParameters.Aggregate(operation.Template, (t, p) => t.Replace($"{{{p}}}", "rm-x"));
            using var request = new HttpRequestMessage(new HttpMethod(operation.Method), url);
            if (header is not null) request.Headers.TryAddWithoutValidation("Authorization", header);
            if (operation.Method is "POST" or "PUT" or "PATCH") request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
            using var response = await client.SendAsync(request);
            if ((int)response.StatusCode != expected) mismatches.Add($"{operation} as {name}: {(int)response.StatusCode}, expected {expected}");
        }
        Assert.True(mismatches.Count == 0, string.Join("\n", mismatches));
    }
}
