namespace MessagePlatform.Bench;

/// <summary>One push to some clients: each client's receipt, from just before the push's POST.</summary>
/// <param name="LatenciesMs">Of the clients that got it within <see cref="BroadcastCell.Grace"/>, sorted.</param>
/// <param name="Resent">Frames a client had already: its ack was not in within 2 s.</param>
public sealed record Delivery(double[] LatenciesMs, int Missed, long Resent, long SyncFrames, string? Error)
{
    public double LastMs => Missed > 0 || LatenciesMs.Length == 0 ? double.PositiveInfinity : LatenciesMs[^1];

    public static Delivery Merge(IReadOnlyCollection<Delivery> parts) => new(
        [.. parts.SelectMany(p => p.LatenciesMs).Order()], parts.Sum(p => p.Missed), parts.Sum(p => p.Resent),
        parts.Sum(p => p.SyncFrames), parts.Select(p => p.Error).FirstOrDefault(e => e is not null));
}

/// <summary>One push to a mixed fleet, seen per kind of client; <see cref="All"/> is every client together.</summary>
public sealed record Push(IReadOnlyDictionary<ClientKind, Delivery> ByKind)
{
    public Delivery All { get; } = Delivery.Merge([.. ByKind.Values]);
}

/// <summary>Deliveries of one kind pooled: percentiles over every (push, client), and each push's last client.</summary>
public sealed record DeliveryStats(
    int Pushes, double P50Ms, double P99Ms, double LastMedianMs, double LastWorstMs, long Missed, long Resent, long SyncFrames,
    IReadOnlyList<string> Errors)
{
    public static DeliveryStats Of(IReadOnlyList<Delivery> deliveries)
    {
        // A client that never got it is infinitely late, as in the other realtime tables.
        var pooled = deliveries.SelectMany(d => d.LatenciesMs.Concat(Enumerable.Repeat(double.PositiveInfinity, d.Missed))).Order().ToList();
        var lasts = deliveries.Select(d => d.LastMs).Order().ToList();
        return new DeliveryStats(deliveries.Count, Percentile(pooled, 0.50), Percentile(pooled, 0.99),
            Percentile(lasts, 0.50), lasts.Count == 0 ? double.NaN : lasts[^1], deliveries.Sum(d => (long)d.Missed),
            deliveries.Sum(d => d.Resent), deliveries.Sum(d => d.SyncFrames), [.. deliveries.Select(d => d.Error).OfType<string>()]);
    }

    public string Summary => $"p50 {SyncTable.Ms(P50Ms)} ms  p99 {SyncTable.Ms(P99Ms)} ms  last client {SyncTable.Ms(LastMedianMs)} ms" +
        (Pushes > 1 ? $" (worst {SyncTable.Ms(LastWorstMs)})" : "") + $", {Missed:N0} missed" +
        (Resent > 0 ? $", {Resent:N0} resent" : "") + (SyncFrames > 0 ? $", {SyncFrames:N0} sync frames" : "") +
        (Errors.Count > 0 ? $", {Errors.Count} failed: {Errors[0]}" : "");

    private static double Percentile(List<double> sorted, double fraction) => sorted.Count == 0
        ? double.NaN
        : sorted[Math.Max(0, (int)Math.Ceiling(fraction * sorted.Count) - 1)];
}

/// <summary>Pushes of one kind (broadcast, room message …) pooled, over every client and per kind of client.</summary>
public sealed record PushStats(DeliveryStats All, IReadOnlyDictionary<ClientKind, DeliveryStats> ByKind)
{
    public static PushStats Of(IReadOnlyList<Push> pushes)
    {
        // Every push of a cell goes to the same clients, so each has the same kinds.
        var kinds = pushes.SelectMany(p => p.ByKind.Keys).Distinct().Order();
        return new PushStats(DeliveryStats.Of([.. pushes.Select(p => p.All)]),
            kinds.ToDictionary(k => k, k => DeliveryStats.Of([.. pushes.Select(p => p.ByKind[k])])));
    }
}
