using MessagePlatform.Contracts;
using MessagePlatform.Domain;

namespace MessagePlatform.Api.Realtime;

/// <summary>
/// Who a session's pushes go to, kept current from its membership changes as fan-out walks them in
/// stream order: a member added before a message gets it, one removed before does not. Seeded from
/// the session's stored document, which may be ahead of the batch: a member that document shows as
/// joined at or after a message's seq is not given it (one that left after it misses the push and
/// catches up by sync). Mutable, and only ever used by the one partition that owns its session.
/// </summary>
public sealed class SessionRecipients
{
    private readonly HashSet<string> _members;
    private readonly Dictionary<string, long> _joinedAt;

    private SessionRecipients(SessionType type, IEnumerable<string> members, IEnumerable<KeyValuePair<string, long>>? joinedAt)
    {
        Type = type;
        _members = [.. members];
        _joinedAt = new(joinedAt ?? []);
    }

    public SessionType Type { get; private set; }
    public bool Room => Type == SessionType.Room;
    public bool Ended { get; private set; }

    /// <summary>How many members the session has now (none for a room: whoever joined it on a node).</summary>
    public int Count => _members.Count;

    public static SessionRecipients From(Session stored) => new(stored.Type, stored.Members, stored.JoinedAtSeq);

    public static SessionRecipients From(MembersReset reset) => new(reset.Type, reset.Members, null);

    public void Apply(SessionChange change)
    {
        switch (change)
        {
            case MembersReset reset:
                (Type, Ended) = (reset.Type, false);
                _members.Clear();
                _members.UnionWith(reset.Members);
                _joinedAt.Clear();
                break;
            case MembersAdded added:
                foreach (var user in added.UserIds)
                    if (_members.Add(user)) _joinedAt[user] = added.Seq;
                break;
            case MemberRemoved removed:
                _members.Remove(removed.UserId);
                _joinedAt.Remove(removed.UserId);
                break;
            case SessionEnded:
                Ended = true;
                break;
        }
    }

    /// <summary>The members a push at <paramref name="seq"/> goes to (none for a room: its nodes pick who joined).</summary>
    public string[] At(long seq) =>
        Room ? [] : [.. _members.Where(user => !_joinedAt.TryGetValue(user, out var joined) || joined < seq)];
}
