using Marten;
using MessagePlatform.Api.Tenants;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace MessagePlatform.Api.Access;

/// <summary>
/// Finds the stored key a presented one fingerprints to. Found keys are kept a few seconds in a cache
/// of bounded size; misses are never kept: a refusal is always the store's answer, and a flood of
/// made-up keys leaves nothing behind in memory.
/// </summary>
public sealed class KeyLookups(IDocumentStore store, IOptions<AccessOptions> options) : IDisposable
{
    private readonly AccessOptions _options = options.Value;
    private readonly MemoryCache _found = new(new MemoryCacheOptions { SizeLimit = Math.Max(1, options.Value.KeyCacheEntries) });
    private long _storeLookups;

    /// <summary>How many look-ups reached the database (for tests: a malformed bearer must cost none).</summary>
    public long StoreLookups => Interlocked.Read(ref _storeLookups);

    /// <summary>How many keys are held in memory now.</summary>
    public int Cached => _found.Count;

    public async Task<ApiKey?> FindAsync(string presented, CancellationToken ct)
    {
        var fingerprint = Credentials.Fingerprint(presented);
        if (_found.TryGetValue(fingerprint, out ApiKey? known)) return known;
        Interlocked.Increment(ref _storeLookups);
        // A session of its own, closed at once: a request-scoped one would live as long as a
        // WebSocket does (the profile found one per idle connection).
        await using var session = store.QuerySession();
        var key = await session.LoadAsync<ApiKey>(fingerprint, ct);
        if (key is not null && _options.KeyCacheFor > TimeSpan.Zero)
            _found.Set(fingerprint, key, new MemoryCacheEntryOptions { Size = 1, AbsoluteExpirationRelativeToNow = _options.KeyCacheFor });
        return key;
    }

    /// <summary>A key deleted on this node is refused here at once; other nodes within the cache's few seconds.</summary>
    public void Forget(string fingerprint) => _found.Remove(fingerprint);

    public void Dispose() => _found.Dispose();
}
