using Marten;
using MessagePlatform.Api.EventStore;
using MessagePlatform.Api.Platform;
using MessagePlatform.Domain;
using Npgsql;
using Weasel.Postgresql.Tables;
using static MessagePlatform.Projections.ReadModels;

namespace MessagePlatform.Api.Broadcasts;

/// <summary>
/// Users' tags: each change is an event in the user's tag stream, and the table of who held which
/// tag when is written in the same transaction, so a tag broadcast reaches in sync exactly the
/// users who held one of its tags when it was sent.
/// </summary>
public sealed class UserTags(NpgsqlDataSource db, SessionStreams streams, TimeProvider clock)
{
    public const string Table = "mp_user_tags";
    private static readonly string Qualified = Projections.ReadModels.Qualified(Table);

    public static void AddTo(StoreOptions options)
    {
        var table = NewTable(Table);
        table.AddColumn<string>("tenant_id").AsPrimaryKey();
        table.AddColumn<string>("user_id").AsPrimaryKey();
        table.AddColumn<string>("tag").AsPrimaryKey();
        table.AddColumn<DateTimeOffset>("held_from").AsPrimaryKey();
        table.AddColumn<DateTimeOffset>("held_until");
        table.Indexes.Add(new IndexDefinition($"ix_{Table}_tag") { Columns = ["tenant_id", "tag"], Predicate = "held_until is null" });
        options.Storage.ExtendedSchemaObjects.Add(table);
    }

    /// <summary>The tags the user holds now.</summary>
    public async Task<IReadOnlyList<string>> HeldAsync(string tenantId, string userId, CancellationToken ct)
    {
        await using var cmd = db.Command(
            $"select tag from {Qualified} where tenant_id = $1 and user_id = $2 and held_until is null order by tag", tenantId, userId);
        var tags = new List<string>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) tags.Add(reader.GetString(0));
        return tags;
    }

    /// <summary>Which of <paramref name="userIds"/> hold any of <paramref name="tags"/> now (a tag broadcast's online targets).</summary>
    public async Task<HashSet<string>> HoldersAsync(string tenantId, string[] tags, string[] userIds, CancellationToken ct)
    {
        await using var cmd = db.Command(
            $"select distinct user_id from {Qualified} where tenant_id = $1 and tag = any($2) and user_id = any($3) and held_until is null",
            tenantId, tags, userIds);
        var holders = new HashSet<string>(StringComparer.Ordinal);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) holders.Add(reader.GetString(0));
        return holders;
    }

    /// <summary>Replaces the user's tags; the event and the rows commit together, or not at all on a concurrent change.</summary>
    public async Task<IReadOnlyList<string>> SetAsync(string tenantId, string userId, IReadOnlyList<string> tags, CancellationToken ct)
    {
        var stream = TagRules.StreamOf(userId);
        var version = await streams.VersionAsync(tenantId, stream, ct);
        var held = await HeldAsync(tenantId, userId, ct);
        var decision = TagRules.Set(userId, held, tags, clock.GetUtcNow());
        if (decision.Events.Count == 0) return held;
        var change = (UserTagsChanged)decision.Events[0];
        await streams.AppendAsync(tenantId, stream, version, decision.Events, operations =>
        {
            operations.QueueSqlCommand(
                $"update {Qualified} set held_until = ? where tenant_id = ? and user_id = ? and held_until is null and tag = any(?)",
                change.ChangedAt, tenantId, userId, change.Removed.ToArray());
            operations.QueueSqlCommand(
                $"insert into {Qualified} (tenant_id, user_id, tag, held_from) select ?, ?, t, ? from unnest(?::text[]) t",
                tenantId, userId, change.ChangedAt, change.Added.ToArray());
        }, ct);
        return await HeldAsync(tenantId, userId, ct);
    }
}
