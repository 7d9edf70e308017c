using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace MessagePlatform.Api.Realtime.Gateway;

/// <summary>The WebSocket connections on this node, by user and by joined room.</summary>
public sealed class LocalConnections
{
    public LocalConnections(IMeterFactory meters) =>
        // Counted when scraped, from the connections themselves: no counter to drift from them.
        meters.Create(Platform.PlatformMeters.MeterName).CreateObservableUpDownCounter("mp.connections", CountByTransport, "{connection}",
            "Open client connections on this node, by transport (websocket, mqtt).");

    private IEnumerable<Measurement<int>> CountByTransport()
    {
        var mqtt = 0;
        var all = 0;
        foreach (var c in All)
        {
            all++;
            if (c.Transport == Mqtt.MqttGateway.Transport) mqtt++;
        }
        return [new(all - mqtt, new KeyValuePair<string, object?>("transport", WebSocketTransport.Transport)),
            new(mqtt, new KeyValuePair<string, object?>("transport", Mqtt.MqttGateway.Transport))];
    }

    private readonly ConcurrentDictionary<(string Tenant, string User), ConcurrentDictionary<ClientConnection, bool>> _byUser = new();
    private readonly ConcurrentDictionary<(string Tenant, string Room), ConcurrentDictionary<ClientConnection, bool>> _byRoom = new();

    public int Count => _byUser.Values.Sum(c => c.Count);

    public void Add(ClientConnection connection) =>
        _byUser.GetOrAdd((connection.TenantId, connection.UserId), _ => new(concurrencyLevel: 1, capacity: 2))[connection] = true;

    public void Remove(ClientConnection connection)
    {
        if (_byUser.TryGetValue((connection.TenantId, connection.UserId), out var mine)) mine.TryRemove(connection, out _);
        foreach (var room in connection.Rooms.Keys) Leave(connection, room);
    }

    public void Join(ClientConnection connection, string room)
    {
        connection.Rooms[room] = true;
        _byRoom.GetOrAdd((connection.TenantId, room), _ => new())[connection] = true;
    }

    public void Leave(ClientConnection connection, string room)
    {
        connection.Rooms.TryRemove(room, out _);
        if (_byRoom.TryGetValue((connection.TenantId, room), out var joined)) joined.TryRemove(connection, out _);
    }

    public IEnumerable<ClientConnection> OfUser(string tenantId, string userId) =>
        _byUser.TryGetValue((tenantId, userId), out var c) ? c.Keys : [];

    public IEnumerable<ClientConnection> InRoom(string tenantId, string room) =>
        _byRoom.TryGetValue((tenantId, room), out var c) ? c.Keys : [];

    public IEnumerable<ClientConnection> All => _byUser.Values.SelectMany(c => c.Keys);
}
