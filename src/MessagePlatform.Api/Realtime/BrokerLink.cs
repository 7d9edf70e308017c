using MassTransit;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace MessagePlatform.Api.Realtime;

/// <summary>Where this node's bus stands: not yet connected since start, connected, or lost after it was.</summary>
public enum BrokerState { Starting, Connected, Lost }

/// <summary>
/// This node's link to the broker, as MassTransit's own bus health sees it (every receive endpoint
/// connected), and readiness's answer for it (`masstransit-bus`). A node that has not connected
/// since it started is not ready (its gateway queue may not be bound yet, so pushes to it could go
/// nowhere). A node that loses the broker later is only degraded: it still stores and answers every
/// send, the realtime publisher holds the events until the broker is back (pushes then arrive late
/// or as a `sync` hint), and webhooks need no broker at all.
/// </summary>
public sealed class BrokerLink(IBusControl bus) : IHealthCheck
{
    public const string CheckName = "masstransit-bus";
    private int _connectedOnce;

    public BrokerState State
    {
        get
        {
            if (bus.CheckHealth().Status == BusHealthStatus.Healthy)
            {
                Volatile.Write(ref _connectedOnce, 1);
                return BrokerState.Connected;
            }
            return Volatile.Read(ref _connectedOnce) == 1 ? BrokerState.Lost : BrokerState.Starting;
        }
    }

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken) =>
        Task.FromResult(State switch
        {
            BrokerState.Connected => HealthCheckResult.Healthy("The bus is connected."),
            BrokerState.Starting => HealthCheckResult.Unhealthy("The bus has not connected since the node started."),
            _ => HealthCheckResult.Degraded(
                "The broker is unreachable: sends are still stored and answered; pushes wait for it and webhooks go on."),
        });
}
