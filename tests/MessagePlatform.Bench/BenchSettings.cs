using System.Globalization;

namespace MessagePlatform.Bench;

/// <summary>What one run measures: the concurrency levels and how long each cell lasts.</summary>
public sealed record BenchSettings(IReadOnlyList<int> Concurrencies, TimeSpan Warmup, TimeSpan Duration)
{
    public const string Usage =
        "usage: dotnet run -c Release --project tests/MessagePlatform.Bench [-- [--seconds N] [--quick] [--concurrency N,N]]\n" +
        "  --seconds N  measured seconds per cell (default 5), after a 1 s warm-up\n" +
        "  --quick      smoke run: concurrency 1 and 8, 1 s cells\n" +
        "  --concurrency N,N  only these levels (e.g. 32 when tuning the write path)";

    public static BenchSettings Parse(string[] args)
    {
        var quick = false;
        double? seconds = null;
        int[]? only = null;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--quick":
                    quick = true;
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
        return new BenchSettings(levels, warmup, duration);
    }
}
