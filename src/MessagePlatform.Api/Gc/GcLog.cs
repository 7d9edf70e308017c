using Marten;
using MessagePlatform.Api.Platform;
using MessagePlatform.Projections;
using Npgsql;
using Weasel.Postgresql.Tables;

namespace MessagePlatform.Api.Gc;

/// <summary>
/// One line of what GC removed: a session's head under its retention, a whole session on close,
/// expired timeline entries, or a user's erased message bodies. It says what and how much, never
/// the content.
/// </summary>
public sealed record GcRecord(
    string Id, string Kind, string? SessionId, string? Policy, long? FromSeq, long? ToSeq, long Count,
    string By, string? UserId, DateTimeOffset At);

/// <summary>The GC record table, written in the same transaction as each removal, and read by auditors.</summary>
public sealed class GcLog(NpgsqlDataSource db)
{
    public const string Table = "mp_gc_log";
    private static readonly string Qualified = ReadModels.Qualified(Table);

    public static class Kinds
    {
        public const string Retention = "retention";
        public const string OnClose = "onClose";
        public const string Timeline = "timeline";
        public const string Erasure = "erasure";
        public const string Broadcasts = "broadcasts";
    }

    public static void AddTo(StoreOptions options)
    {
        var table = ReadModels.NewTable(Table);
        table.AddColumn<string>("tenant_id").AsPrimaryKey();
        table.AddColumn<string>("id").AsPrimaryKey();
        table.AddColumn<string>("kind").NotNull();
        table.AddColumn<string>("session_id");
        table.AddColumn<string>("policy");
        table.AddColumn<long>("from_seq");
        table.AddColumn<long>("to_seq");
        table.AddColumn<long>("count").NotNull();
        table.AddColumn<string>("by").NotNull();
        table.AddColumn<string>("user_id");
        table.AddColumn<DateTimeOffset>("at").NotNull();
        table.Indexes.Add(new IndexDefinition($"ix_{Table}_at") { Columns = ["tenant_id", "at"] });
        options.Storage.ExtendedSchemaObjects.Add(table);
    }

    // Absent values travel as '' and -1, so every value has a type: Marten binds '?' by runtime type.
    private static readonly string InsertSql =
        $"insert into {Qualified} (tenant_id, id, kind, session_id, policy, from_seq, to_seq, count, by, user_id, at) " +
        "values (?, ?, ?, nullif(?::text, ''), nullif(?::text, ''), nullif(?::bigint, -1), nullif(?::bigint, -1), ?, ?, nullif(?::text, ''), ?)";

    /// <summary>Queues the record into the unit of work that does the removal: recorded exactly when it happened.</summary>
    public static void Queue(IDocumentOperations operations, string tenantId, GcRecord r) =>
        operations.QueueSqlCommand(InsertSql, tenantId, r.Id, r.Kind, r.SessionId ?? "", r.Policy ?? "",
            r.FromSeq ?? -1, r.ToSeq ?? -1, r.Count, r.By, r.UserId ?? "", r.At);

    public async Task<IReadOnlyList<GcRecord>> ListAsync(string tenantId, DateTimeOffset? before, int limit, CancellationToken ct)
    {
        await using var cmd = db.Command(
            $"""
             select id, kind, session_id, policy, from_seq, to_seq, count, by, user_id, at from {Qualified}
             where tenant_id = $1 and at < $2 order by at desc, id limit $3
             """, tenantId, before?.ToUniversalTime() ?? DateTimeOffset.MaxValue, limit); // Npgsql writes only UTC to timestamptz
        var list = new List<GcRecord>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            list.Add(new GcRecord(reader.GetString(0), reader.GetString(1), Text(reader, 2), Text(reader, 3), Number(reader, 4),
                Number(reader, 5), reader.GetInt64(6), reader.GetString(7), Text(reader, 8), reader.GetFieldValue<DateTimeOffset>(9)));
        return list;
    }

    private static string? Text(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);
    private static long? Number(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : r.GetInt64(i);
}
