using Marten;
using MessagePlatform.Api.Access;
using MessagePlatform.Api.EventStore;
using MessagePlatform.Domain;

namespace MessagePlatform.Api.Tenants;

/// <summary>
/// A tenant's app and auditor keys. Each issue and deletion is an event of the tenant's "$keys"
/// stream, committed with the key document it adds or removes; the stream's expected version makes
/// two deletions racing for the last keys of a role end as one deletion and one 409.
/// </summary>
public sealed class TenantKeys(IDocumentStore store, SessionStreams streams, KeyLookups lookups, TimeProvider clock,
    ILogger<TenantKeys> log)
{
    private const int MaxAttempts = 5;

    public async Task<IReadOnlyList<ApiKey>> HeldAsync(string tenantId, CancellationToken ct)
    {
        await using var session = store.QuerySession();
        return await session.Query<ApiKey>().Where(k => k.TenantId == tenantId).OrderBy(k => k.CreatedAt).ToListAsync(ct);
    }

    /// <summary>A new key of <paramref name="role"/>, returned once: only its fingerprint is stored.</summary>
    public async Task<(ApiKey Stored, string Key)> IssueAsync(string tenantId, string role, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            var version = await streams.VersionAsync(tenantId, KeyRules.KeysStream, ct);
            var now = clock.GetUtcNow();
            var key = Credentials.NewKey(role);
            var stored = new ApiKey(Credentials.Fingerprint(key), tenantId, role, now);
            var decision = KeyRules.Issue(Credentials.KeyIdOf(stored.Id), role, now);
            if (decision.Rejection is { } rejection) throw new ArgumentException(rejection.Detail, nameof(role));
            try
            {
                await streams.AppendAsync(tenantId, KeyRules.KeysStream, version, decision.Events, o => o.Insert(stored), ct);
            }
            catch (Exception e) when (attempt < MaxAttempts && StreamConflicts.Is(e))
            {
                continue;
            }
            log.LogInformation("Issued {Role} key {KeyId} of {TenantId}", role, Credentials.KeyIdOf(stored.Id), tenantId);
            return (stored, key);
        }
    }

    /// <summary>Deletes a key unless it is the tenant's last of its role; null when deleted, else why not.</summary>
    public async Task<Rejection?> RevokeAsync(string tenantId, string keyId, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            // The version before the keys: a change between the two reads then fails the append.
            var version = await streams.VersionAsync(tenantId, KeyRules.KeysStream, ct);
            var held = await HeldAsync(tenantId, ct);
            var decision = KeyRules.Revoke(
                held.Select(k => new TenantKey(Credentials.KeyIdOf(k.Id), k.Role, k.CreatedAt)).ToArray(), keyId, clock.GetUtcNow());
            if (decision.Rejection is { } rejection) return rejection;
            var fingerprint = held.First(k => Credentials.KeyIdOf(k.Id) == keyId).Id;
            try
            {
                await streams.AppendAsync(tenantId, KeyRules.KeysStream, version, decision.Events, o => o.Delete<ApiKey>(fingerprint), ct);
            }
            catch (Exception e) when (attempt < MaxAttempts && StreamConflicts.Is(e))
            {
                continue;
            }
            lookups.Forget(fingerprint);
            log.LogInformation("Revoked key {KeyId} of {TenantId}", keyId, tenantId);
            return null;
        }
    }
}
