using Microsoft.Extensions.Options;

namespace MessagePlatform.Api.Realtime.Gateway;

/// <summary>
/// `Realtime:MaxConnectionsPerUser`: open connections of one user on this node, WebSocket and MQTT
/// counted together. A slot is taken before the handshake and given back when the connection ends.
/// </summary>
public sealed class UserConnectionQuota(IOptions<RealtimeOptions> options)
{
    /// <summary>What a refused client is told to wait before trying again.</summary>
    public static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(5);

    private readonly int _max = options.Value.MaxConnectionsPerUser;
    private readonly Dictionary<(string Tenant, string User), int> _open = [];

    public Slot? TryTake(string tenantId, string userId)
    {
        lock (_open)
        {
            var open = _open.GetValueOrDefault((tenantId, userId));
            if (open >= _max) return null;
            _open[(tenantId, userId)] = open + 1;
        }
        return new Slot(this, (tenantId, userId));
    }

    private void Release((string, string) user)
    {
        lock (_open)
        {
            if (_open[user] == 1) _open.Remove(user);
            else _open[user]--;
        }
    }

    public sealed class Slot(UserConnectionQuota owner, (string, string) user) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0) owner.Release(user);
        }
    }
}
