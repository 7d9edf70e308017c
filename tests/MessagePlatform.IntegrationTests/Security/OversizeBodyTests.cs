using System.Net;
using System.Net.Http.Headers;
using System.Text;
using MessagePlatform.IntegrationTests.Infrastructure;

namespace MessagePlatform.IntegrationTests.Security;

/// <summary>A 10 MiB body is refused with 413 before anything parses it, on the in-process host and on Kestrel.</summary>
[Collection(FairUseCollection.Name)]
public sealed class OversizeBodyTests(FairUseFixture fair)
{
    private const int TenMiB = 10 * 1024 * 1024;

    // Without a declared length Kestrel stops reading at the cap and answers; a client still writing
    // 10 MiB then meets a closed socket, so the chunked case sends a little over the cap (512 KiB).
    private const int HalfMiB = 512 * 1024;

    private static HttpContent Huge(bool chunked)
    {
        // Valid JSON throughout, so only its size can be the reason for the refusal.
        var text = new string('x', chunked ? HalfMiB : TenMiB);
        var json = Encoding.UTF8.GetBytes("{\"from\":\"a\",\"clientMsgId\":\"big\",\"type\":\"text\",\"body\":{\"text\":\"" + text + "\"}}");
        HttpContent content = chunked ? new StreamContent(new MemoryStream(json)) : new ByteArrayContent(json);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return content;
    }

    private static async Task ExpectTooLargeAsync(HttpClient client, string path, bool chunked)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = Huge(chunked) };
        // A well-behaved client waits to be told to send; the server says 413 instead.
        request.Headers.ExpectContinue = true;
        if (chunked) request.Headers.TransferEncodingChunked = true;
        var problem = await client.SendAsync(request).ExpectAsync(HttpStatusCode.RequestEntityTooLarge);
        Calls.AssertProblem(problem, 413);
    }

    [Fact]
    public async Task a_10_mib_post_to_a_send_and_to_an_open_is_a_413_problem_and_stores_nothing()
    {
        var tenant = await fair.NewTenantAsync();
        await tenant.App.OpenAsync(new { sessionId = "g", type = "group", members = new[] { "a" } });
        await ExpectTooLargeAsync(tenant.App, "/v1/sessions/g/messages", chunked: false);
        await ExpectTooLargeAsync(tenant.App, "/v1/sessions", chunked: false);
        Assert.Equal(0, (await tenant.App.HistoryAsync("g")).GetProperty("messages").GetArrayLength());
    }

    [Fact]
    public async Task on_kestrel_a_10_mib_post_and_an_undeclared_half_mib_one_are_413_problems()
    {
        // A database of its own: the fixture's in-memory node lets no other node start beside it.
        await using var node = await ApiProcess.StartAsync(await TestServers.CreateDatabaseAsync(), nodeId: 51);
        var tenant = await node.NewTenantAsync();
        var app = tenant.App;
        await app.OpenAsync(new { sessionId = "g", type = "group", members = new[] { "a" } });
        await ExpectTooLargeAsync(app, "/v1/sessions/g/messages", chunked: false);
        await ExpectTooLargeAsync(app, "/v1/sessions", chunked: false);
        await ExpectTooLargeAsync(app, "/v1/sessions/g/messages", chunked: true);
        // The node is fine afterwards, and nothing was stored.
        await app.SendAsync("g", "a", "small").ExpectAsync(HttpStatusCode.Created);
        Assert.Equal(1, (await app.HistoryAsync("g")).GetProperty("messages").GetArrayLength());
    }
}
