namespace MessagePlatform.Api.Messages;

/// <summary>
/// Intake during a broker outage (a pure rule, so it is tested without a broker). The realtime
/// publisher cannot publish while the broker is out, whatever intake does: refusing sends for its
/// lag then would turn late pushes into an outage of sends. So its lag refuses no send while this
/// node's bus is not connected, nor after, until the publisher has caught up again (trails by no
/// more than `Intake:ShedLowPriorityAtMs`) or `Intake:BrokerRecoverySeconds` have passed. Pushes
/// that reach a gateway late meanwhile become a `sync` hint (README "Realtime"). The webhook outbox
/// needs no broker, so its lag always counts.
/// </summary>
public readonly record struct BrokerOutage(BrokerOutage.Stage At, DateTimeOffset Since)
{
    public enum Stage { None, Out, CatchingUp }

    public static readonly BrokerOutage None = default;

    /// <summary>Whether the realtime publisher's lag is left out of intake's measure now.</summary>
    public bool ExcusesPublisher => At != Stage.None;

    /// <summary>The outage after one more measurement: is the bus connected, how far the publisher trails.</summary>
    public BrokerOutage Next(bool connected, long publisherTrailingMs, IntakeOptions options, DateTimeOffset now)
    {
        if (!connected) return At == Stage.Out ? this : new(Stage.Out, now);
        if (At == Stage.None) return this;
        var back = At == Stage.Out ? now : Since;
        var caughtUp = publisherTrailingMs <= options.ShedLowPriorityAtMs;
        return caughtUp || now - back >= TimeSpan.FromSeconds(options.BrokerRecoverySeconds) ? None : new(Stage.CatchingUp, back);
    }

    /// <summary>How far pushes trail, for intake: both pushing readers, or only the webhook outbox during an outage.</summary>
    public long CountedMs(long publisherTrailingMs, long webhooksTrailingMs) =>
        ExcusesPublisher ? webhooksTrailingMs : Math.Max(publisherTrailingMs, webhooksTrailingMs);
}
