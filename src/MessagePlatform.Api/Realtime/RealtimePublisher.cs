using JasperFx.Events;
using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Marten;
using Marten.Subscriptions;
using MassTransit;
using MessagePlatform.Contracts;
using MessagePlatform.Domain;
using Polly;

namespace MessagePlatform.Api.Realtime;

/// <summary>
/// Carries stored events to the bus: a Marten subscription, so the daemon (one node at a time)
/// reads them in order and records its progress only after this returns. Per page it publishes one
/// batch per session (its messages, retractions and membership changes, in stream order) and one
/// message per broadcast, all at once; every event is published at least once. A broker outage
/// holds the subscription here, retrying, and delays pushes without losing any or failing a send.
/// </summary>
public sealed class RealtimePublisher : SubscriptionBase
{
    public const string SubscriptionId = "RealtimePublisher";
    private readonly IBus _bus;
    private readonly ILogger<RealtimePublisher> _log;
    private readonly ResiliencePipeline _untilPublished;
    private readonly Platform.PlatformMeters _meters;

    public RealtimePublisher(IBus bus, Platform.PlatformMeters meters, ILogger<RealtimePublisher> log)
    {
        (_bus, _meters, _log) = (bus, meters, log);
        Name = SubscriptionId;
        IncludeType<MessageSent>();
        IncludeType<MessageRetracted>();
        IncludeType<BroadcastSent>();
        // Fan-out keeps each session's members from these, in order with the messages.
        IncludeType<SessionOpened>();
        IncludeType<MembersJoined>();
        IncludeType<MemberLeft>();
        IncludeType<SessionClosed>();
        IncludeType<Compacted<Session>>();
        // Everyday chat: pushed as frames, in order with the messages they are about.
        IncludeType<MessageEdited>();
        IncludeType<ReactionAdded>();
        IncludeType<ReactionRemoved>();
        IncludeType<MessagePinned>();
        IncludeType<MessageUnpinned>();
        IncludeType<ConversationRead>();
        _untilPublished = new ResiliencePipelineBuilder()
            .AddRetry(new()
            {
                MaxRetryAttempts = int.MaxValue,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromMilliseconds(100),
                MaxDelay = TimeSpan.FromSeconds(5),
                ShouldHandle = new PredicateBuilder().Handle<Exception>(e => e is not OperationCanceledException),
                OnRetry = a =>
                {
                    _log.LogWarning(a.Outcome.Exception, "Publishing to the bus failed, attempt {Attempt}; retrying", a.AttemptNumber);
                    return ValueTask.CompletedTask;
                },
            })
            .Build();
    }

    public override async Task<IChangeListener> ProcessEventsAsync(
        EventRange page, ISubscriptionController controller, IDocumentOperations operations, CancellationToken ct)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var (sessions, broadcasts) = RealtimeBatches.Of(page.Events);
        // Read from the page once, and only when someone traces.
        var traces = Platform.Telemetry.Source.HasListeners() ? RealtimeBatches.TracesBySession(page.Events) : null;
        var broadcastTraces = traces is null ? null : page.Events.Where(e => e.Data is BroadcastSent)
            .ToDictionary(e => e.Id, e => Platform.Telemetry.TraceOf(e) is { } t ? new[] { t } : []);
        // Each session has one batch per page and pages go out one after another, so publishing a
        // page's batches together keeps every session's order.
        var publishes = sessions.Select(s => PublishAsync(s.Batch, s.Id,
                traces?.GetValueOrDefault((s.Batch.TenantId, s.Batch.SessionId)) ?? [], ct))
            .Concat(broadcasts.Select(b => PublishAsync(b.Broadcast, b.Id, broadcastTraces?.GetValueOrDefault(b.Id) ?? [], ct)));
        await Task.WhenAll(publishes);
        _meters.SubscriptionPage(SubscriptionId, page.Events.Count, System.Diagnostics.Stopwatch.GetElapsedTime(started));
        return NullChangeListener.Instance;
    }

    /// <summary>
    /// Under a span in the trace of the commit that wrote the batch's first message, so MassTransit carries
    /// it to the push consumers; a batch holding several commits (a lagging page) links the others' traces.
    /// </summary>
    private async Task PublishAsync<T>(T message, Guid id, IReadOnlyList<string> traces, CancellationToken ct) where T : class
    {
        using var span = traces.Count == 0 ? null
            : Platform.Telemetry.Source.StartActivity("publish", System.Diagnostics.ActivityKind.Internal, Platform.Telemetry.ParentOf(traces[0]),
                links: [.. traces.Skip(1).Select(t => new System.Diagnostics.ActivityLink(Platform.Telemetry.ParentOf(t)))]);
        await _untilPublished.ExecuteAsync(async token => await _bus.Publish(message, context => context.MessageId = id, token), ct);
    }
}

/// <summary>How a page of events becomes bus messages: pure, so it is tested without a store.</summary>
public static class RealtimeBatches
{
    public static (List<(SessionEventsPublished Batch, Guid Id)> Sessions, List<(BroadcastPublished Broadcast, Guid Id)> Broadcasts)
        Of(IReadOnlyList<IEvent> events)
    {
        var sessions = new List<(SessionEventsPublished, Guid)>();
        var broadcasts = new List<(BroadcastPublished, Guid)>();
        foreach (var e in events)
        {
            if (e.Data is BroadcastSent b)
                broadcasts.Add((new BroadcastPublished(e.TenantId, b.MsgId.ToString(), b.Type, b.Body.GetRawText(), [.. b.Tags],
                    b.Priority, b.OnlineOnly, b.SentAt) { CommittedAt = e.Timestamp }, e.Id));
        }
        foreach (var session in events.Where(e => e.Data is not BroadcastSent).GroupBy(e => (e.TenantId, SessionId: e.StreamKey!)))
        {
            var changes = session.OrderBy(e => e.Version).Select(Change).OfType<SessionChange>().ToList();
            if (changes.Count == 0) continue;
            var first = session.MinBy(e => e.Version)!;
            sessions.Add((new SessionEventsPublished(session.Key.TenantId, session.Key.SessionId, changes) { CommittedAt = first.Timestamp }, first.Id));
        }
        return (sessions, broadcasts);
    }

    /// <summary>
    /// Each session's distinct traces in a page, its first message's first: a send's trace is the one to
    /// follow to its push, even when the session's opening was committed in the same page.
    /// </summary>
    public static Dictionary<(string TenantId, string SessionId), string[]> TracesBySession(IReadOnlyList<IEvent> events) =>
        events.Where(e => e.Data is not BroadcastSent).GroupBy(e => (e.TenantId, SessionId: e.StreamKey!))
            .ToDictionary(session => session.Key, session => session.OrderBy(e => e.Data is MessageSent ? 0 : 1).ThenBy(e => e.Version)
                .Select(Platform.Telemetry.TraceOf).OfType<string>().Distinct().ToArray());

    public static SessionChange? Change(IEvent e) => e.Data switch
    {
        MessageSent m => new MessageStored(e.Version, m.MsgId.ToString(), m.From, m.Type, m.Body.GetRawText(), m.Priority, m.SentAt,
            m.ReplyTo?.ToString(), m.Mentions is null ? null : [.. m.Mentions]),
        MessageRetracted r => new RetractionStored(e.Version, r.MsgId.ToString()),
        SessionOpened o => new MembersReset(e.Version, o.Type, [.. o.Members]),
        Compacted<Session> c => new MembersReset(e.Version, c.Snapshot.Type, [.. c.Snapshot.Members]),
        MembersJoined j => new MembersAdded(e.Version, [.. j.UserIds]),
        MemberLeft l => new MemberRemoved(e.Version, l.UserId),
        SessionClosed => new SessionEnded(e.Version),
        MessageEdited ed => new EditStored(e.Version, ed.MsgId.ToString(), ed.Seq, ed.By, ed.Body.GetRawText(), ed.EditedAt),
        ReactionAdded ra => new ReactionStored(e.Version, ra.MsgId.ToString(), ra.Seq, ra.Reaction, ra.By, true),
        ReactionRemoved rr => new ReactionStored(e.Version, rr.MsgId.ToString(), rr.Seq, rr.Reaction, rr.By, false),
        MessagePinned p => new PinStored(e.Version, p.MsgId.ToString(), p.By, p.At),
        MessageUnpinned u => new UnpinStored(e.Version, u.MsgId.ToString(), u.By),
        ConversationRead read => new ReadStored(e.Version, read.UserId, read.Seq),
        _ => null,
    };
}
