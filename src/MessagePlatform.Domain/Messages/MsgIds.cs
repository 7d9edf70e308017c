namespace MessagePlatform.Domain;

/// <summary>
/// 64-bit time-ordered message ids (the seeds' MsgID): 41 bits of milliseconds since 2025-01-01,
/// 10 bits of node id, 12 bits of sequence. Unique per platform as long as node ids are.
/// </summary>
public sealed class MsgIds(int nodeId, TimeProvider clock)
{
    public const int NodeBits = 10;
    public const int SequenceBits = 12;
    public const int MaxNodeId = (1 << NodeBits) - 1;
    public static readonly DateTimeOffset Epoch = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private const long MaxSequence = (1L << SequenceBits) - 1;

    private readonly long _node = nodeId is >= 0 and <= MaxNodeId
        ? nodeId
        : throw new ArgumentOutOfRangeException(nameof(nodeId), nodeId, $"a node id is 0..{MaxNodeId}");
    private readonly Lock _gate = new();
    private long _lastMillis = -1;
    private long _sequence;

    public long Next()
    {
        lock (_gate)
        {
            var now = (long)(clock.GetUtcNow() - Epoch).TotalMilliseconds;
            // A clock that steps back must not reorder ids: keep counting on the last millisecond.
            if (now <= _lastMillis)
            {
                now = _lastMillis;
                if (++_sequence > MaxSequence)
                {
                    // 4,096 ids in one millisecond: borrow the next one rather than wait for it.
                    now = ++_lastMillis;
                    _sequence = 0;
                }
            }
            else
            {
                _sequence = 0;
            }
            _lastMillis = now;
            return (now << (NodeBits + SequenceBits)) | (_node << SequenceBits) | _sequence;
        }
    }

    public static DateTimeOffset TimeOf(long msgId) => Epoch.AddMilliseconds(msgId >> (NodeBits + SequenceBits));

    public static int NodeOf(long msgId) => (int)((msgId >> SequenceBits) & MaxNodeId);
}
