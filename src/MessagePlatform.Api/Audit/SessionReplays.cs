using JasperFx.Events;
using Marten;
using MessagePlatform.Domain;

namespace MessagePlatform.Api.Audit;

/// <summary>
/// Loads a session stream through Marten and replays it with <see cref="SessionReplay"/>. The whole
/// stream is read: a GC-compacted head is stamped when compaction ran, later than the events after
/// it, so it cannot be picked by time; the replay decides what counts.
/// </summary>
public sealed class SessionReplays(IDocumentStore store, ILogger<SessionReplays> log)
{
    /// <summary>Exists: this tenant has the stream. State: null when the session was not open yet at that time.</summary>
    public async Task<(bool Exists, SessionAsOf? State)> AsOfAsync(
        string tenantId, string sessionId, DateTimeOffset asOf, CancellationToken ct)
    {
        await using var session = store.QuerySession(tenantId);
        var events = await session.Events.FetchStreamAsync(sessionId, token: ct);
        if (events.Count == 0) return (false, null);
        var state = SessionReplay.Replay(events.Select(Recorded), asOf);
        log.LogInformation("Replayed {SessionId} of {TenantId} to {AsOf}: version {Version} of {StreamVersion}, compacted through {CompactedThrough}",
            sessionId, tenantId, asOf, state?.Version, events[^1].Version, state?.CompactedThrough);
        return (true, state);
    }

    private static RecordedEvent Recorded(IEvent e) => new(
        e.Version,
        e.Timestamp,
        e.Data is Compacted<Session> compacted ? new CompactedHead(compacted.Snapshot) : e.Data);
}
