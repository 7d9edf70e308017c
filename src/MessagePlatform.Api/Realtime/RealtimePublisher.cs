using JasperFx.Events;
using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Marten;
using Marten.Subscriptions;
using MassTransit;
using MessagePlatform.Contracts;
using MessagePlatform.Domain;
using Polly;

namespace MessagePlatform.Api.Realtime;

/// <summary>
/// Carries stored events to the bus: a Marten subscription, so the daemon (one node at a time)
/// reads them in order and records its progress only after this returns. Publishing happens
/// inside, so every event is published at least once; a broker outage holds the subscription
/// here, retrying, and delays pushes without losing any or failing a send.
/// </summary>
public sealed class RealtimePublisher : SubscriptionBase
{
    public const string SubscriptionId = "RealtimePublisher";
    private readonly IBus _bus;
    private readonly ILogger<RealtimePublisher> _log;
    private readonly ResiliencePipeline _untilPublished;
    private readonly Platform.PlatformMeters _meters;

    public RealtimePublisher(IBus bus, Platform.PlatformMeters meters, ILogger<RealtimePublisher> log)
    {
        (_bus, _meters, _log) = (bus, meters, log);
        Name = SubscriptionId;
        IncludeType<MessageSent>();
        IncludeType<MessageRetracted>();
        IncludeType<BroadcastSent>();
        _untilPublished = new ResiliencePipelineBuilder()
            .AddRetry(new()
            {
                MaxRetryAttempts = int.MaxValue,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromMilliseconds(100),
                MaxDelay = TimeSpan.FromSeconds(5),
                ShouldHandle = new PredicateBuilder().Handle<Exception>(e => e is not OperationCanceledException),
                OnRetry = a =>
                {
                    _log.LogWarning(a.Outcome.Exception, "Publishing to the bus failed, attempt {Attempt}; retrying", a.AttemptNumber);
                    return ValueTask.CompletedTask;
                },
            })
            .Build();
    }

    public override async Task<IChangeListener> ProcessEventsAsync(
        EventRange page, ISubscriptionController controller, IDocumentOperations operations, CancellationToken ct)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        foreach (var e in page.Events)
        {
            object? message = e.Data switch
            {
                MessageSent m => new MessagePublished(e.TenantId, e.StreamKey!, m.MsgId.ToString(), e.Version,
                    m.From, m.Type, m.Body.GetRawText(), m.Priority, m.SentAt),
                MessageRetracted r => new RetractionPublished(e.TenantId, e.StreamKey!, r.MsgId.ToString(), r.Seq),
                BroadcastSent b => new BroadcastPublished(e.TenantId, b.MsgId.ToString(), b.Type, b.Body.GetRawText(), [.. b.Tags],
                    b.Priority, b.OnlineOnly, b.SentAt),
                _ => null,
            };
            if (message is null) continue;
            await _untilPublished.ExecuteAsync(
                async token => await _bus.Publish(message, message.GetType(), context => context.MessageId = e.Id, token), ct);
        }
        _meters.SubscriptionPage(SubscriptionId, page.Events.Count, System.Diagnostics.Stopwatch.GetElapsedTime(started));
        return NullChangeListener.Instance;
    }
}
