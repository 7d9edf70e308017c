using System.Globalization;

namespace MessagePlatform.Bench;

/// <summary>The parts of a run; `--sync`, `--realtime`, `--broadcast` and `--reactions` pick some, no flag runs them all.</summary>
[Flags]
public enum Sections
{
    Sends = 1,
    Sync = 2,
    Realtime = 4,
    Broadcast = 8,
    Reactions = 16,
    All = Sends | Sync | Realtime | Broadcast | Reactions,
}

/// <summary>
/// What one run measures: the sections it runs, the sends section's concurrency levels, how long
/// each cell lasts, the rates the sync sweeps step through, whether it is a quick smoke run, and the
/// share of the broadcast section's clients that connect over MQTT (the rest over WebSocket).
/// </summary>
/// <param name="ReportOnly">A benchmarks.json to draw the report from again, measuring nothing.</param>
public sealed record BenchSettings(
    Sections Sections, IReadOnlyList<int> Concurrencies, TimeSpan Warmup, TimeSpan Duration, IReadOnlyList<int> RateSteps, bool Quick,
    double MqttShare, string? ReportOnly = null)
{
    public const string Usage =
        "usage: dotnet run -c Release --project tests/MessagePlatform.Bench [-- [--seconds N] [--quick] [--concurrency N,N] [--sync] [--realtime] [--broadcast] [--reactions] [--mqtt-share F] [--report-only FILE]]\n" +
        "  --seconds N  measured seconds per cell (default 5), after a 1 s warm-up\n" +
        "  --quick      smoke run: concurrency 1 and 32, 1 s cells, sync rate steps 200 and 400, rooms and broadcasts to 200 to 800 clients\n" +
        "  --concurrency N,N  only these levels (e.g. 32 when tuning the write path)\n" +
        "  --sync       the send → visible in sync section (no sends table, no baselines)\n" +
        "  --realtime   the WebSocket section: send → frame latency, room fan-out, memory per connection\n" +
        "  --broadcast  one broadcast to every online client, fleets from 1,000 to the most the machine holds, beside a room message\n" +
        "  --reactions  a room of 2,000 (quick: 200) at 20 msgs/s, without and then with 200 reactions/s on its messages\n" +
        "  --mqtt-share F  the share of the broadcast section's clients on MQTT over TCP, 0 to 1 (default 0.5; the rest WebSocket)\n" +
        "  --report-only FILE  draw docs/benchmarks.md and its charts again from a benchmarks.json, beside it; measures nothing\n" +
        "  (several of --sync, --realtime, --broadcast run those; none runs every section)\n" +
        "  every run writes docs/benchmarks.md, docs/benchmarks.json and docs/benchmarks/*.png";

    public bool Runs(Sections section) => (Sections & section) != 0;

    public static BenchSettings Parse(string[] args)
    {
        var quick = false;
        Sections? only = null;
        double? seconds = null;
        int[]? levels = null;
        var mqttShare = ClientMix.HalfAndHalf.MqttShare;
        string? reportOnly = null;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--quick":
                    quick = true;
                    break;
                case "--sync":
                    only = (only ?? 0) | Sections.Sync;
                    break;
                case "--realtime":
                    only = (only ?? 0) | Sections.Realtime;
                    break;
                case "--broadcast":
                    only = (only ?? 0) | Sections.Broadcast;
                    break;
                case "--reactions":
                    only = (only ?? 0) | Sections.Reactions;
                    break;
                case "--seconds" when i + 1 < args.Length
                    && double.TryParse(args[i + 1], NumberStyles.Float, CultureInfo.InvariantCulture, out var s) && s > 0:
                    seconds = s;
                    i++;
                    break;
                case "--mqtt-share" when i + 1 < args.Length:
                    mqttShare = double.TryParse(args[++i], NumberStyles.Float, CultureInfo.InvariantCulture, out var share) && share is >= 0 and <= 1
                        ? share : throw new ArgumentException($"'{args[i]}' is not a share from 0 to 1");
                    break;
                case "--report-only" when i + 1 < args.Length:
                    reportOnly = args[++i];
                    break;
                case "--concurrency" when i + 1 < args.Length:
                    levels = [.. args[++i].Split(',').Select(n => int.TryParse(n, out var c) && c > 0
                        ? c : throw new ArgumentException($"'{n}' is not a concurrency level"))];
                    break;
                default:
                    throw new ArgumentException($"unexpected argument '{args[i]}'");
            }
        }

        var duration = TimeSpan.FromSeconds(seconds ?? (quick ? 1 : 5));
        // Warm-up pays for JIT, connection pools and the session cache; it never needs more than a second.
        var warmup = TimeSpan.FromSeconds(Math.Min(1, duration.TotalSeconds / 2));
        // Quick keeps concurrency 32: the targets are judged there.
        // Doubling finds the knee in few steps; the sweep stops at the first miss, so the top is rarely run.
        int[] rates = quick ? [200, 400] : [.. Enumerable.Range(0, 9).Select(k => 200 << k)];
        return new BenchSettings(only ?? Sections.All, levels ?? (quick ? [1, 32] : [1, 8, 32, 128]), warmup, duration, rates, quick, mqttShare, reportOnly);
    }
}
