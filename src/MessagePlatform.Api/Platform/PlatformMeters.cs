using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace MessagePlatform.Api.Platform;

/// <summary>
/// The platform's own instruments, on one meter made through <see cref="IMeterFactory"/> (so each
/// host, and each test host, has its own). Tenant ids are never tags: they are unbounded.
/// Prometheus names come from name and unit: dots become underscores, "s" adds `_seconds`, a
/// counter adds `_total`, a unit in braces adds nothing (`mp.messages.sent` is `mp_messages_sent_total`).
/// </summary>
public sealed class PlatformMeters
{
    public const string MeterName = "MessagePlatform";

    private readonly Histogram<int> _laneBatch;
    private readonly Histogram<double> _laneQueueWait;
    private readonly Histogram<double> _laneCommit;
    private readonly Counter<long> _sent;
    private readonly Histogram<double> _sendDuration;
    private readonly Histogram<int> _subscriptionBatch;
    private readonly Histogram<double> _subscriptionProcessing;
    private readonly Histogram<int> _fanOutBatch;
    private readonly Counter<long> _frames;
    private readonly Counter<long> _retransmits;
    private readonly Counter<long> _syncHints;
    private readonly Counter<long> _shed;
    private readonly Counter<long> _daemonWakes;
    private readonly Counter<long> _webhookDeliveries;
    private readonly Counter<long> _gcRemoved;

    public PlatformMeters(IMeterFactory factory)
    {
        var meter = factory.Create(MeterName);
        _laneBatch = meter.CreateHistogram<int>("mp.lane.batch.size", "{command}", "Commands one lane commits in one transaction.");
        _laneQueueWait = meter.CreateHistogram<double>("mp.lane.queue.wait", "s", "How long a command waited in its lane before its batch began.");
        _laneCommit = meter.CreateHistogram<double>("mp.lane.commit.duration", "s", "One group commit, load to answer.");
        _sent = meter.CreateCounter<long>("mp.messages.sent", "{message}", "Sends stored (201), whichever door they came through.");
        _sendDuration = meter.CreateHistogram<double>("mp.send.duration", "s", "A send, from validation to its durable answer.");
        _subscriptionBatch = meter.CreateHistogram<int>("mp.subscription.batch.size", "{event}", "Events one page of a stream reader holds.");
        _subscriptionProcessing = meter.CreateHistogram<double>("mp.subscription.processing.duration", "s", "One page of a stream reader.");
        _fanOutBatch = meter.CreateHistogram<int>("mp.fanout.batch.size", "{user}", "Recipients of one push batch sent to one gateway node.");
        _frames = meter.CreateCounter<long>("mp.push.frames", "{frame}", "Frames handed to this node's connections, by kind.");
        _retransmits = meter.CreateCounter<long>("mp.push.retransmits", "{frame}", "Unacked frames sent again.");
        _syncHints = meter.CreateCounter<long>("mp.push.sync_hints", "{frame}", "Connections told to sync instead (tries used up, or a full queue).");
        _shed = meter.CreateCounter<long>("mp.push.late.shed", "{connection}",
            "Pushes that reached their node late and were shed, by stage: low (low-priority frames dropped) or sync (a sync hint instead of frames).");
        _daemonWakes = meter.CreateCounter<long>("mp.daemon.wakeups", "{wakeup}",
            "Times the async daemon was woken early to look for new events (coalesced commits; polls not counted).");
        _webhookDeliveries = meter.CreateCounter<long>("mp.webhook.deliveries", "{attempt}",
            "Webhook delivery attempts by outcome: delivered, failed (retried later) or parked (tries used up, or the webhook gone).");
        _gcRemoved = meter.CreateCounter<long>("mp.gc.removed", "{item}",
            "What GC removed, by kind (retention, onClose, timeline, erasure, broadcasts): the counts its records hold.");
    }

    public void LaneBatch(int commands, TimeSpan elapsed)
    {
        _laneBatch.Record(commands);
        _laneCommit.Record(elapsed.TotalSeconds);
    }

    public void QueueWait(long enqueuedAt) => _laneQueueWait.Record(Stopwatch.GetElapsedTime(enqueuedAt).TotalSeconds);

    public void Sent(TimeSpan elapsed)
    {
        _sent.Add(1);
        _sendDuration.Record(elapsed.TotalSeconds);
    }

    public void FanOutBatch(int users) => _fanOutBatch.Record(users);

    /// <summary><paramref name="kind"/> is a frame type ("message", "retract", "broadcast"): a few, fixed.</summary>
    public void Frames(string kind, int count)
    {
        if (count > 0) _frames.Add(count, new KeyValuePair<string, object?>("kind", kind));
    }

    public void Retransmitted(int resent, int syncHints)
    {
        if (resent > 0) _retransmits.Add(resent);
        if (syncHints > 0) _syncHints.Add(syncHints);
    }

    /// <summary><paramref name="connections"/> is how many connections lost frames to this shedding.</summary>
    public void Shed(Realtime.Shedding stage, int connections)
    {
        if (connections > 0)
            _shed.Add(connections, new KeyValuePair<string, object?>("stage", stage == Realtime.Shedding.SyncInstead ? "sync" : "low"));
    }

    public void DaemonWoken() => _daemonWakes.Add(1);

    public static class WebhookOutcomes
    {
        public const string Delivered = "delivered";
        public const string Failed = "failed";
        public const string Parked = "parked";
    }

    /// <summary><paramref name="outcome"/> is one of <see cref="WebhookOutcomes"/>.</summary>
    public void WebhookDelivery(string outcome) => _webhookDeliveries.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    /// <summary>After the removal committed; <paramref name="kind"/> is a GC record's kind (a few, fixed).</summary>
    public void GcRemoved(string kind, long count)
    {
        if (count > 0) _gcRemoved.Add(count, new KeyValuePair<string, object?>("kind", kind));
    }

    /// <summary>One page of a Marten subscription (<paramref name="subscription"/> is its name: a few, fixed).</summary>
    public void SubscriptionPage(string subscription, int events, TimeSpan elapsed)
    {
        var tag = new KeyValuePair<string, object?>("subscription", subscription);
        _subscriptionBatch.Record(events, tag);
        _subscriptionProcessing.Record(elapsed.TotalSeconds, tag);
    }
}
