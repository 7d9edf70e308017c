using System.Net;
using System.Text.Json;

namespace MessagePlatform.IntegrationTests.Infrastructure;

/// <summary>A rebuild as an operator runs one: start it (202 with its status at Location), then follow it until it ends.</summary>
public static class Rebuilds
{
    public static async Task<JsonElement> StartRebuildAsync(this HttpClient admin)
    {
        using var response = await admin.PostAsync("/v1/admin/projections/rebuild", null);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.NotNull(response.Headers.Location);
        return await response.Json();
    }

    /// <summary>Polls the rebuild until it is no longer running; its final status.</summary>
    public static Task<JsonElement> RebuildEndedAsync(this HttpClient admin, string rebuildId, int seconds = 120) =>
        Poll.UntilAsync(() => admin.GetAsync($"/v1/admin/projections/rebuilds/{rebuildId}").ExpectAsync(HttpStatusCode.OK),
            r => r.GetProperty("status").GetString() != "running", seconds);

    /// <summary>Starts a rebuild and waits for it to complete; its final status (asserted "completed").</summary>
    public static async Task<JsonElement> RebuildAsync(this HttpClient admin)
    {
        var started = await admin.StartRebuildAsync();
        var ended = await admin.RebuildEndedAsync(started.GetProperty("rebuildId").GetString()!);
        Assert.Equal("completed", ended.GetProperty("status").GetString());
        return ended;
    }
}
