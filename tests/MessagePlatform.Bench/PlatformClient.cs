using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace MessagePlatform.Bench;

public sealed record SyncEntry(string Kind, string MsgId);

public sealed record SyncPageView(IReadOnlyList<SyncEntry> Items, string Cursor, bool HasMore);

/// <summary>The calls of the sync and realtime sections, as one tenant's app.</summary>
/// <param name="mqttPort">The API's MQTT over TCP port (`MP_MQTT_PORT`), if it listens on one.</param>
/// <param name="journal">Where each wait for the readers is recorded, for the report; none when not given.</param>
public sealed class PlatformClient(HttpClient client, int? mqttPort = null, LagJournal? journal = null)
{
    public const int SyncPageSize = 500;

    public Uri Address => client.BaseAddress!;

    public int? MqttPort => mqttPort;

    /// <summary>A user token, for a client of <paramref name="userId"/> to connect with.</summary>
    public async Task<string> IssueTokenAsync(string userId, CancellationToken ct)
    {
        using var response = await PlatformUnderTest.ExpectCreatedAsync(
            client.PostAsJsonAsync($"/v1/users/{Uri.EscapeDataString(userId)}/tokens", new { }, ct));
        var issued = await response.Content.ReadFromJsonAsync<IssuedToken>(ct);
        return issued?.Token ?? throw new InvalidOperationException("POST /v1/users/{userId}/tokens answered no token");
    }

    public async Task<string> OpenSessionAsync(string? sessionId, string type, string[] members)
    {
        using var response = await PlatformUnderTest.ExpectCreatedAsync(
            client.PostAsJsonAsync("/v1/sessions", new { sessionId, type, members }));
        var session = await response.Content.ReadFromJsonAsync<OpenedSession>();
        return session?.SessionId ?? throw new InvalidOperationException("POST /v1/sessions answered no sessionId");
    }

    /// <returns>The new message's id and the Stopwatch time its 201 arrived, before the body is parsed.</returns>
    public async Task<(string MsgId, long AckedAt)> SendAsync(string sessionId, string from)
    {
        var json = $$"""{"from":"{{from}}","clientMsgId":"{{Workload.NextClientMsgId()}}","type":"text","body":{{Workload.BodyJson}}}""";
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await client.PostAsync($"/v1/sessions/{Uri.EscapeDataString(sessionId)}/messages", content);
        var ackedAt = Stopwatch.GetTimestamp();
        if (response.StatusCode != HttpStatusCode.Created)
            throw new OperationFailedException($"HTTP {(int)response.StatusCode}", await response.Content.ReadAsStringAsync());
        var sent = await response.Content.ReadFromJsonAsync<SentMessage>();
        return (sent?.MsgId ?? throw new OperationFailedException("no msgId", "201 without a msgId"), ackedAt);
    }

    /// <summary>Puts <paramref name="reaction"/> on a message as <paramref name="by"/> (200; a repeat changes nothing).</summary>
    public async Task ReactAsync(string sessionId, string msgId, string reaction, string by)
    {
        using var content = new StringContent($$"""{"by":"{{by}}"}""", Encoding.UTF8, "application/json");
        using var response = await client.PutAsync(
            $"/v1/sessions/{Uri.EscapeDataString(sessionId)}/messages/{msgId}/reactions/{Uri.EscapeDataString(reaction)}", content);
        if (response.StatusCode != HttpStatusCode.OK)
            throw new OperationFailedException($"HTTP {(int)response.StatusCode}", await response.Content.ReadAsStringAsync());
    }

    /// <summary>A `system` broadcast to every user of the tenant, with the body of a chat send so the two compare.</summary>
    /// <returns>The broadcast's id; 201 only, as a repeat (200) would push nothing.</returns>
    public async Task<string> BroadcastAsync(bool onlineOnly)
    {
        var json = $$"""{"clientMsgId":"{{Workload.NextClientMsgId()}}","type":"system","body":{{Workload.BodyJson}},"onlineOnly":{{(onlineOnly ? "true" : "false")}}}""";
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await client.PostAsync("/v1/broadcasts", content);
        if (response.StatusCode != HttpStatusCode.Created)
            throw new OperationFailedException($"HTTP {(int)response.StatusCode}", await response.Content.ReadAsStringAsync());
        var sent = await response.Content.ReadFromJsonAsync<SentMessage>();
        return sent?.MsgId ?? throw new OperationFailedException("no msgId", "201 without a msgId");
    }

    public async Task<SyncPageView> SyncAsync(string userId, string? cursor, CancellationToken ct)
    {
        var uri = $"/v1/users/{userId}/sync?limit={SyncPageSize}" + (cursor is null ? "" : $"&cursor={Uri.EscapeDataString(cursor)}");
        using var response = await client.GetAsync(uri, ct);
        if (response.StatusCode != HttpStatusCode.OK)
            throw new OperationFailedException($"HTTP {(int)response.StatusCode}", await response.Content.ReadAsStringAsync(ct));
        return await response.Content.ReadFromJsonAsync<SyncPageView>(ct)
            ?? throw new OperationFailedException("empty page", "sync answered null");
    }

    /// <summary>Events the user chain projection has not processed yet, as /health/ready reports them.</summary>
    public async Task<long> ProjectionLagAsync() => (await ReadinessDataAsync()).GetProperty("lagEvents").GetInt64();

    /// <summary>Every reader of the store (projections and subscriptions) with the events it trails by, from /health/ready.</summary>
    public async Task<IReadOnlyDictionary<string, long>> ReaderLagsAsync()
    {
        var data = await ReadinessDataAsync();
        var lags = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var property in data.EnumerateObject())
            if (property.Name.StartsWith("lag.", StringComparison.Ordinal)) lags[property.Name[4..]] = property.Value.GetInt64();
        return lags;
    }

    public static string Describe(IReadOnlyDictionary<string, long> lags) =>
        lags.Count == 0 ? "no readers yet" : string.Join(", ", lags.Select(l => $"{l.Key} {l.Value:N0}"));

    private async Task<JsonElement> ReadinessDataAsync()
    {
        // Not checking the status: readiness answers 503 when unhealthy, and still carries the lag.
        using var response = await client.GetAsync("/health/ready");
        using var health = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return health.RootElement.GetProperty("checks").GetProperty("projections").GetProperty("data").Clone();
    }

    /// <summary>
    /// Prints every reader's lag at the end of a cell, then waits until all have caught up, so a cell
    /// does not pay for the backlog of the one before it. Gives up after <paramref name="timeout"/>
    /// and returns the largest lag left.
    /// </summary>
    /// <param name="moment">When this is, for the log: "after spread sends x8", "before sync c2c @200/s".</param>
    public async Task<long> WaitForProjectionAsync(TimeSpan timeout, CancellationToken ct, string moment = "between cells")
    {
        var started = Stopwatch.GetTimestamp();
        var lastLog = started;
        var lags = await ReaderLagsAsync();
        var atEnd = lags;
        Progress.Log($"readers' lag {moment}: {Describe(lags)}");
        while (true)
        {
            var lag = lags.Count == 0 ? await ProjectionLagAsync() : lags.Values.Max();
            if (lag == 0 || Stopwatch.GetElapsedTime(started) > timeout || ct.IsCancellationRequested)
            {
                var drained = Stopwatch.GetElapsedTime(started).TotalSeconds;
                if (lag > 0) Progress.Log($"readers still {lag:N0} events behind after {drained:N0} s {moment}; going on");
                journal?.Add(new DrainRecord(moment, atEnd, drained, lag));
                return lag;
            }
            if (Stopwatch.GetElapsedTime(lastLog) > TimeSpan.FromSeconds(5))
            {
                Progress.Log($"waiting for the readers to drain: {Describe(lags)}");
                lastLog = Stopwatch.GetTimestamp();
            }
            await Task.Delay(250, CancellationToken.None);
            lags = await ReaderLagsAsync();
        }
    }

    private sealed record OpenedSession(string SessionId);

    private sealed record SentMessage(string MsgId);

    private sealed record IssuedToken(string Token);
}
