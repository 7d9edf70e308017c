namespace MessagePlatform.Bench;

/// <summary>What every measured operation writes, the same for the platform and for the baselines.</summary>
public static class Workload
{
    public const int SessionCount = 1_000;
    public const string HotSession = "hot";
    public const string Sender = "u1";

    /// <summary>About 100 bytes of text: a typical chat line, not so small that per-byte costs vanish.</summary>
    public const string Text =
        "The quick brown fox jumps over the lazy dog while the benchmark counts every durable message sent.";

    public static readonly string BodyJson = $$"""{"text":"{{Text}}"}""";

    private static long _lastClientMsgId;

    public static string SessionId(int number) => $"s-{number:D4}";

    public static string RandomSessionId() => SessionId(Random.Shared.Next(1, SessionCount + 1));

    /// <summary>Unique across the run: a repeated clientMsgId is answered 200 and stores nothing.</summary>
    public static string NextClientMsgId() => $"c-{Interlocked.Increment(ref _lastClientMsgId)}";
}
