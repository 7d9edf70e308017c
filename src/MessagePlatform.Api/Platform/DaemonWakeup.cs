using System.Diagnostics;
using JasperFx.Events.Daemon.HighWater;
using Marten;
using Marten.Services;
using Npgsql;

namespace MessagePlatform.Api.Platform;

/// <summary>
/// "Events were committed": a generation counter, bumped after every commit that appended events.
/// A waiter compares it with the generation it last woke for, so a commit landing while the daemon
/// is busy is never lost (a drained flag or semaphore would lose it and leave it to the next poll).
/// The commit lanes and every Marten session (through <see cref="AppendListener"/>) call
/// <see cref="Appended"/>; a NOTIFY from another node calls <see cref="Heard"/>.
/// </summary>
public sealed class AppendSignal
{
    private readonly Generation _local = new();
    private readonly Generation _any = new();

    /// <summary>This node committed events.</summary>
    public void Appended()
    {
        _local.Bump();
        _any.Bump();
    }

    /// <summary>Another node said it committed events.</summary>
    public void Heard() => _any.Bump();

    internal Generation Local => _local;
    internal Generation Any => _any;

    internal sealed class Generation
    {
        private long _value;
        private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public long Value => Volatile.Read(ref _value);

        public void Bump()
        {
            Interlocked.Increment(ref _value);
            Interlocked.Exchange(ref _next, new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
        }

        /// <returns>The generation once it differs from <paramref name="seen"/>, or null when the timeout came first.</returns>
        public async Task<long?> BeyondAsync(long seen, TimeSpan timeout, CancellationToken ct)
        {
            // Read the pending task before the value: a bump between the two completes that task.
            var next = Volatile.Read(ref _next).Task;
            if (Value != seen) return Value;
            try
            {
                await next.WaitAsync(timeout, ct);
            }
            catch (TimeoutException)
            {
                return null;
            }
            return Value;
        }
    }
}

/// <summary>Bumps the signal after every Marten commit that appended events, whichever path made it.</summary>
public sealed class AppendListener(AppendSignal signal) : DocumentSessionListenerBase
{
    public override Task AfterCommitAsync(IDocumentSession session, IChangeSet commit, CancellationToken token)
    {
        if (commit.GetEvents().Any()) signal.Appended();
        return Task.CompletedTask;
    }
}

/// <summary>
/// The async daemon's wake-up (Marten's <see cref="IDaemonWakeup"/> hook, in place of its
/// LISTEN/NOTIFY one, which wakes on every commit and can lose a wake-up by draining): at most one
/// wake per <see cref="Coalesce"/>, so a burst of commits costs one daemon cycle, not one each.
/// Woken by this node's commits in process, and by other nodes' through a LISTEN on
/// <see cref="Channel"/> (see <see cref="AppendNotifier"/>); the daemon's own polls stay the fallback.
/// </summary>
public sealed class DaemonWakeup(AppendSignal signal, NpgsqlDataSource db, PlatformOptions platform, PlatformMeters meters,
    ILogger<DaemonWakeup> log) : IDaemonWakeup, IAsyncDisposable
{
    public const string Channel = "mp_events_appended";
    public static readonly TimeSpan Coalesce = TimeSpan.FromMilliseconds(15);

    private readonly CancellationTokenSource _lifetime = new();
    private long _seen;
    private long _lastReturn;
    private Task? _listening;

    public async Task WaitAsync(TimeSpan timeout, CancellationToken token)
    {
        _listening ??= Task.Run(() => ListenAsync(_lifetime.Token));
        var started = Stopwatch.GetTimestamp();
        // Commits during the quiet time ride along with the next wake.
        var quiet = Coalesce - Stopwatch.GetElapsedTime(_lastReturn);
        if (_lastReturn != 0 && quiet > TimeSpan.Zero) await Task.Delay(quiet, token);
        var left = timeout - Stopwatch.GetElapsedTime(started);
        var woke = await signal.Any.BeyondAsync(_seen, left > TimeSpan.Zero ? left : TimeSpan.Zero, token);
        if (woke is { } generation)
        {
            _seen = generation;
            meters.DaemonWoken();
        }
        _lastReturn = Stopwatch.GetTimestamp();
    }

    private async Task ListenAsync(CancellationToken ct)
    {
        var own = platform.NodeId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var outage = new OutageLog(log, $"Listening on {Channel}");
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await using var connection = await db.OpenConnectionAsync(ct);
                connection.Notification += (_, e) =>
                {
                    if (e.Payload != own) signal.Heard();
                };
                await using (var listen = new NpgsqlCommand($"listen {Channel}", connection)) await listen.ExecuteNonQueryAsync(ct);
                // What another node committed before the LISTEN took hold is not lost either: look once.
                signal.Heard();
                outage.Succeeded();
                while (!ct.IsCancellationRequested) await connection.WaitAsync(ct);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The daemon's own polls stand in until the LISTEN is back.
                await Task.Delay(outage.Failed(e, TimeSpan.FromSeconds(1)), ct);
            }
        }
    }

    // Marten may dispose the wake-up of a daemon it stops and later restarts with the same one:
    // the host owns it and ends the LISTEN (DisposeAsync).
    public void Dispose() { }

    public async ValueTask DisposeAsync()
    {
        await _lifetime.CancelAsync();
        try { if (_listening is not null) await _listening.WaitAsync(TimeSpan.FromSeconds(2)); }
        catch (Exception e) when (e is OperationCanceledException or TimeoutException) { }
        _lifetime.Dispose();
    }
}

/// <summary>
/// Tells the other nodes' daemons that this node committed events: one NOTIFY per
/// <see cref="DaemonWakeup.Coalesce"/> at most, and always one after the last commit of a burst.
/// </summary>
public sealed class AppendNotifier(AppendSignal signal, NpgsqlDataSource db, PlatformOptions platform, ILogger<AppendNotifier> log)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        long told = signal.Local.Value;
        var outage = new OutageLog(log, "Telling other nodes about commits");
        while (!stoppingToken.IsCancellationRequested)
        {
            told = await signal.Local.BeyondAsync(told, Timeout.InfiniteTimeSpan, stoppingToken) ?? told;
            try
            {
                await using var notify = db.CreateCommand("select pg_notify($1, $2)");
                notify.Parameters.Add(new() { Value = DaemonWakeup.Channel });
                notify.Parameters.Add(new() { Value = platform.NodeId.ToString(System.Globalization.CultureInfo.InvariantCulture) });
                await notify.ExecuteNonQueryAsync(stoppingToken);
                outage.Succeeded();
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Their daemons find the commits on their next poll meanwhile.
                await Task.Delay(outage.Failed(e, DaemonWakeup.Coalesce), stoppingToken);
                continue;
            }
            await Task.Delay(DaemonWakeup.Coalesce, stoppingToken);
        }
    }
}

/// <summary>`Daemon:*`: how often the async daemon looks for events when nothing woke it, and which readers it runs.</summary>
public sealed class DaemonOptions
{
    public const string Section = "Daemon";

    /// <summary>The fallback poll, both fast and slow; 0 keeps Marten's (250 ms after progress, 1 s when caught up).</summary>
    [System.ComponentModel.DataAnnotations.Range(0, 3_600_000)]
    public int PollMilliseconds { get; set; }

    /// <summary>
    /// False leaves out the realtime publisher and the webhook outbox (nothing is pushed nor delivered):
    /// only for the benchmark's "pipeline off" cell. Read while services are registered (<see cref="Settings.Read{T}"/>).
    /// </summary>
    public bool Subscriptions { get; set; } = true;
}
