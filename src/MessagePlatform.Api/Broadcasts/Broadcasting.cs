using MessagePlatform.Api.EventStore;
using MessagePlatform.Api.Platform;
using MessagePlatform.Domain;
using Npgsql;

namespace MessagePlatform.Api.Broadcasts;

public sealed record SentBroadcast(string MsgId, DateTimeOffset SentAt);

/// <summary>
/// Stores a broadcast once in the tenant's broadcast stream, idempotent on clientMsgId through the
/// send receipts (the same table, keyed by the stream and sender "$app"). Broadcasts are rare
/// operations messages, so they append directly and retry a concurrent append rather than queue
/// in a commit lane.
/// </summary>
public sealed class Broadcasting(SessionStreams streams, NpgsqlDataSource db, MsgIds msgIds, TimeProvider clock, ILogger<Broadcasting> log)
{
    private const string Sender = "$app";
    private const int MaxAttempts = 10;

    /// <summary>The broadcast stored for this clientMsgId, and whether it was stored by this call.</summary>
    public async Task<(SentBroadcast Sent, bool Created)> SendAsync(string tenantId, SendBroadcast command, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            if (await FindAsync(tenantId, command.ClientMsgId, ct) is { } earlier) return (earlier, false);
            var version = await streams.VersionAsync(tenantId, BroadcastRules.Stream, ct);
            // PostgreSQL keeps microseconds: a repeat must get back exactly the sentAt it first got.
            var now = clock.GetUtcNow();
            var sent = BroadcastRules.Decide(command, msgIds.Next(), now.AddTicks(-(now.Ticks % 10)));
            var receipt = new SendReceipt(BroadcastRules.Stream, Sender, command.ClientMsgId, sent.MsgId, version + 1, sent.SentAt);
            try
            {
                await streams.AppendAsync(tenantId, BroadcastRules.Stream, version, [sent],
                    operations => SendReceipts.Queue(operations, tenantId, [receipt]), ct);
                log.LogInformation("Broadcast {MsgId} to {Audience} of {TenantId}", sent.MsgId,
                    sent.Tags.Count == 0 ? "everyone" : string.Join(",", sent.Tags), tenantId);
                return (new SentBroadcast(sent.MsgId.ToString(), sent.SentAt), true);
            }
            catch (Exception e) when (attempt < MaxAttempts && StreamConflicts.Is(e))
            {
                await Task.Delay(Random.Shared.Next(1, 10 * attempt), ct);
            }
        }
    }

    private async Task<SentBroadcast?> FindAsync(string tenantId, string clientMsgId, CancellationToken ct)
    {
        await using var cmd = db.Command(
            $"""
             select msg_id, sent_at from {Projections.ReadModels.Qualified(SendReceipts.Table)}
             where tenant_id = $1 and session_id = $2 and sender = $3 and client_msg_id = $4
             """, tenantId, BroadcastRules.Stream, Sender, clientMsgId);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? new SentBroadcast(reader.GetInt64(0).ToString(), reader.GetFieldValue<DateTimeOffset>(1)) : null;
    }
}
