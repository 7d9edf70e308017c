using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Npgsql;

namespace MessagePlatform.Api.Daemon;

/// <summary>
/// Readiness of the database: a `select 1`, answered within `Health:DatabaseTimeoutSeconds` or
/// failing. The wait is ours, not the driver's: a hung server (frozen, or a network that drops
/// packets) does not answer Npgsql's cancellation either, and a probe that hangs with it tells an
/// orchestrator nothing until its own timeout. The abandoned statement is cancelled and ends by itself.
/// </summary>
public sealed class DatabaseCheck(NpgsqlDataSource db, IOptions<HealthOptions> options) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        var within = TimeSpan.FromSeconds(options.Value.DatabaseTimeoutSeconds);
        using var giveUp = CancellationTokenSource.CreateLinkedTokenSource(ct);
        giveUp.CancelAfter(within);
        var answer = SelectOneAsync(giveUp.Token);
        try
        {
            await answer.WaitAsync(within, ct);
            return HealthCheckResult.Healthy();
        }
        catch (TimeoutException)
        {
            // Observed later, so its failure is not an unobserved task exception.
            _ = answer.ContinueWith(t => t.Exception, TaskScheduler.Default);
            return HealthCheckResult.Unhealthy($"the database did not answer within {within.TotalSeconds:0} s");
        }
        catch (Exception e) when (e is NpgsqlException or OperationCanceledException or InvalidOperationException or System.Net.Sockets.SocketException)
        {
            return HealthCheckResult.Unhealthy("the database refused or dropped the check", e);
        }
    }

    private async Task SelectOneAsync(CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var select = new NpgsqlCommand("select 1", connection);
        await select.ExecuteScalarAsync(ct);
    }
}
