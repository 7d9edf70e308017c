using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace MessagePlatform.IntegrationTests.Infrastructure;

/// <summary>The calls tests make again and again, spelled once.</summary>
public static class Calls
{
    public static async Task<JsonElement> Json(this HttpResponseMessage response) =>
        await response.Content.ReadFromJsonAsync<JsonElement>();

    public static async Task<JsonElement> ExpectAsync(this Task<HttpResponseMessage> call, HttpStatusCode status)
    {
        var response = await call;
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {(int)status}, got {(int)response.StatusCode}: {body}");
        return body.Length == 0 ? default : JsonDocument.Parse(body).RootElement.Clone();
    }

    public static Task<JsonElement> OpenAsync(this HttpClient app, object session, HttpStatusCode status = HttpStatusCode.Created) =>
        app.PostAsJsonAsync("/v1/sessions", session).ExpectAsync(status);

    public static Task<HttpResponseMessage> SendAsync(this HttpClient app, string sessionId, string from, string clientMsgId,
        object? body = null, string type = "text") =>
        app.PostAsJsonAsync($"/v1/sessions/{sessionId}/messages",
            new { from, clientMsgId, type, body = body ?? new { text = $"hello from {from}" } });

    public static Task<JsonElement> HistoryAsync(this HttpClient app, string sessionId, string query = "") =>
        app.GetAsync($"/v1/sessions/{sessionId}/messages{query}").ExpectAsync(HttpStatusCode.OK);

    /// <summary>Follows a user's sync from <paramref name="cursor"/> until it has nothing more; returns every item and the last cursor.</summary>
    public static async Task<(List<JsonElement> Items, string? Cursor)> SyncAllAsync(
        this HttpClient app, string userId, string? cursor = null, int limit = 3)
    {
        var items = new List<JsonElement>();
        while (true)
        {
            var query = cursor is null ? $"?limit={limit}" : $"?limit={limit}&cursor={cursor}";
            var page = await app.GetAsync($"/v1/users/{userId}/sync{query}").ExpectAsync(HttpStatusCode.OK);
            items.AddRange(page.GetProperty("items").EnumerateArray());
            cursor = page.GetProperty("cursor").GetString();
            if (!page.GetProperty("hasMore").GetBoolean()) return (items, cursor);
        }
    }

    /// <summary>A user token for <paramref name="userId"/>, issued with the app key.</summary>
    public static async Task<string> TokenAsync(this HttpClient app, string userId) =>
        (await app.PostAsJsonAsync($"/v1/users/{userId}/tokens", new { }).ExpectAsync(HttpStatusCode.Created)).GetProperty("token").GetString()!;

    public static void AssertProblem(JsonElement problem, int status)
    {
        Assert.Equal(status, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("title").GetString()));
    }
}
