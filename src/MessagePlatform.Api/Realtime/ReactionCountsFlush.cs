using MassTransit;
using MessagePlatform.Api.Platform;
using MessagePlatform.Contracts;
using Microsoft.Extensions.Options;
using Npgsql;
using static MessagePlatform.Projections.ReadModels;

namespace MessagePlatform.Api.Realtime;

/// <summary>
/// Closes the <see cref="ReactionWindow"/> every `Realtime:ReactionWindowMilliseconds` and sends each
/// touched message's totals (read in one query for the whole window from the chat items, which the
/// append wrote in its own transaction, so they already hold every reaction fan-out saw) to the
/// nodes of its session's recipients, one batch per node and session. Totals, not deltas: a lost or
/// late frame is healed by the next one, and the frames are QoS 0.
/// </summary>
public sealed class ReactionCountsFlush(
    ReactionWindow window, ConnectionRegistry registry, NpgsqlDataSource db, IBus send, TimeProvider clock,
    IOptions<RealtimeOptions> options, ILogger<ReactionCountsFlush> log) : BackgroundService
{
    private static readonly string CountsQuery = $"""
        select k.i, r.reaction, sum(case when r.added then 1 else -1 end)
        from unnest($1::text[], $2::text[], $3::bigint[]) with ordinality k(tenant_id, session_id, msg_seq, i)
        join {Qualified(ChatItemsTable)} r on r.tenant_id = k.tenant_id and r.session_id = k.session_id and r.msg_seq = k.msg_seq
        where r.kind = 'reaction'
        group by k.i, r.reaction
        """;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(options.Value.ReactionWindowMilliseconds));
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            var touched = window.Close();
            if (touched.Count == 0) continue;
            try
            {
                await FlushAsync(touched, stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Counts are totals: the next reaction on these messages sends them again.
                log.LogWarning(e, "Reaction counts of {Messages} messages were not pushed", touched.Count);
            }
        }
    }

    private async Task FlushAsync(IReadOnlyList<TouchedMessage> touched, CancellationToken ct)
    {
        var counts = await CountsAsync(touched, ct);
        var now = clock.GetUtcNow();
        foreach (var session in touched.Select((m, i) => (m, Counts: counts[i])).GroupBy(t => (t.m.TenantId, t.m.SessionId, t.m.Room)))
        {
            var pushes = session.Select(t => (SessionPush)new ReactionCountsPush(t.m.UserIds, t.m.MsgId, t.m.MsgSeq, t.Counts)).ToList();
            var (tenantId, sessionId, room) = session.Key;
            var perNode = room
                ? (await registry.LiveNodesAsync(ct)).ToDictionary(node => node, _ => pushes)
                : FanOutConsumer.ShareOf(await registry.NodesOfAsync(tenantId, [.. pushes.SelectMany(p => p.UserIds).Distinct()], ct), pushes);
            foreach (var (node, share) in perNode)
            {
                var endpoint = await send.GetSendEndpoint(RealtimeConfig.NodeQueueAddress(node));
                await endpoint.Send(new SessionPushes(node, tenantId, sessionId, room, share) { CommittedAt = now }, ct);
            }
        }
    }

    /// <summary>Per touched message, every reaction it carries now, and those of the window it no longer carries at 0.</summary>
    private async Task<Dictionary<string, long>[]> CountsAsync(IReadOnlyList<TouchedMessage> touched, CancellationToken ct)
    {
        var counts = touched.Select(m => m.Reactions.ToDictionary(r => r, _ => 0L)).ToArray();
        await using var cmd = db.Command(CountsQuery, touched.Select(m => m.TenantId).ToArray(),
            touched.Select(m => m.SessionId).ToArray(), touched.Select(m => m.MsgSeq).ToArray());
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var total = reader.GetInt64(2);
            if (total > 0 || counts[reader.GetInt64(0) - 1].ContainsKey(reader.GetString(1)))
                counts[reader.GetInt64(0) - 1][reader.GetString(1)] = Math.Max(total, 0);
        }
        return counts;
    }
}
