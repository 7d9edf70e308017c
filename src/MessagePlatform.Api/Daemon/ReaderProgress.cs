using MessagePlatform.Api.Messages;
using MessagePlatform.Api.Platform;
using Microsoft.Extensions.Options;
using Npgsql;

namespace MessagePlatform.Api.Daemon;

/// <summary>Every reader of the store as one sample found it, cluster-wide, and when.</summary>
public sealed record ReaderSnapshot(DateTimeOffset At, long Head, IReadOnlyList<ReaderState> Readers)
{
    public ReaderState? Of(string reader) => Readers.FirstOrDefault(r => r.Name == reader);
}

/// <summary>
/// The one poller of the readers' progress (the user chain, the realtime publisher, which carries
/// broadcasts too, and the webhook outbox): one statement every <see cref="IntakeOptions.SampleEveryMs"/>
/// on every node, whichever node runs the daemon, of index look-ups only. Intake
/// (<see cref="PushBacklog"/>) and readiness (<see cref="ProjectionLag"/>) both read what it keeps
/// and never query themselves, so a send or a health probe costs no statement.
/// </summary>
public sealed class ReaderProgress(NpgsqlDataSource db, IOptions<IntakeOptions> intake, IOptions<DaemonOptions> daemon, ILogger<ReaderProgress> log)
    : BackgroundService
{
    // Marten names a reader's progress "{name}:{shard}"; an event above it is one the reader has not processed.
    // Marten has no API for that event's age nor a cheap one for the head (its statistics count every event).
    private static readonly string SampleSql =
        "select r.name, coalesce(p.position, 0)::bigint, h.head, extract(epoch from (now() - e.timestamp)) * 1000 " +
        "from unnest($1::text[]) as r(name) " +
        $"cross join (select coalesce(max(seq_id), 0)::bigint as head from {EventStoreConfig.Schema}.mt_events) h " +
        "left join lateral (" +
        $"select min(last_seq_id) as position from {EventStoreConfig.Schema}.mt_event_progression where name like r.name || ':%') p on true " +
        "left join lateral (" +
        $"select timestamp from {EventStoreConfig.Schema}.mt_events where seq_id > coalesce(p.position, 0) order by seq_id limit 1) e on true";

    private volatile ReaderSnapshot? _latest;
    private volatile bool _failing;

    /// <summary>The readers this node's configuration runs (`Daemon:Subscriptions=false` leaves out the pushing ones).</summary>
    public IReadOnlyList<string> Readers { get; } = daemon.Value.Subscriptions
        ? [Projections.UserChain.UserChainProjection.ProjectionName, Realtime.RealtimePublisher.SubscriptionId, Webhooks.WebhookOutbox.SubscriptionId]
        : [Projections.UserChain.UserChainProjection.ProjectionName];

    /// <summary>The last successful sample; null before the first.</summary>
    public ReaderSnapshot? Latest => _latest;

    /// <summary>Whether the last sample failed (the database is unreachable or too slow): <see cref="Latest"/> is then stale.</summary>
    public bool Failing => _failing;

    /// <summary>After each sample: the new snapshot, or null when sampling failed.</summary>
    public event Action<ReaderSnapshot?>? Sampled;

    public TimeSpan Every => TimeSpan.FromMilliseconds(intake.Value.SampleEveryMs);

    /// <summary>Samples now (also what the poller does), keeping the result.</summary>
    public async Task<ReaderSnapshot> SampleAsync(CancellationToken ct)
    {
        await using var sample = db.Command(SampleSql, (object)Readers.ToArray());
        // A sample slower than this is no sample: readers of it act on "unknown" rather than on a stale one.
        sample.CommandTimeout = 2;
        var before = _latest;
        var at = DateTimeOffset.UtcNow;
        var readers = new List<ReaderState>();
        long head = 0;
        await using (var reader = await sample.ExecuteReaderAsync(ct))
            while (await reader.ReadAsync(ct))
            {
                head = reader.GetInt64(2);
                var position = reader.GetInt64(1);
                var observed = new ReaderSample(reader.GetString(0), position, Math.Max(0, head - position),
                    reader.IsDBNull(3) ? null : TimeSpan.FromMilliseconds(Math.Max(0, reader.GetDouble(3))));
                readers.Add(ReaderStalls.Judge(before?.Of(observed.Name), observed, at));
            }
        var snapshot = new ReaderSnapshot(at, head, readers);
        _latest = snapshot;
        return snapshot;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Every);
        do
        {
            ReaderSnapshot? snapshot = null;
            try
            {
                snapshot = await SampleAsync(stoppingToken);
                if (_failing) log.LogInformation("Sampling the readers' progress works again");
                _failing = false;
            }
            catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                // Once per outage, not five times a second.
                if (!_failing) log.LogWarning(e, "Could not sample the readers' progress; intake stays open and readiness says the lag is unknown until it can");
                _failing = true;
            }
            Sampled?.Invoke(snapshot);
        } while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
