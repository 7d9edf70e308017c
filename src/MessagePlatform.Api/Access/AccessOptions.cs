using System.ComponentModel.DataAnnotations;

namespace MessagePlatform.Api.Access;

/// <summary>`Access:*`: how long credentials are trusted from memory: short, so a deletion is in force on every node within seconds.</summary>
public sealed class AccessOptions
{
    public const string Section = "Access";

    /// <summary>A found key is trusted this long before it is looked up again; at most 4, so a deleted key is refused within 5 s.</summary>
    [Range(0, 4)]
    public int KeyCacheSeconds { get; set; } = 3;

    /// <summary>At most this many found keys are held in memory; past it, look-ups simply go to the database.</summary>
    [Range(1, 10_000_000)]
    public int KeyCacheEntries { get; set; } = 10_000;

    /// <summary>How often each node reads revocations made on any node: at most 2 s, so a revoked token is refused everywhere within seconds.</summary>
    [Range(100, 2000)]
    public int RevocationRefreshMs { get; set; } = 1000;

    public TimeSpan KeyCacheFor => TimeSpan.FromSeconds(KeyCacheSeconds);

    public TimeSpan RefreshEvery => TimeSpan.FromMilliseconds(RevocationRefreshMs);
}
