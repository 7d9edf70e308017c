using System.Diagnostics.Metrics;
using MessagePlatform.Api.Platform;
using MessagePlatform.Api.Realtime;
using MessagePlatform.Api.Webhooks;
using Microsoft.Extensions.Options;
using Npgsql;

namespace MessagePlatform.Api.Messages;

/// <summary>
/// How far the readers that push (the realtime publisher and the webhook outbox) trail the store,
/// in time: the age of the oldest event either has not yet processed. Measured cluster-wide in the
/// database every <see cref="IntakeOptions.SampleEveryMs"/> on every node, whichever node runs the
/// daemon, and kept, so a send reads a field and never waits on a query. A failed measurement
/// opens the gate (with a warning): a lost measurement must not stop intake. While the broker is
/// out, and until the publisher has caught up after, only the webhook outbox counts (<see cref="BrokerOutage"/>).
/// </summary>
public sealed class PushBacklog : BackgroundService
{
    private readonly NpgsqlDataSource _db;
    private readonly IntakeOptions _options;
    private readonly ILogger<PushBacklog> _log;
    private readonly Counter<long> _shed;

    // Marten names a subscription's progress "{name}:All"; an event above a reader's progress is one it has not pushed.
    // Marten has no API for that event's age, so this reads its tables, one cheap indexed look-up per reader.
    // One row per reader, the realtime publisher first: during a broker outage only the webhook outbox counts.
    private static readonly string TrailingSql =
        "select coalesce(extract(epoch from (now() - e.timestamp)) * 1000, 0)::float8 " +
        $"from (values (1, '{RealtimePublisher.SubscriptionId}:All'), (2, '{WebhookOutbox.SubscriptionId}:All')) as r(reader, name) " +
        $"left join {EventStoreConfig.Schema}.mt_event_progression p on p.name = r.name " +
        "left join lateral (" +
        $"select timestamp from {EventStoreConfig.Schema}.mt_events where seq_id > coalesce(p.last_seq_id, 0) order by seq_id limit 1) e on true " +
        "order by r.reader";

    private long _trailingMs;

    private readonly BrokerLink _broker;
    private readonly TimeProvider _clock;
    private BrokerOutage _outage = BrokerOutage.None;

    public PushBacklog(NpgsqlDataSource db, IOptions<IntakeOptions> options, BrokerLink broker, TimeProvider clock, IMeterFactory meters,
        ILogger<PushBacklog> log)
    {
        (_db, _options, _broker, _clock, _log) = (db, options.Value, broker, clock, log);
        var meter = meters.Create(PlatformMeters.MeterName);
        meter.CreateObservableGauge("mp.intake.push_backlog", () => Volatile.Read(ref _trailingMs) / 1000.0, "s",
            "How far the realtime publisher and the webhook outbox trail the store (the oldest event either has not processed), as last measured.");
        _shed = meter.CreateCounter<long>("mp.intake.shed", "{message}", "Sends refused because pushes trail the store, by priority.");
    }

    /// <summary>The last measured backlog: how far pushes trail commits.</summary>
    public TimeSpan Trailing => TimeSpan.FromMilliseconds(Volatile.Read(ref _trailingMs));

    /// <summary>Null when a send of this priority may go ahead; else the refusal, in the documented order (low first).</summary>
    public SendOutcome.Overloaded? Refuses(string priority)
    {
        var trailingMs = Volatile.Read(ref _trailingMs);
        if (Sheds(_options, trailingMs, priority) is not { } which) return null;
        return new SendOutcome.Overloaded(TimeSpan.FromSeconds(_options.RetryAfterSeconds),
            $"Pushes trail the stored messages by {trailingMs} ms; the platform takes {which} until they catch up.");
    }

    /// <summary>Counts a refusal that was answered (a stored send's retry gets its first answer instead, and is not shed).</summary>
    public SendOutcome.Overloaded Shed(SendOutcome.Overloaded refusal, string priority)
    {
        _shed.Add(1, new KeyValuePair<string, object?>("priority", priority));
        return refusal;
    }

    /// <summary>What intake sheds at this backlog for a send of this priority ("no sends", "no low-priority sends"), or null.</summary>
    public static string? Sheds(IntakeOptions options, long trailingMs, string priority) =>
        !options.Enabled ? null
        : trailingMs > options.RefuseAllAtMs ? "no sends"
        : priority == "low" && trailingMs > options.ShedLowPriorityAtMs ? "no low-priority sends"
        : null;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_options.Enabled) return;
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(_options.SampleEveryMs));
        var failing = false;
        string? shedding = null;
        do
        {
            try
            {
                var (publisherMs, webhooksMs) = await MeasureAsync(stoppingToken);
                _outage = Excused(_outage.Next(_broker.State == BrokerState.Connected, publisherMs, _options, _clock.GetUtcNow()), publisherMs);
                var trailingMs = _outage.CountedMs(publisherMs, webhooksMs);
                Volatile.Write(ref _trailingMs, trailingMs);
                failing = false;
                shedding = Told(shedding, trailingMs);
            }
            catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                Volatile.Write(ref _trailingMs, 0);
                shedding = null;
                // Once per outage, not five times a second.
                if (!failing) _log.LogWarning(e, "Could not measure how far pushes trail; intake stays open until it can");
                failing = true;
            }
        } while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private async Task<(long PublisherMs, long WebhooksMs)> MeasureAsync(CancellationToken ct)
    {
        await using var measure = _db.CreateCommand(TrailingSql);
        // A measurement slower than this is no measurement: the gate opens rather than acting on a stale one.
        measure.CommandTimeout = 2;
        await using var rows = await measure.ExecuteReaderAsync(ct);
        var trailing = new long[2];
        for (var i = 0; i < 2 && await rows.ReadAsync(ct); i++) trailing[i] = (long)rows.GetDouble(0);
        return (trailing[0], trailing[1]);
    }

    /// <summary>Logs when a broker outage starts and stops excusing the realtime publisher's lag.</summary>
    private BrokerOutage Excused(BrokerOutage now, long publisherMs)
    {
        if (now.ExcusesPublisher != _outage.ExcusesPublisher)
        {
            if (now.ExcusesPublisher)
                _log.LogWarning("The bus is not connected: intake leaves the realtime publisher's lag out until it has caught up after the broker is back");
            else
                _log.LogInformation("The realtime publisher trails by {TrailingMs} ms after the broker outage: its lag counts for intake again", publisherMs);
        }
        return now;
    }

    /// <summary>Logs when intake starts or stops shedding (not per send): what an operator looks for in an incident.</summary>
    private string? Told(string? before, long trailingMs)
    {
        var now = Sheds(_options, trailingMs, "low");
        if (now == before) return now;
        if (now is null) _log.LogInformation("Pushes caught up ({TrailingMs} ms behind): intake takes every send again", trailingMs);
        else _log.LogWarning("Pushes trail the store by {TrailingMs} ms: intake takes {Shedding}", trailingMs, now);
        return now;
    }
}
