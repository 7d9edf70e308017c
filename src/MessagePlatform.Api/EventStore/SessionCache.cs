using MessagePlatform.Domain;

namespace MessagePlatform.Api.EventStore;

/// <summary>
/// A lane's memory of its sessions' state and stream version. Owned by one lane, so not thread-safe.
/// Cleared whole when full: a reload costs one query, and hot sessions come back at once.
/// </summary>
internal sealed class SessionCache(int capacity)
{
    private readonly Dictionary<(string, string), (Session? State, long Version)> _entries = [];

    public bool Contains(string tenantId, string sessionId) => _entries.ContainsKey((tenantId, sessionId));

    public (Session? State, long Version) Get(string tenantId, string sessionId) =>
        _entries.TryGetValue((tenantId, sessionId), out var entry) ? entry : (null, 0);

    public void Put(string tenantId, string sessionId, Session? state, long version)
    {
        if (_entries.Count >= capacity && !_entries.ContainsKey((tenantId, sessionId))) _entries.Clear();
        _entries[(tenantId, sessionId)] = (state, version);
    }

    public void Forget(string tenantId, string sessionId) => _entries.Remove((tenantId, sessionId));
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
