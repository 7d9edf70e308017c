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

/// <summary>The receipts a lane committed lately, so a client's retry to this node costs no query.</summary>
internal sealed class RecentReceipts(int capacity)
{
    private readonly Dictionary<(string, string, string, string), SendReceipt> _entries = [];

    public bool TryGet(string tenantId, string sessionId, string from, string clientMsgId, out SendReceipt receipt) =>
        _entries.TryGetValue((tenantId, sessionId, from, clientMsgId), out receipt!);

    public void Add(string tenantId, SendReceipt receipt)
    {
        if (_entries.Count >= capacity) _entries.Clear();
        _entries[(tenantId, receipt.SessionId, receipt.From, receipt.ClientMsgId)] = receipt;
    }
}
