using System.Net;
using System.Net.Http.Json;
using MessagePlatform.IntegrationTests.Fuzz;
using MessagePlatform.IntegrationTests.Infrastructure;

namespace MessagePlatform.IntegrationTests.Security;

/// <summary>
/// One host and the fuzz's two tenants, plus what the role table's rows point at: a message of ann in
/// the c2c session, sessions to change members of and to close, an erasure, and user tokens of both
/// tenants for every row's subject.
/// </summary>
public sealed class RoleMatrixWorld : IAsyncLifetime
{
    public PlatformHost Host { get; private set; } = null!;
    public HttpClient Admin { get; private set; } = null!;
    public FuzzWorld World { get; private set; } = null!;
    public IReadOnlyDictionary<string, string> Placeholders { get; private set; } = null!;
    /// <summary>Ids only tenant A has: none may appear in an answer to the other tenant's credential.</summary>
    public IReadOnlyList<string> TenantMarks { get; private set; } = null!;
    private readonly Dictionary<(bool Other, string User), string> tokens = [];

    public async Task InitializeAsync()
    {
        Host = new PlatformHost(await TestServers.CreateDatabaseAsync());
        Admin = Host.ClientWith(PlatformHost.AdminKey);
        World = await FuzzWorld.CreateAsync(Host, Admin);
        var app = World.Tenant.App;
        await app.OpenAsync(new { sessionId = "rm-members", type = "group", members = new[] { "ann", "dan" } });
        await app.OpenAsync(new { sessionId = "rm-close", type = "group", members = new[] { "ann" } });
        var annMsgId = (await app.SendAsync("c2c:ann:bob", "ann", "rm-seed").ExpectAsync(HttpStatusCode.Created)).GetProperty("msgId").GetString()!;
        var erasureId = (await app.PostAsync("/v1/users/rm-erased/erase", null).ExpectAsync(HttpStatusCode.Accepted))
            .GetProperty("erasureId").GetString()!;
        Placeholders = new Dictionary<string, string>
        {
            ["{annMsgId}"] = annMsgId,
            ["{tenantId}"] = World.Tenant.TenantId,
            ["{spareKeyId}"] = World.Values["keyId"][0],
            ["{erasureId}"] = erasureId,
            ["{now}"] = Uri.EscapeDataString(DateTimeOffset.UtcNow.ToString("O")),
        };
        // The fuzz world's first five message ids are tenant A's seeds (the sixth is the other tenant's).
        TenantMarks = [World.Tenant.TenantId, annMsgId, erasureId, .. World.Values["msgId"].Take(5)];
        foreach (var user in RoleTable.Rows.Select(r => r.Subject).Append("carl").Distinct())
        {
            tokens[(false, user)] = await app.TokenAsync(user);
            tokens[(true, user)] = await World.Other.App.TokenAsync(user);
        }
    }

    /// <summary>The Authorization header of a credential for a row; null for none.</summary>
    public string? Header(Credential credential, RoleRow row) => credential switch
    {
        Credential.None => null,
        Credential.Malformed => World.Credentials["malformed"],
        Credential.Admin => World.Credentials["admin"],
        Credential.App => World.Credentials["app"],
        Credential.Auditor => World.Credentials["auditor"],
        Credential.PathUser => "Bearer " + tokens[(false, row.Subject)],
        Credential.OtherUser => "Bearer " + tokens[(false, "carl")],
        Credential.OtherTenantUser => "Bearer " + tokens[(true, row.Subject)],
        Credential.OtherTenantAuditor => World.Credentials["other-auditor"],
        Credential.OtherTenantApp => World.Credentials["other-app"],
        _ => throw new ArgumentOutOfRangeException(nameof(credential)),
    };

    /// <summary>The row's URL with its path values (and their placeholders) filled in.</summary>
    public string Url(RoleRow row)
    {
        var url = row.Template + row.Query;
        foreach (var name in RoleTable.Defaults.Keys)
            url = url.Replace($"{{{name}}}", row.Path?.GetValueOrDefault(name) ?? RoleTable.Defaults[name]);
        return Placeholders.Aggregate(url, (u, p) => u.Replace(p.Key, p.Value));
    }

    /// <summary>Tenant A's audit export read with a key no row uses, without the access log (which records every audit call).</summary>
    public async Task<string> ExportAsync()
    {
        using var checker = Host.ClientWith(World.CheckerKey);
        var export = await checker.GetAsync("/v1/audit/export");
        Assert.Equal(HttpStatusCode.OK, export.StatusCode);
        var lines = (await export.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        return string.Join("\n", lines.Where(line => !line.Contains("\"streamKey\":\"$audit-access\"")));
    }

    public async Task DisposeAsync()
    {
        Admin.Dispose();
        await Host.DisposeAsync();
    }
}
