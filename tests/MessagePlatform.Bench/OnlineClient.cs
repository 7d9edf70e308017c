namespace MessagePlatform.Bench;

/// <summary>
/// The protocols an end user's client can hold a connection with. Only WebSocket for now; the
/// MQTT gateway's clients join the fleet as another kind once it lands.
/// </summary>
public enum ClientKind
{
    WebSocket,
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

/// <summary>Which kind each client of a fleet is: the kinds in turn, so a mix spreads evenly over the fleet.</summary>
public sealed record ClientMix(IReadOnlyList<ClientKind> Kinds)
{
    public static readonly ClientMix WebSocketOnly = new([ClientKind.WebSocket]);

    /// <summary>Every kind the platform serves, for the sections about all online connections.</summary>
    public static readonly ClientMix Everything = new(Enum.GetValues<ClientKind>());

    public ClientKind KindOf(int index) => Kinds[index % Kinds.Count];

    public override string ToString() => string.Join(" + ", Kinds);

    /// <summary>Connects one client of <paramref name="kind"/> as the user the token was issued to.</summary>
    public static async Task<IOnlineClient> ConnectAsync(ClientKind kind, Uri api, string token, CancellationToken ct) => kind switch
    {
        ClientKind.WebSocket => await RealtimeClient.ConnectAsync(api, token, ct),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "no client for this kind"),
    };
}
