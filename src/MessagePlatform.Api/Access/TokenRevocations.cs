using System.Collections.Concurrent;
using Marten;
using MessagePlatform.Api.Platform;
using Npgsql;
using Weasel.Postgresql.Tables;
using static MessagePlatform.Projections.ReadModels;

namespace MessagePlatform.Api.Access;

/// <summary>
/// Which users' tokens were revoked, and from when: a token issued before its user's revocation
/// is refused. Answered from memory, so authentication and open connections can ask on every use;
/// <see cref="TokenRevocationFeed"/> brings in what any node recorded, about once a second.
/// </summary>
public sealed class TokenRevocations(NpgsqlDataSource db, TimeProvider clock)
{
    public const string Table = "mp_token_revocations";
    private static readonly string Qualified = Projections.ReadModels.Qualified(Table);

    /// <summary>Rows are read again this far behind the newest seen, so one committed late is not missed.</summary>
    private static readonly TimeSpan Overlap = TimeSpan.FromSeconds(10);

    private readonly ConcurrentDictionary<(string TenantId, string UserId), DateTimeOffset> _revokedBefore = new();
    private volatile bool _loaded;
    private DateTimeOffset _seenUpTo = DateTimeOffset.MinValue;

    public static void AddTo(StoreOptions options)
    {
        var table = NewTable(Table);
        table.AddColumn<string>("tenant_id").AsPrimaryKey();
        table.AddColumn<string>("user_id").AsPrimaryKey();
        table.AddColumn<DateTimeOffset>("revoked_at").NotNull();
        // The database's clock, so every node's watermark compares against one clock.
        table.AddColumn("recorded_at", "timestamptz").NotNull().DefaultValueByExpression("clock_timestamp()");
        table.Indexes.Add(new IndexDefinition($"ix_{Table}_recorded") { Columns = ["recorded_at"] });
        options.Storage.ExtendedSchemaObjects.Add(table);
    }

    /// <summary>
    /// Whether a token issued at <paramref name="issuedAt"/> was revoked. Until this node has read the
    /// revocations once it cannot tell, and refuses: a revoked token must never pass a fresh node.
    /// </summary>
    public bool IsRevoked(string tenantId, string userId, DateTimeOffset issuedAt) =>
        !_loaded || (_revokedBefore.TryGetValue((tenantId, userId), out var before) && issuedAt < before);

    /// <summary>The upsert that records a revocation, queued in the same unit of work as its event.</summary>
    public static void Queue(IDocumentOperations operations, string tenantId, string userId, DateTimeOffset revokedAt) =>
        operations.QueueSqlCommand(
            $"insert into {Qualified} (tenant_id, user_id, revoked_at) values (?, ?, ?) on conflict (tenant_id, user_id) " +
            "do update set revoked_at = greatest(excluded.revoked_at, " + Table + ".revoked_at), recorded_at = clock_timestamp()",
            tenantId, userId, revokedAt);

    /// <summary>Takes a revocation into memory at once (the node that made it need not wait for its own poll).</summary>
    public void Note(string tenantId, string userId, DateTimeOffset revokedAt) =>
        _revokedBefore.AddOrUpdate((tenantId, userId), revokedAt, (_, known) => known > revokedAt ? known : revokedAt);

    /// <summary>Reads the revocations recorded since the last read; tokens live at most 30 days, so older ones no longer matter.</summary>
    public async Task RefreshAsync(CancellationToken ct)
    {
        var since = _seenUpTo == DateTimeOffset.MinValue ? DateTimeOffset.MinValue : _seenUpTo - Overlap;
        var relevantFrom = clock.GetUtcNow() - UserTokens.MaxLifetime;
        await using var cmd = db.Command(
            $"select tenant_id, user_id, revoked_at, recorded_at from {Qualified} where recorded_at > $1 and revoked_at > $2",
            since, relevantFrom);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        var seen = _seenUpTo;
        while (await reader.ReadAsync(ct))
        {
            Note(reader.GetString(0), reader.GetString(1), reader.GetFieldValue<DateTimeOffset>(2));
            var recorded = reader.GetFieldValue<DateTimeOffset>(3);
            if (recorded > seen) seen = recorded;
        }
        _seenUpTo = seen;
        _loaded = true;
    }

    /// <summary>Drops what can no longer refuse anything (every token issued before it has expired), so memory stays bounded.</summary>
    public void Prune()
    {
        var relevantFrom = clock.GetUtcNow() - UserTokens.MaxLifetime;
        foreach (var (user, before) in _revokedBefore)
            if (before < relevantFrom) _revokedBefore.TryRemove(KeyValuePair.Create(user, before));
    }
}
