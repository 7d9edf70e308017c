using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Options;

namespace MessagePlatform.Api.Realtime;

/// <summary>
/// Hot-room degradation on the push side: past a room's budget of pushes per second on this node,
/// `low` priority messages are not pushed (they stay stored and readable); `normal` and `high`
/// always are. The budget is <see cref="RealtimeOptions.RoomPushBudgetPerSecond"/>.
/// </summary>
public sealed class RoomPushBudget(IOptions<RealtimeOptions> options, IMeterFactory meters)
{
    private readonly Counter<long> _shed = meters.Create(Platform.PlatformMeters.MeterName).CreateCounter<long>("mp.push.shed", "{message}",
        "Low-priority room messages not pushed because the room was over its push budget");

    private readonly int _budget = options.Value.RoomPushBudgetPerSecond;
    private readonly ConcurrentDictionary<(string Tenant, string Room), Window> _windows = new();

    private sealed class Window
    {
        public long Second;
        public int Count;
    }

    /// <summary>Counts by the second the message was sent in, so a backlog drained late is judged by its own rate.</summary>
    public bool Admits(string tenantId, string roomId, string priority, DateTimeOffset sentAt)
    {
        var second = sentAt.ToUnixTimeSeconds();
        var window = _windows.GetOrAdd((tenantId, roomId), _ => new Window());
        lock (window)
        {
            if (window.Second < second) (window.Second, window.Count) = (second, 0);
            if (window.Count >= _budget && priority == "low")
            {
                _shed.Add(1);
                return false;
            }
            window.Count++;
            return true;
        }
    }
}
