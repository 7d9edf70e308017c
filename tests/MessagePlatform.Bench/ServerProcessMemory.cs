namespace MessagePlatform.Bench;

public sealed record ServerMemoryResult(int Asked, int Connections, long WorkingSetBefore, long WorkingSetAfter, string? Failure)
{
    public double PerConnection => (WorkingSetAfter - WorkingSetBefore) / (double)Connections;
}

/// <summary>
/// The server's own share of an idle connection: an API node in a process of its own
/// (<see cref="PlatformProcess"/>), its working set read before and after the clients of this
/// process connect to it.
/// </summary>
public static class ServerProcessMemory
{
    public static async Task<ServerMemoryResult> MeasureAsync(int count, CancellationToken ct)
    {
        await using var node = await PlatformProcess.StartAsync("idle", new Dictionary<string, string>(), ct);
        await node.CreateTenantAsync(new { tenantId = "idle", name = "Idle connections", scenario = "enterprise" });
        await using var issuer = new ClientFleet(new PlatformClient(node.App));
        var tokens = await issuer.IssueTokensAsync([.. Enumerable.Range(1, count).Select(i => $"srv-idle-{i}")], ct);
        await using var fleet = new ClientFleet(new PlatformClient(new HttpClient { BaseAddress = node.Address }));
        // A fresh process pays JIT and thread-pool growth on its first connections: warm it with a
        // tenth of them, then count only what the rest add.
        var warm = Math.Max(1, count / 10);
        var failure = await fleet.ConnectAsync(tokens[..warm], room: null, ct);
        var before = await WorkingSetAsync(node);
        failure ??= await fleet.ConnectAsync(tokens[warm..], room: null, ct);
        var after = await WorkingSetAsync(node);
        return new ServerMemoryResult(count - warm, fleet.Count - warm, before, after, failure?.Message);
    }

    private static async Task<long> WorkingSetAsync(PlatformProcess node)
    {
        // Let the connects' transient buffers go and the server's GC run at its own pace.
        await Task.Delay(TimeSpan.FromSeconds(3));
        node.Server.Refresh();
        return node.Server.WorkingSet64;
    }
}
