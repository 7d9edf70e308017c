using System.Globalization;

namespace MessagePlatform.Bench;

/// <summary>
/// What one run measures: the sends section's concurrency levels, how long each cell of either
/// section lasts, whether only the sync section runs, and the rates its sweeps step through.
/// </summary>
public sealed record BenchSettings(
    IReadOnlyList<int> Concurrencies, TimeSpan Warmup, TimeSpan Duration, bool SyncOnly, IReadOnlyList<int> RateSteps)
{
    public const string Usage =
        "usage: dotnet run -c Release --project tests/MessagePlatform.Bench [-- [--seconds N] [--quick] [--concurrency N,N] [--sync]]\n" +
        "  --seconds N  measured seconds per cell (default 5), after a 1 s warm-up\n" +
        "  --quick      smoke run: concurrency 1 and 8, 1 s cells, sync rate steps 200 and 400\n" +
        "  --concurrency N,N  only these levels (e.g. 32 when tuning the write path)\n" +
        "  --sync       only the send → visible in sync section (no sends table, no baselines)";

    public static BenchSettings Parse(string[] args)
    {
        var quick = false;
        var syncOnly = false;
        double? seconds = null;
        int[]? only = null;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--quick":
                    quick = true;
                    break;
                case "--sync":
                    syncOnly = true;
                    break;
                case "--seconds" when i + 1 < args.Length
                    && double.TryParse(args[i + 1], NumberStyles.Float, CultureInfo.InvariantCulture, out var s) && s > 0:
                    seconds = s;
                    i++;
                    break;
                case "--concurrency" when i + 1 < args.Length:
                    only = [.. args[++i].Split(',').Select(n => int.TryParse(n, out var c) && c > 0
                        ? c : throw new ArgumentException($"'{n}' is not a concurrency level"))];
                    break;
                default:
                    throw new ArgumentException($"unexpected argument '{args[i]}'");
            }
        }

        var duration = TimeSpan.FromSeconds(seconds ?? (quick ? 1 : 5));
        // Warm-up pays for JIT, connection pools and the session cache; it never needs more than a second.
        var warmup = TimeSpan.FromSeconds(Math.Min(1, duration.TotalSeconds / 2));
        int[] levels = only ?? (quick ? [1, 8] : [1, 8, 32, 128]);
        // Doubling finds the knee in few steps; the sweep stops at the first miss, so the top is rarely run.
        int[] rates = quick ? [200, 400] : [.. Enumerable.Range(0, 9).Select(k => 200 << k)];
        return new BenchSettings(levels, warmup, duration, syncOnly, rates);
    }
}
