using System.Diagnostics;

namespace MessagePlatform.Bench;

/// <summary>A user and the token it connects with: MQTT wants both (username = userId), WebSocket only the token.</summary>
public sealed record UserToken(string UserId, string Token);

/// <summary>The clients of one part of the realtime section, of one kind or a mix: opened a few at a time, closed together.</summary>
public sealed class ClientFleet(PlatformClient api) : IAsyncDisposable
{
    // Enough to keep both cores busy with handshakes; more only queues them.
    private const int Parallelism = 32;
    private readonly List<IOnlineClient> _clients = [];

    public IReadOnlyList<IOnlineClient> Clients
    {
        get
        {
            lock (_clients) return [.. _clients];
        }
    }

    public int Count
    {
        get
        {
            lock (_clients) return _clients.Count;
        }
    }

    /// <summary>One token per user, issued before connecting so a memory reading can leave them out.</summary>
    public async Task<UserToken[]> IssueTokensAsync(IReadOnlyList<string> users, CancellationToken ct)
    {
        var tokens = new UserToken[users.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, users.Count), new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = ct },
            async (i, token) => tokens[i] = new UserToken(users[i], await api.IssueTokenAsync(users[i], token)));
        return tokens;
    }

    /// <summary>Connects a client per token and, given a room, joins it; stops at the first failure.</summary>
    /// <param name="mix">The kind of each client, by its place in the fleet; WebSocket only unless given.</param>
    /// <returns>Null when every client connected (and joined); else that first failure.</returns>
    public async Task<Exception?> ConnectAsync(IReadOnlyList<UserToken> tokens, string? room, CancellationToken ct, ClientMix? mix = null)
    {
        mix ??= ClientMix.WebSocketOnly;
        var first = Count;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        Exception? failure = null;
        try
        {
            await Parallel.ForEachAsync(Enumerable.Range(0, tokens.Count), new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = stop.Token },
                async (i, cancel) =>
                {
                    try
                    {
                        var client = await ClientMix.ConnectAsync(mix.KindOf(first + i), api, tokens[i], cancel);
                        lock (_clients) _clients.Add(client);
                        if (room is not null) await client.JoinAsync(room, cancel);
                    }
                    catch (Exception e)
                    {
                        // The first is the cause; those after it are mostly the cancellation it triggers.
                        Interlocked.CompareExchange(ref failure, e, null);
                        await stop.CancelAsync();
                    }
                });
        }
        catch (OperationCanceledException) when (failure is not null || ct.IsCancellationRequested)
        {
            // Stopped on purpose: the failure says why.
        }
        return failure ?? (ct.IsCancellationRequested ? new OperationCanceledException("interrupted") : null);
    }

    /// <summary>Waits until no frame has come for half a second, so a cell does not inherit the one before's backlog.</summary>
    /// <returns>Frames that came meanwhile: late ones, not lost ones.</returns>
    public async Task<long> QuietAsync(TimeSpan timeout)
    {
        var started = Stopwatch.GetTimestamp();
        var first = Frames();
        var frames = first;
        while (Stopwatch.GetElapsedTime(started) < timeout)
        {
            await Task.Delay(500);
            var now = Frames();
            if (now == frames) return now - first;
            frames = now;
        }
        Progress.Log($"realtime: frames still arriving after {timeout.TotalSeconds:0} s; going on");
        return frames - first;
    }

    /// <summary>Closes the last <paramref name="count"/> clients, e.g. to give back descriptors after connecting ran out of them.</summary>
    public async Task CloseLastAsync(int count)
    {
        List<IOnlineClient> closing;
        lock (_clients)
        {
            closing = _clients[^Math.Min(count, _clients.Count)..];
            _clients.RemoveRange(_clients.Count - closing.Count, closing.Count);
        }
        await Parallel.ForEachAsync(closing, async (client, _) => await client.DisposeAsync());
    }

    private long Frames() => Clients.Sum(c => c.Frames);

    public async ValueTask DisposeAsync()
    {
        await Parallel.ForEachAsync(Clients, new ParallelOptions { MaxDegreeOfParallelism = 4 * Parallelism },
            async (client, _) => await client.DisposeAsync());
        lock (_clients) _clients.Clear();
    }
}
