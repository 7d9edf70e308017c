using System.Diagnostics;

namespace MessagePlatform.Bench;

/// <param name="Connections">Connected of those asked for; the figures are per connected one.</param>
/// <param name="Failure">Why not all connected, if they did not.</param>
public sealed record MemoryResult(
    int Asked, int Connections, long HeapBefore, long HeapAfter, long WorkingSetBefore, long WorkingSetAfter, string? Failure)
{
    public double HeapPerConnection => (HeapAfter - HeapBefore) / (double)Connections;

    public double WorkingSetPerConnection => (WorkingSetAfter - WorkingSetBefore) / (double)Connections;
}

/// <summary>
/// Memory of idle WebSocket connections: the process before and after opening them, no traffic.
/// The clients live in this process too, so the figure is client and server together: an upper
/// bound for the server's share.
/// </summary>
public static class IdleConnectionCost
{
    public static async Task<MemoryResult> MeasureAsync(PlatformClient api, int count, CancellationToken ct)
    {
        await using var fleet = new ClientFleet(api);
        // Tokens first: they are the test's, and held across both readings they cancel out.
        var tokens = await fleet.IssueTokensAsync([.. Enumerable.Range(1, count).Select(i => $"idle-{i}")], ct);
        var (heapBefore, workingSetBefore) = await ReadAsync();
        var failure = await fleet.ConnectAsync(tokens, room: null, ct);
        var (heapAfter, workingSetAfter) = await ReadAsync();
        GC.KeepAlive(tokens);
        return new MemoryResult(count, fleet.Count, heapBefore, heapAfter, workingSetBefore, workingSetAfter, failure?.Message);
    }

    private static async Task<(long Heap, long WorkingSet)> ReadAsync()
    {
        // Setup's stragglers (handshake buffers, pooled HTTP connections going idle) settle first.
        await Task.Delay(TimeSpan.FromSeconds(1));
        // Aggressive: compacts every heap and hands free memory back to the OS, so the working set
        // is not padded by what earlier cells freed (which would hide or inflate the difference).
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        var heap = GC.GetTotalMemory(forceFullCollection: true);
        using var process = Process.GetCurrentProcess();
        return (heap, process.WorkingSet64);
    }
}
