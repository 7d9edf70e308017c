using MessagePlatform.Contracts;

namespace MessagePlatform.Api.Realtime;

/// <summary>One message of a hot session whose reactions changed in the window, and which reactions did.</summary>
public sealed record TouchedMessage(
    string TenantId, string SessionId, bool Room, string[] UserIds, string MsgId, long MsgSeq, IReadOnlySet<string> Reactions);

/// <summary>
/// Gathers the reactions of hot sessions (rooms, large groups) between two flushes: however many
/// reactions a message gets in a window, it leaves as one entry, so a 2,000-client room taking 200
/// reactions a second pushes each client a few `counts` frames a second, not 200. Fan-out adds
/// (one partition per session); <see cref="ReactionCountsFlush"/> closes the window. Pure apart from its lock.
/// </summary>
public sealed class ReactionWindow
{
    private readonly Lock _gate = new();
    private Dictionary<(string, string, string), Entry> _open = [];

    private sealed class Entry(string tenantId, string sessionId, bool room, string msgId, long msgSeq)
    {
        public string[] UserIds = [];
        public readonly HashSet<string> Reactions = [];
        public TouchedMessage Close() => new(tenantId, sessionId, room, UserIds, msgId, msgSeq, Reactions);
    }

    public void Add(string tenantId, string sessionId, bool room, string[] userIds, ReactionStored reaction)
    {
        lock (_gate)
        {
            var key = (tenantId, sessionId, reaction.MsgId);
            if (!_open.TryGetValue(key, out var entry))
                _open[key] = entry = new Entry(tenantId, sessionId, room, reaction.MsgId, reaction.MsgSeq);
            // The members as of the latest reaction: who is in the session when the totals go out.
            entry.UserIds = userIds;
            entry.Reactions.Add(reaction.Reaction);
        }
    }

    /// <summary>The window's messages, and a new empty window.</summary>
    public IReadOnlyList<TouchedMessage> Close()
    {
        Dictionary<(string, string, string), Entry> closed;
        lock (_gate)
        {
            if (_open.Count == 0) return [];
            (closed, _open) = (_open, []);
        }
        return [.. closed.Values.Select(e => e.Close())];
    }
}
