namespace MessagePlatform.IntegrationTests.Security;

/// <summary>The credentials every operation is tried with, in the order a row runs them (refusals before what they might undo).</summary>
public enum Credential
{
    None, Malformed, Admin, App, Auditor,
    /// <summary>A user token for the user the path names, or for a member of the session it names.</summary>
    PathUser,
    /// <summary>A user token for another user of the same tenant, in none of the path's sessions.</summary>
    OtherUser,
    /// <summary>The other tenant's user token for the path user's id.</summary>
    OtherTenantUser, OtherTenantAuditor, OtherTenantApp,
}

/// <summary>Who may call an operation (API.md, "Keys and roles" and each section's heading).</summary>
[Flags]
public enum Allowed
{
    Nobody = 0,
    Admin = 1,
    App = 2,
    Auditor = 4,
    /// <summary>The user the path names (or a member of the session it names), acting as itself.</summary>
    PathUser = 8,
    /// <summary>Any user token of the tenant: the connection is the user's own whatever it is.</summary>
    AnyUser = 16,
    AppOrPathUser = App | PathUser,
    /// <summary>No credential needed (operations, the contract's documents).</summary>
    Open = 32,
}

/// <summary>What an allowed role of the other tenant gets from a row (see <see cref="RoleTable"/>).</summary>
public enum Foreign
{
    /// <summary>The path names this tenant's resource: looked up in the caller's own tenant, it is not there (404).</summary>
    NotFound,
    /// <summary>The operation acts inside the caller's own tenant (a create, a tenant-wide list, a user id of its own tenant, an idempotent delete).</summary>
    OwnTenant,
}

/// <summary>
/// One operation: its method and OpenAPI template, who may call it, what another tenant's allowed
/// credential gets, the path values (placeholders of <see cref="RoleTable.Defaults"/> unless named),
/// and a body and query that get past validation where the answer depends on what they say.
/// </summary>
public sealed record RoleRow(
    string Method, string Template, Allowed Allowed, Foreign Foreign = Foreign.NotFound,
    string? Body = null, IReadOnlyDictionary<string, string>? Path = null, string Query = "", bool InDocument = true)
{
    public string Name => $"{Method} {Template}";

    /// <summary>The user whose token is this row's <see cref="Credential.PathUser"/>: the path's user, else a member of its session.</summary>
    public string Subject => Path is { } p && p.TryGetValue("userId", out var user) && Template.StartsWith("/v1/users/", StringComparison.Ordinal)
        ? user : RoleTable.Defaults["userId"];

    public override string ToString() => Name;
}

/// <summary>
/// The role matrix of the contract, one row per operation of the served OpenAPI document (plus the
/// doors the document leaves out). Expected answers, per credential:
/// <list type="bullet">
/// <item>none or malformed: 401 (open rows: anything but 401/403);</item>
/// <item>a valid credential whose role the row does not allow: 403, the other tenant's included;</item>
/// <item>an allowed role of this tenant: neither 401 nor 403 (validation may still answer 400/404);</item>
/// <item>an allowed role of the other tenant: every credential carries its tenant, so the request is looked up
/// inside the caller's own tenant. Where the path names a resource of this tenant (a session, a message,
/// an erasure) that is 404, never 403, so nothing tells whether it exists elsewhere (API.md: "404 for tenant
/// data"); where the operation acts on the caller's own tenant (creates, tenant-wide lists, user ids, which are
/// not registered resources, idempotent deletes) it is answered there: neither 401 nor 403, with none of this
/// tenant's ids in the body. Either way this tenant's audit export is unchanged by every such call.</item>
/// </list>
/// Where a section names the credential (Presence, tags and erasure: app key; tokens: app key), that
/// heading narrows the keys table's "the /v1/users/{itsOwnId}/… endpoints" to "A user's view".
/// </summary>
public static class RoleTable
{
    /// <summary>Path values of rows that name none: the fixture's c2c session with ann's message in it, and tenant A.</summary>
    public static readonly IReadOnlyDictionary<string, string> Defaults = new Dictionary<string, string>
    {
        ["sessionId"] = "c2c:ann:bob", ["userId"] = "ann", ["msgId"] = "{annMsgId}", ["tenantId"] = "{tenantId}",
        ["keyId"] = "{spareKeyId}", ["erasureId"] = "{erasureId}", ["deliveryId"] = "no-such-delivery", ["rebuildId"] = "no-such-rebuild",
        ["reaction"] = "like",
    };

    private static Dictionary<string, string> P(params (string Name, string Value)[] values) => values.ToDictionary(v => v.Name, v => v.Value);

    private const string Hook = """{"url":"http://127.0.0.1:9/role-matrix","secret":"role-matrix-secret-16","events":["message.sent"]}""";

    public static readonly IReadOnlyList<RoleRow> Rows =
    [
        // Tenants (admin key)
        new("POST", "/v1/tenants", Allowed.Admin),
        new("GET", "/v1/tenants/{tenantId}", Allowed.Admin),
        new("GET", "/v1/tenants/{tenantId}/keys", Allowed.Admin),
        new("POST", "/v1/tenants/{tenantId}/keys", Allowed.Admin),
        new("DELETE", "/v1/tenants/{tenantId}/keys/{keyId}", Allowed.Admin),
        // Operations (admin key)
        new("POST", "/v1/admin/gc/run", Allowed.Admin),
        new("GET", "/v1/admin/gc/failures", Allowed.Admin),
        new("GET", "/v1/admin/projections/rebuilds/{rebuildId}", Allowed.Admin),

        // Sessions (app key)
        new("POST", "/v1/sessions", Allowed.App, Foreign.OwnTenant),
        new("GET", "/v1/sessions/{sessionId}", Allowed.App),
        new("POST", "/v1/sessions/{sessionId}/members", Allowed.App, Body: """{"userIds":["dan"]}""", Path: P(("sessionId", "rm-members"))),
        new("DELETE", "/v1/sessions/{sessionId}/members/{userId}", Allowed.App, Path: P(("sessionId", "rm-members"), ("userId", "dan"))),
        new("POST", "/v1/sessions/{sessionId}/close", Allowed.App, Path: P(("sessionId", "rm-close"))),

        // Messages (app key, or a member's token as itself)
        // `from` and `by` name ann, so every key gets past validation to its look-up; another user's token may not act as her.
        new("POST", "/v1/sessions/{sessionId}/messages", Allowed.AppOrPathUser,
            Body: """{"from":"ann","clientMsgId":"rm-send","type":"text","body":{"text":"role matrix"}}"""),
        new("GET", "/v1/sessions/{sessionId}/messages", Allowed.AppOrPathUser),
        new("POST", "/v1/sessions/{sessionId}/messages/{msgId}/retract", Allowed.AppOrPathUser, Body: """{"by":"ann"}"""),
        // Everyday chat (v1.1): the same rule, `by` naming ann; a message id the session lacks still gets past authorization.
        new("POST", "/v1/sessions/{sessionId}/messages/{msgId}/edit", Allowed.AppOrPathUser, Body: """{"by":"ann","body":{"text":"role matrix edit"}}"""),
        new("GET", "/v1/sessions/{sessionId}/messages/{msgId}/replies", Allowed.AppOrPathUser),
        new("PUT", "/v1/sessions/{sessionId}/messages/{msgId}/reactions/{reaction}", Allowed.AppOrPathUser, Body: """{"by":"ann"}"""),
        new("DELETE", "/v1/sessions/{sessionId}/messages/{msgId}/reactions/{reaction}", Allowed.AppOrPathUser, Query: "?by=ann"),
        new("POST", "/v1/sessions/{sessionId}/pins", Allowed.AppOrPathUser, Body: """{"msgId":"1","by":"ann"}"""),
        new("DELETE", "/v1/sessions/{sessionId}/pins/{msgId}", Allowed.AppOrPathUser, Query: "?by=ann"),
        new("GET", "/v1/sessions/{sessionId}/pins", Allowed.AppOrPathUser),
        new("PUT", "/v1/hooks/before-send", Allowed.App, Foreign.OwnTenant),
        new("DELETE", "/v1/hooks/before-send", Allowed.App, Foreign.OwnTenant),

        // A user's view (app key, or that user's token)
        new("GET", "/v1/users/{userId}/sync", Allowed.AppOrPathUser, Foreign.OwnTenant),
        new("GET", "/v1/users/{userId}/conversations", Allowed.AppOrPathUser, Foreign.OwnTenant),
        new("POST", "/v1/users/{userId}/conversations/{sessionId}/read", Allowed.AppOrPathUser, Body: """{"seq":1}"""),
        new("PUT", "/v1/users/{userId}/conversations/{sessionId}/settings", Allowed.AppOrPathUser, Body: """{"muted":true}"""),
        new("GET", "/v1/sessions/{sessionId}/receipts", Allowed.AppOrPathUser),
        new("GET", "/v1/sessions/{sessionId}/messages/{msgId}/receipts", Allowed.AppOrPathUser),
        new("POST", "/v1/sessions/{sessionId}/typing", Allowed.AppOrPathUser, Body: """{"by":"ann"}"""),
        new("POST", "/v1/users/{userId}/tokens", Allowed.App, Foreign.OwnTenant),
        // Revoking every token of the path user: a user of its own, so no other row's token dies with it.
        new("DELETE", "/v1/users/{userId}/tokens", Allowed.App, Foreign.OwnTenant, Path: P(("userId", "dora"))),

        // Presence, tags and broadcasts (app key)
        new("GET", "/v1/users/{userId}/presence", Allowed.App, Foreign.OwnTenant),
        new("POST", "/v1/presence/query", Allowed.App, Foreign.OwnTenant, Body: """{"userIds":["ann"]}"""),
        new("PUT", "/v1/users/{userId}/tags", Allowed.App, Foreign.OwnTenant, Body: """{"tags":["vip"]}"""),
        new("GET", "/v1/users/{userId}/tags", Allowed.App, Foreign.OwnTenant),
        new("POST", "/v1/broadcasts", Allowed.App, Foreign.OwnTenant),

        // Webhooks (app key)
        new("PUT", "/v1/sessions/{sessionId}/webhook", Allowed.App, Body: Hook),
        new("DELETE", "/v1/sessions/{sessionId}/webhook", Allowed.App, Foreign.OwnTenant),
        new("PUT", "/v1/webhooks/default", Allowed.App, Foreign.OwnTenant),
        new("DELETE", "/v1/webhooks/default", Allowed.App, Foreign.OwnTenant),
        new("GET", "/v1/webhooks/parked", Allowed.App, Foreign.OwnTenant),
        new("POST", "/v1/webhooks/parked/{deliveryId}/replay", Allowed.App),

        // Erasure (app key only, never a user token)
        new("POST", "/v1/users/{userId}/erase", Allowed.App, Foreign.OwnTenant, Path: P(("userId", "erin"))),
        new("GET", "/v1/erasures/{erasureId}", Allowed.App),

        // Audit (auditor key), legal holds included
        new("GET", "/v1/audit/sessions/{sessionId}/events", Allowed.Auditor),
        new("GET", "/v1/audit/sessions/{sessionId}/state", Allowed.Auditor, Query: "?asOf={now}"),
        new("GET", "/v1/audit/export", Allowed.Auditor, Foreign.OwnTenant),
        new("GET", "/v1/audit/gc", Allowed.Auditor, Foreign.OwnTenant),
        new("GET", "/v1/audit/access-log", Allowed.Auditor, Foreign.OwnTenant),
        new("GET", "/v1/audit/legal-holds", Allowed.Auditor, Foreign.OwnTenant),
        new("POST", "/v1/audit/sessions/{sessionId}/legal-hold", Allowed.Auditor),
        new("DELETE", "/v1/audit/sessions/{sessionId}/legal-hold", Allowed.Auditor),

        // Outside the document: the operations endpoints and the WebSocket door (a plain GET answers 400 there).
        new("GET", "/health/live", Allowed.Open, InDocument: false),
        new("GET", "/health/ready", Allowed.Open, InDocument: false),
        new("GET", "/openapi/v1.json", Allowed.Open, InDocument: false),
        new("GET", "/v1/connect", Allowed.AnyUser, Foreign.OwnTenant, InDocument: false),

        // Last: a rebuild runs on after its answer.
        new("POST", "/v1/admin/projections/rebuild", Allowed.Admin),
    ];
}
