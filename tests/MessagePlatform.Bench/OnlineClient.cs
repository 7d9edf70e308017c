namespace MessagePlatform.Bench;

/// <summary>The protocols an end user's client can hold a connection with: the gateway serves both alike.</summary>
public enum ClientKind
{
    WebSocket,
    Mqtt,
}

public static class ClientKinds
{
    /// <summary>The protocol's own spelling, for tables and progress lines.</summary>
    public static string Label(this ClientKind kind) => kind == ClientKind.Mqtt ? "MQTT" : "WebSocket";
}

/// <summary>
/// One end user's connection as the sections see it, whatever its protocol: it records the pushes it
/// gets into a cell's <see cref="FrameLog"/>, acks them as its protocol requires, and joins rooms.
/// </summary>
public interface IOnlineClient : IAsyncDisposable
{
    ClientKind Kind { get; }

    /// <summary>Frames received since connecting, of any type.</summary>
    long Frames { get; }

    /// <summary>From now on, pushed messages and sync hints count toward <paramref name="log"/>.</summary>
    void RecordInto(FrameLog log);

    /// <summary>Joins a live room; returns once the server has processed the join.</summary>
    Task JoinAsync(string room, CancellationToken ct);
}

/// <summary>
/// Which kind each client of a fleet is: MQTT for <see cref="MqttShare"/> of them, spread evenly over
/// the fleet so that any first N clients (a fleet grown step by step) hold the same mix.
/// </summary>
public sealed record ClientMix(double MqttShare)
{
    public static readonly ClientMix WebSocketOnly = new(0);

    /// <summary>The broadcast section's default: the two kinds half and half.</summary>
    public static readonly ClientMix HalfAndHalf = new(0.5);

    // Client i is MQTT when the count of MQTT clients owed so far, floor(share × clients), steps up at it.
    public ClientKind KindOf(int index) =>
        Math.Floor((index + 1) * MqttShare) > Math.Floor(index * MqttShare) ? ClientKind.Mqtt : ClientKind.WebSocket;

    public override string ToString() => MqttShare switch
    {
        <= 0 => "WebSocket only",
        >= 1 => "MQTT only",
        _ => $"WebSocket and MQTT mixed, {MqttShare * 100:0.#}% MQTT",
    };

    /// <summary>Connects one client of <paramref name="kind"/> as the user the token was issued to.</summary>
    public static async Task<IOnlineClient> ConnectAsync(ClientKind kind, PlatformClient api, UserToken user, CancellationToken ct) => kind switch
    {
        ClientKind.WebSocket => await RealtimeClient.ConnectAsync(api.Address, user.Token, ct),
        ClientKind.Mqtt => await MqttOnlineClient.ConnectAsync(api.Address.Host,
            api.MqttPort ?? throw new InvalidOperationException("the API under test was booted without MP_MQTT_PORT"), user, ct),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "no client for this kind"),
    };
}
