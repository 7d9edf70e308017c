namespace MessagePlatform.Bench;

/// <summary>Progress goes to stderr, so stdout holds only the tables and can be pasted as is.</summary>
public static class Progress
{
    public static void Log(string line) => Console.Error.WriteLine($"[{DateTime.Now:HH:mm:ss}] {line}");
}
