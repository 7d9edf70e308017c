using JasperFx.Events;
using Marten.Events.Aggregation;
using MessagePlatform.Domain;

namespace MessagePlatform.Projections.Sessions;

/// <summary>
/// Keeps each session's membership and policy as one document, inline with the append, so the
/// write path and <c>GET /v1/sessions/{id}</c> read it without replaying the stream. Messages are
/// not among its events (a send does not rewrite this document); pins and retractions are.
/// </summary>
public sealed partial class SessionProjection : SingleStreamProjection<Session, string>
{
    public SessionProjection()
    {
        IncludeType<SessionOpened>();
        IncludeType<MembersJoined>();
        IncludeType<MemberLeft>();
        IncludeType<DiffusionSwitched>();
        IncludeType<SessionClosed>();
        IncludeType<LegalHoldPlaced>();
        IncludeType<LegalHoldLifted>();
        IncludeType<Compacted<Session>>();
        // The pins live in the session's state (their cap and idempotence are decided in the lane), and a
        // retraction unpins: retractions are rare enough to rewrite the document.
        IncludeType<MessagePinned>();
        IncludeType<MessageUnpinned>();
        IncludeType<MessageRetracted>();
    }

    public override Session? Evolve(Session? snapshot, string id, IEvent e) => e.Data switch
    {
        SessionOpened opened => Session.Open(opened),
        // GC trims a stream's head into one snapshot event: the state folds on from there.
        Compacted<Session> compacted => compacted.Snapshot,
        _ => snapshot?.Evolve(e.Data, e.Version),
    };
}
