using Npgsql;

namespace MessagePlatform.Api.Platform;

/// <summary>
/// Work that runs on one node of the cluster at a time (a GC pass, presence tracking): a PostgreSQL
/// session-level advisory lock held on a connection of its own for as long as the work runs. A node
/// that dies mid-run loses its connection, and with it the lock.
/// </summary>
public sealed class ClusterLock : IAsyncDisposable
{
    /// <summary>GC passes.</summary>
    public const long Gc = 0x4D50_4743; // "MPGC"

    /// <summary>Presence tracking.</summary>
    public const long Presence = 0x4D50_5052; // "MPPR"

    private readonly NpgsqlConnection _connection;
    private readonly long _key;

    private ClusterLock(NpgsqlConnection connection, long key) => (_connection, _key) = (connection, key);

    /// <summary>The lock, or null when another node holds it.</summary>
    public static async Task<ClusterLock?> TryTakeAsync(NpgsqlDataSource db, long key, CancellationToken ct)
    {
        var connection = await db.OpenConnectionAsync(ct);
        if (await connection.Command("select pg_try_advisory_lock($1)", key).ScalarAsync<bool>(ct))
            return new ClusterLock(connection, key);
        await connection.DisposeAsync();
        return null;
    }

    /// <summary>The lock's own connection, for reads that may as well share it.</summary>
    public NpgsqlConnection Connection => _connection;

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _connection.Command("select pg_advisory_unlock($1)", _key).ScalarAsync<bool>(CancellationToken.None);
        }
        finally
        {
            await _connection.DisposeAsync();
        }
    }
}
