using System.Collections.Immutable;
using System.Text.Json;

namespace MessagePlatform.Domain;

/// <summary>One stored event of a session stream as a replay reads it: its version (seq) and when it was stored.</summary>
public sealed record RecordedEvent(long Version, DateTimeOffset Timestamp, object Data);

/// <summary>
/// The head of a stream GC compacted: the session as it stood at that version, in place of the
/// events before it (their messages are gone). Not a stored event of ours: the event store's
/// compaction writes it; the API hands it to the replay in this shape.
/// </summary>
public sealed record CompactedHead(Session Snapshot);

public sealed record Retraction(string By, string? Reason, bool AsAdmin, DateTimeOffset RetractedAt);

/// <summary>A message as it was at the replayed time: with its original body even when retracted, for auditors.</summary>
/// <remarks><c>Body</c> is the latest as of the replayed time; <c>EditedAt</c> when it was last edited by then (null if never).</remarks>
public sealed record ReplayedMessage(
    long Seq, long MsgId, string From, string Type, JsonElement Body, string Priority, DateTimeOffset SentAt, Retraction? Retraction,
    DateTimeOffset? EditedAt = null)
{
    public bool Retracted => Retraction is not null;
}

/// <summary>
/// A session as of a time. <paramref name="Version"/> is the last event applied;
/// <paramref name="CompactedThrough"/> the version up to which GC removed the history (null if none).
/// </summary>
public sealed record SessionAsOf(Session Session, IReadOnlyList<ReplayedMessage> Messages, long Version, long? CompactedThrough);

/// <summary>Replays a session stream up to a time: pure, so "what did the session look like then" is unit-tested.</summary>
public static class SessionReplay
{
    /// <summary>
    /// Folds the stream's events in version order, stopping at the first one stored after
    /// <paramref name="asOf"/>: a stream's order is the truth, so the answer is always a prefix of it.
    /// A compacted head is the starting point whatever its own time (compaction stamps it later
    /// than the history it replaces). Null when the session was not open yet at that time.
    /// </summary>
    public static SessionAsOf? Replay(IEnumerable<RecordedEvent> events, DateTimeOffset asOf)
    {
        Session? session = null;
        var messages = ImmutableSortedDictionary<long, ReplayedMessage>.Empty.ToBuilder();
        long version = 0;
        long? compactedThrough = null;
        foreach (var e in events.OrderBy(e => e.Version))
        {
            if (e.Data is CompactedHead head)
            {
                (session, compactedThrough, version) = (head.Snapshot, e.Version, e.Version);
                messages.Clear();
                continue;
            }
            if (e.Timestamp > asOf) break;
            switch (e.Data)
            {
                case SessionOpened opened:
                    session = Session.Open(opened);
                    break;
                case MessageSent sent:
                    messages[e.Version] = new ReplayedMessage(
                        e.Version, sent.MsgId, sent.From, sent.Type, sent.Body, sent.Priority, sent.SentAt, null);
                    break;
                case MessageRetracted retracted when messages.TryGetValue(retracted.Seq, out var target):
                    messages[retracted.Seq] = target with
                    {
                        Retraction = new Retraction(retracted.By, retracted.Reason, retracted.AsAdmin, retracted.RetractedAt),
                    };
                    break;
                case MessageEdited edited when messages.TryGetValue(edited.Seq, out var original):
                    messages[edited.Seq] = original with { Body = edited.Body, EditedAt = edited.EditedAt };
                    break;
                default:
                    session = session?.Evolve(e.Data, e.Version);
                    break;
            }
            version = e.Version;
        }
        // A snapshot of a session opened after asOf says nothing about asOf: it did not exist yet.
        return session is null || session.OpenedAt > asOf
            ? null
            : new SessionAsOf(session, [.. messages.Values], version, compactedThrough);
    }
}
