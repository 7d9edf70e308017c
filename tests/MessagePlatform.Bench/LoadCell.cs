using System.Diagnostics;

namespace MessagePlatform.Bench;

/// <summary>
/// One measurement: <see cref="Concurrency"/> workers each loop operation → await for
/// <see cref="Warmup"/> + <see cref="Duration"/>; only operations that complete inside the
/// measured window count, so the rate is completions per second of that window.
/// </summary>
public sealed record LoadCell(string Name, int Concurrency, TimeSpan Warmup, TimeSpan Duration)
{
    public async Task<CellResult> RunAsync(Func<Task> operation)
    {
        var windowStart = Stopwatch.GetTimestamp() + ToTicks(Warmup);
        var windowEnd = windowStart + ToTicks(Duration);
        var failures = new Failures();
        var workers = Enumerable.Range(0, Concurrency)
            .Select(_ => Task.Run(() => WorkAsync(operation, windowStart, windowEnd, failures)));
        var perWorker = await Task.WhenAll(workers);

        // Per-worker lists avoid contention while measuring; merged and sorted once at the end.
        var latencies = perWorker.SelectMany(l => l).ToArray();
        Array.Sort(latencies);
        return new CellResult(Name, Concurrency, latencies.Length / Duration.TotalSeconds,
            Percentile(latencies, 0.50), Percentile(latencies, 0.99), failures.Counts, failures.Samples);
    }

    private static async Task<List<long>> WorkAsync(Func<Task> operation, long windowStart, long windowEnd, Failures failures)
    {
        var latencies = new List<long>(capacity: 4096);
        while (true)
        {
            var started = Stopwatch.GetTimestamp();
            if (started >= windowEnd) return latencies;
            try
            {
                await operation();
            }
            catch (Exception e)
            {
                // Failures count during warm-up too: an error is worth reporting whenever it happens.
                failures.Add(e);
                continue;
            }
            var ended = Stopwatch.GetTimestamp();
            if (ended >= windowStart && ended < windowEnd) latencies.Add(ended - started);
        }
    }

    private static long ToTicks(TimeSpan span) => (long)(span.TotalSeconds * Stopwatch.Frequency);

    private static double Percentile(long[] sorted, double fraction) => sorted.Length == 0
        ? double.NaN
        : sorted[Math.Max(0, (int)Math.Ceiling(fraction * sorted.Length) - 1)] * 1000.0 / Stopwatch.Frequency;
}

public sealed record CellResult(
    string Name, int Concurrency, double OpsPerSecond, double P50Ms, double P99Ms,
    IReadOnlyDictionary<string, long> Errors, IReadOnlyDictionary<string, string> ErrorSamples)
{
    public long ErrorCount => Errors.Values.Sum();
}
