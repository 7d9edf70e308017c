namespace MessagePlatform.Bench;

/// <param name="Connected">Clients in the room when the step ran, or when connecting failed.</param>
/// <param name="ConnectFailure">Why the step could not get all its clients in; then it was not measured.</param>
/// <param name="OpenFiles">File descriptors this process held with the step's clients in (client and server sockets both).</param>
public sealed record RoomStep(int Clients, int Connected, string? ConnectFailure, FrameResult? Delivery, int? OpenFiles)
{
    public bool Held => ConnectFailure is null && Delivery is { } d && d.P99Ms < RoomCapacity.HeldP99Ms;
}

/// <summary>
/// One room, clients joined over WebSockets, one sender posting over REST: delivery at the first
/// size, then doubling until a step fails to connect or its delivery p99 passes a second.
/// </summary>
public sealed class RoomCapacity(PlatformClient api, BenchSettings settings, CancellationToken interrupted)
{
    public const double Rate = 20;
    public const double HeldP99Ms = 1_000;
    public const string Room = "r1";
    private const string Sender = "room-host";

    public IReadOnlyList<int> Sizes => settings.Quick ? [200, 400, 800] : [2_000, 4_000, 8_000];

    public async Task<IReadOnlyList<RoomStep>> RunAsync()
    {
        await api.OpenSessionAsync(Room, "room", []);
        await using var fleet = new ClientFleet(api);
        var steps = new List<RoomStep>();
        foreach (var size in Sizes)
        {
            if (interrupted.IsCancellationRequested) break;
            var users = Enumerable.Range(fleet.Count + 1, size - fleet.Count).Select(i => $"room-{i}").ToList();
            Progress.Log($"realtime: room {size:N0}: connecting and joining clients {fleet.Count + 1:N0} to {size:N0}");
            var failure = await ConnectAsync(fleet, users);
            if (failure is not null)
            {
                Progress.Log($"realtime: room {size:N0}: stopped at {fleet.Count:N0} clients: {failure}");
                steps.Add(new RoomStep(size, fleet.Count, failure, null, OpenFiles()));
                break;
            }
            await fleet.QuietAsync(RealtimeSection.QuietTimeout);
            var name = $"room of {size:N0}";
            // Joining wrote events too; the cell should not compete with their readers.
            await api.WaitForProjectionAsync(RealtimeSection.DrainTimeout, interrupted, $"before {name}");
            Progress.Log($"realtime: {name} @{Rate:N0}/s running");
            var delivery = await new FrameCell(name, Rate, settings.Warmup, settings.Duration)
                .RunAsync(api, () => (Room, Sender), fleet.Clients, perMessage: size);
            Progress.Log($"realtime: {name}: {delivery.Summary}");
            await api.WaitForProjectionAsync(RealtimeSection.DrainTimeout, interrupted, $"after {name}");
            var step = new RoomStep(size, fleet.Count, null, delivery, OpenFiles());
            steps.Add(step);
            if (!step.Held) break;
        }
        if (await fleet.QuietAsync(RealtimeSection.QuietTimeout) is > 0 and var late)
            Progress.Log($"realtime: room: {late:N0} frames came after the last step's grace (late, not lost)");
        Progress.Log($"realtime: closing {fleet.Count:N0} room clients");
        return steps;
    }

    private async Task<string?> ConnectAsync(ClientFleet fleet, IReadOnlyList<string> users)
    {
        try
        {
            var tokens = await fleet.IssueTokensAsync(users, interrupted);
            return (await fleet.ConnectAsync(tokens, Room, interrupted)) is { } e ? Describe(e) : null;
        }
        catch (Exception e)
        {
            return Describe(e);
        }
    }

    public static string Describe(Exception e)
    {
        // The socket error (e.g. too many open files) is usually the innermost exception.
        var root = e;
        while (root.InnerException is not null) root = root.InnerException;
        var text = root == e ? $"{e.GetType().Name}: {e.Message}" : $"{e.GetType().Name}: {e.Message} ({root.GetType().Name}: {root.Message})";
        return text.ReplaceLineEndings(" ");
    }

    /// <summary>Open descriptors of this process (Linux); null elsewhere.</summary>
    public static int? OpenFiles() => Directory.Exists("/proc/self/fd") ? Directory.GetFileSystemEntries("/proc/self/fd").Length : null;

    /// <summary>This process's limit on open files, as the kernel reports it (Linux); null elsewhere.</summary>
    public static string? OpenFileLimit() =>
        OpenFileLimits() is { } limits ? string.Join(" soft / ", limits.Take(2)) + " hard" : null;

    /// <summary>The soft open-file limit as a number; null where the kernel does not say (or says "unlimited").</summary>
    public static int? SoftOpenFileLimit() => int.TryParse(OpenFileLimits()?.FirstOrDefault(), out var soft) ? soft : null;

    private static string[]? OpenFileLimits() => File.Exists("/proc/self/limits")
        && File.ReadLines("/proc/self/limits").FirstOrDefault(l => l.StartsWith("Max open files", StringComparison.Ordinal)) is { } line
            ? line["Max open files".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries)
            : null;
}
