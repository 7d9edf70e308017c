using System.Diagnostics;
using MessagePlatform.Api.EventStore;

namespace MessagePlatform.Api.Platform;

/// <summary>
/// How a background loop lives through a database outage: the first failure is one warning, the
/// rest of the outage is quiet (debug), the return is one information line with how long it lasted;
/// and while it lasts the loop waits longer between tries (doubling up to <see cref="MaxBackoff"/>),
/// so a dead server costs a try every few seconds, not a log line per tick. Any other failure is a
/// bug or a bad row, not an outage: it is logged every time, as before.
/// </summary>
public sealed class OutageLog(ILogger log, string loop)
{
    public static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(5);
    private readonly Lock _gate = new();
    private long _since;
    private int _failures;

    public bool InOutage { get { lock (_gate) return _failures > 0; } }

    /// <summary>Records a failure; returns how long the loop should wait before it tries again (at least <paramref name="normal"/>).</summary>
    public TimeSpan Failed(Exception e, TimeSpan normal)
    {
        if (!StoreUnavailable.Is(e))
        {
            log.LogWarning(e, "{Loop} failed; trying again in {Seconds} s", loop, normal.TotalSeconds);
            return normal;
        }
        int failures;
        lock (_gate)
        {
            failures = ++_failures;
            if (failures == 1) _since = Stopwatch.GetTimestamp();
        }
        if (failures == 1) log.LogWarning("{Loop}: the database is unavailable ({Reason}); backing off until it is back", loop, e.Message);
        else log.LogDebug("{Loop}: the database is still unavailable ({Failures} failures)", loop, failures);
        var backoff = TimeSpan.FromMilliseconds(Math.Max(normal.TotalMilliseconds, 250 * Math.Pow(2, Math.Min(failures - 1, 10))));
        return backoff < MaxBackoff ? backoff : normal > MaxBackoff ? normal : MaxBackoff;
    }

    /// <summary>Records a success: ends the outage, if there was one, with one line.</summary>
    public void Succeeded()
    {
        int failures;
        long since;
        lock (_gate)
        {
            (failures, since) = (_failures, _since);
            _failures = 0;
        }
        if (failures > 0)
            log.LogInformation("{Loop}: the database is back after {Seconds:0.0} s and {Failures} failures", loop,
                Stopwatch.GetElapsedTime(since).TotalSeconds, failures);
    }
}
