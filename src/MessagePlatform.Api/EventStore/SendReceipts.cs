using MessagePlatform.Api.Platform;
using MessagePlatform.Domain;
using Marten;
using Npgsql;
using Weasel.Postgresql;
using Weasel.Postgresql.Tables;

namespace MessagePlatform.Api.EventStore;

/// <summary>The first answer to a send, kept so a repeated clientMsgId gets it again.</summary>
public sealed record SendReceipt(string SessionId, string From, string ClientMsgId, long MsgId, long Seq, DateTimeOffset SentAt);

/// <summary>
/// One row per accepted send, written in the same transaction as its event. Its primary key is what
/// makes a clientMsgId store one message even when duplicates race on different nodes: the loser's
/// transaction fails, is retried, and then finds the winner's receipt.
/// </summary>
public sealed class SendReceipts(NpgsqlDataSource db)
{
    public const string Table = "mp_send_receipts";
    private const string Qualified = $"{Platform.EventStoreConfig.Schema}.{Table}";

    public static void AddTo(StoreOptions options)
    {
        var table = new Table(new PostgresqlObjectName(Platform.EventStoreConfig.Schema, Table, SchemaUtils.IdentifierUsage.General));
        table.AddColumn<string>("tenant_id").AsPrimaryKey();
        table.AddColumn<string>("session_id").AsPrimaryKey();
        table.AddColumn<string>("sender").AsPrimaryKey();
        table.AddColumn<string>("client_msg_id").AsPrimaryKey();
        table.AddColumn<long>("msg_id").NotNull();
        table.AddColumn<long>("seq").NotNull();
        table.AddColumn<DateTimeOffset>("sent_at").NotNull();
        options.Storage.ExtendedSchemaObjects.Add(table);
    }

    public async Task<Dictionary<(string Session, string From, string ClientMsgId), SendReceipt>> FindAsync(
        string tenantId, IReadOnlyCollection<SendCommand> sends, CancellationToken ct)
    {
        var found = new Dictionary<(string, string, string), SendReceipt>();
        if (sends.Count == 0) return found;
        await using var cmd = db.Command(
            $"""
             select r.session_id, r.sender, r.client_msg_id, r.msg_id, r.seq, r.sent_at
             from {Qualified} r
             join unnest($2::text[], $3::text[], $4::text[]) as k(session_id, sender, client_msg_id)
               on r.session_id = k.session_id and r.sender = k.sender and r.client_msg_id = k.client_msg_id
             where r.tenant_id = $1
             """,
            tenantId,
            sends.Select(s => s.SessionId).ToArray(),
            sends.Select(s => s.Send.From).ToArray(),
            sends.Select(s => s.Send.ClientMsgId).ToArray());
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var receipt = new SendReceipt(reader.GetString(0), reader.GetString(1), reader.GetString(2),
                reader.GetInt64(3), reader.GetInt64(4), reader.GetFieldValue<DateTimeOffset>(5));
            found[(receipt.SessionId, receipt.From, receipt.ClientMsgId)] = receipt;
        }
        return found;
    }

    /// <summary>The receipt of one earlier send, if it was stored.</summary>
    public async Task<SendReceipt?> FindAsync(string tenantId, string sessionId, string from, string clientMsgId, CancellationToken ct)
    {
        var send = new SendCommand(tenantId, new SendMessage(sessionId, from, clientMsgId, "", default, ""));
        var found = await FindAsync(tenantId, [send], ct);
        return found.Values.FirstOrDefault();
    }

    /// <summary>Queues the receipts into the unit of work that appends their events.</summary>
    public static void Queue(IDocumentOperations session, string tenantId, IReadOnlyList<SendReceipt> receipts)
    {
        if (receipts.Count == 0) return;
        session.QueueSqlCommand(
            $"insert into {Qualified} (tenant_id, session_id, sender, client_msg_id, msg_id, seq, sent_at) " +
            "select ?, * from unnest(?::text[], ?::text[], ?::text[], ?::bigint[], ?::bigint[], ?::timestamptz[])",
            tenantId,
            receipts.Select(r => r.SessionId).ToArray(),
            receipts.Select(r => r.From).ToArray(),
            receipts.Select(r => r.ClientMsgId).ToArray(),
            receipts.Select(r => r.MsgId).ToArray(),
            receipts.Select(r => r.Seq).ToArray(),
            receipts.Select(r => r.SentAt).ToArray());
    }
}
