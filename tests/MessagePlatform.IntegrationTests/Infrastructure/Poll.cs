using System.Text.Json;

namespace MessagePlatform.IntegrationTests.Infrastructure;

/// <summary>Waits for a condition by reading it again until it holds or time runs out: never a fixed sleep.</summary>
public static class Poll
{
    public static async Task<T> UntilAsync<T>(Func<Task<T>> read, Func<T, bool> done, int seconds = 30)
    {
        for (var deadline = DateTime.UtcNow.AddSeconds(seconds); ; await Task.Delay(100))
        {
            var value = await read();
            if (done(value)) return value;
            Assert.True(DateTime.UtcNow < deadline, $"the condition did not hold in time; last: {Describe(value)}");
        }
    }

    private static string? Describe<T>(T value) => value is JsonElement json ? json.GetRawText() : value?.ToString();
}
