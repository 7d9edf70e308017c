using System.Net.Http.Headers;
using System.Text.Json;
using Marten;
using Microsoft.Extensions.Caching.Memory;

namespace MessagePlatform.Api.Hooks;

/// <summary>A tenant's moderation hook (API.md "Before-send hook"), one per tenant, keyed by tenant id.</summary>
public sealed record BeforeSendHookConfig(string Id, string Url, string Secret, int TimeoutMs, string FailurePolicy, string[]? Types);

/// <summary>What the hook said: go on (with the body to store), or refuse.</summary>
public sealed record HookVerdict(bool Allowed, JsonElement? Body, string? Reason, bool Unavailable)
{
    public static readonly HookVerdict Pass = new(true, null, null, false);
}

/// <summary>
/// Asks the tenant's hook about a send before it is stored: allow, deny (422, nothing stored) or
/// modify (stored with the hook's body). A timeout or an error follows the hook's failure policy:
/// "open" lets the send through, "closed" refuses it (503).
/// </summary>
public sealed class BeforeSendHook(IDocumentStore store, IHttpClientFactory http, IMemoryCache cache, TimeProvider clock,
    ILogger<BeforeSendHook> log)
{
    public const string HttpClientName = "before-send";

    public Task<BeforeSendHookConfig?> FindAsync(string tenantId, CancellationToken ct) =>
        cache.GetOrCreateAsync(CacheKey(tenantId), async entry =>
        {
            // Other nodes see a changed hook within seconds; this node at once (Forget).
            entry.AbsoluteExpirationRelativeToNow = TimeSpan.FromSeconds(5);
            await using var session = store.QuerySession();
            return await session.LoadAsync<BeforeSendHookConfig>(tenantId, ct);
        });

    public void Forget(string tenantId) => cache.Remove(CacheKey(tenantId));

    private static string CacheKey(string tenantId) => $"before-send:{tenantId}";

    public async Task<HookVerdict> AskAsync(string tenantId, string sessionId, string from, string clientMsgId, string type,
        JsonElement body, string priority, CancellationToken ct)
    {
        var hook = await FindAsync(tenantId, ct);
        if (hook is null || (hook.Types is { Length: > 0 } types && !types.Contains(type))) return HookVerdict.Pass;

        var payload = JsonSerializer.SerializeToUtf8Bytes(new { tenantId, sessionId, from, clientMsgId, type, body, priority },
            JsonSerializerOptions.Web);
        using var request = new HttpRequestMessage(HttpMethod.Post, hook.Url) { Content = new ByteArrayContent(payload) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        Signature.AddTo(request, hook.Secret, clock.GetUtcNow().ToUnixTimeSeconds(), payload);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(hook.TimeoutMs);
        try
        {
            using var response = await http.CreateClient(HttpClientName).SendAsync(request, timeout.Token);
            response.EnsureSuccessStatusCode();
            var answer = await response.Content.ReadFromJsonAsync<JsonElement>(timeout.Token);
            return answer.TryGetProperty("action", out var action) ? action.GetString() switch
            {
                "allow" => HookVerdict.Pass,
                "deny" => new HookVerdict(false, null,
                    answer.TryGetProperty("reason", out var reason) ? reason.GetString() : "denied by the before-send hook", false),
                "modify" when answer.TryGetProperty("body", out var modified) => new HookVerdict(true, modified.Clone(), null, false),
                _ => Failed(hook, tenantId, "an answer without a known action"),
            } : Failed(hook, tenantId, "an answer without an action");
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or JsonException && !ct.IsCancellationRequested)
        {
            return Failed(hook, tenantId, e is OperationCanceledException ? $"no answer within {hook.TimeoutMs} ms" : e.Message);
        }
    }

    private HookVerdict Failed(BeforeSendHookConfig hook, string tenantId, string why)
    {
        log.LogWarning("Before-send hook of {TenantId} failed ({Reason}); failing {Policy}", tenantId, why, hook.FailurePolicy);
        return hook.FailurePolicy == "open" ? HookVerdict.Pass : new HookVerdict(false, null, $"The before-send hook failed: {why}.", true);
    }
}
