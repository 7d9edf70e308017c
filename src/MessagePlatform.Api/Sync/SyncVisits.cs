using Marten;
using Microsoft.Extensions.Caching.Memory;
using MessagePlatform.Api.Platform;
using Npgsql;
using static MessagePlatform.Projections.ReadModels;

namespace MessagePlatform.Api.Sync;

/// <summary>
/// When each user last synced, to the hour: GC clears the timelines of users who stayed away longer
/// than the tenant's timeline retention (the seeds' inactive users), whose next sync starts over.
/// </summary>
public sealed class SyncVisits(NpgsqlDataSource db, TimeProvider clock, IMemoryCache recent)
{
    public const string Table = "mp_sync_visits";

    public static void AddTo(StoreOptions options)
    {
        var table = NewTable(Table);
        table.AddColumn<string>("tenant_id").AsPrimaryKey();
        table.AddColumn<string>("user_id").AsPrimaryKey();
        table.AddColumn<DateTimeOffset>("synced_at").NotNull();
        options.Storage.ExtendedSchemaObjects.Add(table);
    }

    /// <summary>
    /// Writes at most once an hour per user: a sync is a read, and should stay cheap. A node that
    /// recorded a user lately does not even ask the database.
    /// </summary>
    public async Task RecordAsync(string tenantId, string userId, CancellationToken ct)
    {
        var key = $"synced:{tenantId}:{userId}";
        if (recent.TryGetValue(key, out _)) return;
        recent.Set(key, true, TimeSpan.FromMinutes(10));
        await using var cmd = db.Command(
            $"""
             insert into {Qualified(Table)} (tenant_id, user_id, synced_at) values ($1, $2, $3)
             on conflict (tenant_id, user_id) do update set synced_at = excluded.synced_at
             where {Qualified(Table)}.synced_at < excluded.synced_at - interval '1 hour'
             """, tenantId, userId, clock.GetUtcNow());
        await cmd.ExecuteNonQueryAsync(ct);
    }
}
