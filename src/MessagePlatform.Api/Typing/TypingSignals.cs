using System.Collections.Concurrent;
using MassTransit;
using MessagePlatform.Api.EventStore;
using MessagePlatform.Api.Realtime;
using MessagePlatform.Contracts;
using MessagePlatform.Domain;

namespace MessagePlatform.Api.Typing;

/// <summary>
/// Where every door's typing signal goes (WebSocket frame, MQTT `typing/{sessionId}`, REST): decided by
/// <see cref="TypingThrottle"/> against the session as stored, then sent straight to the live nodes that
/// hold other members (every live node for a room). The throttle is this node's memory: a user typing
/// through two nodes at once may be told twice in 2 s, a loss of nothing since typing is best effort.
/// </summary>
public sealed class TypingSignals(
    SessionStreams streams, ConnectionRegistry registry, IBus bus, TimeProvider clock, ILogger<TypingSignals> log)
{
    // Past this many remembered fan-outs, the ones that no longer throttle anything are dropped.
    private const int SweepAbove = 10_000;
    private readonly ConcurrentDictionary<(string Tenant, string Session, string User), DateTimeOffset> _lastFanOut = new();

    public async Task<TypingVerdict> SignalAsync(string tenantId, string sessionId, string userId, CancellationToken ct)
    {
        var (session, _) = await streams.LoadAsync(tenantId, sessionId, ct);
        var now = clock.GetUtcNow();
        var key = (tenantId, sessionId, userId);
        var verdict = TypingThrottle.Decide(session, userId, _lastFanOut.TryGetValue(key, out var last) ? last : null, now);
        if (verdict is not TypingVerdict.FanOut) return verdict;
        _lastFanOut[key] = now;
        if (_lastFanOut.Count > SweepAbove) Sweep(now);
        try
        {
            await FanOutAsync(tenantId, session!, userId, now, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Best effort by design: a lost typing notice is replaced by the next one, so the signal is not refused for it.
            log.LogWarning(e, "Typing of {UserId} in {SessionId} of {TenantId} not fanned out", userId, sessionId, tenantId);
        }
        return verdict;
    }

    private async Task FanOutAsync(string tenantId, Session session, string userId, DateTimeOffset now, CancellationToken ct)
    {
        var room = session.Type == SessionType.Room;
        var perNode = room
            ? (await registry.LiveNodesAsync(ct)).ToDictionary(node => node, _ => Array.Empty<string>())
            : await registry.NodesOfAsync(tenantId, [.. session.Members.Where(u => u != userId)], ct);
        await Task.WhenAll(perNode.Select(async share =>
        {
            var endpoint = await bus.GetSendEndpoint(RealtimeConfig.NodeQueueAddress(share.Key));
            await endpoint.Send(new TypingPush(share.Key, tenantId, session.Id, userId, room, share.Value, now), ct);
        }));
    }

    private void Sweep(DateTimeOffset now)
    {
        foreach (var (key, at) in _lastFanOut)
            if (TypingThrottle.CanForget(at, now)) _lastFanOut.TryRemove(KeyValuePair.Create(key, at));
    }
}
