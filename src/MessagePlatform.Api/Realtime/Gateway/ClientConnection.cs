using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Threading.Channels;

namespace MessagePlatform.Api.Realtime.Gateway;

/// <summary>
/// One client's connection: a WebSocket, or an MQTT client (see <see cref="IFrameTransport"/>).
/// Frames to the client go through a bounded queue drained by one writer, so a slow client never blocks the fan-out: when its queue is full it loses the frame and is
/// told to sync instead. Message frames stay pending until acked and are sent again on a timer;
/// after <see cref="MaxTries"/> tries the client is told to sync.
/// </summary>
public sealed class ClientConnection(string tenantId, string userId, IFrameTransport transport, string? id = null)
{
    public ClientConnection(string tenantId, string userId, WebSocket socket, string? id = null)
        : this(tenantId, userId, new WebSocketTransport(socket), id) { }

    /// <summary>"websocket" or "mqtt".</summary>
    public string Transport => transport.Name;

    public const int QueueCapacity = 256;
    public const int MaxTries = 3;
    public static readonly TimeSpan AckTimeout = TimeSpan.FromSeconds(2);

    private readonly Channel<OutboundFrame> _outbox = Channel.CreateBounded<OutboundFrame>(new BoundedChannelOptions(QueueCapacity)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.DropWrite,
    });
    // Sized for the common case of a few frames in flight: an idle connection's footprint is what
    // limits how many a gateway holds.
    private readonly ConcurrentDictionary<string, Pending> _unacked = new(concurrencyLevel: 1, capacity: 4);
    private int _syncOwed;
    // Set while a sync hint waits in the queue: a burst of shed batches tells the client once.
    private int _syncQueued;
    private readonly CancellationTokenSource _closing = new();

    public string Id { get; } = id ?? Guid.NewGuid().ToString("N");
    public string TenantId { get; } = tenantId;
    public string UserId { get; } = userId;
    public ConcurrentDictionary<string, bool> Rooms { get; } = new(concurrencyLevel: 1, capacity: 1);

    /// <summary>When the token this connection authenticated with was issued: a revocation after it closes the connection.</summary>
    public DateTimeOffset TokenIssuedAt { get; init; } = DateTimeOffset.MinValue;

    /// <summary>Cancelled when the gateway closes this connection (<see cref="Close"/>); its transport then ends it.</summary>
    public CancellationToken Closing => _closing.Token;

    public void Close() => _closing.Cancel();

    private volatile bool _draining;

    /// <summary>Set by <see cref="Drain"/>: the node is restarting and closes this connection once its queue is written.</summary>
    public bool Draining => _draining;

    /// <summary>
    /// The node is shutting down: take no more frames, write what is queued, then the transport
    /// closes (the receive is not cancelled: that would abort the socket before the close is sent).
    /// </summary>
    public void Drain()
    {
        _draining = true;
        Complete();
    }

    private sealed record Pending(OutboundFrame Frame, int Tries, DateTimeOffset DueAt);

    /// <summary>An answer to one of the client's own frames (pong, sent, error).</summary>
    public void Send(ReplyFrame reply) => Enqueue(OutboundFrame.Of(reply));

    /// <summary>A frame sent at most once: no ack expected, nothing retried.</summary>
    public void SendOnce(OutboundFrame frame) => Enqueue(frame);

    /// <summary>A frame the client must ack by its msgId; duplicates of a pending one are ignored.</summary>
    public void SendReliably(OutboundFrame frame, DateTimeOffset now)
    {
        var msgId = frame.Frame.AckId ?? throw new ArgumentException("Only frames with a msgId are acked.", nameof(frame));
        if (_unacked.TryAdd(msgId, new Pending(frame, 1, now + AckTimeout))) Enqueue(frame);
    }

    /// <summary>Pushes were shed for this client: tell it to sync, once until that hint is written.</summary>
    public void TellToSync()
    {
        if (Interlocked.CompareExchange(ref _syncQueued, 1, 0) == 0) Enqueue(OutboundFrame.Sync);
    }

    public void Ack(string msgId) => _unacked.TryRemove(msgId, out _);

    /// <summary>Called on the gateway's timer: resend what is overdue, give up on what was tried enough.</summary>
    /// <returns>How many frames it sent again, and whether it told the client to sync.</returns>
    public (int Resent, bool Synced) Retransmit(DateTimeOffset now)
    {
        var resent = 0;
        foreach (var (msgId, pending) in _unacked)
        {
            if (pending.DueAt > now) continue;
            if (pending.Tries >= MaxTries)
            {
                _unacked.TryRemove(msgId, out _);
                Interlocked.Exchange(ref _syncOwed, 1);
                continue;
            }
            _unacked[msgId] = pending with { Tries = pending.Tries + 1, DueAt = now + AckTimeout };
            Enqueue(pending.Frame);
            resent++;
        }
        var synced = Interlocked.Exchange(ref _syncOwed, 0) == 1;
        if (synced) Enqueue(OutboundFrame.Sync);
        return (resent, synced);
    }

    private void Enqueue(OutboundFrame frame)
    {
        // Full: this client cannot keep up. Drop, and make sure it hears "sync" once there is room.
        if (!_outbox.Writer.TryWrite(frame)) Interlocked.Exchange(ref _syncOwed, 1);
    }

    public async Task WriteLoopAsync(CancellationToken ct)
    {
        await foreach (var frame in _outbox.Reader.ReadAllAsync(ct))
        {
            if (frame.Frame is SyncFrame) Interlocked.Exchange(ref _syncQueued, 0);
            if (!await transport.WriteAsync(frame, ct)) Interlocked.Exchange(ref _syncOwed, 1);
        }
    }

    public void Complete() => _outbox.Writer.TryComplete();
}
