using System.Text.Json;
using JasperFx.Events;
using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Marten;
using Marten.Subscriptions;
using MessagePlatform.Domain;
using MessagePlatform.Projections;
using Npgsql;

namespace MessagePlatform.Api.Webhooks;

/// <summary>
/// Turns stored events into webhook deliveries: a Marten subscription, so events come in order,
/// once per page, on one node; the deliveries are written in the same transaction as the
/// subscription's progress (Marten's operations), so none is lost or written twice. One delivery
/// per session per page: a burst in a hot room becomes one POST; the page's registrations are
/// looked up in one query. The dispatcher sends them.
/// </summary>
public sealed class WebhookOutbox : SubscriptionBase
{
    public const string SubscriptionId = "WebhookOutbox";
    private static readonly string Insert =
        $"insert into {ReadModels.Qualified(WebhookTables.Deliveries)} " +
        "(id, tenant_id, session_id, first_seq, url, payload, status, attempts, next_attempt_at, created_at, traceparent) " +
        "values (?, ?, ?, ?, ?, ?::jsonb, 'pending', 0, now(), now(), nullif(?::text, ''))";

    private readonly WebhookRegistry _registry;
    private readonly Platform.PlatformMeters _meters;

    public WebhookOutbox(WebhookRegistry registry, Platform.PlatformMeters meters)
    {
        (_registry, _meters) = (registry, meters);
        Name = SubscriptionId;
        IncludeType<MessageSent>();
        IncludeType<MessageRetracted>();
        IncludeType<SessionClosed>();
        IncludeType<UserWentOnline>();
        IncludeType<UserWentOffline>();
        IncludeType<MessageEdited>();
        IncludeType<ReactionAdded>();
        IncludeType<ReactionRemoved>();
        IncludeType<MessagePinned>();
        IncludeType<MessageUnpinned>();
        IncludeType<ConversationRead>();
        IncludeType<SessionOpened>();
        IncludeType<MembersJoined>();
        IncludeType<MemberLeft>();
    }

    public override async Task<IChangeListener> ProcessEventsAsync(
        EventRange page, ISubscriptionController controller, IDocumentOperations operations, CancellationToken ct)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var sessions = page.Events.GroupBy(e => (e.TenantId, SessionId: e.StreamKey!)).ToList();
        var hooks = await _registry.FindAsync([.. sessions.Select(s => s.Key)], ct);
        foreach (var session in sessions)
        {
            if (!hooks.TryGetValue(session.Key, out var hook)) continue;
            var events = session.Select(e => (Event: e, Described: Describe(e)))
                .Where(d => d.Described is not null && hook.Events.Contains(d.Described.Value.Type)).ToList();
            if (events.Count == 0) continue;
            var deliveryId = $"{session.First().Id:N}";
            // Presence lives in the tenant's "$presence" stream, which is no session: such deliveries name none.
            var sessionId = session.Key.SessionId.StartsWith('$') ? null : session.Key.SessionId;
            var payload = JsonSerializer.Serialize(new
            {
                deliveryId, tenantId = session.Key.TenantId, sessionId,
                events = events.Select(d => d.Described!.Value.Body),
            }, JsonSerializerOptions.Web);
            operations.QueueSqlCommand(Insert, deliveryId, session.Key.TenantId, session.Key.SessionId, session.First().Version,
                // The delivery follows the trace of its first event, not of whatever else the page held for the session.
                hook.Url, payload, Platform.Telemetry.TraceOf(events[0].Event) ?? "");
        }
        _meters.SubscriptionPage(SubscriptionId, page.Events.Count, System.Diagnostics.Stopwatch.GetElapsedTime(started));
        return NullChangeListener.Instance;
    }

    private static (string Type, object Body)? Describe(IEvent e) => e.Data switch
    {
        // A reply or a mention adds its fields; a plain message keeps the shape receivers always had.
        MessageSent { ReplyTo: null, Mentions: null } m => ("message.sent", new
        {
            type = "message.sent", msgId = m.MsgId.ToString(), seq = e.Version, from = m.From, msgType = m.Type, body = m.Body,
            priority = m.Priority, sentAt = m.SentAt,
        }),
        MessageSent m => ("message.sent", new
        {
            type = "message.sent", msgId = m.MsgId.ToString(), seq = e.Version, from = m.From, msgType = m.Type, body = m.Body,
            priority = m.Priority, sentAt = m.SentAt, replyTo = m.ReplyTo?.ToString(), mentions = m.Mentions ?? [],
        }),
        MessageRetracted r => ("message.retracted", new { type = "message.retracted", msgId = r.MsgId.ToString(), seq = r.Seq, by = r.By }),
        SessionClosed c => ("session.closed", new { type = "session.closed", seq = e.Version, closedAt = c.ClosedAt }),
        UserWentOnline on => ("user.online", new { type = "user.online", userId = on.UserId, at = on.At }),
        UserWentOffline off => ("user.offline", new { type = "user.offline", userId = off.UserId, lastSeenAt = off.LastSeenAt }),
        _ => WebhookChatEvents.Describe(e),
    };
}
