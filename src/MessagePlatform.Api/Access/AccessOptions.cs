namespace MessagePlatform.Api.Access;

/// <summary>How long credentials are trusted from memory ("Access" section): short, so a deletion is in force on every node within seconds.</summary>
public sealed class AccessOptions
{
    /// <summary>A found key is trusted this long before it is looked up again; at most 4, so a deleted key is refused within 5 s.</summary>
    public int KeyCacheSeconds { get; set; } = 3;

    /// <summary>At most this many found keys are held in memory; past it, look-ups simply go to the database.</summary>
    public int KeyCacheEntries { get; set; } = 10_000;

    /// <summary>How often each node reads revocations made on any node.</summary>
    public int RevocationRefreshMs { get; set; } = 1000;

    public TimeSpan KeyCacheFor => TimeSpan.FromSeconds(Math.Clamp(KeyCacheSeconds, 0, 4));

    public TimeSpan RefreshEvery => TimeSpan.FromMilliseconds(Math.Clamp(RevocationRefreshMs, 100, 2000));
}
