using MessagePlatform.Domain;

namespace MessagePlatform.Api.EventStore;

/// <summary>
/// A lane's memory of its sessions' state and stream version. Owned by one lane, so not thread-safe.
/// When full it forgets the least recently used session: hot sessions stay, and a reload costs one query.
/// </summary>
internal sealed class SessionCache(int capacity)
{
    private readonly Dictionary<(string, string), LinkedListNode<Entry>> _entries = [];
    private readonly LinkedList<Entry> _byUse = [];

    private sealed record Entry((string, string) Key, Session? State, long Version);

    public int Count => _entries.Count;

    public bool Contains(string tenantId, string sessionId) => _entries.ContainsKey((tenantId, sessionId));

    public (Session? State, long Version) Get(string tenantId, string sessionId) =>
        TryGet(tenantId, sessionId, out var entry) ? entry : (null, 0);

    public bool TryGet(string tenantId, string sessionId, out (Session? State, long Version) entry)
    {
        entry = (null, 0);
        if (!_entries.TryGetValue((tenantId, sessionId), out var node)) return false;
        _byUse.Remove(node);
        _byUse.AddFirst(node);
        entry = (node.Value.State, node.Value.Version);
        return true;
    }

    public void Put(string tenantId, string sessionId, Session? state, long version)
    {
        var key = (tenantId, sessionId);
        if (_entries.Remove(key, out var old)) _byUse.Remove(old);
        else if (_entries.Count >= capacity && _byUse.Last is { } oldest)
        {
            _entries.Remove(oldest.Value.Key);
            _byUse.RemoveLast();
        }
        _entries[key] = _byUse.AddFirst(new Entry(key, state, version));
    }

    public void Forget(string tenantId, string sessionId)
    {
        if (_entries.Remove((tenantId, sessionId), out var node)) _byUse.Remove(node);
    }
}

/// <summary>
/// The receipts a lane committed lately, so a client's retry to this node costs no query. Each is
/// kept with the opening time of the session it was sent to: a session GC removed and opened again
/// under the same id is a new one, and an old clientMsgId must not answer for it.
/// </summary>
internal sealed class RecentReceipts(int capacity)
{
    private readonly Dictionary<(string, string, string, string), (SendReceipt Receipt, DateTimeOffset? OpenedAt)> _entries = [];

    public bool TryGet(string tenantId, string sessionId, DateTimeOffset? openedAt, string from, string clientMsgId, out SendReceipt receipt)
    {
        receipt = null!;
        if (!_entries.TryGetValue((tenantId, sessionId, from, clientMsgId), out var entry) || entry.OpenedAt != openedAt) return false;
        receipt = entry.Receipt;
        return true;
    }

    public void Add(string tenantId, DateTimeOffset? openedAt, SendReceipt receipt)
    {
        if (_entries.Count >= capacity) _entries.Clear();
        _entries[(tenantId, receipt.SessionId, receipt.From, receipt.ClientMsgId)] = (receipt, openedAt);
    }
}
