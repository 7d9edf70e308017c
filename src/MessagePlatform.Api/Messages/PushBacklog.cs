using System.Diagnostics.Metrics;
using MessagePlatform.Api.Daemon;
using MessagePlatform.Api.Platform;
using MessagePlatform.Api.Realtime;
using MessagePlatform.Api.Webhooks;
using Microsoft.Extensions.Options;

namespace MessagePlatform.Api.Messages;

/// <summary>
/// How far the readers that push (the realtime publisher and the webhook outbox) trail the store,
/// in time: the age of the oldest event either has not yet processed, from each sample of
/// <see cref="ReaderProgress"/> (cluster-wide, whichever node runs the daemon), and kept, so a send
/// reads a field and never waits on a query. A failed sample opens the gate (with a warning there):
/// a lost measurement must not stop intake. While the broker is out, and until the publisher has
/// caught up after, only the webhook outbox counts (<see cref="BrokerOutage"/>).
/// </summary>
public sealed class PushBacklog
{
    private readonly IntakeOptions _options;
    private readonly BrokerLink _broker;
    private readonly TimeProvider _clock;
    private BrokerOutage _outage = BrokerOutage.None;
    private readonly ILogger<PushBacklog> _log;
    private readonly Counter<long> _shed;
    private long _trailingMs;
    private string? _shedding;

    public PushBacklog(ReaderProgress progress, IOptions<IntakeOptions> options, BrokerLink broker, TimeProvider clock, IMeterFactory meters,
        ILogger<PushBacklog> log)
    {
        (_options, _broker, _clock, _log) = (options.Value, broker, clock, log);
        var meter = meters.Create(PlatformMeters.MeterName);
        meter.CreateObservableGauge("mp.intake.push_backlog", () => Volatile.Read(ref _trailingMs) / 1000.0, "s",
            "How far the realtime publisher and the webhook outbox trail the store (the oldest event either has not processed), as last measured.");
        _shed = meter.CreateCounter<long>("mp.intake.shed", "{message}", "Sends refused because pushes trail the store, by priority.");
        if (!_options.Enabled) return;
        // Built on the first send, after the poller has started: what it has sampled so far counts at once.
        Took(progress.Latest);
        progress.Sampled += Took;
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

    /// <summary>How far this reader trails in this sample: the oldest event it still waits for; 0 when the sample failed.</summary>
    public static long TrailingMs(ReaderSnapshot? sample, string reader) =>
        (long)(sample?.Of(reader)?.OldestWaiting?.TotalMilliseconds ?? 0);

    private void Took(ReaderSnapshot? sample)
    {
        var (publisherMs, webhooksMs) = (TrailingMs(sample, RealtimePublisher.SubscriptionId), TrailingMs(sample, WebhookOutbox.SubscriptionId));
        _outage = Excused(_outage.Next(_broker.State == BrokerState.Connected, publisherMs, _options, _clock.GetUtcNow()), publisherMs);
        var trailingMs = _outage.CountedMs(publisherMs, webhooksMs);
        Volatile.Write(ref _trailingMs, trailingMs);
        _shedding = Told(_shedding, trailingMs);
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
