using System.Collections.Concurrent;

namespace MessagePlatform.Bench;

/// <summary>
/// What the receivers of one cell got: every message's first arrival at each receiver, how many
/// receivers have it so far, and the frames that say something was lost. Shared by all the
/// receivers' loops, so everything here is safe from any thread.
/// </summary>
public sealed class FrameLog
{
    private readonly ConcurrentQueue<(string MsgId, long ArrivedAt)> _arrivals = new();
    private readonly ConcurrentDictionary<string, int> _receivers = new();
    private long _syncFrames, _duplicates, _otherFrames;
    private string? _otherSample;

    /// <summary>First arrivals, one per receiver and message.</summary>
    public IEnumerable<(string MsgId, long ArrivedAt)> Arrivals => _arrivals;

    /// <summary>"Sync" frames: the server dropped something for that client and tells it to catch up.</summary>
    public long SyncFrames => Interlocked.Read(ref _syncFrames);

    /// <summary>Message frames a receiver had already: sent again because its ack was not in within 2 s.</summary>
    public long Duplicates => Interlocked.Read(ref _duplicates);

    /// <summary>Frames of other types (errors, say), with the first of them as a sample.</summary>
    public (long Count, string? Sample) OtherFrames => (Interlocked.Read(ref _otherFrames), _otherSample);

    public int ReceiversOf(string msgId) => _receivers.GetValueOrDefault(msgId);

    public void Sync() => Interlocked.Increment(ref _syncFrames);

    public void Other(string frame)
    {
        Interlocked.Increment(ref _otherFrames);
        Interlocked.CompareExchange(ref _otherSample, frame.Length > 300 ? frame[..300] + "…" : frame, null);
    }

    public Recorder RecorderForOneClient() => new(this);

    private void Arrived(string msgId, long arrivedAt)
    {
        _arrivals.Enqueue((msgId, arrivedAt));
        _receivers.AddOrUpdate(msgId, 1, static (_, n) => n + 1);
    }

    /// <summary>One client's part of the log: the ids it has seen, so a frame sent again counts once.</summary>
    public sealed class Recorder(FrameLog log)
    {
        private readonly HashSet<string> _seen = [];

        public FrameLog Log => log;

        // Only the client's receive loop calls this, one frame at a time: the set needs no lock.
        public void Add(string msgId, long arrivedAt)
        {
            if (_seen.Add(msgId)) log.Arrived(msgId, arrivedAt);
            else Interlocked.Increment(ref log._duplicates);
        }
    }
}
