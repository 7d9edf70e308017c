using Microsoft.Extensions.Options;

namespace MessagePlatform.Api.Access;

/// <summary>
/// Keeps every node's <see cref="TokenRevocations"/> current: reads what any node revoked about once a
/// second, so a revocation is in force cluster-wide within a second or two.
/// </summary>
public sealed class TokenRevocationFeed(TokenRevocations revocations, IOptions<AccessOptions> options, TimeProvider clock,
    ILogger<TokenRevocationFeed> log) : BackgroundService
{
    private static readonly TimeSpan PruneEvery = TimeSpan.FromMinutes(1);
    private readonly Platform.OutageLog _outage = new(log, "Token revocation refresh");

    public override async Task StartAsync(CancellationToken ct)
    {
        // Before the host serves: a node that has read the revocations never lets a revoked token through.
        try { await revocations.RefreshAsync(ct); }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            log.LogWarning(e, "Could not read token revocations at start; user tokens are refused until they are read");
        }
        await base.StartAsync(ct);
    }

    protected override async Task ExecuteAsync(CancellationToken ct)
    {
        // Real time, not the injected clock: tests that freeze the clock still see revocations of other nodes.
        using var timer = new PeriodicTimer(options.Value.RefreshEvery);
        var pruned = clock.GetUtcNow();
        while (await timer.WaitForNextTickAsync(ct))
        {
            try
            {
                await revocations.RefreshAsync(ct);
                _outage.Succeeded();
                if (clock.GetUtcNow() - pruned > PruneEvery)
                {
                    revocations.Prune();
                    pruned = clock.GetUtcNow();
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The last known revocations stay in force; the next tick tries again.
                if (_outage.Failed(e, options.Value.RefreshEvery) - options.Value.RefreshEvery is { Ticks: > 0 } longer) await Task.Delay(longer, ct);
            }
        }
    }
}
