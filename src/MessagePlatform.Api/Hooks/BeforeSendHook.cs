using System.Net.Http.Headers;
using System.Text.Json;
using Marten;
using MessagePlatform.Api.Outbound;
using MessagePlatform.Domain;
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
/// modify (stored with the hook's body). A timeout, an error or an answer of any other shape (or over
/// MaxAnswerBytes) follows the hook's failure policy: "open" lets the send through, "closed" refuses it (503).
/// </summary>
public sealed class BeforeSendHook(IDocumentStore store, IHttpClientFactory http, IMemoryCache cache, TimeProvider clock,
    ILogger<BeforeSendHook> log)
{
    public const string HttpClientName = "before-send";

    /// <summary>Room for a modified body at the size limit, escaped, and the answer around it.</summary>
    public const int MaxAnswerBytes = 2 * SendRules.MaxBodyBytes + 4096;

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
        byte[] answer;
        try
        {
            // Buffered by the client, which stops at MaxAnswerBytes: an endless answer is cut, not waited for.
            using var response = await http.CreateClient(HttpClientName).SendAsync(request, timeout.Token);
            if (!response.IsSuccessStatusCode) return Failed(hook, tenantId, OutboundFailure.Status((int)response.StatusCode), null);
            answer = await response.Content.ReadAsByteArrayAsync(timeout.Token);
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            return Failed(hook, tenantId, OutboundFailure.Describe(e), e.Message);
        }
        var read = ModerationAnswer.Read(answer);
        return read.Action switch
        {
            ModerationAction.Allow => HookVerdict.Pass,
            ModerationAction.Deny => new HookVerdict(false, null, read.Reason, false),
            ModerationAction.Modify => new HookVerdict(true, read.Body, null, false),
            _ => Failed(hook, tenantId, read.Why!, null),
        };
    }

    /// <summary>
    /// The failure policy. The tenant's 503 says only that the hook failed: what the hook's address
    /// answered, or the exception, would let a hook URL read what it should not; the log has the cause.
    /// </summary>
    private HookVerdict Failed(BeforeSendHookConfig hook, string tenantId, string why, string? error)
    {
        log.LogWarning("Before-send hook of {TenantId} failed ({Reason}; {Error}); failing {Policy}", tenantId, why, error, hook.FailurePolicy);
        return hook.FailurePolicy == "open" ? HookVerdict.Pass : new HookVerdict(false, null, UnavailableDetail, true);
    }

    public const string UnavailableDetail = "The before-send hook gave no usable answer.";
}
